"""Validation: load -> JSON Schema -> semantic checks. Pulumi-free, so it is fast enough for a
pre-commit hook; `plan` and the Pulumi program run exactly this before building anything."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .checks import CheckContext, semantic_diagnostics
from .errors import Diagnostic, SpecError
from .loader import LoadedSpec, load_file
from .schema_errors import schema_diagnostics


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding Pulumi.yaml, searched upward from `start` (default: the working directory);
    the working directory itself when none is found (e.g. another repository's pre-commit hook)."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return start


def diagnose(spec: LoadedSpec, project_root: Path) -> list[Diagnostic]:
    """All problems of a loaded spec, schema and semantic together, sorted by position."""
    found: Iterable[Diagnostic] = [*schema_diagnostics(spec), *semantic_diagnostics(spec, CheckContext(project_root))]
    return sorted(set(found))


def validate_file(file: str, project_root: Path | None = None) -> LoadedSpec:
    """Load and check `file`; return the spec when it is valid, else raise SpecError with every problem."""
    spec = load_file(file)
    problems = diagnose(spec, project_root or find_project_root())
    if problems:
        raise SpecError(problems)
    return spec


def check_stage(spec_file: str, stage: str) -> None:
    """A stage given outside the spec (`--stage`, stack config) obeys the spec's own rule for it."""
    import re

    from .schema_errors import load_schema

    rule = load_schema()["properties"]["stage"]
    if not re.match(rule["pattern"], stage):
        raise SpecError([Diagnostic(spec_file, 1, 1, "E205", "stage", f"stage '{stage}' (from outside the spec) is not a valid stage", rule["x-hint"])])
