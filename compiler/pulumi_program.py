"""What `__main__.py` runs under the real engine: the same validate -> normalize -> build as `plan`."""
from __future__ import annotations

import pulumi

from .build import build
from .errors import SpecError, format_text
from .normalize import normalize
from .validate import check_stage, find_project_root, validate_file

DEFAULT_SPEC = "specs/serverless-app.yaml"


def run(config: pulumi.Config) -> None:
    spec_file = config.get("spec") or DEFAULT_SPEC
    root = find_project_root()
    try:
        spec = validate_file(spec_file, root)
        stage = config.get("stage") or spec.data.get("stage") or pulumi.get_stack()
        check_stage(spec_file, stage)
    except SpecError as exc:
        # RunError prints the message without a Python traceback and fails the update.
        raise pulumi.RunError(f"the spec has problems:\n{format_text(exc.diagnostics)}") from None
    app = normalize(spec.data, stage=stage, spec_file=spec_file)
    for key, value in build(app, root).items():
        pulumi.export(key, value)
