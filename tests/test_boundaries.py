"""Boundaries pinned: every bound a spec or a request must respect is tested at the bound (accepted)
and just past it (rejected, with the documented diagnostic code), so an off-by-one in either
direction fails a test.

Three sources of bounds:
- schema/app.schema.json itself, walked for minimum/maximum/exclusive*/multipleOf, min/maxLength,
  min/maxItems, min/maxProperties and the length quantifiers of simple name patterns
  (`^[a-z][a-z0-9-]{0,23}$`), at every place each applies (a `$ref` used in three places is three
  places). A bound added to the schema is tested without a new line here; a place the rich spec
  below does not reach fails `test_the_rich_spec_reaches_every_bound_of_the_schema`.
- the semantic checks (compiler/checks*.py), pinned one by one with their documented limits: a
  routed function's 29 s, Lambda's 4 KB of environment, CloudWatch's alarm window, the duration
  threshold below the timeout, the 300 REST resources, the 900 reservable executions, autoscaling
  maxima at or above the capacity.
- the handlers' documented request limits (runtime_handlers/: `limit` 1..100, name, tags, price).

A schema bound is tested against the schema file, so editing the schema moves the test with it:
what these prove is that validation enforces each bound at the right place with the right code.
The values AWS documents (Lambda's memory and timeout, ...) are also written out explicitly.

Specs are validated in-process through the same load -> schema -> checks path as `validate`
(`compiler.validate.diagnose`), written as JSON (which is YAML) for speed. Expected codes are the
ones docs/spec-reference.md documents for each JSON Schema keyword, written here, not read from the
compiler.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

from compiler.loader import load_text
from compiler.validate import diagnose
from spec_facts import ROOT, SCHEMA, resolve

# docs/spec-reference.md, "Error codes": the code of each kind of schema finding.
CODE = {"minimum": "E201", "maximum": "E201", "exclusiveMinimum": "E201", "exclusiveMaximum": "E201", "multipleOf": "E201",
        "minLength": "E206", "maxLength": "E206", "minItems": "E207", "maxItems": "E207",
        "minProperties": "E208", "maxProperties": "E208", "pattern": "E205", "name": "E209"}
NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
SIZES = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
# A pattern whose only bound is a length: an optional first character class, then one class {m,n}.
SIMPLE_PATTERN = re.compile(r"^\^(\[[^\]]+\])?(\[[^\]]+\])\{(\d+),(\d+)\}\$$")

# A valid spec that reaches every place of the schema that has a bound: the first entry of each
# mapping and the first item of each list are where bounds are placed. Written to reach, not to
# make sense (a cognito authorizer with a cache TTL is a semantic error, which is fine here: the
# schema's bounds are checked against schema findings only).
RICH: dict = {
    "version": 1, "name": "shop", "stage": "dev", "region": "eu-west-1",
    "tags": {"owner": "team"},
    "domain": {"name": "api.shop.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
    "availability": {"mode": "active-active", "regions": ["eu-west-1", "us-east-1"],
                     "health_check": {"route": "/health", "match": "ok", "interval_s": 30, "failure_threshold": 3,
                                      "checker_regions": ["us-east-1", "eu-west-1", "ap-southeast-1"]},
                     "drain": ["us-east-1"]},
    "tables": {
        "orders": {
            "partition_key": {"name": "id", "type": "S"}, "sort_key": {"name": "at", "type": "N"},
            "billing": "provisioned", "capacity": {"read": 5, "write": 5},
            "autoscale": {"max_read": 50, "max_write": 50, "target_utilization_percent": 70},
            "ttl_attribute": "expires_at",
            "indexes": {"by_status": {"partition_key": {"name": "status", "type": "S"}, "sort_key": {"name": "at", "type": "N"}}},
        },
    },
    "secrets": {"token": {"ssm_parameter": "/shop/token"}},
    "functions": {
        "worker": {
            "handler": "runtime_handlers.items.handler", "description": "batch", "memory_mb": 256, "timeout_s": 10,
            "reserved_concurrency": 5, "environment": {"MODE": "batch"},
            "provisioned_concurrency": {"min": 1, "max": 2, "target_utilization_percent": 70},
            "uses": {"tables": {"orders": "read"}, "secrets": ["token"],
                     "permissions": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::drop/*"]}]},
            "alarms": {"errors": {"threshold": 1, "period_s": 60, "evaluation_periods": 1},
                       "error_rate_percent": {"threshold": 5, "period_s": 60, "evaluation_periods": 1},
                       "throttles": {"threshold": 1, "period_s": 60, "evaluation_periods": 1},
                       "duration_ms": {"threshold": 500, "period_s": 60, "evaluation_periods": 1}},
        },
        "items": {"handler": "runtime_handlers.items.handler"},
    },
    "api": {
        "throttling": {"rate_limit": 10, "burst_limit": 20},
        "routes": [{"method": "GET", "path": "/items", "function": "items", "throttling": {"rate_limit": 5, "burst_limit": 10},
                    "scopes": ["items/read"], "auth": "users"},
                   {"method": "GET", "path": "/health", "function": "items"}],
        "cors": {"allow_origins": ["https://app.example.com"], "allow_headers": ["content-type"], "expose_headers": ["Location"],
                 "max_age_s": 600},
        "authorizers": {"users": {"type": "cognito", "cache_ttl_s": 300,
                                  "user_pool_arns": ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc"]}},
        "waf": {"managed_rules": ["AWSManagedRulesCommonRuleSet"], "rate_limit_per_ip": 2000},
        "usage_plans": {"partners": {"description": "partners", "throttling": {"rate_limit": 1, "burst_limit": 2},
                                     "quota": {"limit": 100, "period": "DAY"}, "api_keys": ["acme"]}},
    },
    "logs": {"retention_days": 30, "archive": {"expire_after_days": 365, "noncurrent_expire_after_days": 30, "replicate_to": "us-east-1"}},
    "alarms": {kind: {"threshold": 1, "period_s": 60, "evaluation_periods": 1} for kind in (
        "function_errors", "function_error_rate_percent", "function_throttles", "function_duration_ms",
        "api_4xx", "api_5xx", "api_latency_ms", "table_throttles", "table_system_errors")},
}
# Containers the rich spec leaves out (a stage view doubles every validation); their bound tests
# start from this value instead.
ABSENT = {("stages",): {"dev": {}}}


def render_path(parts) -> str:
    """("api", "routes", 0, "path") -> "api.routes[0].path", as diagnostics name places."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def diagnostics(document: dict) -> list:
    return diagnose(load_text(json.dumps(document), "spec.yaml"), ROOT)


# -- walking the schema --------------------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    where: tuple      # the value's place: property names, "*" for a mapping's first entry, 0 for a list's first item
    keyword: str      # a JSON Schema keyword, or "name" (a key's pattern) / "pattern" (a value's pattern)
    limit: Any
    schema: str       # the value's schema, as JSON (hashable)

    @property
    def id(self) -> str:
        return f"{render_path(tuple('<first>' if p == '*' else p for p in self.where)) or '<root>'} {self.keyword} {self.limit}"


def walk(node: dict, where: tuple = ()) -> Iterator[Bound]:
    node = resolve(node)
    text = json.dumps(node, sort_keys=True)
    for keyword in NUMERIC + SIZES:
        if keyword in node:
            yield Bound(where, keyword, node[keyword], text)
    names = node.get("propertyNames", {}).get("pattern", "")
    if SIMPLE_PATTERN.match(names):
        yield Bound(where, "name", names, text)
    if node.get("type") == "string" and SIMPLE_PATTERN.match(node.get("pattern", "")):
        yield Bound(where, "pattern", node["pattern"], text)
    for key, child in node.get("properties", {}).items():
        yield from walk(child, where + (key,))
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], where + ("*",))
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], where + (0,))


BOUNDS = list(walk(SCHEMA))


class Unreachable(Exception):
    pass


def place(document: dict, where: tuple) -> tuple:
    """The concrete path of `where` in `document`: "*" is the mapping's first key."""
    path, node = (), document
    for part in where:
        if part == "*":
            if not isinstance(node, dict) or not node:
                raise Unreachable(render_path(path))
            part = next(iter(node))
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            path, node = path + (part,), node[part]
        elif path + (part,) in ABSENT:
            node[part] = copy.deepcopy(ABSENT[path + (part,)])
            path, node = path + (part,), node[part]
        else:
            raise Unreachable(render_path(path + (part,)))
    return path


def get(document: dict, path: tuple):
    for part in path:
        document = document[part]
    return document


def put(document: dict, path: tuple, value) -> None:
    get(document, path[:-1])[path[-1]] = value


# -- values at and past each bound -------------------------------------------------------------

def text_of_length(schema: dict, current: str, length: int) -> str:
    """A string of `length` characters that matches the value's pattern (when it has one), grown
    from or cut down to the current value."""
    pattern = schema.get("pattern")
    if length <= len(current):
        return current[:length]
    for filler in ("a", "0", "_"):
        candidate = current + filler * (length - len(current))
        if pattern is None or re.search(pattern, candidate):
            return candidate
    raise AssertionError(f"cannot grow {current!r} to {length} characters within {pattern}")


def pattern_text(pattern: str, length: int) -> str:
    """A string of `length` characters built from a SIMPLE_PATTERN's classes."""
    first, rest, _, _ = SIMPLE_PATTERN.match(pattern).groups()

    def char_of(char_class: str) -> str:
        return next(c for c in "aA0" if re.fullmatch(char_class, c))
    if length == 0:
        return ""
    return (char_of(first) + char_of(rest) * (length - 1)) if first else char_of(rest) * length


def grown(container, size: int, schema: dict):
    """`container` (a mapping or list) with exactly `size` entries: cut, or grown with copies of its
    first entry (new keys from the key pattern; list items made distinct when they must be)."""
    if isinstance(container, dict):
        keys = list(container)[:size]
        out = {k: container[k] for k in keys}
        names = schema.get("propertyNames", {}).get("pattern")
        template = next(iter(container.values()), {})
        i = 0
        while len(out) < size:
            key = f"k{i}x" if names is None or re.search(names, f"k{i}x") else f"kk{i}"
            assert names is None or re.search(names, key), (key, names)
            out.setdefault(key, copy.deepcopy(template))
            i += 1
        return out
    out = list(container[:size])
    while len(out) < size:
        item = copy.deepcopy(container[0])
        required = resolve(schema.get("items", {})).get("required")
        if isinstance(item, dict) and required:
            item = {key: value for key, value in item.items() if key in required}  # copies carry only what they must (speed)
        if schema.get("uniqueItems") and isinstance(item, str):
            item = _distinct(item, len(out), schema)
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            item["path"] += f"/c{len(out)}"  # distinct routes: no duplicate-route finding per copy (speed)
        out.append(item)
    return out


def _distinct(item: str, n: int, schema: dict) -> str:
    pattern = resolve(schema["items"]).get("pattern")
    for candidate in (f"{item}{n}", f"{item}-{n}", f"{n}{item}"):
        if pattern is None or re.search(pattern, candidate):
            return candidate
    raise AssertionError(f"no distinct variant of {item!r} within {pattern}")


def step(schema: dict) -> float:
    return 1 if schema.get("type") == "integer" else 0.5


def variants(bound: Bound, document: dict, path: tuple) -> list[tuple[str, dict, bool]]:
    """(label, document, valid?) at the bound and just past it."""
    schema = json.loads(bound.schema)
    current = get(document, path)

    def with_value(value) -> dict:
        changed = copy.deepcopy(document)
        put(changed, path, value)
        return changed

    k, limit = bound.keyword, bound.limit
    if k in ("minimum", "maximum"):
        past = limit - step(schema) if k == "minimum" else limit + step(schema)
        return [(f"{limit}", with_value(limit), True), (f"{past}", with_value(past), False)]
    if k in ("exclusiveMinimum", "exclusiveMaximum"):
        inside = limit + step(schema) if k == "exclusiveMinimum" else limit - step(schema)
        return [(f"{inside}", with_value(inside), True), (f"{limit}", with_value(limit), False)]
    if k == "multipleOf":
        low = schema.get("minimum", limit)
        multiple = -(-low // limit) * limit + limit
        assert multiple <= schema.get("maximum", multiple)
        return [(f"{multiple}", with_value(multiple), True), (f"{multiple + limit / 2:g}", with_value(int(multiple + limit // 2)), False)]
    if k in ("minLength", "maxLength"):
        past = limit - 1 if k == "minLength" else limit + 1
        return [(f"{limit} characters", with_value(text_of_length(schema, current, limit)), True),
                (f"{past} characters", with_value(text_of_length(schema, current, past) if past >= 0 else ""), False)]
    if k in ("minItems", "maxItems", "minProperties", "maxProperties"):
        past = limit - 1 if k.startswith("min") else limit + 1
        return [(f"{limit} entries", with_value(grown(current, limit, schema)), True),
                (f"{past} entries", with_value(grown(current, past, schema)), False)]
    if k == "pattern":
        low, high = pattern_lengths(limit)
        out = [(f"{high} characters", with_value(pattern_text(limit, high)), True),
               (f"{high + 1} characters", with_value(pattern_text(limit, high + 1)), False)]
        if low > 0:
            out += [(f"{low} characters", with_value(pattern_text(limit, low)), True),
                    (f"{low - 1} characters", with_value(pattern_text(limit, low - 1)), False)]
        return out
    raise AssertionError(k)


def pattern_lengths(pattern: str) -> tuple[int, int]:
    first, _, low, high = SIMPLE_PATTERN.match(pattern).groups()
    return int(low) + bool(first), int(high) + bool(first)


def renamed(document: dict, path: tuple, name: str) -> dict:
    """`document` with the first key of the mapping at `path` renamed to `name` (order kept)."""
    changed = copy.deepcopy(document)
    container = get(changed, path)
    first = next(iter(container))
    put(changed, path, {(name if key == first else key): value for key, value in container.items()})
    return changed


def name_variants(bound: Bound, document: dict, path: tuple) -> list[tuple[str, dict, bool, str]]:
    low, high = pattern_lengths(bound.limit)
    lengths = [(high, True), (high + 1, False)] + ([(low, True), (low - 1, False)] if low > 0 else [])
    out = []
    for length, valid in lengths:
        name = pattern_text(bound.limit, length)
        out.append((f"a {length}-character name", renamed(document, path, name), valid, render_path(path + (name,))))
    return out


# -- the schema's bounds -------------------------------------------------------------------------

def test_the_walk_finds_the_schemas_bounds_where_they_apply():
    """The walker sees through $ref (throttling's minimum in three places) and finds the bounds this
    file was written against; a bound the walker missed would silently go untested."""
    found = {(b.where, b.keyword, b.limit) for b in BOUNDS}
    for expected in [(("functions", "*", "timeout_s"), "maximum", 900), (("functions", "*", "memory_mb"), "minimum", 128),
                     (("api", "routes"), "maxItems", 2000), (("alarms", "api_5xx", "period_s"), "multipleOf", 60),
                     (("functions", "*", "alarms", "errors", "evaluation_periods"), "maximum", 1440),
                     (("api", "usage_plans", "*", "throttling", "rate_limit"), "minimum", 0),
                     (("api", "routes", 0, "throttling", "burst_limit"), "minimum", 0), (("tags",), "maxProperties", 47),
                     (("name",), "pattern", SCHEMA["properties"]["name"]["pattern"]),
                     (("functions",), "name", SCHEMA["properties"]["functions"]["propertyNames"]["pattern"])]:
        assert expected in found, expected
    assert len(BOUNDS) >= 150


def test_the_rich_spec_is_valid_and_reaches_every_bound_of_the_schema():
    assert [d for d in diagnostics(RICH) if d.code.startswith("E2")] == []
    unreachable = []
    for bound in BOUNDS:
        try:
            place(copy.deepcopy(RICH), bound.where)
        except Unreachable as exc:
            unreachable.append(f"{bound.id}: {exc}")
    assert unreachable == [], "extend RICH so these bounds are tested"


def schema_findings(document: dict) -> set[tuple[str, str]]:
    return {(d.code, d.path) for d in diagnostics(document) if d.code.startswith("E2")}


@pytest.mark.parametrize("bound", BOUNDS, ids=[b.id for b in BOUNDS])
def test_a_schema_bound_accepts_its_limit_and_reports_one_step_past_it(bound):
    document = copy.deepcopy(RICH)
    path = place(document, bound.where)
    if bound.keyword == "name":
        for label, changed, valid, key_path in name_variants(bound, document, path):
            findings = schema_findings(changed)
            if valid:
                assert findings == set(), f"{label} at {render_path(path)} is refused: {findings}"
            else:
                assert (CODE["name"], key_path) in findings, f"{label} at {render_path(path)} is accepted: {findings}"
        return
    for label, changed, valid in variants(bound, document, path):
        findings = schema_findings(changed)
        if valid:
            assert findings == set(), f"{label} at {render_path(path)} is refused: {findings}"
        else:
            assert (CODE[bound.keyword], render_path(path)) in findings, f"{label} at {render_path(path)} is accepted: {findings}"


# Bounds that AWS documents, written here rather than read from the schema: the walk above proves
# the validator enforces whatever the schema says; these prove the schema says what AWS allows
# (a schema edit also shows in docs/spec-reference.md, whose staleness test fails until regenerated).
AWS_DOCUMENTED = [
    ("functions__worker__memory_mb", 128, 127, "functions.worker.memory_mb"),        # Lambda: 128 MB to 10,240 MB
    ("functions__worker__memory_mb", 10240, 10241, "functions.worker.memory_mb"),
    ("functions__worker__timeout_s", 900, 901, "functions.worker.timeout_s"),         # Lambda: at most 900 s
    ("functions__worker__timeout_s", 1, 0, "functions.worker.timeout_s"),
    ("functions__worker__reserved_concurrency", 0, -1, "functions.worker.reserved_concurrency"),
    ("api__cors__max_age_s", 86400, 86401, "api.cors.max_age_s"),                    # browsers cap preflight caching at a day
    ("api__routes", [{"method": "GET", "path": "/" + "a" * 1023, "function": "items"}],
     [{"method": "GET", "path": "/" + "a" * 1024, "function": "items"}], "api.routes[0].path"),
]


@pytest.mark.parametrize("where,valid,invalid,path", AWS_DOCUMENTED, ids=[f"{w} {v!s:.20}" for w, v, _, _ in AWS_DOCUMENTED])
def test_the_schema_allows_exactly_what_aws_documents(where, valid, invalid, path):
    cors = {"api__cors": {"allow_origins": ["https://app.example.com"]}} if where.startswith("api__cors") else {}
    assert_valid(spec(**cors, **{where: valid}))
    assert [code for code, at in findings(spec(**cors, **{where: invalid})) if at == path][:1] in (["E201"], ["E206"])


# -- the semantic checks' bounds -----------------------------------------------------------------

def spec(**changes) -> dict:
    """A small valid spec: `items` serves a route, `worker` does not."""
    document = {"version": 1, "name": "shop", "region": "eu-west-1",
                "functions": {"items": {"handler": "runtime_handlers.items.handler"},
                              "worker": {"handler": "runtime_handlers.health.handler"}},
                "api": {"routes": [{"method": "GET", "path": "/items", "function": "items"}]}}
    for dotted, value in changes.items():
        parts = dotted.split("__")
        node = document
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return document


def findings(document: dict) -> list[tuple[str, str]]:
    return [(d.code, d.path) for d in diagnostics(document)]


def assert_valid(document: dict) -> None:
    assert findings(document) == []


def assert_only(document: dict, code: str, path: str) -> None:
    assert findings(document) == [(code, path)]


def test_a_routed_function_may_take_29_s_and_not_30():
    """API Gateway's integration timeout is 29 s (checks E307)."""
    assert_valid(spec(functions__items__timeout_s=29))
    assert_only(spec(functions__items__timeout_s=30), "E307", "functions.items.timeout_s")


def test_a_function_without_routes_may_take_the_schemas_900_s():
    assert_valid(spec(functions__worker__timeout_s=900))
    assert_only(spec(functions__worker__timeout_s=901), "E201", "functions.worker.timeout_s")


def test_the_environment_may_hold_4096_bytes_of_names_and_values_and_not_4097():
    """Lambda: "The total size of all environment variables doesn't exceed 4 KB" (names and values)."""
    assert_valid(spec(functions__items__environment={"BIG": "x" * (4096 - 3)}))
    assert_only(spec(functions__items__environment={"BIG": "x" * (4096 - 2)}), "E306", "functions.items.environment")
    # Bytes, not characters: a two-byte character counts twice.
    assert_only(spec(functions__items__environment={"BIG": "é" * 2047}), "E306", "functions.items.environment")


@pytest.mark.parametrize("period,count,valid", [
    (300, 288, True), (300, 289, False),        # one day for periods under an hour
    (60, 1440, True), (120, 721, False),
    (3540, 24, True), (3540, 25, False),        # 3540 s is still under an hour: one day
    (3600, 25, True),                            # from an hour on: seven days
    (3600, 168, True), (3600, 169, False),
    (86400, 7, True), (86400, 8, False),
])
def test_an_alarm_window_is_at_most_one_day_or_seven_for_periods_of_an_hour(period, count, valid):
    """CloudWatch PutMetricAlarm: Period x EvaluationPeriods at most one day (86400 s), or seven
    days (604800 s) for periods of an hour or more (checks E310), spec-wide and per function."""
    alarm = {"threshold": 1, "period_s": period, "evaluation_periods": count}
    spec_wide = spec(alarms={"function_errors": alarm})
    own = spec(functions__items__alarms={"errors": alarm})
    if valid:
        assert_valid(spec_wide)
        assert_valid(own)
    else:
        assert_only(spec_wide, "E310", "alarms.function_errors")
        assert_only(own, "E310", "functions.items.alarms.errors")


def test_a_functions_own_alarm_window_counts_the_fields_it_inherits():
    """period_s from the spec-wide alarm, evaluation_periods from the function's own."""
    inherits = {"function_throttles": {"threshold": 1, "period_s": 300}}
    assert_valid(spec(alarms=inherits, functions__items__alarms={"throttles": {"threshold": 1, "evaluation_periods": 288}}))
    assert_only(spec(alarms=inherits, functions__items__alarms={"throttles": {"threshold": 1, "evaluation_periods": 289}}),
                "E310", "functions.items.alarms.throttles")


def test_a_duration_threshold_must_stay_below_the_timeout():
    """A function stops at its timeout, so Duration never reaches it (checks E315)."""
    assert_valid(spec(functions__items__timeout_s=3, alarms={"function_duration_ms": {"threshold": 2999}}))
    assert_only(spec(functions__items__timeout_s=3, alarms={"function_duration_ms": {"threshold": 3000}}),
                "E315", "alarms.function_duration_ms.threshold")
    assert_only(spec(functions__items__timeout_s=3, functions__items__alarms={"duration_ms": {"threshold": 3000}}),
                "E315", "functions.items.alarms.duration_ms.threshold")


def routes_making(resources: int) -> list[dict]:
    """Routes whose paths make exactly `resources` REST API resources (the root counts)."""
    return [{"method": "GET", "path": f"/r{i}", "function": "items"} for i in range(resources - 1)]


def test_300_rest_api_resources_pass_and_301_warn():
    """API Gateway's default quota of resources per REST API (checks W402, a warning)."""
    assert_valid(spec(api__routes=routes_making(300)))
    assert_only(spec(api__routes=routes_making(301)), "W402", "api.routes")


def test_reserving_900_executions_passes_and_901_warns():
    """Lambda keeps 100 of the default 1000 unreserved (checks W404, a warning)."""
    assert_valid(spec(functions__items__reserved_concurrency=450, functions__worker__reserved_concurrency=450))
    assert_only(spec(functions__items__reserved_concurrency=450, functions__worker__reserved_concurrency=451), "W404", "functions")


@pytest.mark.parametrize("side", ["read", "write"])
def test_an_autoscaling_maximum_may_equal_the_capacity_but_not_fall_below_it(side):
    """Autoscaling ranges from the provisioned capacity up to the maximum (checks E321)."""
    def table(maximum: int) -> dict:
        return {"partition_key": {"name": "id", "type": "S"}, "billing": "provisioned", "capacity": {"read": 5, "write": 5},
                "autoscale": {"max_read": 5, "max_write": 5, f"max_{side}": maximum}}
    assert_valid(spec(tables={"orders": table(5)}))
    assert_only(spec(tables={"orders": table(4)}), "E321", f"tables.orders.autoscale.max_{side}")


def test_the_longest_ssm_parameter_name_is_1011_characters_after_the_slash():
    """SSM parameter names are at most 1011 characters (the pattern's quantifier, not a simple one)."""
    secrets = lambda name: {"token": {"ssm_parameter": name}}  # noqa: E731
    assert_valid(spec(secrets=secrets("/" + "a" * 1011)))
    assert_only(spec(secrets=secrets("/" + "a" * 1012)), "E205", "secrets.token.ssm_parameter")


# -- the handlers' documented limits -------------------------------------------------------------

@pytest.fixture(scope="module")
def items_table():
    """One moto items table for the handler tests of this module (a table per test costs a third
    of a second); three items stored."""
    from handler_events import moto_items_table

    with pytest.MonkeyPatch.context() as monkeypatch, moto_items_table(monkeypatch, "shop-dev-items") as client:
        for i in range(3):
            assert call_items("POST", "/items", body=json.dumps({"name": f"thing {i}", "price": 1}))[0] == 201
        yield client


def call_items(method: str, path: str, **kwargs) -> tuple[int, dict]:
    from handler_events import FakeLambdaContext, json_body, rest_event
    from runtime_handlers import items

    response = items.handler(rest_event(method, path, **kwargs), FakeLambdaContext())
    return response["statusCode"], json_body(response)


@pytest.mark.parametrize("limit,status", [("1", 200), ("100", 200), ("0", 400), ("101", 400)])
def test_listing_items_accepts_the_documented_limits_1_to_100(items_table, limit, status):
    """runtime_handlers/items.py: `limit` (1..100, default 50)."""
    stored = items_table.scan(TableName="shop-dev-items", Select="COUNT")["Count"]
    assert stored >= 3
    code, body = call_items("GET", "/items", query={"limit": limit})
    assert code == status, body
    if status == 200:
        assert len(body["items"]) == min(int(limit), stored)
    else:
        assert body["reasons"] == ["limit must be an integer between 1 and 100"]


@pytest.mark.parametrize("field,value,status", [
    ("name", "n" * 100, 201), ("name", "n" * 101, 400),
    ("tags", [f"t{i}" for i in range(20)], 201), ("tags", [f"t{i}" for i in range(21)], 400),
    ("tags", ["t" * 32], 201), ("tags", ["t" * 33], 400),
    ("price", 1000000000, 201), ("price", 1000000000.01, 400),
    ("price", 0, 201), ("price", -0.01, 400),
    ("price", 0.01, 201), ("price", 0.001, 400),
])
def test_a_new_item_is_accepted_up_to_each_documented_limit_and_refused_past_it(items_table, field, value, status):
    """runtime_handlers/validation.py: name at most 100 characters, at most 20 tags of at most 32
    characters, a price from 0 to 1 000 000 000 with at most two decimals."""
    code, body = call_items("POST", "/items", body=json.dumps({"name": "thing", "price": 1, field: value}))
    assert code == status, body
    if status == 400:
        assert len(body["reasons"]) == 1 and field in body["reasons"][0], body


@pytest.mark.parametrize("size,storable", [(2048, True), (2049, False), (1, True), (0, False)])
def test_an_item_id_may_have_up_to_the_2048_bytes_dynamodb_allows(size, storable):
    from runtime_handlers import _item_table

    assert _item_table.storable_id("i" * size) is storable
    assert _item_table.storable_id("é" * (size // 2)) is (0 < size // 2 * 2 <= 2048)
