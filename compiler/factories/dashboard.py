"""CloudWatch dashboards built from the model: per function invocations, errors, throttles and
duration p50/p99; for the API count, 4xx, 5xx and latency p50/p99; per table consumed capacity and
throttled events; and every alarm's state.

CloudWatch's documented limits decide the layout, so `PutDashboard` never fails as the spec grows:
at most 100 alarms per alarm-status widget (more become several widgets), 500 widgets and 2500
metrics per dashboard (more become further dashboards `<name>-2`, `<name>-3`, ..., each page
linking the others). A function's widgets always stay on one page.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from .base import Component

WIDTH, HEIGHT, COLUMNS = 12, 6, 24
# CloudWatch dashboard limits (Dashboard Body Structure and Syntax; CloudWatch service quotas).
ALARMS_PER_WIDGET = 100
WIDGETS_PER_DASHBOARD = 500
METRICS_PER_DASHBOARD = 2500
# Not documented as a number; PutDashboard rejects oversized bodies. Pages stay far below this
# (a full page of our widgets is about 250 KB), and a test checks the largest page of a big spec.
BODY_BUDGET_BYTES = 1_000_000


def _metric_widget(title: str, region: str, metrics: list, *, stat: str = "Sum", period: int = 60) -> dict:
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": {
        "title": title, "region": region, "view": "timeSeries", "stacked": False, "stat": stat, "period": period,
        "metrics": metrics}}


def alarm_widgets(alarm_arns: list[str]) -> list[dict]:
    """Alarm-status widgets of at most 100 alarms each."""
    chunks = [alarm_arns[i:i + ALARMS_PER_WIDGET] for i in range(0, len(alarm_arns), ALARMS_PER_WIDGET)]
    return [{"type": "alarm", "width": COLUMNS, "height": 2 + (len(chunk) + 5) // 6, "properties": {
        "title": "Alarm status" + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else ""),
        "alarms": chunk, "sortBy": "stateUpdatedTimestamp"}} for n, chunk in enumerate(chunks)]


def sections(ctx: BuildContext, alarm_arns: list[str], api_name: str | None) -> list[list[dict]]:
    """Widgets in reading order, in groups that stay on one page: the alarms, the API, each function."""
    region, out = ctx.region, []
    if alarm_arns:
        out.append(alarm_widgets(alarm_arns))
    if api_name:
        dims = ["ApiName", api_name, "Stage", ctx.app.stage]
        out.append([
            _metric_widget("API requests and errors", region, [
                ["AWS/ApiGateway", "Count", *dims], [".", "4XXError", *dims], [".", "5XXError", *dims]]),
            _metric_widget("API latency (ms)", region, [
                ["AWS/ApiGateway", "Latency", *dims, {"stat": "p50", "label": "p50"}],
                [".", "Latency", *dims, {"stat": "p99", "label": "p99"}]], stat="p99")])
    for fn in ctx.app.functions:
        dims = ["FunctionName", ctx.naming.function(fn.key)]
        out.append([
            _metric_widget(f"{fn.key}: invocations, errors, throttles", region, [
                ["AWS/Lambda", "Invocations", *dims], [".", "Errors", *dims], [".", "Throttles", *dims]]),
            _metric_widget(f"{fn.key}: duration (ms)", region, [
                ["AWS/Lambda", "Duration", *dims, {"stat": "p50", "label": "p50"}],
                [".", "Duration", *dims, {"stat": "p99", "label": "p99"}]], stat="p99")])
    if ctx.waf_name:
        dims = ["WebACL", ctx.waf_name, "Region", region, "Rule", "ALL"]
        out.append([_metric_widget("WAF: blocked and allowed requests", region, [
            ["AWS/WAFV2", "BlockedRequests", *dims], [".", "AllowedRequests", *dims]])])
    for key in ctx.tables:
        dims = ["TableName", ctx.naming.physical(key, 255)]
        out.append([_metric_widget(f"table {key}: capacity consumed and throttled", region, [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", *dims], [".", "ConsumedWriteCapacityUnits", *dims],
            [".", "ReadThrottleEvents", *dims], [".", "WriteThrottleEvents", *dims]])])
    return out


def _metrics(widget: dict) -> int:
    return len(widget["properties"].get("metrics", []))


@dataclass
class Page:
    widgets: list[dict] = field(default_factory=list)
    metrics: int = 0

    def fits(self, group: list[dict]) -> bool:
        # One widget of every page is its header.
        return (len(self.widgets) + len(group) + 1 <= WIDGETS_PER_DASHBOARD
                and self.metrics + sum(map(_metrics, group)) <= METRICS_PER_DASHBOARD)


def paginate(groups: list[list[dict]]) -> list[Page]:
    """Groups onto as few pages as the limits allow, in order; always at least one page."""
    pages = [Page()]
    for group in groups:
        if not pages[-1].fits(group) and pages[-1].widgets:
            pages.append(Page())
        pages[-1].widgets.extend(group)
        pages[-1].metrics += sum(map(_metrics, group))
    return pages


def page_names(ctx: BuildContext, count: int) -> list[str]:
    first = ctx.dashboard_name
    return [first] + [f"{first}-{n}" for n in range(2, count + 1)]


def header(ctx: BuildContext, names: list[str], index: int) -> dict:
    others = ", ".join(f"`{name}`" for n, name in enumerate(names) if n != index)
    more = f" Page {index + 1} of {len(names)}; the others: {others}." if len(names) > 1 else ""
    return {"type": "text", "width": COLUMNS, "height": 2, "properties": {"markdown":
            f"# {ctx.app.name} ({ctx.app.stage}, {ctx.region})\nGenerated from `{ctx.app.spec_file or 'the spec'}`. "
            f"Logs are archived in S3 under `logs/<source>/`.{more}"}}


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


def bodies(ctx: BuildContext, alarm_arns: list[str], api_name: str | None) -> list[str]:
    """The dashboard bodies, one per page, as PutDashboard takes them."""
    pages = paginate(sections(ctx, alarm_arns, api_name))
    names = page_names(ctx, len(pages))
    out = []
    for index, page in enumerate(pages):
        body = json.dumps({"widgets": layout([header(ctx, names, index), *page.widgets])}, sort_keys=True)
        if len(body.encode()) > BODY_BUDGET_BYTES:
            raise ValueError(f"dashboard {names[index]} body is {len(body.encode())} bytes, over {BODY_BUDGET_BYTES}")
        out.append(body)
    return out


def page_count(ctx: BuildContext) -> int:
    """How many dashboards the app needs: known before deploy (alarm ARNs only fill widgets)."""
    placeholder_arns = ["" for _ in ctx.alarms]
    api_name = "" if ctx.rest_api is not None else None
    return len(paginate(sections(ctx, placeholder_arns, api_name)))


class Dashboard(Component):
    kind = "Dashboard"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("dashboard", ctx, parent)
        api_name = ctx.rest_api.name if ctx.rest_api is not None else None
        rendered = pulumi.Output.all(alarms=[alarm.arn for alarm in ctx.alarms], api=api_name).apply(
            lambda v: bodies(ctx, v["alarms"], v["api"]))
        names = page_names(ctx, page_count(ctx))
        self.dashboards = [
            aws.cloudwatch.Dashboard(self.child("dashboard" if n == 0 else f"dashboard-{n + 1}"), dashboard_name=name,
                                     dashboard_body=rendered.apply(lambda pages, n=n: pages[n]), opts=self.opts())
            for n, name in enumerate(names)]
        ctx.outputs["dashboard_url"] = ctx.dashboard_url
        self.register_outputs({"url": ctx.dashboard_url, "dashboards": names})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    Dashboard(ctx, parent)
