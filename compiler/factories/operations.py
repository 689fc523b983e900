"""The operations dashboard of a multi-region app: one page (in the global part) with the health
checks first, then a section per region (API traffic, errors and latency; alarm states), each
linking that region's detailed dashboard. The detailed per-region dashboards stay as they are.

Route 53 health-check metrics exist only in us-east-1; a widget's `region` says where to read.
"""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import GLOBAL_REGION, Fleet
from .base import Component
from .dashboard import COLUMNS, _metric_widget, alarm_widgets, layout


def body(fleet: Fleet, api_names: dict[str, str], health_ids: dict[str, str], alarm_arns: dict[str, list[str]]) -> str:
    app = fleet.app
    routed = app.availability.routed()
    widgets = [{"type": "text", "width": COLUMNS, "height": 2, "properties": {"markdown":
               f"# {app.name} ({app.stage}): {app.availability.mode} in {', '.join(app.availability.regions)}\n"
               f"DNS routes to: {', '.join(routed) or 'no region'}"
               + (f"; drained: {', '.join(app.availability.drain)}" if app.availability.drain else "")
               + ". Failover runbook: README, 'Several regions'."}},
               _metric_widget("Health checks (1 = healthy)", GLOBAL_REGION,
                              [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", health_ids[r], {"label": r}] for r in health_ids],
                              stat="Minimum")]
    for region, ctx in fleet.regions.items():
        widgets.append({"type": "text", "width": COLUMNS, "height": 1, "properties": {"markdown":
                        f"## {region}{' (drained)' if region in app.availability.drain else ''} - "
                        f"[detailed dashboard]({ctx.dashboard_url})"}})
        if region in api_names:
            dims = ["ApiName", api_names[region], "Stage", app.stage]
            widgets += [
                _metric_widget(f"{region}: API requests and errors", region, [
                    ["AWS/ApiGateway", "Count", *dims], [".", "4XXError", *dims], [".", "5XXError", *dims]]),
                _metric_widget(f"{region}: API latency (ms)", region, [
                    ["AWS/ApiGateway", "Latency", *dims, {"stat": "p50", "label": "p50"}],
                    [".", "Latency", *dims, {"stat": "p99", "label": "p99"}]], stat="p99")]
        widgets += alarm_widgets(alarm_arns.get(region, []))
    return json.dumps({"widgets": layout(widgets)}, sort_keys=True)


class OperationsDashboard(Component):
    kind = "OperationsDashboard"

    def __init__(self, fleet: Fleet):
        g = fleet.global_ctx
        super().__init__("operations", g, g.root)
        apis = {r: ctx.rest_api.name for r, ctx in fleet.regions.items() if ctx.rest_api is not None}
        checks = {r: ctx.health_check.id for r, ctx in fleet.regions.items() if ctx.health_check is not None}
        alarms = {r: [a.arn for a in ctx.alarms] for r, ctx in fleet.regions.items()}
        name = g.naming.dashboard()
        aws.cloudwatch.Dashboard(
            self.child("dashboard"), dashboard_name=name,
            dashboard_body=pulumi.Output.all(apis, checks, alarms).apply(lambda v: body(fleet, v[0], v[1], v[2])),
            opts=self.opts())
        g.outputs["operations_dashboard_url"] = (f"https://{GLOBAL_REGION}.console.aws.amazon.com/cloudwatch/home?region={GLOBAL_REGION}"
                                                 f"#dashboards/dashboard/{name}")
        self.register_outputs({})


def build(fleet: Fleet) -> None:
    if fleet.app.availability is not None:
        OperationsDashboard(fleet)
