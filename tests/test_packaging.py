"""The code archive: one code folder, keyed by paths relative to the project root, without
caches, compiled files or `.build/` output, in a stable order and with a stable digest; and the
plan document's code hashes, which golden plans leave out."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.packaging import HANDLERS_DIR, code_archive, code_digest, code_files, handler_archive
from compiler.plan import _plain, plan_file, to_json
from plan_support import MINIMAL, SAMPLE, golden_text, plan, resources

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path) -> Path:
    """Two code folders below runtime_handlers/, plus what a developer's machine adds."""
    files = {
        "runtime_handlers/__init__.py": "",
        "runtime_handlers/shared.py": "SHARED = 1\n",
        "runtime_handlers/orders/app.py": "def handler(event, context):\n    return 'orders'\n",
        # '-' sorts before '/' as text but after it part by part: the order must be the text order.
        "runtime_handlers/orders/a-b.py": "X = 1\n",
        "runtime_handlers/orders/a/b.py": "Y = 1\n",
        "runtime_handlers/orders/__pycache__/app.cpython-312.pyc": "\0cache",
        "runtime_handlers/orders/stale.pyc": "\0stale",
        "runtime_handlers/orders/.build/layer.zip": "built",
        "runtime_handlers/orders/deep/.build/x.py": "built = 1\n",
        "runtime_handlers/users/app.py": "def handler(event, context):\n    return 'users'\n",
        "other/secret.txt": "not code\n",
        "secrets.txt": "not code\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def names(project_root: Path, code_dir: str) -> list[str]:
    return [name for name, _ in code_files(project_root, code_dir)]


def test_only_the_chosen_folder_is_shipped_keyed_from_the_project_root(project):
    assert names(project, "runtime_handlers/orders") == [
        "runtime_handlers/orders/a-b.py", "runtime_handlers/orders/a/b.py", "runtime_handlers/orders/app.py"]
    assert names(project, "runtime_handlers/users") == ["runtime_handlers/users/app.py"]


def test_each_key_names_the_file_it_ships(project):
    for name, path in code_files(project, "runtime_handlers"):
        assert path == project / name


def test_the_default_folder_ships_every_code_folder_but_nothing_outside_it(project):
    shipped = names(project, HANDLERS_DIR)
    assert shipped == sorted(shipped)
    assert "runtime_handlers/users/app.py" in shipped and "runtime_handlers/shared.py" in shipped
    assert not [n for n in shipped if not n.startswith("runtime_handlers/")]
    assert not [n for n in shipped if "__pycache__" in n or "/.build/" in n or n.endswith((".pyc", ".pyo"))]


def test_a_handler_in_a_sub_folder_imports_from_the_shipped_files_alone(project, tmp_path_factory):
    # What Lambda does: unzip at the task root, put it on sys.path, import the handler's module.
    task_root = tmp_path_factory.mktemp("task")
    for name, path in code_files(project, "runtime_handlers/orders"):
        (task_root / name).parent.mkdir(parents=True, exist_ok=True)
        (task_root / name).write_bytes(path.read_bytes())
    assert not (task_root / "runtime_handlers" / "__init__.py").exists()
    # -I: no current folder, no user site, no PYTHONPATH; only the task root is added.
    program = "import sys; sys.path.insert(0, sys.argv[1]); import runtime_handlers.orders.app as m; print(m.handler(None, None))"
    result = subprocess.run([sys.executable, "-I", "-c", program, str(task_root)],
                            cwd=task_root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "orders"


def test_the_archive_of_the_real_handlers_is_keyed_runtime_handlers():
    archive = code_archive(ROOT, HANDLERS_DIR)
    assert "runtime_handlers/items.py" in archive.assets
    assert not [n for n in archive.assets if not n.startswith("runtime_handlers/") or "__pycache__" in n]
    assert list(archive.assets) == names(ROOT, HANDLERS_DIR)
    assert {n: a.path for n, a in archive.assets.items()} == {n: str(p) for n, p in code_files(ROOT, HANDLERS_DIR)}


def test_the_old_handler_archive_is_the_default_folder():
    assert set(handler_archive(ROOT).assets) == set(code_archive(ROOT, HANDLERS_DIR).assets)


def test_the_digest_is_the_one_the_plan_document_shows(project):
    plain = _plain(code_archive(project, "runtime_handlers/orders"))
    assert plain["$archive"]["sha256"] == code_digest(project, "runtime_handlers/orders")


def test_two_digests_of_an_unchanged_folder_are_equal(project):
    assert code_digest(project, "runtime_handlers/orders") == code_digest(project, "runtime_handlers/orders")
    assert code_digest(project, "runtime_handlers/orders") != code_digest(project, "runtime_handlers/users")


def test_changing_one_shipped_file_changes_the_digest(project):
    before = code_digest(project, "runtime_handlers/orders")
    (project / "runtime_handlers/orders/a/b.py").write_text("Y = 2\n")
    assert code_digest(project, "runtime_handlers/orders") != before


def test_renaming_a_shipped_file_changes_the_digest(project):
    before = code_digest(project, "runtime_handlers/orders")
    (project / "runtime_handlers/orders/a-b.py").rename(project / "runtime_handlers/orders/a_b.py")
    assert code_digest(project, "runtime_handlers/orders") != before


def test_files_outside_the_folder_and_caches_leave_the_digest_alone(project):
    before = code_digest(project, "runtime_handlers/orders")
    (project / "runtime_handlers/users/app.py").write_text("changed = True\n")
    (project / "runtime_handlers/shared.py").write_text("changed = True\n")
    (project / "runtime_handlers/orders/__pycache__/new.cpython-312.pyc").write_text("\0")
    (project / "runtime_handlers/orders/.build/other.zip").write_text("rebuilt")
    assert code_digest(project, "runtime_handlers/orders") == before


@pytest.mark.parametrize("code_dir", ["../other", "/tmp", "", "runtime_handlers/../other"])
def test_a_code_folder_outside_the_project_is_refused(project, code_dir):
    with pytest.raises(ValueError, match="inside the project root"):
        code_files(project, code_dir)


def test_a_missing_code_folder_is_an_error_not_an_empty_archive(project):
    with pytest.raises(NotADirectoryError, match="runtime_handlers/billing"):
        code_files(project, "runtime_handlers/billing")


# The plan document's code hashes. Golden plans replace them with placeholders
# (plan_support.golden_text), so these tests are what pins them.

def expected_archive(project_root: Path, code_dir: str) -> dict:
    """The `$archive` the README documents, computed here from the files themselves: every file
    under the folder but caches, compiled files and `.build/`, keyed by its path from the project
    root, each "sha256:<hex>", and the archive's sha256 over the sorted JSON of those entries."""
    entries = {}
    for path in sorted((project_root / code_dir).rglob("*")):
        relative = path.relative_to(project_root / code_dir).parts
        if path.is_file() and not {"__pycache__", ".build", ".pytest_cache", ".mypy_cache"} & set(relative[:-1]) \
                and path.suffix not in (".pyc", ".pyo"):
            entries[path.relative_to(project_root).as_posix()] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()
    return {"$archive": {"entries": entries, "sha256": digest}}


def function_archives(document: dict) -> dict[str, dict]:
    return {f["inputs"]["name"]: f["inputs"]["code"] for f in resources(document, "aws:lambda/function:Function")}


def test_the_plan_shows_each_functions_code_folder_with_the_hash_of_its_files():
    document = plan(SAMPLE)
    archives = function_archives(document)
    assert len(archives) == 2
    for name, archive in archives.items():
        assert archive == expected_archive(ROOT, HANDLERS_DIR), name


@pytest.fixture
def copied_project(tmp_path) -> Path:
    """The repository's handlers, Pulumi.yaml and the minimal spec in a folder of their own."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "runtime_handlers", project / "runtime_handlers", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / MINIMAL, project / "spec.yaml")
    return project


def test_editing_a_handler_changes_only_the_code_hashes_of_the_plan_and_no_golden_text(copied_project):
    """A comment in a handler is a new archive (Pulumi redeploys the code), and nothing else."""
    spec = str(copied_project / "spec.yaml")
    before = to_json(plan_file(spec, project_root=copied_project))
    handler = copied_project / "runtime_handlers" / "health.py"
    handler.write_text(handler.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    after = to_json(plan_file(spec, project_root=copied_project))
    assert before != after
    assert golden_text(before) == golden_text(after)
    old, new = json.loads(before), json.loads(after)
    assert [a["$archive"]["sha256"] for a in function_archives(old).values()] != \
        [a["$archive"]["sha256"] for a in function_archives(new).values()]
    assert list(function_archives(new).values()) == [expected_archive(copied_project, HANDLERS_DIR)]
    changed = {k for k, v in function_archives(new)["tiny-dev-health"]["$archive"]["entries"].items()
               if function_archives(old)["tiny-dev-health"]["$archive"]["entries"][k] != v}
    assert changed == {"runtime_handlers/health.py"}


def test_a_cache_file_next_to_the_handlers_changes_no_code_hash(copied_project):
    spec = str(copied_project / "spec.yaml")
    before = to_json(plan_file(spec, project_root=copied_project))
    (copied_project / "runtime_handlers" / "__pycache__").mkdir()
    (copied_project / "runtime_handlers" / "__pycache__" / "health.cpython-312.pyc").write_bytes(b"\0")
    (copied_project / "notes.txt").write_text("outside the code folder\n")
    assert to_json(plan_file(spec, project_root=copied_project)) == before
