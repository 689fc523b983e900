"""The build step: model -> Pulumi resources. FACTORIES and GLOBAL_FACTORIES are the only places
that know the order.

Every region of the app is a full copy built by the same FACTORIES through its own context and
explicit provider, the primary region (`region`) first: it holds each table's primary copy that
the other regions replicate. Then GLOBAL_FACTORIES build what spans regions (archive
replication, health checks, DNS records, the health alarms and the operations dashboard), fed by
every region's context.

`build` runs the same under the real engine (`__main__.py`) and under mocks (`plan.py`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pulumi

from .context import GLOBAL_LABEL, GLOBAL_REGION, PACKAGE, BuildContext, Fleet, new_context
from .factories import (alarms, api, archive, dashboard, domain, functions, global_health, operations, replication, security, shipping,
                        tables, usage_plans, waf)
from .model import App

Factory = Callable[[BuildContext, pulumi.Resource], None]
GlobalFactory = Callable[[Fleet], None]

# Order matters: the key before anything encrypted, tables before the functions granted them,
# functions before the API that invokes them, the API before its custom domain and the usage plans
# bound to its stage; log shipping and alarms come last because they consume what the others
# registered in the context.
FACTORIES: tuple[tuple[str, Factory], ...] = (
    ("security", security.build),
    ("archive", archive.build),
    ("tables", tables.build),
    ("functions", functions.build),
    ("api", api.build),
    ("domain", domain.build),
    ("usage_plans", usage_plans.build),
    ("waf", waf.build),
    ("shipping", shipping.build),
    ("alarms", alarms.build),
    ("dashboard", dashboard.build),
)

# After every region: replication needs both archives, DNS needs every region's domain name and
# health check, the operations dashboard every region's API.
GLOBAL_FACTORIES: tuple[tuple[str, GlobalFactory], ...] = (
    ("replication", replication.build),
    ("health", global_health.build),
    ("operations", operations.build),
)


class AppComponent(pulumi.ComponentResource):
    """The root of one app in one region (or of its global part); every factory's component hangs under it."""

    def __init__(self, app: App, label: str):
        super().__init__(f"{PACKAGE}:index:App", f"{app.name}-{label}", None)


def new_fleet(app: App, project_root: Path, offline: bool) -> Fleet:
    """The fleet, with its global context when the app has a global part, and one generated value
    per API key when several regions must accept the same keys."""
    fleet = Fleet(app=app)
    if app.has_global_part:
        root = AppComponent(app, GLOBAL_LABEL)
        fleet.global_ctx = new_context(app, GLOBAL_REGION, project_root, root, offline=offline, fleet=fleet, label=GLOBAL_LABEL)
    if app.multi_region and app.api is not None and any(plan.api_keys for plan in app.api.usage_plans):
        from .factories import api_key_values

        fleet.api_key_values = api_key_values.generate(fleet.global_ctx)
    return fleet


def build_region(app: App, region: str, project_root: Path, fleet: Fleet, *, offline: bool,
                 factories: tuple[tuple[str, Factory], ...] = FACTORIES) -> BuildContext:
    root = AppComponent(app, region)
    ctx = new_context(app, region, project_root, root, offline=offline, fleet=fleet)
    for _, factory in factories:
        factory(ctx, root)
    root.register_outputs({"stage": app.stage, "region": region, **ctx.outputs})
    return ctx


def build(app: App, project_root: Path, *, offline: bool = False) -> dict[str, pulumi.Input]:
    """Create every resource of `app` in each of its regions and its global part; return the stack
    outputs. `offline` (plan) skips what needs the network, such as building dependency layers."""
    fleet = new_fleet(app, project_root, offline)
    for region in app.regions:
        fleet.regions[region] = build_region(app, region, project_root, fleet, offline=offline)
    for _, factory in GLOBAL_FACTORIES:
        factory(fleet)
    return stack_outputs(fleet)


def stack_outputs(fleet: Fleet) -> dict[str, pulumi.Input]:
    """The primary region's outputs at the top (one-region stacks keep their outputs as they were);
    with several regions, `regions` maps each to its own outputs and health check, and the global
    part adds the domain URL, the health alarm topic and the operations dashboard."""
    app = fleet.app
    primary = fleet.regions[app.region]
    outputs: dict[str, pulumi.Input] = {"stage": app.stage, "region": app.region, **primary.outputs}
    if fleet.global_ctx is not None:
        outputs.update(fleet.global_ctx.outputs)
    if app.multi_region:
        # Each region's own outputs (as a one-region stack would give them) and its health check.
        outputs["regions"] = {region: {**ctx.outputs, **({"health_check_id": ctx.health_check.id} if ctx.health_check is not None else {})}
                              for region, ctx in fleet.regions.items()}
    return outputs
