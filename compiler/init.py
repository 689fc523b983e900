"""`init`: a commented, valid starter spec and a handler stub, never overwriting anything.

The spec carries the schema modeline (editor completion), names its app after the file, and uses
only defaults an operator can read and change; the handler answers API Gateway's proxy format.
Pulumi-free, like validate.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SPEC_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A starter spec: every key is documented in the spec reference (`python -m compiler docs`).
# Check it with `python -m compiler validate {spec}`; see what it deploys with `python -m compiler plan {spec}`.
version: 1
name: {name}                  # physical names are <name>-<stage>-<part>
stage: dev                    # the offline default; under Pulumi the stack's stage
region: us-east-1

functions:
  {function}:
    handler: runtime_handlers.{module}.handler
    memory_mb: 256
    timeout_s: 10             # at most 29 for a function behind a route

api:
  throttling: {{rate_limit: 100, burst_limit: 200}}   # every caller, stage-wide
  routes:
    - {{method: GET, path: /hello, function: {function}}}

logs:
  retention_days: 30          # CloudWatch Logs; everything is also archived in S3

alarms:
  notify: []                  # e-mail addresses to page, e.g. [oncall@example.com]
  function_errors: {{threshold: 1}}
  api_5xx: {{threshold: 1}}

stages:                       # only these stages may be built; each merges over the spec above
  dev: {{}}
  prod:
    protect: true             # the archive's key and bucket refuse `pulumi destroy`
"""

HANDLER_TEMPLATE = '''\
"""`GET /hello` behind API Gateway (REST, Lambda proxy integration)."""
import json


def handler(event, context):
    """Answer with a JSON greeting; API Gateway passes statusCode, headers and body through."""
    return {{
        "statusCode": 200,
        "headers": {{"Content-Type": "application/json"}},
        "body": json.dumps({{"message": "hello from {name}"}}),
    }}
'''


class InitError(Exception):
    """What `init` refuses to do, in one line."""


def _name(spec: Path) -> str:
    """The app name from the file name, fitted to the spec's rule (lower-case, 2 to 31 characters)."""
    name = re.sub(r"[^a-z0-9-]+", "-", spec.stem.lower()).strip("-")
    name = name if name[:1].isalpha() else f"app-{name}"
    return (name or "app")[:31].rstrip("-") if len(name) >= 2 else "app"


def plan_files(spec: Path, project_root: Path, schema_file: Path, schema_ref: str | None = None) -> dict[Path, str]:
    """Every file `init` would write and its text. The modeline points at `schema_ref` (a URL)
    when given, else at `schema_file` relative to the spec."""
    name = _name(spec)
    module = name.replace("-", "_")
    relative_schema = schema_ref or Path(os.path.relpath(schema_file.resolve(), spec.resolve().parent)).as_posix()
    spec_text = SPEC_TEMPLATE.format(schema=relative_schema, spec=Path(os.path.relpath(spec, Path.cwd())).as_posix(), name=name,
                                     function=name[:24].rstrip("-"), module=module)
    handlers = project_root / "runtime_handlers"
    files = {spec: spec_text, handlers / f"{module}.py": HANDLER_TEMPLATE.format(name=name)}
    if not (handlers / "__init__.py").exists():
        files[handlers / "__init__.py"] = '"""Lambda handlers of this project."""\n'
    return files


def write(spec: Path, project_root: Path, schema_file: Path, schema_ref: str | None = None) -> list[Path]:
    """Write the starter files; refuse (InitError) when any of them exists, writing nothing."""
    files = plan_files(spec, project_root, schema_file, schema_ref)
    existing = [path for path in files if path.exists() and path.name != "__init__.py"]
    if existing:
        raise InitError("refusing to overwrite " + ", ".join(str(p) for p in existing) + ": choose another spec name")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": never replace a file created meanwhile
            handle.write(text)
    return list(files)
