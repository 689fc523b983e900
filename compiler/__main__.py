"""Command line: `python -m compiler validate|plan|openapi|schema|docs ...`.

Exit codes: 0 success (warnings, W codes, are printed but do not fail unless --strict), 1 the spec
has errors (every finding is printed), 2 an internal error or a usage error. Bad input never produces a traceback. Commands import their modules lazily so that
`validate` never loads Pulumi.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from dataclasses import replace

EXIT_OK, EXIT_SPEC, EXIT_INTERNAL = 0, 1, 2


def _cmd_validate(args: argparse.Namespace) -> int:
    from .errors import SpecError, format_json, format_text
    from .validate import find_project_root, validate_file

    root = find_project_root()
    findings = []
    for file in args.specs:
        try:
            findings.extend(validate_file(file, root).warnings)
        except SpecError as exc:
            findings.extend(exc.diagnostics)
    if args.strict:
        findings = [replace(d, severity="error") for d in findings]
    if args.format == "json":
        print(format_json(findings, args.specs))
    elif findings:
        print(format_text(findings), file=sys.stderr)
    return EXIT_SPEC if any(d.is_error for d in findings) else EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    from .errors import SpecError, format_text
    from .validate import find_project_root

    try:
        from .plan import plan_file, render_summary, to_json
    except ImportError as exc:  # the light install (pre-commit) has no Pulumi
        print(f"error: plan needs Pulumi: install the `pulumi` extra ({exc.name} is missing)", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        document = plan_file(args.spec, stage=args.stage, project_root=find_project_root())
    except SpecError as exc:
        print(format_text(exc.diagnostics), file=sys.stderr)
        return EXIT_SPEC
    if document["warnings"]:
        print("\n".join(document["warnings"]), file=sys.stderr)
        if args.strict:
            return EXIT_SPEC
    sys.stdout.write(to_json(document) if args.json else render_summary(document))
    return EXIT_OK


def _cmd_openapi(args: argparse.Namespace) -> int:
    import json

    from .errors import SpecError, format_text
    from .openapi_export import NoApi, export_file
    from .validate import find_project_root

    try:
        document, warnings = export_file(args.spec, stage=args.stage, project_root=find_project_root(),
                                         aws_extensions=args.aws_extensions)
    except SpecError as exc:
        print(format_text(exc.diagnostics), file=sys.stderr)
        return EXIT_SPEC
    except NoApi as exc:
        print(exc, file=sys.stderr)
        return EXIT_SPEC
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema_errors import schema_path

    sys.stdout.write(schema_path().read_text(encoding="utf-8"))
    return EXIT_OK


def _cmd_docs(args: argparse.Namespace) -> int:
    from .docs import render_reference

    text = render_reference()
    if args.check:
        current = open(args.output, encoding="utf-8").read() if os.path.exists(args.output) else ""
        if current != text:
            print(f"{args.output} is stale: run `python -m compiler docs`", file=sys.stderr)
            return EXIT_SPEC
        return EXIT_OK
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {args.output}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m compiler", description="Compile serverless app specs into Pulumi resources.")
    top.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = top.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check specs against the schema and semantic rules")
    validate.add_argument("specs", nargs="+", metavar="SPEC")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings (W codes) as errors")
    validate.set_defaults(run=_cmd_validate)

    plan = commands.add_parser("plan", help="validate, then build offline under Pulumi's mock runtime")
    plan.add_argument("spec", metavar="SPEC")
    plan.add_argument("--stage", help="stage name (default: the spec's stage, else dev)")
    plan.add_argument("--json", action="store_true", help="print the plan document as JSON")
    plan.add_argument("--strict", action="store_true", help="treat warnings (W codes) as errors: exit 1, print no plan")
    plan.set_defaults(run=_cmd_plan)

    api = commands.add_parser("openapi", help="print the API's OpenAPI 3 document as JSON")
    api.add_argument("spec", metavar="SPEC")
    api.add_argument("--stage", help="stage name (default: the spec's stage, else dev)")
    api.add_argument("--aws-extensions", action="store_true",
                     help="print the exact body API Gateway imports (x-amazon-apigateway-* extensions, placeholder URIs)")
    api.set_defaults(run=_cmd_openapi)

    schema = commands.add_parser("schema", help="print the JSON Schema")
    schema.set_defaults(run=_cmd_schema)

    docs = commands.add_parser("docs", help="render docs/spec-reference.md from the schema")
    docs.add_argument("--output", default="docs/spec-reference.md")
    docs.add_argument("--check", action="store_true", help="exit 1 when the file is stale instead of writing it")
    docs.set_defaults(run=_cmd_docs)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the boundary: internal errors exit 2, never a raw crash
        if args.debug:
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
