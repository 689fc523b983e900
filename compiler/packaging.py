"""The Lambda code: everything under runtime_handlers/ and nothing else, in a stable order.

Pulumi hashes archives by content, so an unchanged tree never redeploys code; caches and
compiled files are left out because they differ between machines.
"""
from __future__ import annotations

from pathlib import Path

HANDLERS_DIR = "runtime_handlers"
EXCLUDED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def handler_files(project_root: Path) -> list[tuple[str, Path]]:
    """(archive path, file) pairs, sorted, for every shippable file under runtime_handlers/."""
    base = project_root / HANDLERS_DIR
    files = []
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(project_root)
        if path.is_file() and not EXCLUDED_DIRS.intersection(relative.parts) and path.suffix not in EXCLUDED_SUFFIXES:
            files.append((relative.as_posix(), path))
    return files


def handler_archive(project_root: Path):
    import pulumi

    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in handler_files(project_root)})
