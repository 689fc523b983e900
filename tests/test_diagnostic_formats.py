"""The machine formats of `validate`: SARIF 2.1.0 (code scanning) and GitHub workflow commands
(annotations in a job's log), built from the same diagnostics as the text report.

The expected output is constructed here from the diagnostics themselves, so a new message in a
check does not break these tests; a change to the formats does.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from compiler.errors import CODE_DESCRIPTIONS, Diagnostic, SpecError, format_github, format_sarif, format_text
from compiler.loader import load_text
from compiler.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "spec-reference.md"

# Errors of several codes, a warning (W401: the key-protected route has no usage plan holding a
# key) and values whose text needs GitHub's escaping ('%', ',' and ':').
BROKEN_SPEC = """\
version: "1"
name: shop
region: eu-west-1
tags:
  country: NO
  note: '100% done, really: yes'
functions:
  items:
    handler: runtime_handlers.items.handler
    memory_mb: 100
logs:
  retention_days: 45
api:
  routes:
    - {method: GET, path: /items, function: items, api_key_required: true}
  usage_plans:
    partners:
      quota: {limit: 1000, period: DAY}
"""


@pytest.fixture
def findings(tmp_path, monkeypatch) -> tuple[list[Diagnostic], str]:
    """Every finding of BROKEN_SPEC, its file named relative to the working directory as an
    operator types it."""
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "app.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as raised:
        validate_file("specs/app.yaml", ROOT)
    return raised.value.diagnostics, "specs/app.yaml"


def summary(d: Diagnostic) -> str:
    return f"{d.path or '<root>'}: {d.message}" + (f" (hint: {d.hint})" if d.hint else "")


def github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def test_the_broken_spec_has_errors_a_warning_and_text_that_needs_escaping(findings):
    diagnostics, _ = findings
    assert {d.severity for d in diagnostics} == {"error", "warning"}
    assert {"E200", "E201", "E204", "W401"} <= {d.code for d in diagnostics}
    assert any("%" in summary(d) and "," in summary(d) for d in diagnostics)


# --- GitHub workflow commands -------------------------------------------------------------------

def test_github_prints_one_workflow_command_per_finding_in_the_text_reports_order(findings):
    diagnostics, file = findings
    expected = "\n".join(
        f"::{'warning' if d.severity == 'warning' else 'error'} file={file},line={d.line},col={d.col},title={d.code}::"
        + github_escape(summary(d))
        for d in sorted(diagnostics))
    assert format_github(diagnostics) == expected
    assert format_github(reversed(diagnostics)) == expected
    # The same findings, in the same order, as the text report.
    text_heads = [line for line in format_text(diagnostics).splitlines() if not line.startswith("    hint: ")]
    assert [re.sub(r"^.*?:(\d+):(\d+): (\S+) .*$", r"\1 \2 \3", h) for h in text_heads] == \
        [f"{d.line} {d.col} {d.code}" for d in sorted(diagnostics)]


def test_github_reports_a_warning_as_a_warning_command(findings):
    diagnostics, file = findings
    [warning] = [d for d in diagnostics if d.severity == "warning"]
    lines = format_github(diagnostics).splitlines()
    assert [line for line in lines if line.startswith("::warning ")] == [
        f"::warning file={file},line={warning.line},col={warning.col},title=W401::{github_escape(summary(warning))}"]
    assert sum(line.startswith("::error ") for line in lines) == len(diagnostics) - 1


def test_github_escapes_percent_and_line_breaks_in_the_message_and_also_comma_and_colon_in_properties():
    d = Diagnostic("specs/a,b:c%.yaml", 3, 7, "E205", "tags.note", "'50%\r\ndone' is not valid, really: no",
                   "quote it: 'x'")
    assert format_github([d]) == (
        "::error file=specs/a%2Cb%3Ac%25.yaml,line=3,col=7,title=E205::"
        "tags.note: '50%25%0D%0Adone' is not valid, really: no (hint: quote it: 'x')")


def test_github_keeps_each_finding_on_one_line_and_omits_what_is_not_known():
    weird = Diagnostic("specs\\app.yaml", 0, 0, "E316", "", "stage 'x\u2028y' is not declared\x1b")
    [line] = format_github([weird]).splitlines()
    assert line == "::error file=specs/app.yaml,title=E316::<root>: stage 'x\\u2028y' is not declared\\x1b"


def test_github_prints_nothing_for_no_findings():
    assert format_github([]) == ""


# --- SARIF 2.1.0 --------------------------------------------------------------------------------

def expected_sarif(diagnostics: list[Diagnostic], files: list[str]) -> dict:
    codes = sorted({d.code for d in diagnostics})
    uris = list(dict.fromkeys([*files, *(d.file for d in sorted(diagnostics))]))
    results = []
    for d in sorted(diagnostics):
        location = {"physicalLocation": {"artifactLocation": {"uri": d.file, "index": uris.index(d.file)},
                                         "region": {"startLine": d.line, "startColumn": d.col}}}
        if d.path:
            location["logicalLocations"] = [{"fullyQualifiedName": d.path}]
        results.append({"ruleId": d.code, "ruleIndex": codes.index(d.code), "level": d.severity,
                        "message": {"text": summary(d)}, "locations": [location]})
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "serverless-spec-compiler",
                                "rules": [{"id": c, "shortDescription": {"text": CODE_DESCRIPTIONS[c]}} for c in codes]}},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": uri}} for uri in uris],
            "results": results,
        }],
    }


def assert_sarif_structure(log: dict) -> None:
    """What SARIF 2.1.0 requires of the parts this report uses (and code scanning reads)."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "serverless-spec-compiler"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted(set(rule_ids))
    assert all(isinstance(rule["shortDescription"]["text"], str) and rule["shortDescription"]["text"] for rule in driver["rules"])
    uris = [artifact["location"]["uri"] for artifact in run["artifacts"]]
    assert len(uris) == len(set(uris))
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        for location in result["locations"]:
            artifact = location["physicalLocation"]["artifactLocation"]
            assert "\\" not in artifact["uri"] and uris[artifact["index"]] == artifact["uri"]
            region = location["physicalLocation"].get("region")
            if region is not None:
                assert isinstance(region["startLine"], int) and region["startLine"] >= 1
                assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1


def test_sarif_is_the_expected_log_for_the_broken_spec(findings):
    diagnostics, file = findings
    text = format_sarif(diagnostics, [file])
    log = json.loads(text)
    assert_sarif_structure(log)
    assert log == expected_sarif(diagnostics, [file])
    assert text == json.dumps(expected_sarif(diagnostics, [file]), indent=2, sort_keys=True, ensure_ascii=False)


def test_sarif_levels_follow_each_findings_severity(findings):
    diagnostics, file = findings
    results = json.loads(format_sarif(diagnostics, [file]))["runs"][0]["results"]
    assert [r["level"] for r in results] == [d.severity for d in sorted(diagnostics)]
    assert [r["ruleId"] for r in results if r["level"] == "warning"] == ["W401"]


def test_sarif_is_deterministic_whatever_the_order_of_the_findings(findings):
    diagnostics, file = findings
    shuffled = list(diagnostics)
    random.Random(7).shuffle(shuffled)
    assert format_sarif(shuffled, [file]) == format_sarif(diagnostics, [file])


def test_sarif_lists_every_file_checked_even_a_valid_one_and_separates_paths_with_slashes():
    d = Diagnostic("specs\\bad.yaml", 2, 3, "E204", "region", "'x' is not allowed here")
    outside = Diagnostic("specs\\bad.yaml", 0, 0, "E316", "stage", "stage 'qa' is not declared")
    log = json.loads(format_sarif([d, outside], ["specs/good.yaml", "specs\\bad.yaml"]))
    assert_sarif_structure(log)
    run = log["runs"][0]
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["specs/good.yaml", "specs/bad.yaml"]
    located = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    assert located["E204"] == {"artifactLocation": {"uri": "specs/bad.yaml", "index": 1}, "region": {"startLine": 2, "startColumn": 3}}
    assert "region" not in located["E316"]  # line 0: from outside the file


def test_sarif_of_no_findings_is_a_run_without_results():
    log = json.loads(format_sarif([], ["specs/app.yaml"]))
    assert_sarif_structure(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_every_documented_code_has_a_rule_description():
    section = REFERENCE.read_text(encoding="utf-8").split("## Error codes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith(("| E", "| W"))]
    documented = {code for row in rows for code in re.findall(r"\b[EW]\d{3}\b", row.split("|")[1])}
    assert set(CODE_DESCRIPTIONS) == documented


# --- the messages the formats carry: cases the golden corpus does not show -----------------------

def load_error(text: str) -> Diagnostic:
    with pytest.raises(SpecError) as raised:
        load_text(text, "spec.yaml")
    [d] = raised.value.diagnostics
    return d


def test_a_closed_flow_mapping_missing_a_comma_is_reported_where_the_parser_stopped():
    d = load_error("version: 1\nalarms: {\n  a: 1\n  b: 2}\n")
    assert (d.line, d.col, d.code) == (4, 4, "E101") and "never closed" not in d.message
    assert "','" in d.hint


def test_a_bracket_closed_by_the_wrong_kind_is_the_one_never_closed():
    d = load_error("version: 1\nalarms: {notify: [a, b}\n")
    assert (d.line, d.col) == (2, 18) and d.hint.startswith("this '[' is never closed")


def test_brackets_inside_quotes_and_comments_do_not_close_a_flow_mapping():
    d = load_error("version: 1\nalarms: {a: '}', b: \"]}\" # }\n\nname: shop\n")
    assert (d.line, d.col) == (2, 9) and d.hint.startswith("this '{' is never closed")


def test_a_yaml_boolean_in_a_stage_override_names_the_word_as_written(tmp_path, monkeypatch):
    spec = tmp_path / "app.yaml"
    spec.write_text("version: 1\nname: shop\nregion: eu-west-1\nfunctions:\n  items:\n"
                    "    handler: runtime_handlers.items.handler\nstages:\n  prod:\n    tags: {country: No}\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        validate_file(str(spec), ROOT)
    [d] = [d for d in raised.value.diagnostics if d.code == "E200"]
    assert (d.line, d.col, d.hint) == (9, 21, "YAML read No as the boolean false; quote it: 'No'")


def test_a_quoted_number_outside_a_numeric_enum_gets_no_advice_to_unquote_it():
    spec = load_text("version: '2'\n", "spec.yaml")
    from compiler.schema_errors import schema_diagnostics

    [d] = [d for d in schema_diagnostics(spec) if d.path == "version"]
    assert (d.code, d.message, d.hint) == ("E200", "expected an integer, found the string '2'", "exactly 1")
