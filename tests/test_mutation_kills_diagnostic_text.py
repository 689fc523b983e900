"""Diagnostics carry the facts an operator needs to fix the spec, pinned outside the golden corpus.

Written against the sample's survivors (bench/mutation.py --sample 80 --seed 13) that dropped a
hint or a message which only tests/golden/error_* pinned. Asserted: that each finding says what is
wrong and gives the fix's facts (the allowed path syntax, the functions that exist, the quota's
exact name in Service Quotas, the limit, the allowed values), not every word.
"""
from __future__ import annotations

from compiler.errors import SpecError
from compiler.validate import validate_file
from plan_support import ROOT

BASE = """\
version: 1
name: shop
region: us-east-1
functions:
  items: {handler: runtime_handlers.items.handler}
  health: {handler: runtime_handlers.health.handler}
"""


def _findings(tmp_path, text: str, code: str):
    spec = tmp_path / "app.yaml"
    spec.write_text(text)
    try:
        result = validate_file(str(spec), ROOT)
    except SpecError as exc:
        found = exc.diagnostics
    else:
        found = result.warnings
    matching = [d for d in found if d.code == code]
    assert matching, f"no {code} in {[(d.code, d.message) for d in found]}"
    return matching


def test_e303_gives_the_path_syntax(tmp_path):
    [finding] = _findings(tmp_path, BASE + "api:\n  routes:\n    - {method: GET, path: '/items//{id}', function: items}\n", "E303")
    assert finding.message.startswith("invalid path '/items//{id}'")
    assert "{name}" in finding.hint and "{name+}" in finding.hint and "- . _ ~" in finding.hint


def test_e327_names_the_functions_that_exist_and_the_likely_one(tmp_path):
    text = BASE + ("  authorize: {handler: runtime_handlers.health.handler}\n"
                   "api:\n  authorizers:\n    partners: {type: lambda, function: authorise, identity: header.Authorization}\n"
                   "  routes:\n    - {method: GET, path: /items, function: items, auth: partners}\n")
    [finding] = [d for d in _findings(tmp_path, text, "E327") if "unknown function" in d.message]
    assert finding.message == "unknown function 'authorise'"
    assert finding.hint == "did you mean 'authorize'? defined functions: authorize, health, items"


def test_e335_says_the_health_route_has_an_authorizer_route_53_cannot_pass(tmp_path):
    text = BASE + ("domain: {name: api.shop.example.com, hosted_zone_id: Z0123456789ABCDEFGHIJ}\n"
                   "availability:\n  mode: active-active\n  regions: [us-east-1, us-west-2]\n  health_check: {route: /health}\n"
                   "api:\n  authorizers:\n    internal: {type: iam}\n"
                   "  routes:\n    - {method: GET, path: /health, function: health, auth: internal}\n")
    [finding] = _findings(tmp_path, text, "E335")
    assert finding.message == "health route '/health' has an authorizer; Route 53's checkers send no credentials"
    assert finding.hint


def test_w402_names_the_service_quota_to_raise(tmp_path):
    routes = "".join(f"    - {{method: GET, path: /r{i}, function: items}}\n" for i in range(301))
    [finding] = _findings(tmp_path, BASE + "api:\n  routes:\n" + routes, "W402")
    assert finding.severity == "warning"
    assert "Service Quotas entry 'Resources per REST API' (API Gateway)" in finding.hint


def test_e108_gives_the_largest_number_a_setting_needs(tmp_path):
    """An 80-digit number: over the loader's 256-bit cap, so it is refused before the schema."""
    text = BASE.replace("items: {handler: runtime_handlers.items.handler}",
                        "items: {handler: runtime_handlers.items.handler, memory_mb: 99999999999999999999999999999999999999999999999999999999999999999999999999999999}")
    [finding] = _findings(tmp_path, text, "E108")
    assert finding.message == "integer too large" and "18 digits" in finding.hint


def test_a_value_outside_an_enum_lists_the_allowed_values(tmp_path):
    text = BASE + "api:\n  endpoint: regionl\n  routes:\n    - {method: GET, path: /items, function: items}\n"
    [finding] = _findings(tmp_path, text, "E204")
    assert finding.hint.startswith("one of: regional, edge")
