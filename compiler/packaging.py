"""The Lambda code: the files under one code folder and nothing else, in a stable order.

A function ships only its code folder (`runtime_handlers` or a folder below it), but every
file keeps its path relative to the project root, so a handler named
`runtime_handlers.orders.app.handler` imports unchanged in Lambda; a missing parent
`__init__.py` is harmless because Python treats such folders as namespace packages.

Pulumi hashes archives by content, so an unchanged folder never redeploys code; caches,
compiled files and `.build/` folders (local build output such as layers) are left out because
they differ between machines.

This module imports Pulumi only inside `code_archive`, so validation (which may use
`code_files` and `is_shippable`) stays Pulumi-free.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

HANDLERS_DIR = "runtime_handlers"
EXCLUDED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".build"})
EXCLUDED_SUFFIXES = frozenset({".pyc", ".pyo"})


def is_shippable(relative: PurePosixPath | str) -> bool:
    """Whether a file at `relative` (a path below its code folder) belongs in the archive:
    not inside an excluded folder (caches, `.build/`) and not a compiled file."""
    path = PurePosixPath(relative)
    return not EXCLUDED_DIRS.intersection(path.parts[:-1]) and path.suffix not in EXCLUDED_SUFFIXES


def code_folder(project_root: Path, code_dir: str) -> Path:
    """The folder `code_dir` names, relative to `project_root`. ValueError if `code_dir` is
    absolute or climbs out of the project root, NotADirectoryError if it is not a folder."""
    relative = PurePosixPath(code_dir)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"code folder {code_dir!r} must be a folder path inside the project root")
    folder = Path(project_root) / relative
    if not folder.is_dir():
        raise NotADirectoryError(f"code folder {code_dir!r} is not a folder under {project_root}")
    return folder


def code_files(project_root: Path, code_dir: str) -> list[tuple[str, Path]]:
    """(archive path, file) pairs for every shippable file under `code_dir`, sorted by archive
    path. Archive paths are '/'-separated and relative to the project root, so they start
    with `code_dir`."""
    root = Path(project_root)
    folder = code_folder(root, code_dir)
    files = []
    for path in folder.rglob("*"):
        # Exclusions look only below the code folder: the folder's own location is the spec's choice.
        if path.is_file() and is_shippable(path.relative_to(folder).as_posix()):
            files.append((path.relative_to(root).as_posix(), path))
    # Sort by the archive path itself, not by Path order, so the order is the same on every OS.
    return sorted(files, key=lambda pair: pair[0])


def code_digest(project_root: Path, code_dir: str) -> str:
    """sha256 hex of the code folder: over the sorted (archive path, file sha256) pairs.

    It equals the `$archive.sha256` the plan document shows for `code_archive(...)`
    (the hash of the JSON object {path: "sha256:<file hash>"} with sorted keys), so a cache or
    a test can compare the two without Pulumi."""
    entries = {name: "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
               for name, path in code_files(project_root, code_dir)}
    # The same serialisation as compiler.plan._plain, so the two digests agree.
    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def code_archive(project_root: Path, code_dir: str):
    """A `pulumi.AssetArchive` of `code_files(project_root, code_dir)`: one FileAsset per file,
    keyed by its path relative to the project root."""
    import pulumi

    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in code_files(project_root, code_dir)})


def handler_files(project_root: Path) -> list[tuple[str, Path]]:
    """Deprecated: `code_files(project_root, HANDLERS_DIR)`; kept until callers switch."""
    return code_files(project_root, HANDLERS_DIR)


def handler_archive(project_root: Path):
    """Deprecated: `code_archive(project_root, HANDLERS_DIR)`, the whole default code folder;
    kept until callers pass each function's own folder."""
    return code_archive(project_root, HANDLERS_DIR)
