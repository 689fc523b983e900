"""Semantic checks of several regions, the custom domain, archive replication and provisioned
concurrency (what JSON Schema cannot say). Like checks.py, each check reads the raw document
defensively (the schema reported wrong types) and yields Diagnostics; they are registered in
checks.SEMANTIC_CHECKS.
"""
from __future__ import annotations

from typing import Iterator

from .check_support import CheckContext, _functions, _integer, _items, _mapping, _routes
from .errors import Diagnostic
from .loader import LoadedSpec


def _availability(spec: LoadedSpec) -> dict:
    return _mapping(spec.data.get("availability"))


def _regions(spec: LoadedSpec) -> list[str]:
    return [r for r in _items(_availability(spec).get("regions")) if isinstance(r, str)]


def check_availability_regions(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """`regions` includes the primary `region`; active-passive has exactly a primary and a secondary."""
    availability = _availability(spec)
    if not availability:
        return
    regions, region = _regions(spec), spec.data.get("region")
    if isinstance(region, str) and regions and region not in regions:
        yield spec.diagnostic(("availability", "regions"), "E332", f"availability.regions does not include the primary region '{region}'",
                              f"add {region} (the region that holds each table's primary copy), or change `region` to one of " + ", ".join(regions))
    if availability.get("mode") == "active-passive" and len(regions) != 2 and isinstance(availability.get("regions"), list):
        yield spec.diagnostic(("availability", "regions"), "E333", f"active-passive needs exactly 2 regions (a primary and a secondary), not {len(regions)}",
                              "list the primary first and the secondary second, or use mode: active-active for more regions")


def check_availability_needs(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Several regions need a domain (clients need one name) and a regional API; a domain needs a
    regional API too (a REGIONAL custom domain maps only REGIONAL APIs)."""
    availability, domain = _availability(spec), spec.data.get("domain")
    api = spec.data.get("api")
    if availability and domain is None:
        yield spec.diagnostic(("availability",), "E334", "availability with several regions needs `domain`: clients must call one name that DNS routes",
                              "add domain: {name: api.example.com, hosted_zone_id: Z...} (a public Route 53 zone holding the name)", key=True)
    for key in ("availability", "domain"):
        if spec.data.get(key) is None:
            continue
        if not isinstance(api, dict):
            yield spec.diagnostic((key,), "E334", f"`{key}` needs an `api`: it routes clients to the API", "add api.routes, or remove it", key=True)
        elif isinstance(api.get("endpoint"), str) and api["endpoint"] != "regional":
            yield spec.diagnostic(("api", "endpoint"), "E334", f"`{key}` needs api.endpoint: regional, not '{api['endpoint']}'",
                                  "a REGIONAL custom domain (and health-checked latency or failover records) maps regional APIs only")


def check_health_route(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """The health route is a GET route of the spec that Route 53 can call: no API key, no authorizer."""
    check = _mapping(_availability(spec).get("health_check"))
    path = check.get("route")
    if not isinstance(path, str):
        return
    where = ("availability", "health_check", "route")
    default_auth = _mapping(spec.data.get("api")).get("default_auth", "none")
    matches = [r for _, r in _routes(spec) if r.get("path") == path and r.get("method") in ("GET", "ANY")]
    if not matches:
        known = sorted({r.get("path") for _, r in _routes(spec) if r.get("method") in ("GET", "ANY") and isinstance(r.get("path"), str)})
        yield spec.diagnostic(where, "E335", f"health route '{path}' is not a GET route of the spec",
                              "GET routes: " + (", ".join(known) or "none") + "; Route 53 calls it with GET and no credentials")
        return
    route = matches[0]
    if route.get("api_key_required") is True:
        yield spec.diagnostic(where, "E335", f"health route '{path}' requires an API key; Route 53's checkers send none",
                              "set api_key_required: false on that route (keep it cheap and throttled)")
    if route.get("auth", default_auth) not in ("none", None):
        yield spec.diagnostic(where, "E335", f"health route '{path}' has an authorizer; Route 53's checkers send no credentials",
                              "set auth: none on that route")


def check_drain(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Drained regions are regions of the app, and at least one region stays routed."""
    availability = _availability(spec)
    drain = [r for r in _items(availability.get("drain")) if isinstance(r, str)]
    regions = _regions(spec)
    for i, region in enumerate(_items(availability.get("drain"))):
        if isinstance(region, str) and regions and region not in regions:
            yield spec.diagnostic(("availability", "drain", i), "E336", f"drained region '{region}' is not one of availability.regions",
                                  "regions: " + ", ".join(regions))
    if regions and drain and set(regions) <= set(drain):
        yield spec.diagnostic(("availability", "drain"), "E336", "every region is drained: DNS would send clients nowhere",
                              "leave at least one region out of drain")


def check_replicate_to(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """The archive replicates into one of the app's regions (several regions), or into another region (one)."""
    target = _mapping(_mapping(_mapping(spec.data.get("logs")).get("archive"))).get("replicate_to")
    if not isinstance(target, str):
        return
    where = ("logs", "archive", "replicate_to")
    regions = _regions(spec)
    if _availability(spec) and regions and target not in regions:
        yield spec.diagnostic(where, "E337", f"replicate_to '{target}' is not one of availability.regions",
                              "replicate into one of " + ", ".join(regions) + " (every other region's archive is copied there)")
    elif not _availability(spec) and target == spec.data.get("region"):
        yield spec.diagnostic(where, "E337", f"replicate_to '{target}' is the app's own region: the archive would replicate into itself",
                              "name another region (a replica archive is created there), or remove replicate_to")


def check_provisioned_concurrency(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """min <= max, and both fit in the function's reserved concurrency when it has one."""
    for name, function in _functions(spec).items():
        pc = _mapping(function.get("provisioned_concurrency"))
        low, high = _integer(pc.get("min")), _integer(pc.get("max"))
        where = ("functions", name, "provisioned_concurrency")
        if low is not None and high is not None and low > high:
            yield spec.diagnostic(where + ("min",), "E338", f"provisioned concurrency min {low} is above max {high}",
                                  "min is the floor autoscaling never goes below; it must be at most max")
        reserved = _integer(function.get("reserved_concurrency"))
        if reserved is not None and high is not None and high > reserved:
            yield spec.diagnostic(where + ("max",), "E338", f"provisioned concurrency max {high} is above the function's reserved concurrency {reserved}",
                                  f"provisioned executions come out of the reserved ones: max at most {reserved}, or reserve more")


def check_global_table_streams(spec: LoadedSpec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Global tables replicate through a NEW_AND_OLD_IMAGES stream; another view type cannot be kept."""
    if len(_regions(spec)) < 2:
        return
    for name, table in _mapping(spec.data.get("tables")).items():
        stream = _mapping(table).get("stream")
        if isinstance(stream, str) and stream != "new_and_old_images":
            yield spec.diagnostic(("tables", name, "stream"), "E339", f"table '{name}' sets stream '{stream}', but a global table's stream is new_and_old_images",
                                  "remove stream (it is set for you with several regions) or set it to new_and_old_images")
