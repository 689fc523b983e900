"""Validated document -> typed model. Every default and unit conversion lives here, once.

Defaults come from the schema's `default`s where it states them, so the reference docs, the
editor and the compiler agree.
"""
from __future__ import annotations

from typing import Any, Optional

from .model import Alarm, Alarms, Api, App, Archive, Function, Logs, Quota, Route, Throttling, UsagePlan
from .schema_errors import load_schema

DEFAULT_STAGE = "dev"
ALARM_KINDS = ("function_errors", "function_error_rate_percent", "function_throttles", "function_duration_ms",
               "api_4xx", "api_5xx", "api_latency_ms")


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


def _function(key: str, raw: dict) -> Function:
    d = {**_defaults("function"), **raw}
    env = tuple(sorted((k, _env_value(v)) for k, v in d.get("environment", {}).items()))
    return Function(key=key, handler=d["handler"], runtime=d["runtime"], architecture=d["architecture"],
                    memory_mb=int(d["memory_mb"]), timeout_s=int(d["timeout_s"]),
                    reserved_concurrency=None if d.get("reserved_concurrency") is None else int(d["reserved_concurrency"]),
                    environment=env, description=d.get("description", ""))


def _api(raw: Optional[dict]) -> Optional[Api]:
    if raw is None:
        return None
    d = {**_defaults("api"), **raw}
    routes = tuple(sorted(
        (Route(method=r["method"], path=r["path"], function=r["function"], api_key_required=bool(r.get("api_key_required", False)),
               throttling=_throttling(r.get("throttling"))) for r in d["routes"]),
        key=lambda r: (r.path, r.method)))
    plans = tuple(
        UsagePlan(key=name, description=p.get("description", ""), throttling=_throttling(p.get("throttling")),
                  quota=Quota(int(p["quota"]["limit"]), p["quota"]["period"]) if p.get("quota") else None,
                  api_keys=tuple(sorted(p.get("api_keys", []))))
        for name, p in sorted(d.get("usage_plans", {}).items()))
    return Api(endpoint=d["endpoint"].upper(), create_cloudwatch_role=d["cloudwatch_role"] == "create",
               throttling=_throttling(d.get("throttling")), routes=routes, usage_plans=plans)


def _logs(raw: Optional[dict]) -> Logs:
    d = {**_defaults("logs"), **(raw or {})}
    archive = {**_defaults("logs", "archive"), **d.get("archive", {})}
    return Logs(retention_days=int(d["retention_days"]),
                archive=Archive(int(archive["expire_after_days"]), int(archive["noncurrent_expire_after_days"])))


def _alarms(raw: Optional[dict]) -> Alarms:
    raw = raw or {}
    alarms = []
    for kind in ALARM_KINDS:
        if kind not in raw:
            continue
        d = {**_defaults("alarms", kind), **raw[kind]}
        alarms.append(Alarm(kind=kind, threshold=float(d["threshold"]), period_s=int(d["period_s"]),
                            evaluation_periods=int(d["evaluation_periods"]), statistic=d.get("statistic")))
    return Alarms(notify=tuple(sorted(raw.get("notify", []))), alarms=tuple(alarms))


def normalize(document: dict, *, stage: Optional[str] = None, spec_file: str = "") -> App:
    """The model of a document that passed validation. `stage` (flag or stack config) wins over the spec's."""
    return App(
        name=document["name"],
        stage=stage or document.get("stage") or DEFAULT_STAGE,
        region=document["region"],
        tags=tuple(sorted(document.get("tags", {}).items())),
        functions=tuple(_function(k, v) for k, v in sorted(document["functions"].items())),
        api=_api(document.get("api")),
        logs=_logs(document.get("logs")),
        alarms=_alarms(document.get("alarms")),
        spec_file=spec_file,
    )
