"""Where the local API writes: the terminal (stderr) and, with --log-file, a file as well.

Access-log lines are exactly the stage's access log format (ACCESS_LOG_FORMAT of
compiler/factories/api.py, read from its source so serving never imports Pulumi) with each
`$context` variable filled in as API Gateway fills it ("-" when it has no value). Function
lines are prefixed with the function's key, as a log stream would be named after it.
"""
from __future__ import annotations

import ast
import json
import re
import sys
import threading
from pathlib import Path
from typing import IO, Mapping, Optional

_VARIABLE = re.compile(r"\$context\.[A-Za-z0-9_.]*[A-Za-z0-9_]")
_FACTORY = Path(__file__).resolve().parent.parent / "factories" / "api.py"


def _format_from_source(source: str) -> str:
    """The value of `ACCESS_LOG_FORMAT = json.dumps({...}, **literal keywords)` in `source`."""
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ACCESS_LOG_FORMAT" for t in node.targets)
                and isinstance(node.value, ast.Call) and len(node.value.args) == 1):
            keywords = {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
            return json.dumps(ast.literal_eval(node.value.args[0]), **keywords)
    raise LookupError("ACCESS_LOG_FORMAT not found")


def access_log_format() -> str:
    return _format_from_source(_FACTORY.read_text(encoding="utf-8"))


def render_access_log(template: str, values: Mapping[str, object]) -> str:
    """`template` with each `$context.x` replaced by values['x'] (JSON-escaped), '-' when absent."""
    def fill(found: re.Match) -> str:
        value = values.get(found.group(0)[len("$context."):])
        return "-" if value is None or value == "" else json.dumps(str(value))[1:-1]

    return _VARIABLE.sub(fill, template)


class LogSink:
    def __init__(self, stream: Optional[IO[str]] = None, log_file: Optional[str] = None):
        self.stream = stream if stream is not None else sys.stderr
        self._file = open(log_file, "a", encoding="utf-8") if log_file else None
        self._lock = threading.Lock()
        self.access_format = access_log_format()

    def write(self, line: str) -> None:
        with self._lock:
            for target in (self.stream, self._file):
                if target is not None:
                    try:
                        target.write(line + "\n")
                        target.flush()
                    except (OSError, ValueError):
                        pass  # a closed terminal must not fail a request

    def access(self, values: Mapping[str, object]) -> None:
        self.write(render_access_log(self.access_format, values))

    def function(self, key: str, line: str) -> None:
        self.write(f"[{key}] {line}")

    def note(self, text: str) -> None:
        self.write(f"[serve] {text}")

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
