"""The stage model: which stage is built, and the spec as each stage sees it.

Rules (the safe-deploy issue): under Pulumi the stack config `stage`, else the stack name; offline
`--stage`, else the spec's `stage`, else dev. `stages` overrides merge over the base (mappings
merge; lists and scalars replace; here also `null` removes), only declared stages may be built, and
`validate` checks every stage's merged result at the override's own lines.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.__main__ import main
from compiler.errors import SpecError
from compiler.loader import load_text
from compiler.plan import plan_file
from compiler.stages import apply, view
from compiler.validate import validate_file
from plan_support import ROOT, one, resources

BASE = """\
version: 1
name: shop
stage: dev
region: eu-west-1
tags: {team: core, cost: "1"}
functions:
  items:
    handler: runtime_handlers.items.handler
    memory_mb: 256
    environment: {MODE: base, LEVEL: info}
api:
  throttling: {rate_limit: 100, burst_limit: 200}
  routes:
    - {method: GET, path: /items, function: items}
alarms:
  notify: [dev@example.com]
  function_errors: {threshold: 5}
  api_5xx: {threshold: 5}
"""


def write(tmp_path: Path, text: str) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return str(spec)


def test_mappings_merge_lists_and_scalars_replace_and_null_removes():
    data = {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 1, "stages": {"prod": {"a": {"y": [3], "z": None, "w": 2}, "b": 2}}}
    assert apply(data, "prod") == {"a": {"x": 1, "y": [3], "w": 2}, "b": 2}
    assert apply(data, "dev") == {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 1}
    # The base is not modified by merging.
    assert data["a"]["y"] == [1, 2] and "w" not in data["a"]


def test_version_name_stage_and_stages_are_never_taken_from_an_override():
    data = {"version": 1, "name": "shop", "stage": "dev", "stages": {"prod": {"name": "x", "version": 2, "stage": "y", "stages": {}}}}
    assert apply(data, "prod") == {"version": 1, "name": "shop", "stage": "dev"}


def test_the_view_of_a_stage_keeps_the_override_lines_for_overridden_values_and_the_base_lines_for_the_rest():
    text = BASE + "stages:\n  prod:\n    functions:\n      items: {memory_mb: 1024}\n"
    spec = load_text(text, "spec.yaml")
    prod = view(spec, "prod")
    assert prod.data["functions"]["items"]["memory_mb"] == 1024
    line = text.splitlines().index("      items: {memory_mb: 1024}")
    assert prod.locate(("functions", "items", "memory_mb")) == (line + 1, text.splitlines()[line].index("1024") + 1)
    assert prod.locate(("functions", "items", "handler")) == spec.locate(("functions", "items", "handler"))
    found = prod.diagnostic(("functions", "items", "memory_mb"), "E201", "m")
    assert found.path == "stages.prod.functions.items.memory_mb"
    assert prod.diagnostic(("functions", "items", "handler"), "E201", "m").path == "functions.items.handler"


def test_validate_reports_a_value_only_a_stage_breaks_once_at_the_override_and_plans_nothing(tmp_path, capsys, monkeypatch):
    spec = write(tmp_path, BASE + "stages:\n  dev: {}\n  prod:\n    functions: {items: {memory_mb: 64}}\n  qa:\n    functions: {items: {memory_mb: 64}}\n")
    monkeypatch.chdir(ROOT)
    assert main(["validate", spec]) == 1
    err = capsys.readouterr().err
    assert err.count(" E201 ") == 2  # each override is its own line
    lines = Path(spec).read_text().splitlines()
    prod_line, qa_line = lines.index("  prod:") + 2, lines.index("  qa:") + 2
    assert f":{prod_line}:" in err and f":{qa_line}:" in err and "stages.prod.functions.items.memory_mb" in err
    with pytest.raises(SpecError):
        plan_file(spec, stage="dev", project_root=ROOT)


def test_a_problem_in_a_stage_located_in_the_base_names_the_stage(tmp_path):
    # The base is valid; the staging override makes the routed function's timeout exceed 29 s.
    text = BASE.replace("    memory_mb: 256\n", "    memory_mb: 256\n    timeout_s: 10\n") + "stages:\n  dev: {}\n  staging:\n    functions: {items: {timeout_s: 40}}\n"
    with pytest.raises(SpecError) as raised:
        validate_file(write(tmp_path, text), ROOT)
    [problem] = raised.value.diagnostics
    assert (problem.code, problem.path) == ("E307", "stages.staging.functions.items.timeout_s")


def test_plan_builds_the_merged_stage_and_the_base_for_other_declared_stages(tmp_path):
    text = BASE + ("stages:\n  dev: {}\n  prod:\n    protect: true\n    tags: {cost: \"2\"}\n"
                   "    functions: {items: {memory_mb: 1024, environment: {MODE: prod}}}\n"
                   "    api: {throttling: {rate_limit: 5000, burst_limit: 10000}}\n"
                   "    alarms: {notify: [prod@example.com], api_5xx: null}\n")
    spec = write(tmp_path, text)
    dev, prod = plan_file(spec, project_root=ROOT), plan_file(spec, stage="prod", project_root=ROOT)
    function = lambda d: one(d, "aws:lambda/function:Function")["inputs"]  # noqa: E731
    assert (function(dev)["memorySize"], function(prod)["memorySize"]) == (256, 1024)
    # Mappings merge: LEVEL stays, MODE is replaced.
    assert function(prod)["environment"]["variables"] == {"LEVEL": "info", "MODE": "prod"}
    provider_tags = lambda d: json.loads(one(d, "pulumi:providers:aws")["inputs"]["defaultTags"])["tags"]  # noqa: E731
    assert (provider_tags(dev)["cost"], provider_tags(prod)["cost"], provider_tags(prod)["team"]) == ("1", "2", "core")
    settings = lambda d: one(d, "aws:apigateway/methodSettings:MethodSettings")["inputs"]["settings"]  # noqa: E731
    assert (settings(dev)["throttlingRateLimit"], settings(prod)["throttlingRateLimit"]) == (100, 5000)
    endpoints = lambda d: [s["inputs"]["endpoint"] for s in resources(d, "aws:sns/topicSubscription:TopicSubscription")]  # noqa: E731
    assert (endpoints(dev), endpoints(prod)) == (["dev@example.com"], ["prod@example.com"])  # lists replace
    api_alarms = lambda d: [a for a in resources(d, "aws:cloudwatch/metricAlarm:MetricAlarm") if a["inputs"].get("namespace") == "AWS/ApiGateway"]  # noqa: E731
    assert (len(api_alarms(dev)), len(api_alarms(prod))) == (1, 0)  # null removes


def test_plan_refuses_an_undeclared_stage_flag_and_lists_the_declared_ones(tmp_path, capsys, monkeypatch):
    spec = write(tmp_path, BASE + "stages:\n  dev: {}\n  prod: {}\n")
    monkeypatch.chdir(ROOT)
    assert main(["plan", spec, "--stage", "prdo"]) == 1
    err = capsys.readouterr().err
    assert "E316 stages: stage 'prdo' (from --stage) is not declared in stages" in err
    assert "declared stages: dev, prod" in err


def test_without_stages_any_valid_stage_may_be_built(tmp_path):
    document = plan_file(write(tmp_path, BASE), stage="anything", project_root=ROOT)
    assert document["stage"] == "anything"


def test_warnings_do_not_fail_validate_unless_strict(tmp_path, capsys, monkeypatch):
    text = BASE.replace("    - {method: GET, path: /items, function: items}\n",
                        "    - {method: GET, path: /items, function: items, api_key_required: true}\n"
                        "  usage_plans: {free: {quota: {limit: 10, period: DAY}}}\n")
    spec = write(tmp_path, text)
    monkeypatch.chdir(ROOT)
    assert main(["validate", spec]) == 0
    assert " W401 " in capsys.readouterr().err
    assert main(["validate", "--strict", spec]) == 1
    capsys.readouterr()
    assert main(["validate", "--format", "json", spec]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and [d["severity"] for d in report["files"][0]["diagnostics"]] == ["warning"]
    assert main(["plan", spec]) == 0
    assert " W401 " in capsys.readouterr().err
    assert main(["plan", "--strict", spec]) == 1
