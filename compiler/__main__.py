"""Command line: `python -m compiler validate|plan|openapi|init|schema|docs ...`.

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
from pathlib import Path

EXIT_OK, EXIT_SPEC, EXIT_INTERNAL = 0, 1, 2


def _changed_code_specs(files: list[str], pattern: str) -> list[str]:
    """The specs matching `pattern` (a glob from the working directory) whose functions ship or
    name one of the changed code `files`: a renamed handler must fail the commit that renames it."""
    import glob

    from .handler_source import module_file
    from .loader import load_file
    from .errors import SpecError
    from .validate import root_for

    changed = {Path(f).resolve() for f in files}
    found = []
    for spec_file in sorted(glob.glob(pattern, recursive=True)):
        try:
            data = load_file(spec_file).data
        except SpecError:
            found.append(spec_file)  # unreadable: validating it reports why
            continue
        root = root_for(spec_file)
        functions = data.get("functions") if isinstance(data, dict) else None
        for function in (functions.values() if isinstance(functions, dict) else ()):
            if not isinstance(function, dict):
                continue
            handler, code = function.get("handler"), function.get("code", "runtime_handlers")
            module = module_file(root, handler.rpartition(".")[0]) if isinstance(handler, str) else None
            folder = (root / code).resolve() if isinstance(code, str) else None
            if any(path == (module and module.resolve()) or (folder and folder in path.parents) for path in changed):
                found.append(spec_file)
                break
    return found


def _cmd_validate(args: argparse.Namespace) -> int:
    from .errors import SpecError, format_json, format_text
    from .validate import root_for, validate_file

    specs = [f for f in args.specs if f.endswith((".yaml", ".yml"))]
    code = [f for f in args.specs if not f.endswith((".yaml", ".yml"))]
    if code:
        specs += [f for f in _changed_code_specs(code, args.specs_glob) if f not in specs]
    findings = []
    for file in specs:
        try:
            findings.extend(validate_file(file, root_for(file, args.root)).warnings)
        except SpecError as exc:
            findings.extend(exc.diagnostics)
    if args.strict:
        findings = [replace(d, severity="error") for d in findings]
    if args.format == "json":
        print(format_json(findings, specs))
    elif args.format == "sarif":
        from .errors import format_sarif

        print(format_sarif(findings, specs))
    elif args.format == "github":
        from .errors import format_github

        if findings:
            print(format_github(findings))
    elif findings:
        print(format_text(findings), file=sys.stderr)
    return EXIT_SPEC if any(d.is_error for d in findings) else EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    import gc

    # A plan is one short process that ends with os._exit: the cyclic collector's passes over the
    # imported SDK and the built resources would free nothing before then (see plan.run_build).
    gc.disable()
    from .errors import SpecError, format_text
    from .validate import root_for

    try:
        from .plan import plan_file, render_summary, to_json
    except ImportError as exc:  # the light install (pre-commit) has no Pulumi
        print(f"error: plan needs Pulumi: install the `pulumi` extra ({exc.name} is missing)", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        document = plan_file(args.spec, stage=args.stage, project_root=root_for(args.spec, args.root))
    except SpecError as exc:
        print(format_text(exc.diagnostics), file=sys.stderr)
        return EXIT_SPEC
    if document["warnings"]:
        print("\n".join(document["warnings"]), file=sys.stderr)
        if args.strict:
            return EXIT_SPEC
    if args.diff or args.diff_ref:
        from .diff_command import plan_diff_command

        return plan_diff_command(args, document)
    sys.stdout.write(to_json(document) if args.json else render_summary(document))
    return EXIT_OK


def _cmd_openapi(args: argparse.Namespace) -> int:
    import json

    from .errors import SpecError, format_text
    from .openapi_export import NoApi, export_file
    from .validate import root_for

    try:
        document, warnings = export_file(args.spec, stage=args.stage, project_root=root_for(args.spec, args.root),
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


def _cmd_init(args: argparse.Namespace) -> int:
    from .init import InitError, write
    from .schema_errors import load_schema, schema_path
    from .validate import root_for

    spec = Path(args.spec)
    root = root_for(args.spec, args.root)
    local_schema = root / "schema" / "app.schema.json"
    # The repository's schema when it has one, else the published $id (the hook's consumers).
    schema = local_schema if local_schema.is_file() else None
    try:
        written = write(spec, root, schema or schema_path(), schema_ref=None if schema else load_schema()["$id"])
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve.cli import main as serve

    return serve(args)


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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("serverless-spec-compiler")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """argparse's `version` action needs the text up front; reading the installed version imports
    importlib.metadata (and email, csv, zipfile), ~20 ms of every command that does not ask for it."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")  # on stdout, as argparse's own version action prints it
        parser.exit()


def parser() -> argparse.ArgumentParser:
    # --debug and --root are accepted before or after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks of internal errors")
    rooted = argparse.ArgumentParser(add_help=False)
    rooted.add_argument("--root", metavar="DIR",
                        help="the project root (where handlers and files the spec names are found); default: the nearest "
                             "folder at or above the spec holding Pulumi.yaml, else the working directory")
    top = argparse.ArgumentParser(prog="python -m compiler", description="Compile serverless app specs into Pulumi resources.",
                                  parents=[common])
    top.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    commands = top.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check specs against the schema and semantic rules", parents=[common, rooted])
    validate.add_argument("specs", nargs="+", metavar="FILE",
                          help="specs to check; changed handler files (e.g. .py) select the specs that use them")
    validate.add_argument("--specs", dest="specs_glob", default="specs/*.yaml", metavar="GLOB",
                          help="where specs live, for changed handler files (default: specs/*.yaml)")
    validate.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings (W codes) as errors")
    validate.set_defaults(run=_cmd_validate)

    plan = commands.add_parser("plan", help="validate, then build offline under Pulumi's mock runtime", parents=[common, rooted])
    plan.add_argument("spec", metavar="SPEC")
    plan.add_argument("--stage", help="stage name (default: the spec's stage, else dev)")
    plan.add_argument("--json", action="store_true", help="print the plan document as JSON")
    plan.add_argument("--strict", action="store_true", help="treat warnings (W codes) as errors: exit 1, print no plan")
    plan.add_argument("--diff", metavar="OLD.json", help="show what changes from a saved plan document (plan --json)")
    plan.add_argument("--diff-ref", metavar="GIT_REF", help="show what changes from the spec as it was at a git commit")
    plan.add_argument("--detailed-exitcode", action="store_true", help="with a diff: exit 0 without changes, 2 with changes, 1 on errors")
    plan.add_argument("--format", choices=("text", "markdown"), default="text", help="the diff as text or as a pull-request comment")
    plan.set_defaults(run=_cmd_plan)

    api = commands.add_parser("openapi", help="print the API's OpenAPI 3 document as JSON", parents=[common, rooted])
    api.add_argument("spec", metavar="SPEC")
    api.add_argument("--stage", help="stage name (default: the spec's stage, else dev)")
    api.add_argument("--aws-extensions", action="store_true",
                     help="print the exact body API Gateway imports (x-amazon-apigateway-* extensions, placeholder URIs)")
    api.set_defaults(run=_cmd_openapi)

    init = commands.add_parser("init", help="write a commented starter spec and a handler stub (never overwrites)", parents=[common, rooted])
    init.add_argument("spec", metavar="SPEC", help="the spec to create, e.g. specs/orders.yaml")
    init.set_defaults(run=_cmd_init)

    serve = commands.add_parser("serve", help="run the API locally as API Gateway and Lambda would (no Pulumi)",
                                parents=[common, rooted])
    serve.add_argument("spec", metavar="SPEC")
    serve.add_argument("--stage", help="stage name (default: the spec's stage, else dev)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000; 0 picks a free one)")
    serve.add_argument("--aws-endpoint", metavar="URL", help="AWS_ENDPOINT_URL for the functions, e.g. a moto server or DynamoDB Local")
    serve.add_argument("--api-key", action="append", metavar="NAME=VALUE",
                       help="the value of the spec's API key NAME (repeatable; default: a random value, printed)")
    serve.add_argument("--log-file", metavar="FILE", help="also append access-log and function lines to FILE")
    serve.set_defaults(run=_cmd_serve)

    schema = commands.add_parser("schema", help="print the JSON Schema", parents=[common])
    schema.set_defaults(run=_cmd_schema)

    docs = commands.add_parser("docs", help="render docs/spec-reference.md from the schema", parents=[common])
    docs.add_argument("--output", default="docs/spec-reference.md")
    docs.add_argument("--check", action="store_true", help="exit 1 when the file is stale instead of writing it")
    docs.set_defaults(run=_cmd_docs)
    return top


# Third-party modules the commands need, and where they come from.
DEPENDENCIES = {"yaml": "pyyaml", "jsonschema": "jsonschema", "jinja2": "jinja2", "pulumi": "pulumi", "pulumi_aws": "pulumi-aws"}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in DEPENDENCIES:
            package = DEPENDENCIES[exc.name.split(".")[0]]
            print(f"error: the {args.command} command needs {package}, which is not installed here: run it through ./run "
                  f"(it creates .venv), or `pip install -e '.[pulumi]'` in your environment", file=sys.stderr)
            return EXIT_INTERNAL
        return _internal_error(exc, debug)
    except Exception as exc:  # noqa: BLE001 - the boundary: internal errors exit 2, never a raw crash
        return _internal_error(exc, debug)


def _internal_error(exc: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    status = main()
    # Skip the interpreter's teardown (freeing every Pulumi object one by one took about 0.35 s of a
    # large plan): nothing is left to clean up once the output is flushed.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        pass
    os._exit(status)
