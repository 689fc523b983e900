"""The `validate-spec` pre-commit hook, consumed the way another repository consumes it.

A throwaway "hook repo" is built from this working tree (uncommitted edits included) and committed;
a "consumer" repo points its .pre-commit-config.yaml at that commit, runs the real `pre-commit
install`, and commits specs. pre-commit pip-installs the hook repo (non-editable) with its core
dependencies into an isolated PRE_COMMIT_HOME, so the first test pays for one environment install
(PyPI, or the local wheel cache); the others reuse it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GOOD_SPEC = ROOT / "specs" / "serverless-app.yaml"
# What a clone of this repository needs for `pip install .` and the hook manifest.
HOOK_REPO_PATHS = ("compiler", "schema", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
TIMEOUT_S = 600
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': ''}\n"


def _clean_env(pre_commit_home: Path) -> dict[str, str]:
    """No GIT_* from a surrounding hook, no user/system git config (core.hooksPath, signing...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(pre_commit_home),
               PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=TIMEOUT_S)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}")
    return result


def _git_init(repo: Path, env: dict[str, str]) -> None:
    _run(["git", "init", "-q", "-b", "main"], repo, env)
    for key, value in (("user.name", "Hook Test"), ("user.email", "hook-test@example.com"),
                       ("commit.gpgsign", "false")):
        _run(["git", "config", key, value], repo, env)


def _working_tree_files() -> list[str]:
    """Tracked and untracked-but-not-ignored files of the hook repo paths: what a commit of this
    working tree would contain (no __pycache__, no empty folders: git does not keep those)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--",
                             *HOOK_REPO_PATHS], cwd=ROOT, stdout=subprocess.PIPE, check=True, timeout=60).stdout
    return sorted({name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()})


class Consumer:
    def __init__(self, path: Path, env: dict[str, str]):
        self.path, self.env = path, env

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self, *names: str, message: str, verify: bool = True) -> subprocess.CompletedProcess:
        _run(["git", "add", "--", *names], self.path, self.env)
        flags = [] if verify else ["--no-verify"]
        return _run(["git", "commit", *flags, "-m", message], self.path, self.env, check=False)

    def log(self) -> list[str]:
        result = _run(["git", "log", "--format=%s"], self.path, self.env, check=False)
        return result.stdout.splitlines() if result.returncode == 0 else []

    def staged(self) -> list[str]:
        return _run(["git", "diff", "--cached", "--name-only"], self.path, self.env).stdout.splitlines()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str, Path]:
    """This working tree's package committed to a fresh repository: (path, commit sha, PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("precommit")
    repo, home = base / "hook-repo", base / "pre-commit-home"
    repo.mkdir()
    env = _clean_env(home)
    files = _working_tree_files()
    assert ".pre-commit-hooks.yaml" in files and "pyproject.toml" in files, files
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    _git_init(repo, env)
    _run(["git", "add", "-A"], repo, env)
    _run(["git", "commit", "-q", "-m", "hook repo snapshot"], repo, env)
    sha = _run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()
    return repo, sha, home


@pytest.fixture
def consumer(hook_repo, tmp_path) -> Consumer:
    """A repository using the hook, with the handlers the example spec names, hooks installed."""
    repo_path, sha, home = hook_repo
    env = _clean_env(home)
    path = tmp_path / "consumer"
    path.mkdir()
    _git_init(path, env)
    repo = Consumer(path, env)
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(
        {"repos": [{"repo": str(repo_path), "rev": sha, "hooks": [{"id": "validate-spec"}]}]}, sort_keys=False))
    repo.write("runtime_handlers/__init__.py", "")
    repo.write("runtime_handlers/items.py", HANDLER)
    repo.write("runtime_handlers/health.py", HANDLER)
    started = time.monotonic()
    _run([sys.executable, "-m", "pre_commit", "install", "--install-hooks"], path, env)
    print(f"\npre-commit install --install-hooks: {time.monotonic() - started:.1f}s")
    scaffold = repo.commit(".pre-commit-config.yaml", "runtime_handlers", message="scaffold", verify=False)
    assert scaffold.returncode == 0, scaffold.stdout
    return repo


def _memory_mb_position(text: str) -> tuple[int, int]:
    """1-based line and column of the value of functions.items.memory_mb in the example spec."""
    node = yaml.compose(text)
    for key in ("functions", "items", "memory_mb"):
        node = next((value for name, value in node.value if name.value == key), None)
        assert node is not None, f"the example spec has no functions.items.memory_mb ({key} missing)"
    return node.start_mark.line + 1, node.start_mark.column + 1


def _with_memory_mb(text: str, value: int) -> str:
    line, column = _memory_mb_position(text)
    lines = text.splitlines(keepends=True)
    current = lines[line - 1]
    digits = re.match(r"\d+", current[column - 1:])
    assert digits, current
    lines[line - 1] = current[:column - 1] + str(value) + current[column - 1 + digits.end():]
    return "".join(lines)


def test_the_hook_manifest_and_this_repositorys_config_are_valid_for_pre_commit():
    manifest = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert manifest.returncode == 0, manifest.stdout
    config = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert config.returncode == 0, config.stdout


def test_the_local_hook_of_this_repository_checks_the_same_files_as_the_published_hook():
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in published if h["id"] == "validate-spec")
    assert (hook["entry"], hook["language"]) == ("serverless-spec validate", "python")
    local = [h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
             if repo["repo"] == "local" for h in repo["hooks"] if h["id"] == "validate-spec"]
    assert len(local) == 1
    for key in ("files", "types"):
        assert local[0].get(key) == hook.get(key), key
    assert re.search(hook["files"], "specs/app.yaml") and re.search(hook["files"], "specs/app.yml")
    # Handler modules too: a renamed handler must fail the commit that renames it.
    assert re.search(hook["files"], "runtime_handlers/items.py")
    assert not re.search(hook["files"], "config/specs/app.yaml")


def test_committing_a_valid_spec_succeeds_with_the_hook_passing(consumer):
    consumer.write("specs/app.yaml", GOOD_SPEC.read_text(encoding="utf-8"))
    result = consumer.commit("specs/app.yaml", message="add the app spec")
    assert result.returncode == 0, result.stdout
    assert re.search(r"^validate serverless specs\.+Passed$", result.stdout, re.M), result.stdout
    assert consumer.log()[0] == "add the app spec"


def test_committing_an_invalid_spec_is_refused_with_the_diagnostic_and_no_commit_is_made(consumer):
    good = GOOD_SPEC.read_text(encoding="utf-8")
    line, column = _memory_mb_position(good)
    consumer.write("specs/app.yaml", _with_memory_mb(good, 64))
    result = consumer.commit("specs/app.yaml", message="add a broken spec")
    assert result.returncode != 0, result.stdout
    assert re.search(r"^validate serverless specs\.+Failed$", result.stdout, re.M), result.stdout
    expected = f"specs/app.yaml:{line}:{column}: E201 functions.items.memory_mb: 64 is less than the minimum of 128"
    assert expected in result.stdout.splitlines(), result.stdout
    assert "add a broken spec" not in consumer.log()
    assert consumer.staged() == ["specs/app.yaml"]  # refused, not lost: still staged for a fix


def test_handler_references_are_checked_against_the_consuming_repository(consumer):
    (consumer.path / "runtime_handlers" / "health.py").unlink()
    consumer.write("specs/app.yaml", GOOD_SPEC.read_text(encoding="utf-8"))
    result = consumer.commit("specs/app.yaml", "runtime_handlers", message="spec without its health handler")
    assert result.returncode != 0, result.stdout
    assert re.search(r"^specs/app\.yaml:\d+:\d+: E\d+ functions\.health\.handler: .*runtime_handlers\.health",
                     result.stdout, re.M), result.stdout
    assert "spec without its health handler" not in consumer.log()


def test_yaml_files_outside_specs_are_not_checked_by_the_hook(consumer):
    broken = _with_memory_mb(GOOD_SPEC.read_text(encoding="utf-8"), 64)
    consumer.write("config/app.yaml", broken)
    consumer.write("app.yaml", broken)
    consumer.write("specs/notes.txt", broken)
    result = consumer.commit("config/app.yaml", "app.yaml", "specs/notes.txt", message="other yaml")
    assert result.returncode == 0, result.stdout
    assert re.search(r"^validate serverless specs\.+\(no files to check\)Skipped$", result.stdout, re.M), result.stdout
    assert "E201" not in result.stdout
    assert consumer.log()[0] == "other yaml"


def test_renaming_a_handler_function_fails_the_commit_that_renames_it(consumer):
    consumer.write("specs/app.yaml", GOOD_SPEC.read_text(encoding="utf-8"))
    assert consumer.commit("specs/app.yaml", message="add the app spec").returncode == 0
    consumer.write("runtime_handlers/health.py", HANDLER.replace("def handler(", "def handle("))
    result = consumer.commit("runtime_handlers/health.py", message="rename the health handler")
    assert result.returncode != 0, result.stdout
    assert re.search(r"^specs/app\.yaml:\d+:\d+: E313 functions\.health\.handler: 'handler' is not defined", result.stdout, re.M), result.stdout
    assert "rename the health handler" not in consumer.log()


def test_a_project_in_a_sub_folder_is_validated_with_the_hooks_files_and_args(hook_repo, tmp_path):
    """infra/Pulumi.yaml, infra/specs/, infra/runtime_handlers/: the root is found from the spec."""
    repo_path, sha, home = hook_repo
    env = _clean_env(home)
    path = tmp_path / "nested"
    path.mkdir()
    _git_init(path, env)
    repo = Consumer(path, env)
    hook = {"id": "validate-spec", "files": r"^infra/(specs/.*\.ya?ml|runtime_handlers/.*\.py)$", "args": ["--specs", "infra/specs/*.yaml"]}
    repo.write(".pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": str(repo_path), "rev": sha, "hooks": [hook]}]}, sort_keys=False))
    repo.write("infra/Pulumi.yaml", "name: nested\nruntime: python\n")
    repo.write("infra/runtime_handlers/__init__.py", "")
    repo.write("infra/runtime_handlers/items.py", HANDLER)
    repo.write("infra/runtime_handlers/health.py", HANDLER)
    _run([sys.executable, "-m", "pre_commit", "install", "--install-hooks"], path, env)
    assert repo.commit(".pre-commit-config.yaml", "infra", message="scaffold", verify=False).returncode == 0
    repo.write("infra/specs/app.yaml", GOOD_SPEC.read_text(encoding="utf-8"))
    result = repo.commit("infra/specs/app.yaml", message="add the app spec")
    assert result.returncode == 0, result.stdout
    repo.write("infra/runtime_handlers/items.py", "def other(event, context):\n    return {}\n")
    result = repo.commit("infra/runtime_handlers/items.py", message="break items")
    assert result.returncode != 0, result.stdout
    assert re.search(r"^infra/specs/app\.yaml:\d+:\d+: E313 functions\.items\.handler", result.stdout, re.M), result.stdout
