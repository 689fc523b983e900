"""The Pulumi entry point (`__main__.py` -> compiler.pulumi_program.run) under the mock runtime:
it builds what `plan` builds, takes spec and stage from the stack config, and stops a bad spec
before any resource is registered."""
from __future__ import annotations

import logging
import runpy

import pulumi
import pytest
import yaml
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from compiler.mocks import AwsMocks
from compiler.plan import CaptureMonitor
from plan_support import ROOT, plan

PROJECT = "serverless-app"


def run_entry(monkeypatch, config: dict[str, str], stack: str = "dev", monitor: CaptureMonitor | None = None) -> CaptureMonitor:
    """Run the real `__main__.py` as `pulumi up` would, with mocks in place of the engine."""
    monkeypatch.chdir(ROOT)
    mocks = AwsMocks("us-east-1")
    monitor = monitor or CaptureMonitor(mocks)
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({f"{PROJECT}:{k}": v for k, v in config.items()})
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(ROOT / "__main__.py"))))
    finally:
        pulumi.runtime.set_all_config({})
    return monitor


def test_the_pulumi_program_registers_the_same_resources_as_plan(monkeypatch):
    monitor = run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml"})
    registered = sorted((r["type"], r["name"]) for r in monitor.requests)
    planned = sorted((r["type"], r["name"]) for r in plan("specs/serverless-app.yaml")["resources"])
    assert registered == planned


def test_the_stack_config_stage_wins_over_the_spec_and_names_every_resource(monkeypatch):
    monitor = run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml", "stage": "prod"}, stack="whatever")
    functions = [r for r in monitor.requests if r["type"] == "aws:lambda/function:Function"]
    assert sorted(f["inputs"]["name"] for f in functions) == ["serverless-app-prod-health", "serverless-app-prod-items"]


def test_the_stack_name_beats_the_specs_stage_key_with_a_warning_and_the_stages_overrides_apply(monkeypatch, caplog):
    """Stacks `prod` and `staging` built from a spec saying `stage: dev` must not both build dev."""
    spec = yaml.safe_load((ROOT / "specs" / "serverless-app.yaml").read_text())
    assert spec["stage"] == "dev" and spec["stages"]["prod"]["functions"]["items"]["memory_mb"] == 1024
    with caplog.at_level(logging.WARNING):
        monitor = run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml"}, stack="prod")
    functions = {r["inputs"]["name"]: r["inputs"] for r in monitor.requests if r["type"] == "aws:lambda/function:Function"}
    assert functions["serverless-app-prod-items"]["memorySize"] == 1024
    stage = next(r for r in monitor.requests if r["type"] == "aws:apigateway/stage:Stage")
    assert stage["inputs"]["stageName"] == "prod"
    warnings = [r.getMessage() for r in caplog.records if " W403 " in r.getMessage()]
    assert len(warnings) == 1 and "'dev' is ignored" in warnings[0] and "'prod'" in warnings[0], caplog.text
    protected = sorted(r["type"] for r in monitor.requests if r["options"].get("protect"))
    # What holds data: the archive's key and bucket, and the sample's table.
    assert protected == ["aws:dynamodb/table:Table", "aws:kms/key:Key", "aws:s3/bucket:Bucket"]


def test_a_stack_the_spec_does_not_declare_is_refused_with_the_declared_stages(monkeypatch):
    monitor = CaptureMonitor(AwsMocks("us-east-1"))
    with pytest.raises(pulumi.RunError) as raised:
        run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml"}, stack="prdo", monitor=monitor)
    assert monitor.requests == []
    assert "E316 stages: stage 'prdo' (from the stack name) is not declared in stages" in str(raised.value)
    assert "declared stages: dev, prod" in str(raised.value)


def test_a_stack_matching_the_specs_stage_gets_no_warning(monkeypatch, caplog):
    with caplog.at_level(logging.WARNING):
        run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml"}, stack="dev")
    assert " W403 " not in caplog.text


def test_the_stack_name_is_the_stage_when_neither_config_nor_spec_sets_one(monkeypatch):
    monitor = run_entry(monkeypatch, {"spec": "tests/golden/plan_minimal/spec.yaml"}, stack="qa")
    stage = next(r for r in monitor.requests if r["type"] == "aws:apigateway/stage:Stage")
    assert stage["inputs"]["stageName"] == "qa"


def test_a_bad_spec_stops_the_update_with_its_diagnostics_and_registers_nothing(monkeypatch, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "specs" / "serverless-app.yaml").read_text().replace("memory_mb: 256", "memory_mb: 64"))
    monitor = CaptureMonitor(AwsMocks("us-east-1"))
    with pytest.raises(pulumi.RunError) as raised:
        run_entry(monkeypatch, {"spec": str(bad)}, monitor=monitor)
    assert monitor.requests == []
    assert "E201 functions.items.memory_mb: 64 is less than the minimum of 128" in str(raised.value)
    assert "Traceback" not in str(raised.value)


def test_an_invalid_stage_from_the_stack_config_is_refused(monkeypatch):
    with pytest.raises(pulumi.RunError, match="E205 stage"):
        run_entry(monkeypatch, {"spec": "specs/serverless-app.yaml", "stage": "Prod_1"})


def test_under_the_real_engine_dependency_layers_are_built_once_per_content_and_shipped(monkeypatch, tmp_path):
    """Offline `plan` never builds a layer; the Pulumi program does, before registering it."""
    import compiler.layers

    built = []

    def fake_build(requirements, runtime, architecture, out_dir, extra_pip_args=()):
        built.append((requirements.relative_to(ROOT).as_posix(), runtime, architecture))
        zip_path = tmp_path / "layer.zip"
        zip_path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
        return zip_path

    monkeypatch.setattr(compiler.layers, "build_layer", fake_build)
    monitor = run_entry(monkeypatch, {"spec": "tests/golden/plan_tables_and_secrets/spec.yaml"}, stack="dev")
    assert built == [("tests/golden/plan_tables_and_secrets/requirements.txt", "python3.12", "arm64")]
    [layer] = [r for r in monitor.requests if r["type"] == "aws:lambda/layerVersion:LayerVersion"]
    assert layer["inputs"]["code"].path == str(tmp_path / "layer.zip")
