"""Validated document -> typed model. Every default and unit conversion lives here, once.

Defaults come from the schema's `default`s where it states them, so the reference docs, the
editor and the compiler agree.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from . import stages
from .model import (Alarm, Alarms, Api, ApiLogging, App, Archive, Authorizer, Autoscale, Availability, Cors, Domain, Function, HealthCheck,
                    Index, KeyAttribute, Logs, Permission, ProvisionedConcurrency, Quota, Route, Secret, Table, Throttling, UsagePlan,
                    Uses, Waf)
from .schema_errors import load_schema

FUNCTION_ALARM_KINDS = ("function_errors", "function_error_rate_percent", "function_throttles", "function_duration_ms")
API_ALARM_KINDS = ("api_4xx", "api_5xx", "api_latency_ms")
TABLE_ALARM_KINDS = ("table_throttles", "table_system_errors")
ALARM_KINDS = FUNCTION_ALARM_KINDS + API_ALARM_KINDS + TABLE_ALARM_KINDS
# functions.<name>.alarms.<key> overrides alarms.function_<key>.
FUNCTION_ALARM_PREFIX = "function_"


def _resolve(node: dict) -> dict:
    if "$ref" in node:
        return {**load_schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _defaults(*path: str) -> dict:
    """The `default` of each property of the schema object at `path` (a property path, or a $defs name)."""
    schema = load_schema()
    node: dict = schema
    for part in path:
        node = _resolve(node["properties"][part] if part in node.get("properties", {}) else schema["$defs"][part])
    properties = {k: _resolve(v) for k, v in node.get("properties", {}).items()}
    return {k: v["default"] for k, v in properties.items() if "default" in v}


def _throttling(raw: Optional[dict]) -> Optional[Throttling]:
    return Throttling(float(raw["rate_limit"]), int(raw["burst_limit"])) if raw else None


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _alarm(kind: str, *layers: dict) -> Alarm:
    """An alarm from the schema's defaults with `layers` merged over them, later layers winning."""
    d: dict = _defaults("alarms", kind)
    for layer in layers:
        d = {**d, **layer}
    return Alarm(kind=kind, threshold=float(d["threshold"]), period_s=int(d["period_s"]),
                 evaluation_periods=int(d["evaluation_periods"]), statistic=d.get("statistic"))


def _function_alarm_layers(spec_alarms: dict, fn_alarms: dict) -> dict[str, list[dict]]:
    """kind -> the raw layers (spec-wide, then the function's own) of each function_* alarm a
    function gets: a kind either sets is created, fields merge with the function's winning."""
    out = {}
    for kind in FUNCTION_ALARM_KINDS:
        layers = [layer for layer in (spec_alarms.get(kind), fn_alarms.get(kind[len(FUNCTION_ALARM_PREFIX):])) if isinstance(layer, dict)]
        if layers:
            out[kind] = layers
    return out


def _function(key: str, raw: dict, spec_alarms: dict) -> Function:
    d = {**_defaults("function"), **raw}
    env = tuple(sorted((k, _env_value(v)) for k, v in d.get("environment", {}).items()))
    alarms = tuple(_alarm(kind, *layers) for kind, layers in _function_alarm_layers(spec_alarms, d.get("alarms", {})).items())
    return Function(key=key, handler=d["handler"], runtime=d["runtime"], architecture=d["architecture"],
                    memory_mb=int(d["memory_mb"]), timeout_s=int(d["timeout_s"]),
                    reserved_concurrency=None if d.get("reserved_concurrency") is None else int(d["reserved_concurrency"]),
                    environment=env, description=d.get("description", ""), alarms=alarms,
                    code=d["code"], requirements=d.get("requirements"), uses=_uses(d.get("uses", {})),
                    provisioned_concurrency=_provisioned(d.get("provisioned_concurrency")))


def _provisioned(raw: Optional[dict]) -> Optional[ProvisionedConcurrency]:
    if raw is None:
        return None
    d = {**_defaults("function", "provisioned_concurrency"), **raw}
    return ProvisionedConcurrency(int(d["min"]), int(d["max"]), int(d["target_utilization_percent"]))


def _uses(raw: dict) -> Uses:
    return Uses(tables=tuple(sorted(raw.get("tables", {}).items())), secrets=tuple(sorted(raw.get("secrets", []))),
                permissions=tuple(Permission(tuple(sorted(p["actions"])), tuple(sorted(p["resources"]))) for p in raw.get("permissions", [])))


def _key(raw: Optional[dict]) -> Optional[KeyAttribute]:
    return KeyAttribute(raw["name"], raw["type"]) if raw else None


def _table(key: str, raw: dict) -> Table:
    d = {**_defaults("table"), **raw}
    capacity = d.get("capacity") or {}
    autoscale = d.get("autoscale")
    indexes = tuple(Index(name, _key(i["partition_key"]), _key(i.get("sort_key")), i.get("projection", "all").upper())
                    for name, i in sorted(d.get("indexes", {}).items()))
    return Table(key=key, partition_key=_key(d["partition_key"]), sort_key=_key(d.get("sort_key")),
                 provisioned=d["billing"] == "provisioned", read_capacity=capacity.get("read"), write_capacity=capacity.get("write"),
                 autoscale=Autoscale(autoscale["max_read"], autoscale["max_write"], int(autoscale.get("target_utilization_percent", 70)))
                 if autoscale else None,
                 ttl_attribute=d.get("ttl_attribute"), point_in_time_recovery=bool(d["point_in_time_recovery"]),
                 stream=d["stream"].upper() if d.get("stream") else None, indexes=indexes)


def _secret(key: str, raw: dict) -> Secret:
    return Secret(key=key, ssm_parameter=raw.get("ssm_parameter"), secrets_manager=raw.get("secrets_manager"), kms_key=raw.get("kms_key"))


def _body_model(project_root: Optional[Path], file: Optional[str]) -> Optional[str]:
    """The body schema's JSON as canonical text (validation checked that it exists and parses)."""
    if file is None:
        return None
    if project_root is None:
        raise ValueError(f"body_schema {file} needs the project root to be read")
    return json.dumps(json.loads((project_root / file).read_text(encoding="utf-8")), sort_keys=True, separators=(",", ":"))


def _route(r: dict, default_auth: str, project_root: Optional[Path]) -> Route:
    auth = r.get("auth", default_auth)
    return Route(method=r["method"], path=r["path"], function=r["function"], api_key_required=bool(r.get("api_key_required", False)),
                 throttling=_throttling(r.get("throttling")), auth=None if auth == "none" else auth,
                 scopes=tuple(r.get("scopes", ())), body_schema=r.get("body_schema"),
                 body_model=_body_model(project_root, r.get("body_schema")))


def _authorizer(key: str, raw: dict) -> Authorizer:
    d = {**_defaults("authorizer"), **raw}
    identity = tuple(part.strip() for part in d["identity"].split(",")) if d["type"] == "lambda" else ()
    return Authorizer(key=key, type=d["type"], user_pool_arns=tuple(d.get("user_pool_arns", ())), function=d.get("function"),
                      identity=identity, cache_ttl_s=int(d["cache_ttl_s"]))


def _cors(raw: Optional[dict]) -> Optional[Cors]:
    if raw is None:
        return None
    d = {**_defaults("api", "cors"), **raw}
    return Cors(tuple(d["allow_origins"]), tuple(d["allow_headers"]), tuple(d["expose_headers"]), int(d["max_age_s"]),
                bool(d["allow_credentials"]))


def _api(raw: Optional[dict], project_root: Optional[Path] = None) -> Optional[Api]:
    if raw is None:
        return None
    d = {**_defaults("api"), **raw}
    routes = tuple(sorted((_route(r, d["default_auth"], project_root) for r in d["routes"]), key=lambda r: (r.path, r.method)))
    plans = tuple(
        UsagePlan(key=name, description=p.get("description", ""), throttling=_throttling(p.get("throttling")),
                  quota=Quota(int(p["quota"]["limit"]), p["quota"]["period"]) if p.get("quota") else None,
                  api_keys=tuple(sorted(p.get("api_keys", []))))
        for name, p in sorted(d.get("usage_plans", {}).items()))
    logging = {**_defaults("api", "logging"), **d.get("logging", {})}
    waf = d.get("waf")
    return Api(endpoint=d["endpoint"].upper(), create_cloudwatch_role=d["cloudwatch_role"] == "create",
               throttling=_throttling(d.get("throttling")), routes=routes, usage_plans=plans,
               logging=ApiLogging(logging["execution"], bool(logging["data_trace"]), bool(logging["detailed_metrics"])),
               cors=_cors(d.get("cors")),
               authorizers=tuple(_authorizer(k, v) for k, v in sorted(d.get("authorizers", {}).items())),
               waf=Waf(tuple(waf.get("managed_rules", ())), waf.get("rate_limit_per_ip"), waf.get("web_acl_arn")) if waf else None)


def _logs(raw: Optional[dict]) -> Logs:
    d = {**_defaults("logs"), **(raw or {})}
    archive = {**_defaults("logs", "archive"), **d.get("archive", {})}
    return Logs(retention_days=int(d["retention_days"]),
                archive=Archive(int(archive["expire_after_days"]), int(archive["noncurrent_expire_after_days"]), archive.get("replicate_to")))


# Route 53's checkers call the health route every few seconds from each checker region; a throttle
# of its own keeps a flood elsewhere on the API from failing the health check (429) and keeps the
# checks from eating the stage-wide limit. Far above what the checkers send (about one request a
# second with three checker regions at a 10 s interval), far below the account's default.
HEALTH_ROUTE_THROTTLING = Throttling(rate_limit=10.0, burst_limit=20)


def _availability(raw: Optional[dict]) -> Optional[Availability]:
    if raw is None:
        return None
    check = {**_defaults("availability", "health_check"), **raw["health_check"]}
    return Availability(mode=raw["mode"], regions=tuple(raw["regions"]),
                        health_check=HealthCheck(check["route"], check["match"], int(check["interval_s"]), int(check["failure_threshold"]),
                                                 tuple(check["checker_regions"])),
                        drain=tuple(raw.get("drain", ())))


def _with_health_throttle(api: Optional[Api], availability: Optional[Availability]) -> Optional[Api]:
    """The health route's own throttle, unless the spec gives it one."""
    if api is None or availability is None:
        return api
    route = availability.health_check.route
    routes = tuple(replace(r, throttling=HEALTH_ROUTE_THROTTLING) if r.path == route and r.method in ("GET", "ANY") and r.throttling is None else r
                   for r in api.routes)
    return replace(api, routes=routes)


def _alarms(raw: dict) -> Alarms:
    alarms = tuple(_alarm(kind, raw[kind]) for kind in ALARM_KINDS if kind in raw)
    return Alarms(notify=tuple(sorted(raw.get("notify", []))), alarms=alarms)


def normalize(document: dict, *, stage: str, spec_file: str = "", project_root: Optional[Path] = None) -> App:
    """The model of `stage` of a document that passed validation: the stage's overrides merged in.
    The caller chose the stage (stages.py says how) and checked that the spec declares it.
    `project_root` is where files the spec names (request body schemas) are read."""
    document = stages.apply(document, stage)
    spec_alarms = document.get("alarms", {})
    return App(
        name=document["name"],
        stage=stage,
        region=document["region"],
        tags=tuple(sorted(document.get("tags", {}).items())),
        functions=tuple(_function(k, v, spec_alarms) for k, v in sorted(document["functions"].items())),
        api=_with_health_throttle(_api(document.get("api"), project_root), _availability(document.get("availability"))),
        logs=_logs(document.get("logs")),
        alarms=_alarms(spec_alarms),
        protect=bool(document.get("protect", False)),
        tables=tuple(_table(k, v) for k, v in sorted(document.get("tables", {}).items())),
        secrets=tuple(_secret(k, v) for k, v in sorted(document.get("secrets", {}).items())),
        domain=Domain(document["domain"]["name"], document["domain"]["hosted_zone_id"]) if document.get("domain") else None,
        availability=_availability(document.get("availability")),
        spec_file=spec_file,
    )
