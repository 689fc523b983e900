"""The readable plan is made for review: the values an operator decides appear, a changed threshold
or retention changes it, IAM is summarised, and values only a deploy knows are never shown as real."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from compiler.plan import plan_file, render_summary
from plan_support import ROOT, SAMPLE, resources


def summary_of(data: dict, tmp_path: Path) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return render_summary(plan_file(str(spec), project_root=ROOT))


def test_changing_a_threshold_or_a_retention_changes_the_readable_plan_exactly_there(tmp_path):
    data = yaml.safe_load((ROOT / SAMPLE).read_text())
    before = summary_of(data, tmp_path).splitlines()
    data["alarms"]["function_errors"]["threshold"] = 7
    data["logs"]["retention_days"] = 90
    after = summary_of(data, tmp_path).splitlines()
    changed = sorted(set(after) - set(before))
    assert "  serverless-app-dev-items-errors: >= 7 (Sum), 300 s x 2" in changed
    assert "  /aws/lambda/serverless-app-dev-items: 90 days" in changed
    assert all(re.search(r">= 7 |: 90 days$", line) for line in changed), changed


def test_the_values_an_operator_decides_are_shown(tmp_path):
    text = render_summary(plan_file(SAMPLE, project_root=ROOT))
    data = yaml.safe_load((ROOT / SAMPLE).read_text())
    items = data["functions"]["items"]
    assert f"serverless-app-dev-items: {items['runtime']}, arm64, {items['memory_mb']} MB, timeout {items['timeout_s']} s" in text
    assert "*/*: 1000 req/s burst 2000, logs ERROR, detailed metrics off" in text
    assert "serverless-app-dev-partners: 100 req/s burst 200, quota 10000/DAY" in text
    assert "expire after 365 days, noncurrent after 30 days, expired delete markers removed" in text
    assert "rotation every 365 days, deletion window 30 days" in text
    assert "archive-us-east-1-bucket: retain_on_delete" in text
    assert re.search(r"serverless-app-dev-items-fn-us-east-1:\n(    .*\n)*    dynamodb:\{BatchGetItem, .*UpdateItem\} -> arn:aws:dynamodb:us-east-1:<account>:table/serverless-app-dev-items", text)


def test_values_the_mock_runtime_invented_are_shown_as_known_after_deploy():
    document = plan_file(SAMPLE, project_root=ROOT)
    text = render_summary(document)
    api_id = document["outputs"]["api_id"]
    key_id = [r for r in resources(document, "aws:kms/key:Key")][0]["id"]
    assert api_id not in text and key_id not in text and "123456789012" not in text
    assert "  api_id: (known after deploy)" in text and "  api_url: (known after deploy)" in text
    assert json.loads(text.split("  api_key_ids: ", 1)[1].splitlines()[0]) == {"acme": "(known after deploy)"}
    # What the spec decides stays visible.
    assert "  function_names: " + json.dumps(document["outputs"]["function_names"]) in text
