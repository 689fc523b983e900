"""What `__main__.py` runs under the real engine: the same validate -> normalize -> build as `plan`.

The stage is the stack config `stage`, else the stack name; the spec's own `stage` key is only the
offline default and is never used here (two stacks built from one spec must not share names).
"""
from __future__ import annotations

import pulumi

from . import stages
from .build import build
from .errors import SpecError, format_text
from .normalize import normalize
from .validate import check_stage, find_project_root, spec_path_in_project, validate_file

DEFAULT_SPEC = "specs/serverless-app.yaml"


def stack_stage(config: pulumi.Config) -> tuple[str, str]:
    """(stage, where it came from) under Pulumi."""
    configured = config.get("stage")
    return (configured, "the stack config `stage`") if configured else (pulumi.get_stack(), "the stack name")


def run(config: pulumi.Config) -> None:
    spec_file = config.get("spec") or DEFAULT_SPEC
    root = find_project_root()
    stage, source = stack_stage(config)
    try:
        spec = validate_file(spec_file, root)
        check_stage(spec_file, stage, "the stack config `stage`" if config.get("stage") else "the stack name")
        stages.check_declared(spec, stage, source)
    except SpecError as exc:
        # RunError prints the message without a Python traceback and fails the update.
        raise pulumi.RunError(f"the spec has problems:\n{format_text(exc.diagnostics)}") from None
    warnings = list(spec.warnings)
    written = spec.data.get("stage")
    if written is not None and written != stage:
        warnings.append(spec.diagnostic(("stage",), "W403", f"the spec's stage '{written}' is ignored: this stack builds stage '{stage}' (from {source})",
                                        "under Pulumi the stage is the stack config `stage`, else the stack name; the spec's key is the offline default",
                                        severity="warning"))
    for warning in warnings:
        pulumi.log.warn(warning.format())
    app = normalize(spec.data, stage=stage, spec_file=spec_path_in_project(spec_file, root), project_root=root)
    for key, value in build(app, root).items():
        pulumi.export(key, value)
