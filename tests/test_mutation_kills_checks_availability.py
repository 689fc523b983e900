"""compiler.checks_availability's E332 and E333 say what is wrong and how to fix it, pinned outside
the golden corpus.

Written against mutants that bench/mutation.py found surviving once the golden byte comparisons are
left out: every one rewrote E332's message or hint (only tests/golden/error_availability_* pinned the
text). The facts an operator needs are asserted, not the whole sentence: which primary region is
missing from `availability.regions`, that it is the region holding each table's primary copy (the
reason it must be listed: DynamoDB global tables replicate from it), and every region they could
switch `region` to, in the order written.
"""
from __future__ import annotations

import pytest

from compiler.errors import SpecError
from compiler.validate import validate_file
from plan_support import ROOT

SPEC = """\
version: 1
name: shop
region: {region}
domain: {{name: api.shop.example.com, hosted_zone_id: Z0123456789ABCDEFGHIJ}}
availability:
  mode: {mode}
  regions: [{regions}]
  health_check: {{route: /health}}
functions:
  health:
    handler: runtime_handlers.health.handler
api:
  routes:
    - {{method: GET, path: /health, function: health}}
"""


def _diagnostics(tmp_path, region: str, regions: list[str], mode: str = "active-active"):
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC.format(region=region, regions=", ".join(regions), mode=mode))
    with pytest.raises(SpecError) as raised:
        validate_file(str(spec), ROOT)
    return raised.value.diagnostics


def test_e332_names_the_missing_primary_region_why_it_matters_and_every_alternative(tmp_path):
    [finding] = [d for d in _diagnostics(tmp_path, "eu-west-1", ["us-west-2", "us-east-1", "ap-southeast-2"]) if d.code == "E332"]
    assert finding.path == "availability.regions"
    assert finding.message == "availability.regions does not include the primary region 'eu-west-1'"
    assert finding.hint.startswith("add eu-west-1 ")
    assert "the region that holds each table's primary copy" in finding.hint
    assert finding.hint.endswith("or change `region` to one of us-west-2, us-east-1, ap-southeast-2")


def test_e333_says_how_many_regions_active_passive_got_and_what_it_needs(tmp_path):
    [finding] = [d for d in _diagnostics(tmp_path, "us-east-1", ["us-east-1", "us-west-2", "eu-west-1"], mode="active-passive")
                 if d.code == "E333"]
    assert finding.message == "active-passive needs exactly 2 regions (a primary and a secondary), not 3"
    assert "primary first" in finding.hint and "active-active" in finding.hint
