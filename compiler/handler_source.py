"""Static handler lookup: does `runtime_handlers.<module>.<function>` exist, without importing it.

Importing operator code during validation would run it (side effects, missing dependencies,
slow start); reading it with `ast` answers the only question we have: is the name defined?
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class HandlerProblem:
    code: str
    message: str
    hint: str


def module_file(project_root: Path, module: str) -> Path | None:
    """The file that defines dotted `module` under `project_root`, or None."""
    base = project_root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # e.g. a name longer than the file system allows: no such module
            return None
    return None


@lru_cache(maxsize=256)
def _top_level_names(file: Path, mtime_ns: int) -> frozenset[str] | SyntaxError:
    try:
        tree = ast.parse(file.read_bytes(), filename=str(file))
    except SyntaxError as exc:
        return exc
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return frozenset(names)


def find_handler(project_root: Path, handler: str) -> HandlerProblem | None:
    """None when `handler` is defined at the top level of its module, else what is wrong."""
    module, _, function = handler.rpartition(".")
    file = module_file(project_root, module)
    if file is None:
        relative = module.replace(".", "/")
        return HandlerProblem("E312", f"handler module '{module}' not found",
                              f"expected {relative}.py (or {relative}/__init__.py) under the project root, the folder holding Pulumi.yaml")
    names = _top_level_names(file, file.stat().st_mtime_ns)
    if isinstance(names, SyntaxError):
        return HandlerProblem("E314", f"handler module '{module}' does not parse: {names.msg} (line {names.lineno})",
                              f"fix the Python syntax in {file.relative_to(project_root)}")
    if function not in names:
        return HandlerProblem("E313", f"'{function}' is not defined in {file.relative_to(project_root)}",
                              "define it at the top level: def " + function + "(event, context): ...")
    return None
