"""Fuzzing `validate`: whatever the operator writes, the answer is exit 0 (valid) or exit 1 with
one `FILE:LINE:COL: Ennn ...` line per problem and its indented hint; never exit 2, never a
traceback, never an exception out of `main`.

Four sources of input: the valid sample spec mutated as data (keys deleted, values replaced by
arbitrary JSON-like values, unknown keys, duplicated and invented routes), arbitrary text, the
sample spec's text corrupted character by character, and arbitrary bytes spliced into it.
Validation runs in-process for speed; one test runs the real process.

Those check the answer's shape only. A semantic oracle (VALID_MUTATIONS, BREAKING_MUTATIONS)
checks the verdict too: a mutation that keeps every documented rule must validate with exit 0, and
a mutation that breaks one must be reported with that rule's code at that place, so neither a
validator that accepts everything nor one that rejects a valid spec passes.

The bugs these fuzzers found are kept as minimal regression inputs (REGRESSIONS, at the end).
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compiler.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
VALID_SPEC = ROOT / "specs" / "serverless-app.yaml"
VALID_TEXT = VALID_SPEC.read_text(encoding="utf-8")
BASE = yaml.safe_load(VALID_TEXT)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HINT_PREFIX = "    hint: "


# --- running and judging -------------------------------------------------------------------------

@contextlib.contextmanager
def _in_root():
    """validate finds the project root (and so runtime_handlers/) from the working directory."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def validate_in_process(spec: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m compiler validate SPEC`, without a new process.
    An exception escaping `main` fails the calling test, as it should."""
    out, err = io.StringIO(), io.StringIO()
    with _in_root(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exit_code = main(["validate", str(spec)])
    return exit_code, out.getvalue(), err.getvalue()


def output_problems(spec: Path, exit_code: int, stdout: str, stderr: str) -> list[str]:
    """Every way the output breaks the contract; empty when it is fine."""
    problems = []
    if exit_code not in (0, 1):
        problems.append(f"exit code {exit_code}")
    if "Traceback" in stderr:
        problems.append("a traceback on stderr")
    if stdout:
        problems.append(f"text on stdout: {stdout[:200]!r}")
    # A valid spec may print warnings (W codes) and nothing else; an invalid one at least one error.
    warning = re.compile(re.escape(str(spec)) + r":\d+:\d+: W\d{3} ")
    diagnostic = re.compile(re.escape(str(spec)) + r":\d+:\d+: [EW]\d{3} ")
    lines = stderr.rstrip("\n").split("\n") if stderr else []
    if exit_code == 0:
        problems += [f"a valid spec with stderr output other than warnings: {line[:200]!r}"
                     for line in lines if not (warning.match(line) or line.startswith(HINT_PREFIX))]
    if exit_code == 1:
        if not lines or not diagnostic.match(lines[0]):
            problems.append(f"first stderr line is not a diagnostic: {(lines or [''])[0][:200]!r}")
        if not any(line.startswith(f"{spec}:") and re.search(r": E\d{3} ", line) for line in lines):
            problems.append("exit 1 without an error (only warnings)")
        problems += [f"stderr line is neither a diagnostic nor a hint: {line[:200]!r}"
                     for line in lines if not (diagnostic.match(line) or line.startswith(HINT_PREFIX))]
    return problems


def check_spec_file(spec: Path) -> None:
    exit_code, stdout, stderr = validate_in_process(spec)
    problems = output_problems(spec, exit_code, stdout, stderr)
    assert not problems, "\n".join(problems) + f"\n--- spec:\n{spec.read_text(encoding='utf-8', errors='replace')[:3000]}\n--- stderr:\n{stderr[:3000]}"


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    """One file rewritten by every example (module scope: hypothesis reruns the test body)."""
    return tmp_path_factory.mktemp("fuzz") / "spec.yaml"


# --- known bugs: inputs the fuzzers skip until compiler/ is fixed ----------------------------------

_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what PyYAML's reader refuses


# --- strategies ----------------------------------------------------------------------------------

# Any character but surrogates: control characters and line breaks inside values reach the YAML
# file escaped, and diagnostics must still stay one line each.
text_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)

# Values that reach the semantic checks rather than stopping at the schema.
INTERESTING = [
    "items", "health", "item", "GET", "POST", "ANY", "get", "/", "/items", "/items/{id}", "/items/{key}",
    "/files/{path+}", "/files/{path+}/x", "/items//x", "/items/", "/item{id}", "/{a}/{a}",
    "runtime_handlers.items.handler", "runtime_handlers.health.handler", "runtime_handlers.nope.handler",
    "runtime_handlers.items.nope", "runtime_handlers.items", "python3.8", "python3.12", "arm64",
    "AWS_REGION", "AWS_LAMBDA_X", "us-east-1", "DAY", "MONTH", "acme", "oncall@example.com", "p99", "x" * 5000,
    0, 1, -1, 29, 30, 60, 61, 128, 900, 901, 1440, 3600, 86400, 604800, 10 ** 30, -(10 ** 30),
    0.5, 30.0, 1e308, -0.0, True, False, None, "", "null", "yes", "~",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    text_values,
    st.sampled_from(INTERESTING),
)

SPEC_KEYS = ["version", "name", "stage", "region", "tags", "functions", "api", "logs", "alarms", "handler",
             "runtime", "memory_mb", "timeout_s", "environment", "routes", "method", "path", "function",
             "throttling", "rate_limit", "burst_limit", "usage_plans", "quota", "api_keys", "threshold",
             "period_s", "evaluation_periods", "statistic", "api_4xx", "notify", "<<", "app", "aws:x"]

keys = st.one_of(text_values, st.sampled_from(SPEC_KEYS), st.integers(-5, 5), st.booleans())

json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)

route_paths = st.lists(
    st.one_of(st.sampled_from(["items", "{id}", "{key}", "{path+}", "", "health", "a.b", "{x}y", "{}", "{id"]), text_values),
    max_size=4,
).map(lambda segments: "/" + "/".join(segments))

routes = st.fixed_dictionaries(
    {"method": st.sampled_from(["GET", "POST", "DELETE", "ANY"]),
     "path": route_paths,
     "function": st.sampled_from(["items", "health", "nope"])},
    optional={"api_key_required": st.booleans(), "throttling": json_values},
)


def _paths(node, prefix=()):
    """Every (container path, key or index) in the document, root included as ()."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def _routes(doc) -> list | None:
    api = doc.get("api") if isinstance(doc, dict) else None
    found = api.get("routes") if isinstance(api, dict) else None
    return found if isinstance(found, list) else None


def mutate(doc, data) -> object:
    """Apply one random edit to `doc` (a deep copy of the sample spec) and return the new document."""
    paths = list(_paths(doc))
    kind = data.draw(st.sampled_from(["delete", "replace", "replace", "insert", "duplicate_route", "add_route", "rename_param"]))
    if kind == "delete" and len(paths) > 1:
        path = data.draw(st.sampled_from(paths[1:]))
        del _get(doc, path[:-1])[path[-1]]
    elif kind == "replace":
        path = data.draw(st.sampled_from(paths))
        value = data.draw(json_values)
        if not path:
            return value
        _get(doc, path[:-1])[path[-1]] = value
    elif kind == "insert":
        mappings = [p for p in paths if isinstance(_get(doc, p), dict)]
        if mappings:
            target = _get(doc, data.draw(st.sampled_from(mappings)))
            target[data.draw(keys)] = data.draw(json_values)
    elif kind in ("duplicate_route", "add_route", "rename_param"):
        found = _routes(doc)
        if found is None:
            return doc
        if kind == "add_route" or not found:
            found.insert(data.draw(st.integers(0, len(found))), data.draw(routes))
        else:
            route = copy.deepcopy(data.draw(st.sampled_from(found)))
            if kind == "rename_param" and isinstance(route, dict) and isinstance(route.get("path"), str):
                route["path"] = re.sub(r"\{[^}+]*", "{" + data.draw(st.sampled_from(["key", "id", "other"])), route["path"])
            found.append(route)
    return doc


def dump(doc, data) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=data.draw(st.booleans(), label="allow_unicode"),
                          default_flow_style=data.draw(st.sampled_from([False, None, True]), label="flow style"))


# --- the properties ------------------------------------------------------------------------------

def test_the_unmutated_sample_spec_is_valid_in_the_fuzz_harness(spec_file):
    spec_file.write_text(VALID_TEXT, encoding="utf-8")
    assert validate_in_process(spec_file) == (0, "", "")


@pytest.mark.parametrize("stderr, complaint", [
    ("{spec}:1:1: E101 <root>: invalid YAML\n    hint: x\n", None),
    ("{spec}:2:7: E205 name: 'a\nb' is not a valid name\n    hint: x\n", "neither a diagnostic nor a hint"),
    ("internal error: boom\n", "first stderr line is not a diagnostic"),
    ("Traceback (most recent call last):\n", "a traceback"),
])
def test_the_output_checker_accepts_diagnostics_and_rejects_anything_else(spec_file, stderr, complaint):
    problems = output_problems(spec_file, 1, "", stderr.format(spec=spec_file))
    assert (complaint is None) == (not problems)
    assert complaint is None or any(complaint in p for p in problems)
    assert output_problems(spec_file, 2, "", "") == ["exit code 2"]


# 100 examples, not 200: the semantic oracle below mutates the sample too (and checks the shape of
# every answer it reads), so together they try more mutated specs than this test did alone.
@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_a_mutated_sample_spec_is_either_valid_or_reported_line_by_line(spec_file, data):
    doc = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        doc = mutate(doc, data)
    spec_file.write_text(dump(doc, data), encoding="utf-8")
    check_spec_file(spec_file)


# Any character, control characters included (the loader reports those as E101).
yaml_characters = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from("\t\n\r\x85"),
    st.sampled_from(":{}[],-?'\"#&*!|>%@` \n"),
)


@FUZZ
@given(text=st.text(yaml_characters, max_size=300))
def test_arbitrary_text_is_either_a_valid_spec_or_reported_line_by_line(spec_file, text):
    spec_file.write_text(text, encoding="utf-8", newline="")
    check_spec_file(spec_file)


YAML_TOKENS = [":", ": ", "- ", "{", "}", "[", "]", ",", "'", '"', "#", "&a ", "*a", "<<: ", "? ", "|", ">",
               "!!binary ", "!!set ", "!!timestamp ", "!!str ", "!!int ", "%YAML 1.1\n---\n", "---\n", "...\n",
               "\t", "\n", "  ", "\ufeff", "\xe9", "\x85", "\r"]

edits = st.tuples(
    st.sampled_from(["drop", "insert", "swap", "drop_line", "duplicate_line", "indent"]),
    st.integers(0, len(VALID_TEXT)),
    st.integers(0, len(VALID_TEXT)),
    st.one_of(st.sampled_from(YAML_TOKENS), st.text(yaml_characters, min_size=1, max_size=3)),
)


def corrupt(text: str, edit) -> str:
    kind, i, j, insert = edit
    i, j = min(i, len(text)), min(j, len(text))
    if kind == "drop":
        return text[:i] + text[i + 1 + j % 3:]
    if kind == "insert":
        return text[:i] + insert + text[i:]
    if kind == "swap" and i < j < len(text):
        return text[:i] + text[j] + text[i + 1:j] + text[i] + text[j + 1:]
    lines = text.split("\n")
    row = i % len(lines)
    if kind == "drop_line":
        return "\n".join(lines[:row] + lines[row + 1:])
    if kind == "duplicate_line":
        return "\n".join(lines[:row + 1] + lines[row:])
    if kind == "indent":
        return "\n".join(lines[:row] + [" " * (j % 5) + lines[row].lstrip(" ")] + lines[row + 1:])
    return text


@FUZZ
@given(changes=st.lists(edits, min_size=1, max_size=6))
def test_a_corrupted_sample_spec_text_is_either_valid_or_reported_line_by_line(spec_file, changes):
    text = VALID_TEXT
    for change in changes:
        text = corrupt(text, change)
    spec_file.write_text(text, encoding="utf-8", newline="")
    check_spec_file(spec_file)


@FUZZ
@given(raw=st.binary(max_size=8), at=st.integers(0, len(VALID_TEXT)))
def test_bytes_that_are_not_utf8_are_reported_not_crashed_on(spec_file, raw, at):
    blob = VALID_TEXT.encode()[:at] + raw + VALID_TEXT.encode()[at:]
    spec_file.write_bytes(blob)
    check_spec_file(spec_file)


def test_the_real_process_exits_1_without_a_traceback_for_a_mutated_spec(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["functions"]["items"]["memory_mb"] = -1
    doc["functions"]["items"]["timeout_s"] = float("nan")
    doc["api"]["routes"].append({"method": "GET", "path": "/items/{key}", "function": "itemz", "extra": [None, {}]})
    doc["alarms"]["api_4xx"] = {"threshold": "high", "period_s": 10 ** 30}
    del doc["region"]
    spec = tmp_path / "mutated.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", str(spec)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert output_problems(spec, result.returncode, result.stdout, result.stderr) == []
    assert len(re.findall(r" E\d{3} ", result.stderr)) >= 6


# --- a semantic oracle: mutations whose verdict is known ------------------------------------------
#
# The fuzzers above check the answer's shape only: a validator that accepted everything would pass
# them. These know the verdict. A mutation that keeps the spec valid (values inside their documented
# ranges, fresh routes, harmless additions) must validate with exit 0; a mutation that breaks one
# documented rule must be reported with that rule's code at that place, whatever valid mutations
# were applied before it. The rules are the README's and docs/spec-reference.md's, written here.

ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "ANY"]  # OPTIONS: CORS answers it (E329)
RESERVED_NAMES = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                  "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_LOG_LEVEL"]
RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
ALARM_WINDOW = {True: 604_800, False: 86_400}  # periods of an hour or more: seven days; else one day
name_strategy = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


def dotted(*parts) -> str:
    """("api", "routes", 0, "path") -> "api.routes[0].path", as diagnostics name places."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def routed(doc: dict) -> set[str]:
    return {r["function"] for r in doc["api"]["routes"]}


def duration_threshold(doc: dict, fn: str) -> float:
    """The duration alarm threshold that applies to `fn` (its own, else the spec-wide one), or -1."""
    own = (doc["functions"][fn].get("alarms") or {}).get("duration_ms") or {}
    return own.get("threshold", (doc.get("alarms") or {}).get("function_duration_ms", {}).get("threshold", -1))


def fresh_path(doc: dict, data) -> str:
    taken = {r["path"] for r in doc["api"]["routes"]}
    segments = data.draw(st.lists(st.sampled_from(["a", "b", "orders", "v1", "x.y", "x~y"]), min_size=1, max_size=3), label="segments")
    path = "/" + "/".join(segments) + f"-{len(taken)}"
    assume(path not in taken)
    return path


def in_range(low, high):
    """Integers from `low` to `high`, the two limits themselves drawn often: an off-by-one in a
    validator shows at its limits."""
    return st.sampled_from([low, high]) | st.integers(low, high)


def keep_memory(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    doc["functions"][fn]["memory_mb"] = data.draw(in_range(128, 10240), label="memory")


def keep_timeout(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    low = max(1, int(duration_threshold(doc, fn) // 1000) + 1)
    high = 29 if fn in routed(doc) else 900
    assume(low <= high)
    doc["functions"][fn]["timeout_s"] = data.draw(in_range(low, high), label="timeout")


def keep_threshold(doc, data):
    kind = data.draw(st.sampled_from(sorted(doc["alarms"].keys() - {"notify"})), label="kind")
    if kind == "function_duration_ms":
        inherit = [fn for fn, f in doc["functions"].items() if "duration_ms" not in (f.get("alarms") or {})]
        ceiling = min((doc["functions"][fn].get("timeout_s", 10) * 1000 for fn in inherit), default=10 ** 6) - 1
    else:
        ceiling = 100 if kind.endswith("_percent") else 10 ** 6
    doc["alarms"][kind]["threshold"] = data.draw(in_range(0, ceiling) | st.floats(0, ceiling), label="threshold")


def keep_window(doc, data):
    kind = data.draw(st.sampled_from(sorted(doc["alarms"].keys() - {"notify"})), label="kind")
    period = 60 * data.draw(in_range(1, 1440) | st.sampled_from([59, 60]), label="minutes")
    doc["alarms"][kind]["period_s"] = period
    doc["alarms"][kind]["evaluation_periods"] = data.draw(in_range(1, min(1440, ALARM_WINDOW[period >= 3600] // period)), label="count")


def keep_route(doc, data):
    route = {"method": data.draw(st.sampled_from(ROUTE_METHODS), label="method"), "path": fresh_path(doc, data),
             "function": data.draw(st.sampled_from(sorted(routed(doc))), label="function")}
    if data.draw(st.booleans(), label="throttled"):
        route["throttling"] = {"rate_limit": data.draw(st.integers(0, 10 ** 4), label="rate"), "burst_limit": data.draw(st.integers(0, 10 ** 4), label="burst")}
    if data.draw(st.booleans(), label="key"):
        route["api_key_required"] = True
    doc["api"]["routes"].insert(data.draw(st.integers(0, len(doc["api"]["routes"])), label="at"), route)


def keep_environment(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    name = data.draw(st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True), label="name")
    assume(not name.startswith(("AWS_", "TABLE_", "SECRET_", "CORS_", "LAMBDA_")))
    doc["functions"][fn].setdefault("environment", {})[name] = data.draw(
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40) | st.integers(-1000, 1000) | st.booleans(), label="value")


def keep_logs(doc, data):
    doc["logs"] = {"retention_days": data.draw(st.sampled_from(RETENTION_DAYS), label="retention"),
                   "archive": {"expire_after_days": data.draw(in_range(1, 36500), label="expire"),
                               "noncurrent_expire_after_days": data.draw(in_range(1, 36500), label="noncurrent")}}


def keep_api_key(doc, data):
    taken = {k for plan in doc["api"]["usage_plans"].values() for k in plan.get("api_keys", [])}
    key = data.draw(name_strategy, label="key")
    assume(key not in taken)
    doc["api"]["usage_plans"]["partners"]["api_keys"].append(key)


def keep_order(doc, data):
    rng = random.Random(data.draw(st.integers(0, 10 ** 6), label="seed"))
    rng.shuffle(doc["api"]["routes"])
    items = list(doc["functions"].items())
    rng.shuffle(items)
    doc["functions"] = dict(items)


def keep_stage_override(doc, data):
    doc["stages"]["prod"]["functions"]["items"]["memory_mb"] = data.draw(in_range(128, 10240), label="prod memory")


VALID_MUTATIONS = [keep_memory, keep_timeout, keep_threshold, keep_window, keep_route, keep_environment, keep_logs,
                   keep_api_key, keep_order, keep_stage_override]


def break_memory_range(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    doc["functions"][fn]["memory_mb"] = data.draw(st.integers(max_value=127) | st.integers(min_value=10241), label="memory")
    return "E201", dotted("functions", fn, "memory_mb")


def break_memory_type(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    doc["functions"][fn]["memory_mb"] = data.draw(st.sampled_from(["256", "1 GB", True, [256], {"mb": 256}, None]), label="memory")
    return "E200", dotted("functions", fn, "memory_mb")


def break_routed_timeout(doc, data):
    fn = data.draw(st.sampled_from(sorted(routed(doc))), label="function")
    doc["functions"][fn]["timeout_s"] = data.draw(st.integers(30, 900), label="timeout")
    return "E307", dotted("functions", fn, "timeout_s")


def break_route_function(doc, data):
    name = data.draw(name_strategy, label="function")
    assume(name not in doc["functions"])
    doc["api"]["routes"].append({"method": "GET", "path": fresh_path(doc, data), "function": name})
    return "E301", dotted("api", "routes", len(doc["api"]["routes"]) - 1, "function")


def break_duplicate_route(doc, data):
    route = copy.deepcopy(data.draw(st.sampled_from(doc["api"]["routes"]), label="route"))
    # Another parameter name does not make another route: /items/{id} and /items/{key} are one.
    route["path"] = re.sub(r"\{[a-zA-Z]+\}", "{" + data.draw(st.sampled_from(["id", "key", "x"]), label="param") + "}", route["path"])
    if re.search(r"\{", route["path"]):
        assume(all(r["path"].count("{") == 0 or re.sub(r"\{[^}]+\}", "{}", r["path"]) != re.sub(r"\{[^}]+\}", "{}", route["path"])
                   or r["path"] == route["path"] or r["method"] == route["method"] for r in doc["api"]["routes"]))
    doc["api"]["routes"].append(route)
    return "E302", dotted("api", "routes", len(doc["api"]["routes"]) - 1)


def break_reserved_environment(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    name = data.draw(st.sampled_from(RESERVED_NAMES), label="name")
    doc["functions"][fn].setdefault("environment", {})[name] = "x"
    return "E305", dotted("functions", fn, "environment", name)


def break_environment_size(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    environment = doc["functions"][fn].setdefault("environment", {})
    used = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in environment.items())
    environment["BIG"] = "x" * (4096 - used - 3 + data.draw(st.integers(1, 5000), label="over"))
    return "E306", dotted("functions", fn, "environment")


def break_period_multiple(doc, data):
    kind = data.draw(st.sampled_from(sorted(doc["alarms"].keys() - {"notify"})), label="kind")
    doc["alarms"][kind]["period_s"] = 60 * data.draw(st.integers(1, 1439), label="minutes") + data.draw(st.integers(1, 59), label="seconds")
    return "E201", dotted("alarms", kind, "period_s")


def break_unknown_key(doc, data):
    where = data.draw(st.sampled_from([(), ("functions", "items"), ("api",), ("logs",), ("api", "routes", 0)]), label="where")
    key = data.draw(st.sampled_from(["regoin", "memroy_mb", "timeout", "route", "retention", "x-extra"]), label="key")
    node = _get(doc, where)
    assume(key not in node)
    node[key] = 1
    return "E203", dotted(*where, key)


def break_missing_handler(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    del doc["functions"][fn]["handler"]
    return "E202", dotted("functions", fn)


def break_region(doc, data):
    doc["region"] = data.draw(st.sampled_from(["eu-west-9", "US-EAST-1", "us-east-1 ", "useast1", "mars-north-1"]), label="region")
    return "E204", "region"


def break_function_name(doc, data):
    old = data.draw(st.sampled_from(sorted(set(doc["functions"]) - {"items"})), label="function")  # prod overrides items
    new = data.draw(st.sampled_from(["Items", "my_fn", "9lives", "f" * 25, "-x"]), label="name")
    doc["functions"] = {(new if k == old else k): v for k, v in doc["functions"].items()}
    return "E209", dotted("functions", new)


def break_key_in_two_plans(doc, data):
    name = data.draw(name_strategy, label="plan")
    assume(name not in doc["api"]["usage_plans"])
    doc["api"]["usage_plans"][name] = {"api_keys": ["acme"]}
    return "E308", dotted("api", "usage_plans", name, "api_keys", 0)


def break_alarm_window(doc, data):
    kind = data.draw(st.sampled_from(sorted(doc["alarms"].keys() - {"notify"})), label="kind")
    period = 60 * data.draw(st.integers(1, 1440), label="minutes")
    count = ALARM_WINDOW[period >= 3600] // period + data.draw(st.integers(1, 5), label="over")
    assume(count <= 1440)
    doc["alarms"][kind].update(period_s=period, evaluation_periods=count)
    return "E310", dotted("alarms", kind)


def break_duration_threshold(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    timeout_ms = doc["functions"][fn].get("timeout_s", 10) * 1000
    threshold = timeout_ms + data.draw(st.integers(0, 10 ** 6), label="over")
    doc["functions"][fn].setdefault("alarms", {})["duration_ms"] = {"threshold": threshold}
    return "E315", dotted("functions", fn, "alarms", "duration_ms", "threshold")


def break_path(doc, data):
    path = data.draw(st.sampled_from(["/x/", "/a//b", "/a{id}", "/{p+}/tail", "/{a}/{a}", "/sp ace"]), label="path")
    assume(path not in {r["path"] for r in doc["api"]["routes"]})
    doc["api"]["routes"].append({"method": "GET", "path": path, "function": sorted(routed(doc))[0]})
    return "E303", dotted("api", "routes", len(doc["api"]["routes"]) - 1, "path")


def break_unknown_table(doc, data):
    fn = data.draw(st.sampled_from(sorted(doc["functions"])), label="function")
    table = data.draw(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), label="table")
    assume(table not in doc.get("tables", {}))
    doc["functions"][fn].setdefault("uses", {}).setdefault("tables", {})[table] = "read"
    return "E317", dotted("functions", fn, "uses", "tables", table)


def break_unreachable_key_routes(doc, data):
    del doc["api"]["usage_plans"]
    keyed = [i for i, r in enumerate(doc["api"]["routes"]) if r.get("api_key_required")]
    return "E309", dotted("api", "routes", data.draw(st.sampled_from(keyed), label="route"), "api_key_required")


BREAKING_MUTATIONS = [break_memory_range, break_memory_type, break_routed_timeout, break_route_function, break_duplicate_route,
                      break_reserved_environment, break_environment_size, break_period_multiple, break_unknown_key,
                      break_missing_handler, break_region, break_function_name, break_key_in_two_plans, break_alarm_window,
                      break_duration_threshold, break_path, break_unknown_table, break_unreachable_key_routes]
DIAGNOSTIC_LINE = re.compile(r"^(?P<file>.+?):\d+:\d+: (?P<code>[EW]\d{3}) (?P<path>[^ ]+): ")
ORACLE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def reported(spec: Path) -> tuple[int, set[tuple[str, str]]]:
    """(exit code, {(code, path)}) of `validate spec`, after checking the output's shape."""
    exit_code, stdout, stderr = validate_in_process(spec)
    problems = output_problems(spec, exit_code, stdout, stderr)
    assert not problems, "\n".join(problems) + f"\n--- stderr:\n{stderr[:3000]}"
    found = {(m["code"], m["path"]) for m in map(DIAGNOSTIC_LINE.match, stderr.splitlines()) if m}
    return exit_code, found


def valid_mutations(doc: dict, data) -> list[str]:
    applied = []
    for _ in range(data.draw(st.integers(0, 4), label="valid edits")):
        mutation = data.draw(st.sampled_from(VALID_MUTATIONS), label="valid edit")
        mutation(doc, data)
        applied.append(mutation.__name__)
    return applied


@ORACLE
@given(data=st.data())
def test_a_mutation_that_keeps_every_rule_leaves_the_spec_valid(spec_file, data):
    doc = copy.deepcopy(BASE)
    applied = valid_mutations(doc, data)
    spec_file.write_text(dump(doc, data), encoding="utf-8")
    exit_code, found = reported(spec_file)
    errors = {f for f in found if f[0].startswith("E")}
    assert (exit_code, errors) == (0, set()), f"after {applied}: {sorted(found)}"


@pytest.mark.parametrize("breaking", BREAKING_MUTATIONS, ids=[m.__name__ for m in BREAKING_MUTATIONS])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutation_that_breaks_a_rule_is_reported_with_that_rules_code_at_its_place(spec_file, breaking, data):
    doc = copy.deepcopy(BASE)
    applied = valid_mutations(doc, data)
    expected = breaking(doc, data)
    spec_file.write_text(dump(doc, data), encoding="utf-8")
    exit_code, found = reported(spec_file)
    assert exit_code == 1 and expected in found, f"{breaking.__name__} after {applied}: expected {expected}, got {sorted(found)}"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_two_broken_rules_in_different_places_are_both_reported(spec_file, data):
    """Every mistake at once: the second does not hide the first."""
    doc = copy.deepcopy(BASE)
    independent = [break_memory_range, break_route_function, break_region, break_period_multiple, break_reserved_environment]
    first, second = data.draw(st.lists(st.sampled_from(independent), min_size=2, max_size=2, unique=True), label="breaking edits")
    expected = {first(doc, data), second(doc, data)}
    spec_file.write_text(dump(doc, data), encoding="utf-8")
    exit_code, found = reported(spec_file)
    assert exit_code == 1 and expected <= found, f"expected {sorted(expected)}, got {sorted(found)}"


# --- regressions: minimal inputs that once crashed or broke the output format ----------------------

MINIMAL = "version: 1\nname: shop\nregion: eu-west-1\nfunctions:\n  items:\n    handler: {handler}\n"
REGRESSIONS = {
    # Was: the loader built PyYAML's reader (which rejects control characters) outside its try
    # block, so ReaderError escaped as exit 2.
    "a control character in the file": MINIMAL.format(handler="runtime_handlers.items.handler") + "# bell \x07\n",
    # Was: messages echoed the operator's value verbatim, so a line break split the diagnostic.
    "a line break inside an echoed value": "version: 1\nname: \"Shop\\nAPI\"\nregion: eu-west-1\n"
                                           "functions: {items: {handler: runtime_handlers.items.handler}}\n",
    # Was: check_route_timeouts built a set of route functions, and a list there is unhashable.
    "a list as a route's function": MINIMAL.format(handler="runtime_handlers.items.handler")
                                    + "api:\n  routes:\n    - {method: GET, path: /items, function: [items]}\n",
    # Was: PyYAML's composer recursed once per nesting level into a RecursionError (~500 levels).
    "deeply nested flow collections": "version: 1\nname: shop\nx: " + "[" * 600 + "]" * 600 + "\n",
    # Was: PyYAML's constructors raise ValueError, KeyError or AttributeError (not YAMLError) for a
    # tagged scalar they cannot convert, and the loader caught only YAMLError.
    "a tagged scalar PyYAML cannot convert": MINIMAL.format(handler="runtime_handlers.items.handler")
                                             + "    memory_mb: !!int 256MB\n",
    # Was: a hexadecimal integer loads whatever its size, but printing it in a message fails past
    # 4300 digits (ValueError).
    "an integer with more than 4300 digits": MINIMAL.format(handler="runtime_handlers.items.handler")
                                             + "    memory_mb: 0x" + "f" * 4000 + "\n",
    # Was: Path.is_file() raised ENAMETOOLONG for a module name past 255 bytes.
    "a handler module name over 255 characters": MINIMAL.format(handler="runtime_handlers." + "m" * 300 + ".handler"),
}


@pytest.mark.parametrize("text", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_an_input_that_once_crashed_is_reported_as_a_spec_error(tmp_path, text):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8", newline="")
    exit_code, stdout, stderr = validate_in_process(spec)
    assert output_problems(spec, exit_code, stdout, stderr) == [] and exit_code == 1
