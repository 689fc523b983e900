"""Validator behaviour beyond the golden corpus: handler lookup, loader marks, reporting."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.__main__ import main
from compiler.errors import SpecError
from compiler.loader import load_text
from compiler.validate import find_project_root, validate_file
from plan_support import ROOT

SAMPLE = (ROOT / "specs" / "serverless-app.yaml").read_text()


def _project(tmp_path: Path, handlers: dict[str, str]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    package = tmp_path / "runtime_handlers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in handlers.items():
        (package / f"{module}.py").write_text(source)
    spec = tmp_path / "specs" / "app.yaml"
    spec.parent.mkdir()
    spec.write_text(SAMPLE)
    return spec


def test_a_handler_module_that_does_not_parse_is_reported_with_e314(tmp_path):
    spec = _project(tmp_path, {"items": "def handler(event, context:\n    pass\n", "health": "def handler(e, c): pass\n"})
    with pytest.raises(SpecError) as raised:
        validate_file(str(spec), tmp_path)
    (problem,) = raised.value.diagnostics
    assert (problem.code, problem.path) == ("E314", "functions.items.handler")
    assert "does not parse" in problem.message and "line 1" in problem.message


def test_handlers_may_be_defined_by_assignment_import_or_async_def(tmp_path):
    spec = _project(tmp_path, {"items": "from json import dumps as handler\n", "health": "async def handler(e, c):\n    pass\n"})
    assert validate_file(str(spec), tmp_path).data["name"] == "serverless-app"


def test_handlers_resolve_against_the_folder_holding_pulumi_yaml_wherever_the_spec_is(tmp_path, monkeypatch):
    spec = _project(tmp_path, {"items": "def handler(e, c): pass\n", "health": "def handler(e, c): pass\n"})
    nested = tmp_path / "specs"
    monkeypatch.chdir(nested)
    assert find_project_root() == tmp_path
    assert main(["validate", str(spec)]) == 0


def test_a_duplicate_key_names_the_line_of_its_first_definition():
    with pytest.raises(SpecError) as raised:
        load_text("version: 1\nname: a\nname: b\n", "x.yaml")
    (problem,) = raised.value.diagnostics
    assert (problem.line, problem.col, problem.code) == (3, 1, "E102")
    assert "first defined on line 2" in problem.message


def test_anchors_merge_keys_and_dates_load_as_written():
    spec = load_text("base: &b {memory_mb: 256}\nfn:\n  <<: *b\n  timeout_s: 3\nwhen: 2024-01-01\n", "x.yaml")
    assert spec.data["fn"] == {"memory_mb": 256, "timeout_s": 3}
    assert spec.data["when"] == "2024-01-01"
    assert spec.locate(("fn", "timeout_s")) == (4, 14)
    assert spec.locate(("fn", "timeout_s"), key=True) == (4, 3)


def test_validate_reports_every_file_and_fails_if_any_is_bad(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace("region: us-east-1", "region: mars-1"))
    good = ROOT / "specs" / "serverless-app.yaml"
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:5:9: E204 region: 'mars-1' is not allowed here" in err
    assert str(good) not in err


def test_the_json_report_lists_each_file_with_its_diagnostics(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace("memory_mb: 256", "memory_mb: 64"))
    assert main(["validate", "--format", "json", "specs/serverless-app.yaml", str(bad)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert [f["valid"] for f in report["files"]] == [True, False]
    (problem,) = report["files"][1]["diagnostics"]
    assert problem["code"] == "E201" and problem["path"] == "functions.items.memory_mb" and problem["hint"]


def test_an_internal_error_exits_2_without_a_traceback(monkeypatch, capsys):
    import compiler.validate

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(compiler.validate, "validate_file", explode)
    assert main(["validate", "specs/serverless-app.yaml"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
