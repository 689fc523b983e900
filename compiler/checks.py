"""Semantic checks: what JSON Schema cannot say. Each check is a small function that yields
Diagnostics; SEMANTIC_CHECKS lists them in order (a literal registry, no discovery).

Checks run even when the schema found problems, so every mistake is reported at once; they
therefore read the raw document defensively and skip values of the wrong type (the schema
already reported those).
"""
from __future__ import annotations

import difflib
import re
from typing import Iterator

from . import checks_api, checks_availability, checks_deploy, checks_services
from .check_support import Check, CheckContext, _functions, _integer, _items, _mapping, _routes, _segments
from .errors import Diagnostic
from .handler_source import find_handler
from .loader import LoadedSpec
from .schema_errors import load_schema

# API Gateway's maximum integration timeout for REST APIs (without a quota increase).
API_INTEGRATION_TIMEOUT_S = 29
# Lambda refuses these names; AWS_LAMBDA_* is reserved as a whole prefix.
RESERVED_ENV = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
})
RESERVED_ENV_PREFIXES = ("AWS_LAMBDA_",)
ENV_MAX_BYTES = 4096
API_ALARMS = ("api_4xx", "api_5xx", "api_latency_ms")
ALARM_DEFAULT_PERIOD_S, ALARM_DEFAULT_EVALUATIONS = 300, 2

_LITERAL = re.compile(r"^[A-Za-z0-9._~:@!$&'()*,;=-]+$")
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_.-]*)(\+?)\}$")


def check_route_functions(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Every route names a function that exists."""
    names = sorted(_mapping(spec.data.get("functions")))
    for i, route in _routes(spec):
        name = route.get("function")
        if isinstance(name, str) and name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = (f"did you mean '{close[0]}'? " if close else "") + "defined functions: " + (", ".join(names) or "none")
            yield spec.diagnostic(("api", "routes", i, "function"), "E301", f"route refers to unknown function '{name}'", hint)


def check_route_paths(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Paths are `/a/{b}` with a greedy `{c+}` last only, and parameter names unique in a path."""
    for i, route in _routes(spec):
        path = route.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            continue
        where = ("api", "routes", i, "path")
        problem = _path_problem(path)
        if problem:
            yield spec.diagnostic(where, "E303", f"invalid path '{path}': {problem}",
                                  "segments of letters, digits and - . _ ~; parameters as {name}; a greedy {name+} only last")


def _path_problem(path: str) -> str:
    if path != "/" and path.endswith("/"):
        return "trailing '/'"
    seen: set[str] = set()
    segments = _segments(path)
    for index, segment in enumerate(segments):
        if segment == "":
            return "empty segment ('//')"
        param = _PARAM.match(segment)
        if param:
            name, greedy = param.groups()
            if name in seen:
                return f"parameter '{name}' appears twice"
            seen.add(name)
            if greedy and index != len(segments) - 1:
                return f"greedy parameter '{{{name}+}}' must be the last segment"
        elif "{" in segment or "}" in segment:
            return f"segment '{segment}' mixes text and braces; a parameter is a whole segment like {{id}}"
        elif not _LITERAL.match(segment):
            return f"segment '{segment}' has characters API Gateway does not accept"
    return ""


def _route_key(path: str) -> tuple[str, ...]:
    """A path with parameter names erased: /items/{id} and /items/{key} are the same resource."""
    return tuple("{+}" if s.endswith("+}") else "{}" if s.startswith("{") else s for s in _segments(path))


def check_unique_routes(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """(method, path) pairs are unique, and one resource never has two parameter names."""
    first: dict[tuple, int] = {}
    param_names: dict[tuple, tuple[str, int]] = {}  # parent resource -> (its variable child, route)
    for i, route in _routes(spec):
        method, path = route.get("method"), route.get("path")
        if not isinstance(method, str) or not isinstance(path, str) or not path.startswith("/") or _path_problem(path):
            continue
        key = (method, _route_key(path))
        if key in first:
            other = spec.data["api"]["routes"][first[key]]
            yield spec.diagnostic(("api", "routes", i), "E302", f"duplicate route {method} {path} (same as api.routes[{first[key]}]: {other['method']} {other['path']})",
                                  "each (method, path) may appear once; parameter names do not make paths different")
        else:
            first[key] = i
        segments = _segments(path)
        for depth, segment in enumerate(segments):
            if not segment.startswith("{"):
                continue
            # API Gateway allows one variable part ({x} or {x+}) among a resource's children.
            slot = _route_key("/" + "/".join(segments[:depth])) if depth else ()
            if slot in param_names and param_names[slot][0] != segment:
                name, j = param_names[slot]
                yield spec.diagnostic(("api", "routes", i, "path"), "E304", f"parameter {segment} conflicts with {name} at the same position (api.routes[{j}])",
                                      "API Gateway allows one parameter name per position; use the same name in every route")
                break
            param_names.setdefault(slot, (segment, i))


def check_handlers(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Each handler's module exists under runtime_handlers/ and defines the function (read, not imported)."""
    for name, function in _functions(spec).items():
        handler = function.get("handler")
        # A malformed handler is the schema's error (E205); only well-formed ones are looked up.
        if not isinstance(handler, str) or not re.match(load_schema()["$defs"]["function"]["properties"]["handler"]["pattern"], handler):
            continue
        problem = find_handler(ctx.project_root, handler)
        if problem is not None:
            yield spec.diagnostic(("functions", name, "handler"), problem.code, problem.message, problem.hint)


def check_environment(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """No name Lambda reserves, and all variables within Lambda's 4 KB."""
    for name, function in _functions(spec).items():
        env = _mapping(function.get("environment"))
        for key in env:
            if key in RESERVED_ENV or key.startswith(RESERVED_ENV_PREFIXES):
                yield spec.diagnostic(("functions", name, "environment", key), "E305", f"'{key}' is reserved by AWS Lambda",
                                      "choose another name; Lambda sets AWS_REGION, AWS_LAMBDA_* and the credentials itself", key=True)
        size = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in env.items())
        if size > ENV_MAX_BYTES:
            yield spec.diagnostic(("functions", name, "environment"), "E306", f"environment is {size} bytes, over Lambda's {ENV_MAX_BYTES}",
                                  "move large values to SSM Parameter Store or Secrets Manager")


def check_route_timeouts(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A function behind the API must finish within API Gateway's 29 s integration timeout."""
    served = {route.get("function") for _, route in _routes(spec) if isinstance(route.get("function"), str)}
    for name, function in _functions(spec).items():
        timeout = _integer(function.get("timeout_s"))
        if name in served and timeout is not None and timeout > API_INTEGRATION_TIMEOUT_S:
            yield spec.diagnostic(("functions", name, "timeout_s"), "E307", f"timeout {timeout} s exceeds API Gateway's {API_INTEGRATION_TIMEOUT_S} s integration limit for a function that serves a route",
                                  f"set timeout_s to at most {API_INTEGRATION_TIMEOUT_S}, or move the slow work to an asynchronous function")


def check_api_keys(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """An API key belongs to one usage plan; key-protected routes need a plan to get keys from."""
    plans = _mapping(_mapping(spec.data.get("api")).get("usage_plans"))
    owner: dict[str, str] = {}
    for plan_name, plan in plans.items():
        for j, key in enumerate(_items(_mapping(plan).get("api_keys"))):
            if not isinstance(key, str):
                continue
            if key in owner and owner[key] != plan_name:
                yield spec.diagnostic(("api", "usage_plans", plan_name, "api_keys", j), "E308", f"API key '{key}' is already in usage plan '{owner[key]}'",
                                      "a key belongs to one plan; give this one another name")
            owner.setdefault(key, plan_name)
    if plans:
        return
    for i, route in _routes(spec):
        if route.get("api_key_required") is True:
            yield spec.diagnostic(("api", "routes", i, "api_key_required"), "E309", "route requires an API key but no usage plan issues any",
                                  "add api.usage_plans with at least one plan and its api_keys")


def _window_problem(spec: LoadedSpec, where: tuple, *layers: dict) -> Iterator[Diagnostic]:
    """E310 when period_s x evaluation_periods of `layers` merged (later winning, defaults first)
    exceeds what CloudWatch accepts: one day for periods under an hour, seven days otherwise."""
    period = _integer(next((layer["period_s"] for layer in reversed(layers) if "period_s" in layer), ALARM_DEFAULT_PERIOD_S))
    count = _integer(next((layer["evaluation_periods"] for layer in reversed(layers) if "evaluation_periods" in layer), ALARM_DEFAULT_EVALUATIONS))
    if period is not None and count is not None and period > 0 and count > 0:
        limit = 86_400 if period < 3600 else 604_800
        if period * count > limit:
            yield spec.diagnostic(where, "E310", f"period_s x evaluation_periods = {period * count} s exceeds CloudWatch's {limit} s",
                                  "one day at most for periods under an hour, seven days otherwise")


def check_alarms(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """CloudWatch's evaluation window limit (spec-wide alarms, and a function's own alarm merged
    over the spec-wide one), and API alarms only when there is an API."""
    alarms = _mapping(spec.data.get("alarms"))
    for kind, alarm in alarms.items():
        if not isinstance(alarm, dict):
            continue
        yield from _window_problem(spec, ("alarms", kind), alarm)
        if kind in API_ALARMS and "api" not in spec.data:
            yield spec.diagnostic(("alarms", kind), "E311", f"alarm '{kind}' watches the API, but the spec has no api", "remove the alarm or add an api", key=True)
        if kind.startswith("table_") and not spec.data.get("tables"):
            yield spec.diagnostic(("alarms", kind), "E311", f"alarm '{kind}' watches tables, but the spec has none", "remove the alarm or add tables", key=True)
    for name, function in _functions(spec).items():
        for key, own in _mapping(function.get("alarms")).items():
            # Only a function that sets its own period or count has a window of its own; otherwise
            # it is the spec-wide alarm's, reported above.
            if isinstance(own, dict) and ("period_s" in own or "evaluation_periods" in own):
                yield from _window_problem(spec, ("functions", name, "alarms", key), _mapping(alarms.get(f"function_{key}")), own)


SEMANTIC_CHECKS: tuple[Check, ...] = (
    check_route_functions,
    check_route_paths,
    check_unique_routes,
    check_handlers,
    check_environment,
    check_route_timeouts,
    check_api_keys,
    check_alarms,
    checks_deploy.check_duration_alarms,
    checks_deploy.check_function_alarm_thresholds,
    checks_deploy.check_unreachable_key_routes,
    checks_deploy.check_rest_resource_quota,
    checks_deploy.check_reserved_concurrency,
    checks_deploy.check_default_stage_declared,
    # Tables, secrets and what functions use (checks_services.py).
    checks_services.check_uses_references,
    checks_services.check_secret_sources,
    checks_services.check_table_keys,
    checks_services.check_table_capacity,
    checks_services.check_code_and_requirements,
    checks_services.check_environment_collisions,
    checks_services.check_permissions,
    # The API surface: CORS, authorizers, body schemas, WAF (checks_api.py).
    checks_api.check_auth_references,
    checks_api.check_authorizers,
    checks_api.check_cors,
    checks_api.check_body_schemas,
    checks_api.check_waf,
    # Several regions, the custom domain, replication, provisioned concurrency (checks_availability.py).
    checks_availability.check_availability_regions,
    checks_availability.check_availability_needs,
    checks_availability.check_health_route,
    checks_availability.check_drain,
    checks_availability.check_replicate_to,
    checks_availability.check_provisioned_concurrency,
    checks_availability.check_global_table_streams,
)


def semantic_diagnostics(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    for check in SEMANTIC_CHECKS:
        yield from check(spec, ctx)
