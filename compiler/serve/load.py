"""The model `serve` runs, built exactly as `plan` and `openapi` build it (compiler/offline.py):
validate (SpecError with every finding), choose the stage (the flag, else the spec's `stage`, else
dev; a declared `stages` list is enforced), normalize. No Pulumi here or below."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..model import App
from ..offline import load_offline
from ..openapi_export import NoApi
from ..validate import root_for


def load_app(spec_file: str, stage: Optional[str] = None, project_root: Optional[Path] = None) -> tuple[App, list[str]]:
    """(the stage's model, the spec's warnings as `plan` prints them); SpecError or NoApi."""
    loaded = load_offline(spec_file, stage=stage, project_root=project_root or root_for(spec_file))
    if loaded.app.api is None:
        raise NoApi(f"{spec_file}: the spec declares no api: there is nothing to serve")
    return loaded.app, loaded.warnings
