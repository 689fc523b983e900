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
        where = one_line(f"{self.file}:{self.line}:{self.col}: {self.code} {self.path or '<root>'}: {self.message}")
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
