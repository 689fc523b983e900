"""Diagnostics are data: checks yield them, one SpecError carries them out, reporters format them."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one spec file. `line` and `col` are 1-based; `path` is the spec path."""

    file: str
    line: int
    col: int
    code: str
    path: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" stops the build; "warning" (W codes) is reported, exit 0 unless --strict

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """`FILE:LINE:COL: CODE PATH: message` and an indented hint, each on exactly one line."""
        # Line 0: a value from outside any file (a command-line flag, a stack config key).
        place = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        where = one_line(f"{place}: {self.code} {self.path or '<root>'}: {self.message}")
        return f"{where}\n    hint: {one_line(self.hint)}" if self.hint else where


class SpecError(Exception):
    """Raised at the boundary when a spec has errors; nothing is compiled after it. Warnings found
    alongside travel with it so that every finding is reported at once."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__(format_text(self.diagnostics))


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    """Compiler-style text: one line per problem, then an indented hint."""
    return "\n".join(d.format() for d in sorted(diagnostics))


def format_json(diagnostics: Iterable[Diagnostic], files: Sequence[str]) -> str:
    """A stable JSON report for tools: every file checked, whether it is valid, and its problems."""
    by_file: dict[str, list[dict]] = {f: [] for f in files}
    for d in sorted(diagnostics):
        by_file.setdefault(d.file, []).append(asdict(d))
    def valid(found: list[dict]) -> bool:
        return not any(d["severity"] == "error" for d in found)

    report = {
        "valid": all(valid(ds) for ds in by_file.values()),
        "files": [{"file": f, "valid": valid(ds), "diagnostics": ds} for f, ds in by_file.items()],
    }
    return json.dumps(report, indent=2, sort_keys=True)


def one_line(text: str) -> str:
    """Control characters and line breaks (an operator's value may hold any) as visible escapes."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


def render_path(parts: Sequence[str | int]) -> str:
    """('api', 'routes', 0, 'path') -> 'api.routes[0].path'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# One line per code for tools that list rules (SARIF); docs/spec-reference.md explains each in full.
CODE_DESCRIPTIONS = {
    "E100": "The spec file cannot be read",
    "E101": "The spec is not valid YAML",
    "E102": "A key appears twice in one mapping",
    "E103": "The spec is empty",
    "E104": "The spec's root is not a mapping",
    "E105": "A mapping key is not a string",
    "E106": "A recursive YAML alias",
    "E107": "The document is too large after alias expansion or nested too deeply",
    "E108": "A value its YAML tag cannot convert, or an integer too large",
    "E200": "A value of the wrong type",
    "E201": "A number out of range",
    "E202": "A required key is missing",
    "E203": "An unknown key",
    "E204": "A value not among the allowed ones",
    "E205": "A value that does not match the expected format",
    "E206": "A string's length out of range",
    "E207": "A list's size out of range, or duplicate list entries",
    "E208": "A mapping's size out of range",
    "E209": "An invalid name for a key you choose",
    "E301": "A route names an unknown function",
    "E302": "A duplicate route (method and path)",
    "E303": "Invalid path syntax",
    "E304": "Two parameter names at the same path position",
    "E305": "A reserved Lambda environment variable name",
    "E306": "A function's environment is over 4 KB",
    "E307": "A function serving a route has a timeout over 29 s",
    "E308": "An API key in two usage plans",
    "E309": "A key-protected route without any usage plan",
    "E310": "An alarm window over CloudWatch's limit",
    "E311": "An API alarm without an api, or a table alarm without tables",
    "E312": "The handler module is missing",
    "E313": "The handler function is missing",
    "E314": "The handler module does not parse",
    "E315": "A duration alarm threshold at or above the function's timeout",
    "E316": "The stage to build is not declared in stages",
    "E317": "uses names an unknown table",
    "E318": "uses names an unknown secret",
    "E319": "A secret names both or neither of ssm_parameter and secrets_manager",
    "E320": "A key attribute with two types across a table and its indexes",
    "E321": "Table capacity or autoscaling settings that do not fit its billing mode",
    "E322": "The code folder is missing or does not hold the handler's module",
    "E323": "The requirements file is missing",
    "E324": "The environment sets a name the compiler sets",
    "E325": "'*' as the resource of an action AWS scopes to resources",
    "E326": "An unknown authorizer in auth or default_auth",
    "E327": "An authorizer's settings are wrong for its type, or its function is unknown or serves a route",
    "E328": "scopes without a cognito authorizer",
    "E329": "A CORS setting API Gateway or browsers reject",
    "E330": "A request body schema that is missing, invalid or rejected by API Gateway models",
    "E331": "An invalid WAF configuration",
    "E332": "availability.regions does not include the primary region",
    "E333": "active-passive without exactly two regions",
    "E334": "availability or domain without what it needs (a domain, an api, a regional endpoint)",
    "E335": "The health route is not a GET route Route 53 can call without credentials",
    "E336": "A drained region that is not an app region, or every region drained",
    "E337": "replicate_to names a region the archive cannot replicate into",
    "E338": "Provisioned concurrency bounds out of order or above the reserved concurrency",
    "E339": "A table stream other than new_and_old_images with several regions",
    "E340": "A function's alarm override without a threshold and no spec-wide one to inherit",
    "W401": "A route requires an API key but no usage plan holds one",
    "W402": "More REST API resources than API Gateway's default quota of 300",
    "W403": "The spec's stage differs from the stack's stage and is ignored",
    "W404": "Reserved concurrency leaves fewer than 100 unreserved executions",
    "W405": "A region left availability.regions without having been drained first (plan --diff)",
}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "serverless-spec-compiler"


def _uri(file: str) -> str:
    return file.replace("\\", "/")


def _summary(d: Diagnostic) -> str:
    """`path: message (hint: hint)`: the finding in one sentence for tools without a hint field."""
    text = f"{d.path or '<root>'}: {d.message}"
    return f"{text} (hint: {d.hint})" if d.hint else text


def format_sarif(diagnostics: Iterable[Diagnostic], files: Sequence[str]) -> str:
    """SARIF 2.1.0 for code scanning (GitHub, IDEs): one run, a rule per code used, one result per
    finding located in its file. Columns count Unicode code points, as the text report does.
    Deterministic: rules by code, results in the text report's order, keys sorted."""
    found = sorted(diagnostics)
    codes = sorted({d.code for d in found})
    rule_index = {code: i for i, code in enumerate(codes)}
    artifacts = list(dict.fromkeys(_uri(f) for f in [*files, *(d.file for d in found)]))
    results = []
    for d in found:
        physical: dict = {"artifactLocation": {"uri": _uri(d.file), "index": artifacts.index(_uri(d.file))}}
        if d.line > 0:  # line 0: a value from outside any file (a flag, stack config)
            physical["region"] = {"startLine": d.line, "startColumn": max(d.col, 1)}
        location: dict = {"physicalLocation": physical}
        if d.path:
            location["logicalLocations"] = [{"fullyQualifiedName": d.path}]
        results.append({
            "ruleId": d.code,
            "ruleIndex": rule_index[d.code],
            "level": {"error": "error", "warning": "warning"}.get(d.severity, "note"),
            "message": {"text": _summary(d)},
            "locations": [location],
        })
    rules = [{"id": code, "shortDescription": {"text": CODE_DESCRIPTIONS.get(code, f"diagnostic {code}")}} for code in codes]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False)


def _github_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message; other control characters as visible
    escapes, so one finding stays one line."""
    return one_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _github_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property value: also ':' and ','."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one line per finding, which the job's log turns into
    annotations on the spec: `::error file=F,line=L,col=C,title=CODE::path: message (hint: hint)`."""
    lines = []
    for d in sorted(diagnostics):
        command = "warning" if d.severity == "warning" else "error"
        props = [f"file={_github_property(_uri(d.file))}"]
        if d.line > 0:
            props += [f"line={d.line}", f"col={d.col}"]
        props.append(f"title={_github_property(d.code)}")
        lines.append(f"::{command} {','.join(props)}::{_github_data(_summary(d))}")
    return "\n".join(lines)
