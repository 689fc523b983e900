"""`plan --diff OLD.json` and `plan --diff-ref GIT_REF`: the command side of plan_diff.py (reading
the old document, or planning the spec as it was at a commit)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_SPEC = 0, 1


def plan_diff_command(args: argparse.Namespace, document: dict) -> int:
    """Compare with a plan document (--diff) or with the spec at a git commit (--diff-ref)."""
    import json

    from . import plan_diff
    from .errors import SpecError, format_text

    if args.diff:
        try:
            with open(args.diff, encoding="utf-8") as handle:
                old = json.load(handle)
        except (OSError, ValueError) as exc:
            print(f"error: cannot read the plan document {args.diff}: {exc}", file=sys.stderr)
            return EXIT_SPEC
    else:
        try:
            old = plan_at_ref(args)
        except SpecError as exc:
            print(f"the spec at {args.diff_ref} has problems:\n{format_text(exc.diagnostics)}", file=sys.stderr)
            return EXIT_SPEC
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_SPEC
    changes = plan_diff.diff(old, document)
    for warning in plan_diff.region_warnings(old, document):
        print(f"{document.get('spec', '')}: {warning}", file=sys.stderr)
    sys.stdout.write(plan_diff.render_markdown(changes) if args.format == "markdown" else plan_diff.render_text(changes))
    if args.detailed_exitcode:
        return 2 if changes else EXIT_OK  # as `terraform plan -detailed-exitcode`: 0 none, 2 changes, 1 errors
    return EXIT_OK


def plan_at_ref(args: argparse.Namespace) -> dict:
    """The plan of the spec as it was at `args.diff_ref` (with today's compiler and handlers): the
    old text is written beside the spec, so its project root and relative files are the same."""
    import subprocess
    import tempfile

    from .plan import plan_file
    from .validate import root_for

    spec = Path(args.spec).resolve()
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=spec.parent, capture_output=True, text=True)
    if top.returncode != 0:
        raise RuntimeError(f"{args.spec} is not in a git repository")
    relative = spec.relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = subprocess.run(["git", "show", f"{args.diff_ref}:{relative}"], cwd=spec.parent, capture_output=True, text=True)
    if shown.returncode != 0:
        raise RuntimeError(f"cannot read {relative} at {args.diff_ref}: {shown.stderr.strip()}")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=spec.parent, prefix=f".{spec.stem}.", delete=False, encoding="utf-8") as old:
        old.write(shown.stdout)
    try:
        return plan_file(old.name, stage=args.stage, project_root=root_for(args.spec, args.root), as_file=args.spec)
    finally:
        Path(old.name).unlink()
