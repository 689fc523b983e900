"""Semantic checks about deploying to a real account: alarms that could never fire, routes nobody
can reach, quotas the spec would exceed, and the declared stages. Like checks.py, each reads the
raw document defensively and yields Diagnostics; they are registered in checks.SEMANTIC_CHECKS.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from .check_support import CheckContext, _functions, _integer, _items, _mapping, _routes, _segments
from .errors import Diagnostic
from .loader import LoadedSpec
from .schema_errors import load_schema

# API Gateway's default "Resources per REST API" quota (adjustable in Service Quotas).
REST_RESOURCES_QUOTA = 300
# Lambda keeps this many executions unreserved per account and region; 1000 is the default quota.
UNRESERVED_MINIMUM, DEFAULT_CONCURRENCY_QUOTA = 100, 1000


def _default(*path: str):
    """A default stated in the schema, e.g. _default('function', 'timeout_s') -> 10."""
    node = load_schema()["$defs"][path[0]]
    for part in path[1:]:
        node = node["properties"][part]
    return node.get("default")


def check_duration_alarms(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A duration threshold at or above a function's timeout can never fire: a function is
    stopped at its timeout, so its Duration never exceeds it."""
    spec_wide = _mapping(_mapping(spec.data.get("alarms")).get("function_duration_ms"))
    for name, function in _functions(spec).items():
        own = _mapping(_mapping(function.get("alarms")).get("duration_ms"))
        where = ("functions", name, "alarms", "duration_ms", "threshold") if "threshold" in own else ("alarms", "function_duration_ms", "threshold")
        threshold = own.get("threshold", spec_wide.get("threshold"))
        timeout = _integer(function.get("timeout_s", _default("function", "timeout_s")))
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or timeout is None:
            continue
        if threshold >= timeout * 1000:
            yield spec.diagnostic(where, "E315", f"duration threshold {threshold:g} ms is not below the {timeout} s timeout of function '{name}', so its duration alarm can never fire",
                                  f"set functions.{name}.alarms.duration_ms.threshold below {timeout * 1000}, or raise its timeout_s")


def check_function_alarm_thresholds(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A function's own alarm may leave `threshold` out only when the spec-wide alarm of its kind
    gives one to inherit (the override merges field by field)."""
    spec_alarms = _mapping(spec.data.get("alarms"))
    for name, function in _functions(spec).items():
        for key, own in _mapping(function.get("alarms")).items():
            if isinstance(own, dict) and "threshold" not in own and "threshold" not in _mapping(spec_alarms.get(f"function_{key}")):
                yield spec.diagnostic(("functions", name, "alarms", key), "E340",
                                      f"function '{name}' overrides alarm '{key}' without a threshold, and alarms.function_{key} gives none to inherit",
                                      f"set functions.{name}.alarms.{key}.threshold, or alarms.function_{key}.threshold for every function")


def check_unreachable_key_routes(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Usage plans exist but none holds a key, while some route demands one: nobody can call it."""
    plans = _mapping(_mapping(spec.data.get("api")).get("usage_plans"))
    if not plans or any(_items(_mapping(plan).get("api_keys")) for plan in plans.values()):
        return
    for i, route in _routes(spec):
        if route.get("api_key_required") is True:
            yield spec.diagnostic(("api", "routes", i, "api_key_required"), "W401", "route requires an API key, but no usage plan holds a key, so no caller can reach it",
                                  "add api_keys to a usage plan, or drop api_key_required", severity="warning")


def rest_resources(paths: Iterable[str]) -> set[str]:
    """The REST API resources routes create: the root and every prefix of every path."""
    found = {"/"}
    for path in paths:
        segments = _segments(path)
        found.update("/" + "/".join(segments[: n + 1]) for n in range(len(segments)))
    return found


def check_rest_resource_quota(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """API Gateway's default quota is 300 resources per REST API (adjustable): past it, import fails."""
    paths = [route["path"] for _, route in _routes(spec) if isinstance(route.get("path"), str) and route["path"].startswith("/")]
    count = len(rest_resources(paths))
    if count > REST_RESOURCES_QUOTA:
        yield spec.diagnostic(("api", "routes"), "W402", f"the routes make {count} REST API resources (every distinct path prefix), over API Gateway's default quota of {REST_RESOURCES_QUOTA} resources per REST API",
                              "request an increase of the Service Quotas entry 'Resources per REST API' (API Gateway) before deploying, or use fewer distinct paths", severity="warning")


def check_reserved_concurrency(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Lambda keeps 100 executions unreserved: reservations over the default quota's 900 fail."""
    reserved = {name: _integer(f.get("reserved_concurrency")) for name, f in _functions(spec).items()}
    total = sum(v for v in reserved.values() if v)
    if total > DEFAULT_CONCURRENCY_QUOTA - UNRESERVED_MINIMUM:
        yield spec.diagnostic(("functions",), "W404", f"functions reserve {total} concurrent executions; Lambda keeps {UNRESERVED_MINIMUM} unreserved, so this needs an account quota above {total + UNRESERVED_MINIMUM} (the default is {DEFAULT_CONCURRENCY_QUOTA}, new accounts often have 10)",
                              "reserve less, or raise the account's 'Concurrent executions' quota first", severity="warning")


def check_default_stage_declared(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """The spec's own `stage` (the offline default) is one of `stages` when those are declared."""
    stage, stages = spec.data.get("stage"), spec.data.get("stages")
    if isinstance(stage, str) and isinstance(stages, dict) and stages and stage not in stages:
        yield spec.diagnostic(("stage",), "E316", f"stage '{stage}' is not declared in stages",
                              "declared stages: " + ", ".join(sorted(stages)) + "; add it under `stages:` or choose one of them")
