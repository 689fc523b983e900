"""Golden error corpus: every `tests/golden/error_<case>/` folder is one mistake in a spec.

A case is `spec.yaml` plus `errors.txt`, the exact stderr of

    python -m compiler validate tests/golden/error_<case>/spec.yaml

run from the repository root. Adding a case needs no Python: create the folder with its spec, run
`pytest tests/test_golden_errors.py --update-golden`, then read the diff of `errors.txt`.

One substitution keeps the files portable: the absolute project root (printed by the E312 hint)
is stored as `<project-root>`, since a clean clone lives anywhere.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from compiler.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
REFERENCE = ROOT / "docs" / "spec-reference.md"
ROOT_PLACEHOLDER = "<project-root>"
CASE_FILES = {"spec.yaml", "errors.txt"}
# Codes the corpus cannot show with a small spec inside this repository: E100 (unreadable file),
# E107 (200 000 nodes after alias expansion) and E314 (needs a broken module in runtime_handlers/).
# W403 (the spec's stage ignored) exists only under Pulumi: tests/test_pulumi_program.py shows it.
# W405 comes from `plan --diff` (two plan documents), not from validating one spec: test_availability covers it.
UNCOVERABLE_CODES = {"E100", "E107", "E314", "W403", "W405"}
MIN_CASES = 36
DIAGNOSTIC = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[EW]\d{3}) ")

# error_<case>: validate exits 1; warning_<case>: a valid spec whose warnings validate prints, exit 0.
CASES = sorted(p.name for p in [*GOLDEN.glob("error_*"), *GOLDEN.glob("warning_*")] if p.is_dir())


def expected_exit(case: str) -> int:
    return 0 if case.startswith("warning_") else 1


def spec_path(case: str) -> str:
    """The spec as the operator types it: relative to the repository root, '/'-separated."""
    return f"tests/golden/{case}/spec.yaml"


def portable(text: str) -> str:
    return text.replace(str(ROOT), ROOT_PLACEHOLDER)


def run_cli(case: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler", "validate", spec_path(case)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cli_results() -> dict[str, subprocess.CompletedProcess]:
    """Every case through a real process, run concurrently: one interpreter start per case is the
    cost of testing the real CLI, so pay it in parallel."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip(CASES, pool.map(run_cli, CASES)))


def expected_positions(errors_text: str, case: str) -> set[tuple[int, int, str]]:
    found = set()
    for line in errors_text.splitlines():
        if line.startswith("    hint: "):
            continue
        match = DIAGNOSTIC.match(line)
        assert match, f"errors.txt line is neither a diagnostic nor a hint: {line!r}"
        assert match["file"] == spec_path(case)
        found.add((int(match["line"]), int(match["col"]), match["code"]))
    return found


def documented_codes() -> set[str]:
    """Every code in the "Error codes" table of docs/spec-reference.md."""
    section = REFERENCE.read_text(encoding="utf-8").split("## Error codes", 1)[1]
    section = section.split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith(("| E", "| W"))]
    return {code for line in table for code in re.findall(r"\b[EW]\d{3}\b", line.split("|")[1])}


def test_the_corpus_has_enough_cases_to_cover_every_check():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} golden error cases in {GOLDEN}"


@pytest.mark.parametrize("case", CASES)
def test_each_case_folder_holds_exactly_a_spec_and_its_expected_errors(case):
    assert {p.name for p in (GOLDEN / case).iterdir()} == CASE_FILES


@pytest.mark.parametrize("case", CASES)
def test_validate_reports_exactly_the_golden_errors_for_each_broken_spec(case, cli_results, update_golden):
    result = cli_results[case]
    expected_file = GOLDEN / case / "errors.txt"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.returncode == expected_exit(case), f"exit {result.returncode}, stderr:\n{result.stderr}"
    actual = portable(result.stderr)
    if update_golden:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_the_json_report_finds_the_same_problems_as_the_text_report(case, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    exit_code = main(["validate", "--format", "json", spec_path(case)])
    out, err = capsys.readouterr()
    valid = expected_exit(case) == 0
    assert (exit_code, err) == (expected_exit(case), "")
    report = json.loads(out)
    assert report["valid"] is valid
    [entry] = report["files"]
    assert (entry["file"], entry["valid"]) == (spec_path(case), valid)
    assert {d["severity"] for d in entry["diagnostics"]} == ({"warning"} if valid else {"error", "warning"} & {d["severity"] for d in entry["diagnostics"]})
    reported = {(d["line"], d["col"], d["code"]) for d in entry["diagnostics"]}
    expected = expected_positions((GOLDEN / case / "errors.txt").read_text(encoding="utf-8"), case)
    assert reported == expected


def test_every_documented_error_code_is_shown_by_some_golden_case():
    documented = documented_codes()
    assert len(documented) > 20, "the Error codes table of docs/spec-reference.md was not found"
    shown = set()
    for case in CASES:
        text = (GOLDEN / case / "errors.txt").read_text(encoding="utf-8")
        shown |= {code for _, _, code in expected_positions(text, case)}
    assert documented - UNCOVERABLE_CODES - shown == set()


def test_the_golden_corpus_shows_no_code_the_reference_does_not_document():
    shown = set()
    for case in CASES:
        text = (GOLDEN / case / "errors.txt").read_text(encoding="utf-8")
        shown |= {code for _, _, code in expected_positions(text, case)}
    assert shown - documented_codes() == set()


# Regressions: bugs found while building the corpus, now fixed.

def _validate_text(tmp_path: Path, text: str, capsys, monkeypatch) -> tuple[int, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    exit_code = main(["validate", str(spec)])
    return exit_code, capsys.readouterr().err


ROUTED_FUNCTION = """\
version: 1
name: shop
region: eu-west-1
functions:
  items:
    handler: runtime_handlers.items.handler
    timeout_s: {timeout}
api:
  routes:
    - {{method: GET, path: /items, function: items}}
"""


def test_a_routed_function_with_a_float_timeout_of_30_is_rejected_like_30(tmp_path, capsys, monkeypatch):
    exit_code, err = _validate_text(tmp_path, ROUTED_FUNCTION.format(timeout="30.0"), capsys, monkeypatch)
    assert exit_code == 1 and ":7:16: E" in err


def test_an_alarm_window_written_with_floats_is_still_limited_to_seven_days(tmp_path, capsys, monkeypatch):
    text = ROUTED_FUNCTION.format(timeout=10) + "alarms:\n  function_errors: {threshold: 1, period_s: 3600.0, evaluation_periods: 1440}\n"
    exit_code, err = _validate_text(tmp_path, text, capsys, monkeypatch)
    assert exit_code == 1 and ":12:20: E310 " in err


def test_a_key_may_override_a_value_merged_with_a_merge_key(tmp_path, capsys, monkeypatch):
    text = ("version: 1\nname: shop\nregion: eu-west-1\nfunctions:\n"
            "  items: &defaults\n    handler: runtime_handlers.items.handler\n    memory_mb: 256\n"
            "  health:\n    <<: *defaults\n    handler: runtime_handlers.health.handler\n")
    assert _validate_text(tmp_path, text, capsys, monkeypatch) == (0, "")


def test_a_null_mapping_key_is_not_described_as_a_collection(tmp_path, capsys, monkeypatch):
    exit_code, err = _validate_text(tmp_path, "version: 1\nnull: shop\n", capsys, monkeypatch)
    assert exit_code == 1 and " E105 " in err and "a collection" not in err


def test_an_explicitly_tagged_date_is_not_described_as_a_list(tmp_path, capsys, monkeypatch):
    text = "version: 1\nname: !!timestamp 2024-01-01\nregion: eu-west-1\nfunctions: {items: {handler: runtime_handlers.items.handler}}\n"
    exit_code, err = _validate_text(tmp_path, text, capsys, monkeypatch)
    assert exit_code == 1 and ":2:7: E200 name: expected a string" in err and "a list" not in err
