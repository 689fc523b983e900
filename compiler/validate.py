"""Validation: load -> JSON Schema -> semantic checks. Pulumi-free, so it is fast enough for a
pre-commit hook; `plan` and the Pulumi program run exactly this before building anything."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from . import stages
from .checks import CheckContext, semantic_diagnostics
from .errors import Diagnostic, SpecError
from .loader import LoadedSpec, load_file
from .schema_errors import schema_diagnostics


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding Pulumi.yaml;
    the working directory when there is none (e.g. a repository without Pulumi.yaml running the
    pre-commit hook). Commands start from the spec file's folder, so the result does not depend
    on where they run."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return Path.cwd().resolve()


def root_for(spec_file: str, override: str | None = None) -> Path:
    """The project root of `spec_file`: `override` (--root) when given, else found from the spec's folder."""
    return Path(override).resolve() if override else find_project_root(Path(spec_file).resolve().parent)


def spec_path_in_project(spec_file: str, project_root: Path) -> str:
    """The spec's path relative to the project root, '/'-separated: what deployed text and the plan
    document name, whatever spelling or working directory the command got."""
    return Path(os.path.relpath(Path(spec_file).resolve(), project_root.resolve())).as_posix()


def _check(spec: LoadedSpec, ctx: CheckContext) -> set[Diagnostic]:
    return {*schema_diagnostics(spec), *semantic_diagnostics(spec, ctx)}


def diagnose(spec: LoadedSpec, project_root: Path) -> list[Diagnostic]:
    """All findings of a loaded spec, schema and semantic together, sorted by position: those of
    the base spec and of every declared stage's merged result (once each; a finding only a stage
    has says which stage)."""
    ctx = CheckContext(project_root)
    base = _check(spec, ctx)
    found = set(base)
    # One finding per place and code: a stage repeats what the base already said about a line.
    seen = {(d.line, d.col, d.code) for d in base}
    for stage in stages.declared(spec.data) or ():
        for diagnostic in sorted(_check(stages.view(spec, stage), ctx)):
            if (diagnostic.line, diagnostic.col, diagnostic.code) in seen:
                continue
            seen.add((diagnostic.line, diagnostic.col, diagnostic.code))
            if not diagnostic.path.startswith("stages."):
                diagnostic = replace(diagnostic, message=f"{diagnostic.message} (in stage '{stage}')")
            found.add(diagnostic)
    return sorted(found)


def validate_file(file: str, project_root: Path | None = None) -> LoadedSpec:
    """Load and check `file`; return the spec (its warnings in `.warnings`) when it has no error,
    else raise SpecError with every finding, warnings included."""
    spec = load_file(file)
    problems = diagnose(spec, project_root or root_for(file))
    if any(d.is_error for d in problems):
        raise SpecError(problems)
    spec.warnings = problems
    return spec


def check_stage(spec_file: str, stage: str, source: str = "--stage") -> None:
    """A stage given outside the spec (`--stage`, stack config) obeys the spec's own rule for it;
    a bad one is blamed on where it came from, not on a line of the spec."""
    import re

    from .schema_errors import load_schema

    rule = load_schema()["properties"]["stage"]
    if not re.match(rule["pattern"], stage):
        raise SpecError([Diagnostic(source, 0, 0, "E205", "stage", f"'{stage}' is not a valid stage (for {spec_file})", rule["x-hint"])])
