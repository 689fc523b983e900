"""The build step: model -> Pulumi resources. FACTORIES is the only place that knows the order.

`build` runs the same under the real engine (`__main__.py`) and under mocks (`plan.py`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pulumi

from .context import PACKAGE, BuildContext, new_context
from .factories import alarms, api, archive, dashboard, functions, security, shipping, tables, usage_plans, waf
from .model import App

Factory = Callable[[BuildContext, pulumi.Resource], None]

# Order matters: the key before anything encrypted, tables before the functions granted them,
# functions before the API that invokes them,
# the API before usage plans bound to its stage; log shipping and alarms come last because they
# consume what the others registered in the context.
FACTORIES: tuple[tuple[str, Factory], ...] = (
    ("security", security.build),
    ("archive", archive.build),
    ("tables", tables.build),
    ("functions", functions.build),
    ("api", api.build),
    ("usage_plans", usage_plans.build),
    ("waf", waf.build),
    ("shipping", shipping.build),
    ("alarms", alarms.build),
    ("dashboard", dashboard.build),
)


class AppComponent(pulumi.ComponentResource):
    """The root of one app in one region; every factory's component hangs under it."""

    def __init__(self, app: App, region: str):
        super().__init__(f"{PACKAGE}:index:App", f"{app.name}-{region}", None)


def build(app: App, project_root: Path, *, offline: bool = False) -> dict[str, pulumi.Input]:
    """Create every resource of `app` in its region; return the stack outputs. `offline` (plan)
    skips what needs the network, such as building dependency layers."""
    root = AppComponent(app, app.region)
    ctx = new_context(app, app.region, project_root, root, offline=offline)
    for _, factory in FACTORIES:
        factory(ctx, root)
    outputs = {"stage": app.stage, "region": app.region, **ctx.outputs}
    root.register_outputs(outputs)
    return outputs
