"""`plan --diff OLD.json` and `--diff-ref GIT_REF`: what a deploy would change, each changed input
with its old and new value, replacements marked, `--detailed-exitcode` as terraform's."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compiler.__main__ import main
from compiler.plan import plan_file, to_json
from compiler.plan_diff import counts, diff, render_markdown
from plan_support import ROOT, SAMPLE


def changed_spec(tmp_path: Path, **edits) -> str:
    data = yaml.safe_load((ROOT / SAMPLE).read_text())
    data["functions"]["items"]["memory_mb"] = edits.get("memory", 256)
    data["logs"]["retention_days"] = edits.get("retention", 30)
    if "rename" in edits:
        data["tables"][edits["rename"]] = data["tables"].pop("items")
        data["functions"]["items"]["uses"]["tables"] = {edits["rename"]: "read_write"}
    path = ROOT / "specs" / f".test-diff-{tmp_path.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def base(tmp_path) -> Path:
    saved = tmp_path / "old.json"
    saved.write_text(to_json(plan_file(SAMPLE, project_root=ROOT)))
    return saved


def test_an_unchanged_spec_has_no_changes_and_exit_code_0(base, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["plan", SAMPLE, "--diff", str(base), "--detailed-exitcode"]) == 0
    assert capsys.readouterr().out.startswith("Plan diff: 0 to add, 0 to change, 0 to replace, 0 to remove")


def test_changed_memory_and_retention_show_each_input_with_old_and_new_values(base, tmp_path, capsys, monkeypatch):
    spec = changed_spec(tmp_path, memory=1024, retention=90)
    try:
        old = json.loads(base.read_text())
        new = plan_file(spec, project_root=ROOT, as_file=SAMPLE)
        changes = diff(old, new)
        by_name = {c.name: c for c in changes}
        assert by_name["fn-items-us-east-1-function"].inputs == [("memorySize", 256, 1024)]
        log_groups = [c for c in changes if c.type == "aws:cloudwatch/logGroup:LogGroup"]
        assert log_groups and all(c.inputs == [("retentionInDays", 30, 90)] and c.action == "update" for c in log_groups)
        assert counts(changes)["replace"] == 0
        monkeypatch.chdir(ROOT)
        assert main(["plan", spec, "--diff", str(base), "--detailed-exitcode"]) == 2
        out = capsys.readouterr().out
        assert "~ aws:lambda/function:Function fn-items-us-east-1-function\n    memorySize: 256 -> 1024" in out
    finally:
        Path(spec).unlink()


def test_a_renamed_table_is_a_physical_name_change_and_marked_replace_or_add_and_remove(base, tmp_path):
    spec = changed_spec(tmp_path, rename="catalog")
    try:
        changes = diff(json.loads(base.read_text()), plan_file(spec, project_root=ROOT, as_file=SAMPLE))
        actions = {(c.action, c.name) for c in changes}
        assert ("add", "table-catalog-us-east-1-table") in actions and ("remove", "table-items-us-east-1-table") in actions
        # The function keeps its logical name; its environment and policy point at the new table.
        [function] = [c for c in changes if c.name == "fn-items-us-east-1-function"]
        assert ("environment.variables.TABLE_CATALOG", None, "serverless-app-dev-catalog") in function.inputs
    finally:
        Path(spec).unlink()


def test_a_changed_physical_name_forces_replacement():
    old = {"resources": [{"urn": "u", "type": "aws:iam/role:Role", "name": "r", "inputs": {"name": "a", "description": "x"}, "options": {}}]}
    new = {"resources": [{"urn": "u", "type": "aws:iam/role:Role", "name": "r", "inputs": {"name": "b", "description": "y"}, "options": {}}]}
    [change] = diff(old, new)
    assert (change.action, change.replaced_by) == ("replace", ["name"])
    assert "**(replace)**" in render_markdown([change])


def test_markdown_summary_fits_a_pull_request_comment(base, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["plan", SAMPLE, "--diff", str(base), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### Plan diff\n\n**0** to add")


def test_diff_ref_plans_the_spec_as_it_was_at_a_commit(tmp_path):
    """A repository with two commits of a spec: the diff shows what the second changed."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "runtime_handlers").mkdir()
    (repo / "Pulumi.yaml").write_text("name: repo\nruntime: python\n")
    (repo / "runtime_handlers" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    spec = repo / "specs" / "app.yaml"
    text = "version: 1\nname: repo\nregion: eu-west-1\nfunctions:\n  app: {handler: runtime_handlers.app.handler, memory_mb: 256}\n"
    spec.write_text(text)
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    spec.write_text(text.replace("memory_mb: 256", "memory_mb: 2048"))
    result = subprocess.run([sys.executable, "-m", "compiler", "plan", str(spec), "--diff-ref", "HEAD", "--detailed-exitcode"],
                            cwd=repo, capture_output=True, text=True, timeout=300, env={**env, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stderr
    assert "memorySize: 256 -> 2048" in result.stdout
    assert "alarmDescription" not in result.stdout  # the old text is planned as the same spec path
    assert not list((repo / "specs").glob(".app.*"))  # the temporary old spec is gone
