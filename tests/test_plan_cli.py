"""The `plan` command line: broken specs give validate's exact diagnostics, a valid spec gives a
readable summary or the JSON plan document, bad flags and missing files are diagnostics (never
tracebacks), and `validate` stays Pulumi-free.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from compiler.__main__ import main
from compiler.plan import plan_file
from plan_support import GOLDEN, ROOT, by_urn, golden_text, plan_json

SAMPLE = "specs/serverless-app.yaml"
ROOT_PLACEHOLDER = "<project-root>"  # how errors.txt stores the absolute project root
ERROR_CASES = sorted(p.name for p in GOLDEN.glob("error_*") if p.is_dir())
DOCUMENT_KEYS = {"format", "spec", "stage", "region", "resources", "outputs", "warnings"}
RESOURCE_KEYS = {"urn", "type", "name", "id", "provider", "parent", "inputs", "dependencies", "depends_on", "options", "outputs"}


def spec_path(case: str) -> str:
    return f"tests/golden/{case}/spec.yaml"


def expected_errors(case: str) -> str:
    return (GOLDEN / case / "errors.txt").read_text(encoding="utf-8")


def run(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(ROOT)
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err.replace(str(ROOT), ROOT_PLACEHOLDER)


# -- 13. broken specs ------------------------------------------------------------------------------

def test_there_are_error_cases_to_plan():
    assert len(ERROR_CASES) >= 30


@pytest.mark.parametrize("case", ERROR_CASES)
def test_plan_on_a_broken_spec_exits_1_with_exactly_the_validate_diagnostics(case, capsys, monkeypatch):
    code, out, err = run(["plan", spec_path(case)], capsys, monkeypatch)
    assert (code, out) == (1, ""), err
    assert err == expected_errors(case)


def test_plan_in_a_real_process_reports_a_broken_spec_without_a_traceback():
    case = "error_route_duplicate"
    result = subprocess.run([sys.executable, "-m", "compiler", "plan", spec_path(case)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.replace(str(ROOT), ROOT_PLACEHOLDER) == expected_errors(case)


# -- 14. output of a valid spec --------------------------------------------------------------------

def test_plan_json_prints_the_plan_document_with_the_documented_keys(capsys, monkeypatch):
    code, out, err = run(["plan", SAMPLE, "--json"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert set(document) == DOCUMENT_KEYS
    assert (document["format"], document["spec"], document["stage"], document["region"]) == (1, SAMPLE, "dev", "us-east-1")
    assert document["resources"]
    for resource in document["resources"]:
        assert set(resource) == RESOURCE_KEYS, resource["urn"]
    assert [r["urn"] for r in document["resources"]] == sorted(r["urn"] for r in document["resources"])
    assert out == plan_json(SAMPLE), "the CLI prints another document than the library builds"


def test_plan_json_prints_the_committed_golden_plan_of_the_sample(capsys, monkeypatch):
    """An expectation the code under test did not just produce: the reviewed golden file (code
    hashes aside, which golden files do not hold)."""
    code, out, _ = run(["plan", SAMPLE, "--json"], capsys, monkeypatch)
    assert code == 0
    assert golden_text(out) == (GOLDEN / "specs" / "serverless-app.plan.json").read_text(encoding="utf-8")


def component_lines(document: dict) -> list[str]:
    """`<Kind> <name> (<n> resource[s])` for every component, n counting the non-component resources below it."""
    index, children = by_urn(document), {}
    for resource in document["resources"]:
        children.setdefault(resource["parent"], []).append(resource)

    def count(urn: str) -> int:
        return sum(count(kid["urn"]) if kid["type"].startswith("serverless:") else 1 for kid in children.get(urn, []))

    def plural(n: int) -> str:
        return f"{n} resource" + ("" if n == 1 else "s")

    return [f"{r['type'].rsplit(':', 1)[1]} {r['name']} ({plural(count(r['urn']))})"
            for r in index.values() if r["type"].startswith("serverless:")]


def test_plan_prints_a_readable_summary_with_the_component_tree_routes_and_outputs(capsys, monkeypatch):
    code, out, err = run(["plan", SAMPLE], capsys, monkeypatch)
    assert (code, err) == (0, "")
    lines = [line.strip() for line in out.splitlines()]
    assert "Function fn-items-us-east-1 (4 resources)" in lines
    document = plan_file(SAMPLE, project_root=ROOT)
    for expected in component_lines(document):
        assert expected in lines, f"missing component line {expected!r}"
    routes = out.split("Routes:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(routes) == 4
    assert any(re.fullmatch(r"\s*GET {5}/items/\{id\}\s+-> serverless-app-dev-items", row) for row in routes), routes
    assert any(re.fullmatch(r"\s*POST {4}/items\s+-> serverless-app-dev-items\s+\[api key\]", row) for row in routes), routes
    outputs = out.split("Outputs:\n", 1)[1]
    # The URL only a deploy knows is not shown as if real; what the spec decides is.
    assert "  api_url: (known after deploy)" in outputs.splitlines()
    assert f"  stage: {document['outputs']['stage']}" in outputs.splitlines()


# -- 15. flags, missing files, and a Pulumi-free validate ------------------------------------------

def test_an_invalid_stage_flag_exits_1_with_a_diagnostic_naming_stage(capsys, monkeypatch):
    code, out, err = run(["plan", SAMPLE, "--stage", "Prod_1"], capsys, monkeypatch)
    assert (code, out) == (1, "")
    # Blamed on the flag, not on a line of the spec.
    assert re.search(r"^--stage: E205 stage: 'Prod_1' is not a valid stage", err, re.MULTILINE), err
    assert not re.search(rf"{re.escape(SAMPLE)}:\d+:\d+", err), err
    assert "Traceback" not in err and "internal error" not in err


def test_a_missing_spec_file_exits_1_with_e100(capsys, monkeypatch):
    code, out, err = run(["plan", "specs/does-not-exist.yaml"], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert re.match(r"specs/does-not-exist\.yaml:\d+:\d+: E100 ", err), err
    assert "Traceback" not in err and "internal error" not in err


def imported_modules(importtime_stderr: str) -> list[str]:
    """Module names from `python -X importtime` lines: `import time: self | cumulative | name`."""
    names = []
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.append(line.rsplit("|", 1)[1].strip())
    return names


def test_validate_never_imports_pulumi():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "validate", SAMPLE], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    modules = imported_modules(result.stderr)
    assert "compiler.validate" in modules and "yaml" in modules, "could not read the -X importtime report"
    assert [m for m in modules if m.startswith("pulumi")] == []
    assert not [line for line in result.stderr.splitlines() if re.search(r"\|\s*pulumi", line)]


def test_commands_read_the_installed_version_only_when_asked():
    """importlib.metadata (with email, csv and zipfile) cost ~20 ms of every command; --version alone needs it."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "validate", SAMPLE], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    modules = imported_modules(result.stderr)
    assert "compiler.validate" in modules and "importlib.metadata" not in modules
