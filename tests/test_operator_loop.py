"""The operator's loop around the diagnostics: run from anywhere (the project root is found from the
spec's location, or given with --root), flags before or after the spec, --version, --debug after
the subcommand, and a clear message when the CLI runs without its dependencies."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.__main__ import main
from plan_support import ROOT, SAMPLE

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': ''}\n"


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A repository whose project lives in infra/: infra/Pulumi.yaml, infra/specs, infra/runtime_handlers."""
    infra = tmp_path / "infra"
    (infra / "specs").mkdir(parents=True)
    (infra / "runtime_handlers").mkdir()
    (infra / "Pulumi.yaml").write_text("name: nested\nruntime: python\n")
    for module in ("__init__", "items", "health"):
        (infra / "runtime_handlers" / f"{module}.py").write_text(HANDLER if module != "__init__" else "")
    shutil.copy(ROOT / SAMPLE, infra / "specs" / "app.yaml")
    return tmp_path


def test_validating_an_absolute_path_from_another_directory_finds_the_handlers(tmp_path):
    from_root = cli(["validate", SAMPLE], ROOT)
    elsewhere = cli(["validate", str(ROOT / SAMPLE)], tmp_path)
    assert (from_root.returncode, from_root.stderr) == (0, "")
    assert (elsewhere.returncode, elsewhere.stderr) == (0, ""), elsewhere.stderr


def test_a_nested_project_validates_the_same_from_the_repository_root_from_infra_and_from_elsewhere(nested, tmp_path):
    results = [cli(["validate", "infra/specs/app.yaml"], nested), cli(["validate", "specs/app.yaml"], nested / "infra"),
               cli(["validate", str(nested / "infra" / "specs" / "app.yaml")], tmp_path.parent)]
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 3, [r.stderr for r in results]


def test_a_missing_handler_in_a_nested_project_is_reported_wherever_the_command_runs(nested):
    (nested / "infra" / "runtime_handlers" / "health.py").unlink()
    for args, cwd in ((["validate", "infra/specs/app.yaml"], nested), (["validate", "specs/app.yaml"], nested / "infra")):
        result = cli(args, cwd)
        assert result.returncode == 1 and " E312 functions.health.handler" in result.stderr, result.stderr


def test_root_overrides_the_project_root(nested, tmp_path):
    spec = nested / "infra" / "specs" / "app.yaml"
    wrong = cli(["validate", "--root", str(tmp_path), str(spec)], nested)
    assert wrong.returncode == 1 and " E312 " in wrong.stderr
    right = cli(["validate", str(spec), "--root", str(nested / "infra")], tmp_path)
    assert (right.returncode, right.stderr) == (0, "")


def test_a_changed_handler_file_validates_the_specs_that_use_it(nested):
    (nested / "infra" / "runtime_handlers" / "items.py").write_text("def other(event, context):\n    return {}\n")
    result = cli(["validate", "--specs", "infra/specs/*.yaml", "infra/runtime_handlers/items.py"], nested)
    assert result.returncode == 1 and "infra/specs/app.yaml" in result.stderr and " E313 functions.items.handler" in result.stderr
    unrelated = nested / "infra" / "notes.py"
    unrelated.write_text("x = 1\n")
    assert cli(["validate", "--specs", "infra/specs/*.yaml", "infra/notes.py"], nested).returncode == 0


def test_the_run_script_accepts_flags_before_the_spec_and_a_default_spec():
    before = subprocess.run(["./run", "plan", "--json", "--stage", "prod", SAMPLE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    default = subprocess.run(["./run", "plan", "--stage", "prod", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert before.returncode == 0 and default.returncode == 0, before.stderr + default.stderr
    assert before.stdout == default.stdout and '"stage": "prod"' in before.stdout


def test_version_and_debug_after_the_subcommand(capsys, monkeypatch):
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0 and capsys.readouterr().out.startswith("python -m compiler ")
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--debug", SAMPLE]) == 0
    assert main(["--debug", "validate", SAMPLE]) == 0


def test_a_missing_dependency_is_reported_with_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)  # `import jinja2` now fails
    monkeypatch.chdir(ROOT)
    assert main(["docs", "--check"]) == 2
    err = capsys.readouterr().err
    assert "needs jinja2" in err and "./run" in err and "Traceback" not in err
