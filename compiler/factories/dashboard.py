"""One CloudWatch dashboard built from the model: per function invocations, errors, throttles and
duration p50/p99; for the API count, 4xx, 5xx and latency p50/p99; and every alarm's state."""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from .base import Component

WIDTH, HEIGHT, COLUMNS = 12, 6, 24


def _metric_widget(title: str, region: str, metrics: list, *, stat: str = "Sum", period: int = 60) -> dict:
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": {
        "title": title, "region": region, "view": "timeSeries", "stacked": False, "stat": stat, "period": period,
        "metrics": metrics}}


def widgets(ctx: BuildContext, alarm_arns: list[str], api_name: str | None) -> list[dict]:
    """Widgets in reading order; positions are assigned by `layout`."""
    region, out = ctx.region, []
    out.append({"type": "text", "width": COLUMNS, "height": 2, "properties": {"markdown":
               f"# {ctx.app.name} ({ctx.app.stage}, {region})\nGenerated from `{ctx.app.spec_file or 'the spec'}`. "
               f"Logs are archived in S3 under `logs/<source>/`."}})
    if alarm_arns:
        out.append({"type": "alarm", "width": COLUMNS, "height": 4, "properties": {
            "title": "Alarm status", "alarms": alarm_arns, "sortBy": "stateUpdatedTimestamp"}})
    if api_name:
        dims = ["ApiName", api_name, "Stage", ctx.app.stage]
        out.append(_metric_widget("API requests and errors", region, [
            ["AWS/ApiGateway", "Count", *dims], [".", "4XXError", *dims], [".", "5XXError", *dims]]))
        out.append(_metric_widget("API latency (ms)", region, [
            ["AWS/ApiGateway", "Latency", *dims, {"stat": "p50", "label": "p50"}],
            [".", "Latency", *dims, {"stat": "p99", "label": "p99"}]], stat="p99"))
    for fn in ctx.app.functions:
        name = ctx.naming.function(fn.key)
        dims = ["FunctionName", name]
        out.append(_metric_widget(f"{fn.key}: invocations, errors, throttles", region, [
            ["AWS/Lambda", "Invocations", *dims], [".", "Errors", *dims], [".", "Throttles", *dims]]))
        out.append(_metric_widget(f"{fn.key}: duration (ms)", region, [
            ["AWS/Lambda", "Duration", *dims, {"stat": "p50", "label": "p50"}],
            [".", "Duration", *dims, {"stat": "p99", "label": "p99"}]], stat="p99"))
    return out


def layout(items: list[dict]) -> list[dict]:
    """Flow widgets left to right on CloudWatch's 24-column grid."""
    x = y = row_height = 0
    placed = []
    for widget in items:
        if x + widget["width"] > COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        placed.append({**widget, "x": x, "y": y})
        x += widget["width"]
        row_height = max(row_height, widget["height"])
    return placed


class Dashboard(Component):
    kind = "Dashboard"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("dashboard", ctx, parent)
        api_name = ctx.rest_api.name if ctx.rest_api is not None else None
        body = pulumi.Output.all(alarms=[alarm.arn for alarm in ctx.alarms], api=api_name).apply(
            lambda v: json.dumps({"widgets": layout(widgets(ctx, v["alarms"], v["api"]))}, sort_keys=True))
        self.dashboard = aws.cloudwatch.Dashboard(self.child("dashboard"), dashboard_name=ctx.dashboard_name,
                                                  dashboard_body=body, opts=self.opts())
        ctx.outputs["dashboard_url"] = ctx.dashboard_url
        self.register_outputs({"url": ctx.dashboard_url})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    Dashboard(ctx, parent)
