"""CloudWatch dashboard limits hold whatever the number of functions.

Limits (Amazon CloudWatch "Dashboard Body Structure and Syntax" and service quotas): 0 to 500
widgets per dashboard; 1 to 100 alarm ARNs per alarm-status widget; 500 metrics per widget and 2500
per dashboard. A body over them makes PutDashboard fail, and with it the whole `pulumi up`.
"""
from __future__ import annotations

import json
import pytest
import yaml

from compiler.factories.dashboard import Page, paginate
from compiler.plan import plan_file
from plan_support import ROOT, resources

WIDGETS_MAX, ALARMS_PER_WIDGET_MAX, METRICS_PER_WIDGET_MAX, METRICS_PER_DASHBOARD_MAX = 500, 100, 500, 2500
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTIONS = 200


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory) -> dict:
    """200 functions with two per-function alarm kinds: 400 function alarms plus the API's."""
    data = {"version": 1, "name": "big", "region": "eu-west-1",
            "functions": {f"fn{i:03d}": {"handler": "runtime_handlers.health.handler"} for i in range(FUNCTIONS)},
            "api": {"routes": [{"method": "GET", "path": "/health", "function": "fn000"}]},
            "alarms": {"function_errors": {"threshold": 1}, "function_throttles": {"threshold": 1}, "api_5xx": {"threshold": 1}}}
    spec = tmp_path_factory.mktemp("big") / "spec.yaml"
    spec.write_text(yaml.safe_dump(data), encoding="utf-8")
    return plan_file(str(spec), project_root=ROOT)


def _metrics(widget: dict) -> int:
    return len(widget["properties"].get("metrics", []))


def test_every_dashboard_of_a_200_function_app_respects_cloudwatchs_limits(big_plan):
    dashboards = resources(big_plan, DASHBOARD)
    assert dashboards
    for dashboard in dashboards:
        body = json.loads(dashboard["inputs"]["dashboardBody"])
        widgets = body["widgets"]
        assert 0 < len(widgets) <= WIDGETS_MAX
        assert sum(map(_metrics, widgets)) <= METRICS_PER_DASHBOARD_MAX
        for widget in widgets:
            assert _metrics(widget) <= METRICS_PER_WIDGET_MAX
            if widget["type"] == "alarm":
                assert 1 <= len(widget["properties"]["alarms"]) <= ALARMS_PER_WIDGET_MAX
            assert 0 <= widget["x"] and widget["x"] + widget["width"] <= 24
        name = dashboard["inputs"]["dashboardName"]
        assert len(name) <= 255 and all(c.isalnum() or c in "-_" for c in name)


def test_every_alarm_and_every_function_of_a_200_function_app_is_on_some_dashboard_once(big_plan):
    alarm_arns = sorted(a["outputs"]["arn"] for a in resources(big_plan, ALARM))
    assert len(alarm_arns) == 2 * FUNCTIONS + 1
    shown, functions = [], []
    for dashboard in resources(big_plan, DASHBOARD):
        for widget in json.loads(dashboard["inputs"]["dashboardBody"])["widgets"]:
            if widget["type"] == "alarm":
                shown += widget["properties"]["alarms"]
            for metric in widget["properties"].get("metrics", []):
                if metric[0] == "AWS/Lambda" and metric[1] == "Invocations":
                    functions.append(metric[3])
    assert sorted(shown) == alarm_arns
    assert sorted(functions) == sorted(big_plan["outputs"]["function_names"].values())


def test_the_dashboard_url_output_points_at_the_first_dashboard(big_plan):
    first = min(resources(big_plan, DASHBOARD), key=lambda d: len(d["inputs"]["dashboardName"]))
    assert big_plan["outputs"]["dashboard_url"].endswith(f"#dashboards/dashboard/{first['inputs']['dashboardName']}")


def _widget(metrics: int) -> dict:
    return {"type": "metric", "width": 12, "height": 6, "properties": {"metrics": [["AWS/Lambda", "Errors"]] * metrics}}


def test_paging_starts_a_new_dashboard_before_500_widgets_and_keeps_each_group_together():
    groups = [[_widget(1), _widget(1)] for _ in range(300)]  # 600 widgets
    pages = paginate(groups)
    assert len(pages) == 2
    # One slot per page is the header widget.
    assert [len(p.widgets) for p in pages] == [498, 102]
    assert all(len(p.widgets) % 2 == 0 for p in pages)


def test_paging_starts_a_new_dashboard_before_2500_metrics():
    groups = [[_widget(10)] for _ in range(300)]  # 300 widgets, 3000 metrics: the metric limit binds first
    pages = paginate(groups)
    assert [p.metrics for p in pages] == [2500, 500]


def test_a_page_is_never_empty_even_for_a_group_larger_than_the_limits():
    pages = paginate([[_widget(600)]])
    assert len(pages) == 1 and isinstance(pages[0], Page) and pages[0].widgets


def test_a_small_app_has_a_single_dashboard_named_with_its_region():
    document = plan_file("tests/golden/plan_minimal/spec.yaml", project_root=ROOT)
    [dashboard] = resources(document, DASHBOARD)
    assert dashboard["inputs"]["dashboardName"] == f"tiny-dev-{document['region']}"
