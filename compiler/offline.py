"""The step every offline command shares (plan, openapi, serve): validate a spec, choose its stage
(`--stage`, else the spec's `stage`, else dev; declared when `stages` exists), and normalize it.
Pulumi-free."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from . import stages
from .model import App
from .normalize import normalize
from .validate import check_stage, spec_path_in_project, validate_file


@dataclass(frozen=True)
class OfflineApp:
    app: App
    spec_path: str  # relative to the project root: what deployed text and documents name
    warnings: list[str]  # as `validate` prints them, with that path


def load_offline(spec_file: str, *, stage: Optional[str] = None, project_root: Path, as_file: Optional[str] = None) -> OfflineApp:
    """The stage's model of `spec_file` (SpecError on any error). `as_file` loads this text as if it
    were that spec (an older version of it, for a diff)."""
    spec = validate_file(spec_file, project_root)
    chosen = stages.offline_stage(spec.data, stage)
    if stage is not None:
        check_stage(spec_file, stage)
    source = "--stage" if stage is not None else "the spec's stage key" if spec.data.get("stage") else "the default stage"
    stages.check_declared(spec, chosen, source)
    relative = spec_path_in_project(as_file or spec_file, project_root)
    app = normalize(spec.data, stage=chosen, spec_file=relative, project_root=project_root)
    return OfflineApp(app, relative, [replace(d, file=relative).format() for d in spec.warnings])
