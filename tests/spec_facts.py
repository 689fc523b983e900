"""What a spec asks for, read independently of the compiler under test.

Tests take their expected values from here: the spec as `yaml.safe_load` reads it, the stage's
override merged by hand (mappings merge, `null` removes a key, anything else replaces, as the
README says), and the defaults written in schema/app.schema.json, read from the file. Nothing here
imports compiler.normalize, compiler.model or compiler.stages, so a bug in the compiler's own
defaults or merge moves the plan but not the expectation, and the test fails.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "schema" / "app.schema.json"
SCHEMA: dict = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

FUNCTION_ALARMS = ("function_errors", "function_error_rate_percent", "function_throttles", "function_duration_ms")
API_ALARMS = ("api_4xx", "api_5xx", "api_latency_ms")
TABLE_ALARMS = ("table_throttles", "table_system_errors")


# -- the schema's defaults -------------------------------------------------------------------------

def resolve(node: dict) -> dict:
    """A schema node with its `$ref` (to `#/$defs/<name>`) followed, its own keys winning."""
    while "$ref" in node:
        target = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_node(*path: str) -> dict:
    """The schema of the value at a property path, e.g. ("api", "logging") or ("alarms", "api_5xx");
    a first part naming a `$defs` entry starts there, e.g. ("function",)."""
    if path and path[0] in SCHEMA["$defs"] and path[0] not in SCHEMA["properties"]:
        node, rest = resolve(SCHEMA["$defs"][path[0]]), path[1:]
    else:
        node, rest = SCHEMA, path
    for part in rest:
        node = resolve(node["properties"][part])
    return node


def defaults(*path: str) -> dict:
    """{property: default} of the object at `path`, for every property whose schema states one."""
    properties = schema_node(*path).get("properties", {})
    return {key: resolve(prop)["default"] for key, prop in properties.items() if "default" in resolve(prop)}


# -- the raw spec and its stage --------------------------------------------------------------------

@lru_cache(maxsize=None)
def _raw_text(path: str, mtime: float) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def raw(spec: str) -> dict:
    """The spec file (relative to the repository root, or absolute) as YAML reads it; a copy."""
    path = Path(spec) if Path(spec).is_absolute() else ROOT / spec
    return copy.deepcopy(_raw_text(str(path), path.stat().st_mtime))


def stage_of(spec: str, stage: Optional[str] = None) -> str:
    """The stage `plan` builds: the flag, else the spec's `stage`, else dev (README, Commands)."""
    return stage or raw(spec).get("stage") or "dev"


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _merge(base.get(key), value)
        return merged
    return copy.deepcopy(override)


def effective(spec: str, stage: Optional[str] = None) -> dict:
    """The spec as its stage builds it: the base without `stages`, the stage's override merged in.
    For one region of a several-region spec (plan_support.RegionSpec) `region` is that region."""
    data = raw(spec)
    override = (data.pop("stages", None) or {}).get(stage_of(spec, stage)) or {}
    merged = _merge(data, override)
    if getattr(spec, "region", None):
        merged["region"] = spec.region
    return merged


# README, "Several regions": the health route gets its own throttle unless the spec gives one.
HEALTH_ROUTE_THROTTLING = {"rate_limit": 10, "burst_limit": 20}


def prefix(spec: str, stage: Optional[str] = None) -> str:
    """`<app>-<stage>`: how physical names start."""
    return f"{raw(spec)['name']}-{stage_of(spec, stage)}"


# -- facts ---------------------------------------------------------------------------------------

def functions(spec: str, stage: Optional[str] = None) -> dict[str, dict]:
    """Each function's settings with the schema's function defaults filled in."""
    base = defaults("function")
    return {key: {**base, **(fn or {})} for key, fn in effective(spec, stage)["functions"].items()}


def api(spec: str, stage: Optional[str] = None) -> Optional[dict]:
    """`api` with the schema's defaults of its own keys and of `logging` filled in; None without one."""
    found = effective(spec, stage).get("api")
    if found is None:
        return None
    out = {**defaults("api"), **found}
    out["logging"] = {**defaults("api", "logging"), **(found.get("logging") or {})}
    return out


def routes(spec: str, stage: Optional[str] = None) -> list[dict]:
    """Each route with `api_key_required` defaulted and `auth` resolved (None for none)."""
    found = api(spec, stage)
    if found is None:
        return []
    route_defaults = defaults("route")
    health = ((effective(spec, stage).get("availability") or {}).get("health_check") or {}).get("route")
    out = []
    for route in found["routes"]:
        merged = {**route_defaults, **route}
        if health and route["path"] == health and route["method"] in ("GET", "ANY") and "throttling" not in route:
            merged["throttling"] = dict(HEALTH_ROUTE_THROTTLING)
        auth = route.get("auth", found["default_auth"])
        merged["auth"] = None if auth == "none" else auth
        out.append(merged)
    return out


def served(spec: str, stage: Optional[str] = None) -> set[str]:
    return {route["function"] for route in routes(spec, stage)}


def logs(spec: str, stage: Optional[str] = None) -> dict:
    """`logs` with retention and archive days defaulted from the schema."""
    found = effective(spec, stage).get("logs") or {}
    return {**defaults("logs"), **found, "archive": {**defaults("logs", "archive"), **(found.get("archive") or {})}}


def protect(spec: str, stage: Optional[str] = None) -> bool:
    return bool(effective(spec, stage).get("protect", SCHEMA["properties"]["protect"]["default"]))


def table_type(spec: str, stage: Optional[str] = None) -> str:
    """What holds each table in the plan's region: the table itself in the primary `region`, a
    global table's replica in every other region of a several-region spec (README, "Several regions")."""
    primary = raw(spec)["region"]
    region = getattr(spec, "region", None) or primary
    return "aws:dynamodb/table:Table" if region == primary else "aws:dynamodb/tableReplica:TableReplica"


def tables(spec: str, stage: Optional[str] = None) -> dict[str, dict]:
    return effective(spec, stage).get("tables") or {}


def notify(spec: str, stage: Optional[str] = None) -> list[str]:
    return list((effective(spec, stage).get("alarms") or {}).get("notify", []))


def alarm_settings(spec: str, stage: Optional[str] = None) -> dict[tuple[str, str], dict]:
    """(kind, target) -> {threshold, period_s, evaluation_periods[, statistic]} for every alarm the
    spec asks for, as the README describes: each kind in `alarms` for each function (`function_*`,
    target the function's key; `functions.<key>.alarms.<kind without function_>` overrides field by
    field and adds the kind for that function alone), for the API stage (`api_*`, target "api",
    only with an api) and for each table (`table_*`, target the table's key). Fields not given
    come from the schema's defaults of that kind."""
    data = effective(spec, stage)
    spec_alarms = data.get("alarms") or {}
    out: dict[tuple[str, str], dict] = {}
    for key, fn in data["functions"].items():
        own = (fn or {}).get("alarms") or {}
        for kind in FUNCTION_ALARMS:
            layers = [layer for layer in (spec_alarms.get(kind), own.get(kind[len("function_"):])) if layer]
            if layers:
                out[(kind, key)] = {**defaults("alarms", kind), **{k: v for layer in layers for k, v in layer.items()}}
    for kind in API_ALARMS:
        if spec_alarms.get(kind) and data.get("api"):
            out[(kind, "api")] = {**defaults("alarms", kind), **spec_alarms[kind]}
    for kind in TABLE_ALARMS:
        for table in (data.get("tables") or {}) if spec_alarms.get(kind) else ():
            out[(kind, table)] = {**defaults("alarms", kind), **spec_alarms[kind]}
    return out
