"""Behaviour pinned outside the golden plans, written against the survivors of a random sample of
mutants over the whole of compiler/ and runtime_handlers/ (bench/mutation.py --sample 80 --seed 13).

Expected values come from the AWS documentation, the YAML specification, the README's contract for
`serve` and `docs`, and the raw spec text; never from the code under test. Each test computes what
it checks itself (no module fixture, no plan cache): mutmut ties a test to the functions that ran
during that test, so a plan built once for the module would tie only its first test.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from compiler.__main__ import EXIT_OK, EXIT_SPEC, main
from compiler.docs import render_reference
from compiler.errors import SpecError
from compiler.factories.dashboard import layout
from compiler.loader import load_text
from compiler.model import Api, Cors, Route
from compiler.openapi_export import clean_document
from compiler.plan import plan_file
from compiler.serve.banner import banner
from compiler.serve.gateway import Gateway
from compiler.serve.keys import ApiKeys
from compiler.serve.limits import FakeClock
from compiler.serve.load import load_app
from compiler.serve.logs import LogSink
from compiler.serve.routing import Router
from compiler.validate import spec_path_in_project, validate_file

ROOT = Path(__file__).resolve().parent.parent
API_SURFACE = ROOT / "tests" / "golden" / "plan_api_surface" / "spec.yaml"
ACTIVE_ACTIVE = ROOT / "tests" / "golden" / "plan_two_regions_active_active" / "spec.yaml"

# AWS General Reference, "Amazon API Gateway endpoints and quotas": the Route 53 hosted zone of
# API Gateway's regional endpoints, which an alias record to a regional custom domain names.
API_GATEWAY_REGIONAL_ZONE = {"eu-west-1": "ZLY8HYME6SFDD", "us-east-1": "Z1UJRXOUMOOFQ8"}


# --- python -m compiler docs --check --------------------------------------------------------------

def test_docs_check_passes_on_an_up_to_date_reference_and_fails_on_a_stale_one(tmp_path, capsys):
    """`docs --check` reads the existing reference (UTF-8, as it is written) and exits 0 when it
    matches what would be rendered, 1 when it does not (kills a wrong encoding for the read, which
    turned an up-to-date file into an internal error)."""
    reference = tmp_path / "spec-reference.md"
    reference.write_text(render_reference(), encoding="utf-8")
    assert main(["docs", "--check", "--output", str(reference)]) == EXIT_OK
    reference.write_text(render_reference() + "\nedited by hand\n", encoding="utf-8")
    assert main(["docs", "--check", "--output", str(reference)]) == EXIT_SPEC
    assert "is stale" in capsys.readouterr().err


# --- YAML syntax errors -------------------------------------------------------------------------

def test_an_escaped_double_quote_does_not_end_the_string_when_looking_for_the_closing_bracket():
    """In a double-quoted YAML scalar `\\"` is an escaped quote, not the end (YAML 1.2, 7.3.1
    Double-Quoted Style); so the ']' after it is text, the flow mapping is closed, and the error is
    the missing ',' where the parser stopped, not "never closed" at the '{' (kills the escape check
    comparing the quote with another string)."""
    with pytest.raises(SpecError) as raised:
        load_text('version: 1\nalarms: {\n  a: "x\\"]"\n  b: 2}\n', "spec.yaml")
    [d] = raised.value.diagnostics
    assert (d.line, d.col, d.code) == (4, 3, "E101")
    assert "never closed" not in d.message and "never closed" not in d.hint


# --- serve ----------------------------------------------------------------------------------------

def test_the_preflight_of_a_greedy_resource_lists_that_resources_methods():
    """The CORS preflight's Allow-Methods are the methods of the resource the request reached,
    greedy `{proxy+}` resources included (kills indexing past the (name, node) pair of a greedy
    child, which failed every preflight under a greedy path)."""
    cors = Cors(("https://a.example",), ("content-type",), (), 600, False)
    routes = tuple(Route(method, path, "f", False, None)
                   for method, path in [("GET", "/files/{key+}"), ("PUT", "/files/{key+}"), ("GET", "/items/{id}")])
    router = Router(Api(endpoint="REGIONAL", create_cloudwatch_role=True, throttling=None, routes=routes,
                        usage_plans=(), cors=cors), "dev")
    assert router.methods_of("/files/{key+}") == ["GET", "PUT"]
    assert router.methods_of("/items/{id}") == ["GET"]


def test_the_banner_says_which_authorizers_are_not_verified_locally():
    """README, `serve`: Cognito and IAM authorizers accept any well-formed token locally "and say so
    at start-up": one warning line per such authorizer that a route uses, naming it (kills the
    cognito line replaced by None)."""
    app, _ = load_app(str(API_SURFACE), project_root=ROOT)
    text = banner(app, ApiKeys(app.api, app.name, app.stage, {}), "127.0.0.1", 3000)
    warnings = [line for line in text.splitlines() if line.startswith("WARNING:") and "NOT VERIFIED" in line]
    assert len(warnings) == 2
    assert any("'users'" in line and "cognito" in line for line in warnings)
    assert any("'internal'" in line and "iam" in line for line in warnings)


def test_the_proxy_events_request_time_is_the_same_instant_in_epoch_milliseconds(tmp_path):
    """API Gateway's proxy event carries the request time twice: requestTime
    "09/Apr/2015:12:34:56 +0000" and requestTimeEpoch 1428582896000, integer milliseconds (the
    REST API proxy-integration input format, AWS's own example pair) (kills a missing epoch)."""
    app, _ = load_app(str(API_SURFACE), project_root=ROOT)
    gateway = Gateway(app, ROOT, keys=ApiKeys(app.api, app.name, app.stage, {}), clock=FakeClock(start=1_428_582_896.0),
                      log=LogSink(io.StringIO()))
    call = gateway._new_call()
    assert call.request_time == "09/Apr/2015:12:34:56 +0000"
    assert call.request_time_epoch_ms == 1_428_582_896_000 and isinstance(call.request_time_epoch_ms, int)


# --- several regions ------------------------------------------------------------------------------

def _regions() -> list[str]:
    return yaml.safe_load(ACTIVE_ACTIVE.read_text(encoding="utf-8"))["availability"]["regions"]


def _records_and_alarms() -> tuple[list[dict], list[dict]]:
    document = plan_file(str(ACTIVE_ACTIVE), project_root=ROOT)
    records = [r for r in document["resources"] if r["type"] == "aws:route53/record:Record" and r["inputs"].get("aliases")]
    alarms = [r for r in document["resources"] if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm"
              and r["inputs"].get("namespace") == "AWS/Route53"]
    return records, alarms


def test_each_regions_alias_record_targets_api_gateways_regional_hosted_zone():
    """An alias A record to an API Gateway regional custom domain names the domain's regional
    domain name and API Gateway's hosted zone of that region (Route 53 AliasTarget.HostedZoneId;
    API Gateway Developer Guide, regional custom domain names); without it Route 53 rejects the
    record (kills the zone id dropped)."""
    records, _ = _records_and_alarms()
    assert sorted(r["inputs"]["setIdentifier"] for r in records) == sorted(_regions())
    for record in records:
        [alias] = record["inputs"]["aliases"]
        region = record["inputs"]["setIdentifier"]
        assert alias["zoneId"] == API_GATEWAY_REGIONAL_ZONE[region], region
        assert alias["name"].endswith(f".execute-api.{region}.amazonaws.com")


def test_the_health_alarms_look_at_each_minute_of_the_health_check_status():
    """Route 53 publishes HealthCheckStatus (1 healthy, 0 unhealthy) once a minute; the alarm
    pages when the minimum over one 60-second period is below 1 (CloudWatch PutMetricAlarm: Period
    in seconds, at least 60 for standard-resolution metrics) (kills the period dropped)."""
    _, alarms = _records_and_alarms()
    assert len(alarms) == len(_regions())
    for alarm in alarms:
        inputs = alarm["inputs"]
        assert (inputs["metricName"], inputs["statistic"], inputs["period"], inputs["evaluationPeriods"],
                inputs["threshold"], inputs["comparisonOperator"]) == (
            "HealthCheckStatus", "Minimum", 60, 1, 1, "LessThanThreshold")


# --- the dashboard --------------------------------------------------------------------------------

# CloudWatch User Guide, "Amazon CloudWatch metrics" per service: the namespaces (case-sensitive)
# and metric names the dashboard may chart.
DOCUMENTED_METRICS = {
    "AWS/ApiGateway": {"Count", "4XXError", "5XXError", "Latency", "IntegrationLatency", "CacheHitCount", "CacheMissCount"},
    "AWS/Lambda": {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions", "DeadLetterErrors",
                   "ProvisionedConcurrencyUtilization", "ProvisionedConcurrencyInvocations", "IteratorAge"},
    "AWS/WAFV2": {"AllowedRequests", "BlockedRequests", "CountedRequests", "PassedRequests"},
    "AWS/DynamoDB": {"ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ReadThrottleEvents",
                     "WriteThrottleEvents", "ThrottledRequests", "SystemErrors", "UserErrors"},
}


def test_every_charted_metric_is_a_documented_namespace_and_name():
    """A metric array is [namespace, name, dimension pairs..., options], with "." for "the same as
    the metric above" (CloudWatch Dashboard Body Structure, metric widget `metrics`). A namespace or
    name CloudWatch does not publish charts nothing, silently (kills "aws/lambda" and a renamed
    WAF metric)."""
    document = plan_file(str(API_SURFACE), project_root=ROOT)
    charted: set[tuple[str, str]] = set()
    for dashboard in (r for r in document["resources"] if r["type"] == "aws:cloudwatch/dashboard:Dashboard"):
        for widget in json.loads(dashboard["inputs"]["dashboardBody"])["widgets"]:
            previous: list = []
            for metric in widget["properties"].get("metrics", []):
                resolved = [p if v == "." and p is not None else v for v, p in zip(metric, previous + [None] * len(metric))]
                charted.add((resolved[0], resolved[1]))
                previous = resolved
    assert {namespace for namespace, _ in charted} == {"AWS/ApiGateway", "AWS/Lambda", "AWS/WAFV2"}
    for namespace, name in charted:
        assert name in DOCUMENTED_METRICS[namespace], (namespace, name)
    assert {("AWS/WAFV2", "AllowedRequests"), ("AWS/WAFV2", "BlockedRequests")} <= charted


def test_widgets_flow_left_to_right_on_the_24_column_grid_without_overlapping():
    """CloudWatch dashboards are a 24-column grid; a widget at (x, y) covers x to x + width - 1.
    Widgets of one row sit side by side and one that does not fit starts the next row (kills x set
    to the last width instead of advanced by it, which stacked widgets on top of each other)."""
    placed = layout([{"width": 8, "height": 6}] * 4 + [{"width": 12, "height": 3}] * 2)
    assert [(w["x"], w["y"]) for w in placed] == [(0, 0), (8, 0), (16, 0), (0, 6), (8, 6), (0, 12)]


# --- the spec's path ------------------------------------------------------------------------------

def test_the_specs_path_is_relative_to_the_project_root_whatever_the_working_directory(tmp_path, monkeypatch):
    """The plan and the deployed text name the spec by its path in the project, "whatever spelling
    or working directory the command got" (kills the path taken relative to the working directory)."""
    monkeypatch.chdir(tmp_path)
    assert spec_path_in_project(str(ROOT / "specs" / "serverless-app.yaml"), ROOT) == "specs/serverless-app.yaml"


# --- the exported OpenAPI document ----------------------------------------------------------------

def test_top_level_scopes_of_a_non_oauth_scheme_are_emptied_and_named_in_the_description():
    """OpenAPI 3.0 Security Requirement Object: only oauth2 and openIdConnect schemes list scopes,
    "for other security scheme types, the array MUST be empty". A requirement at the document's top
    level is cleaned like an operation's, its scopes named in info.description (kills the top-level
    call losing the set of scoped schemes)."""
    body = {"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "security": [{"users": ["items/read"]}],
            "components": {"securitySchemes": {"users": {"type": "apiKey", "name": "Authorization", "in": "header"}}},
            "paths": {}}
    document = clean_document(body, "dev")
    assert document["security"] == [{"users": []}]
    assert "items/read" in document["info"]["description"]


# --- the offline plan's stand-in outputs ------------------------------------------------------------

def test_the_offline_web_acl_is_named_and_addressed_by_its_physical_name():
    """A WAFv2 web ACL's ARN is arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id> (AWS
    WAF Developer Guide, ARN format) and its name is the one given; the offline plan shows what AWS
    would (kills the mock falling back to the logical name)."""
    document = plan_file(str(API_SURFACE), project_root=ROOT)
    [acl] = [r for r in document["resources"] if r["type"] == "aws:wafv2/webAcl:WebAcl"]
    name = acl["inputs"]["name"]
    assert acl["outputs"]["name"] == name
    assert acl["outputs"]["arn"].split(":", 5)[5].startswith(f"regional/webacl/{name}/")


# --- global tables --------------------------------------------------------------------------------

def test_each_replica_of_an_autoscaled_table_scales_its_table_and_its_indexes(tmp_path):
    """A replica of a provisioned global table scales on its own, in its region: Application Auto
    Scaling names a DynamoDB table `table/<name>` with dimensions dynamodb:table:Read/WriteCapacityUnits
    and an index `table/<name>/index/<index>` with dynamodb:index:Read/WriteCapacityUnits
    (RegisterScalableTarget: ResourceId, ScalableDimension; the values are case-sensitive) (kills
    "DYNAMODB:INDEX" for the replica's index dimension)."""
    raw = yaml.safe_load(ACTIVE_ACTIVE.read_text(encoding="utf-8"))
    raw["tables"]["items"].update(billing="provisioned", capacity={"read": 5, "write": 5},
                                  autoscale={"max_read": 100, "max_write": 50, "target_utilization_percent": 70},
                                  indexes={"by_owner": {"partition_key": {"name": "owner", "type": "S"}}})
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    document = plan_file(str(spec), project_root=ROOT)
    table = f"{raw['name']}-{raw['stage']}-items"
    targets = [r["inputs"] for r in document["resources"]
               if r["type"] == "aws:appautoscaling/target:Target" and r["inputs"]["serviceNamespace"] == "dynamodb"]
    expected = {(f"table/{table}", f"dynamodb:table:{side}CapacityUnits") for side in ("Read", "Write")}
    expected |= {(f"table/{table}/index/by_owner", f"dynamodb:index:{side}CapacityUnits") for side in ("Read", "Write")}
    # the table in its own region and one replica in every other: each scales all four
    assert len(targets) == 4 * len(raw["availability"]["regions"])
    assert {(t["resourceId"], t["scalableDimension"]) for t in targets} == expected


# --- semantic checks ------------------------------------------------------------------------------

SMALL_SPEC = """\
version: 1
name: shop
region: eu-west-1
tables:
  orders:
    partition_key: {name: id, type: S}
    indexes:
      by_customer: {partition_key: {name: customer, type: S}, sort_key: {name: id, type: N}}
functions:
  items:
    handler: runtime_handlers.items.handler
    uses: {tables: {orders: read}}
    environment: {TABLE_ORDERS: orders-by-hand, LOG_LEVEL: debug}
"""


def _diagnostics(tmp_path, text: str) -> list:
    spec = tmp_path / "app.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        validate_file(str(spec), ROOT)
    return raised.value.diagnostics


def test_a_key_attribute_typed_differently_in_an_index_is_reported_at_the_index(tmp_path):
    """DynamoDB defines each key attribute once, with one type, for the table and its indexes
    (AttributeDefinitions); E320 (docs/spec-reference.md) points at the index key whose type
    disagrees, by its spec path (kills a misspelt path segment, which pointed nowhere)."""
    [d] = [d for d in _diagnostics(tmp_path, SMALL_SPEC) if d.code == "E320"]
    assert d.path == "tables.orders.indexes.by_customer.sort_key.type"
    assert d.line == 8


def test_setting_a_table_name_the_compiler_sets_is_e324(tmp_path):
    """`uses: {tables: {orders: ...}}` sets TABLE_ORDERS, the table key in upper case (README, the
    function environment); the spec may not set it too: E324 at that variable (kills the name
    generated in lower case, which let the collision through)."""
    [d] = [d for d in _diagnostics(tmp_path, SMALL_SPEC) if d.code == "E324"]
    assert d.path == "functions.items.environment.TABLE_ORDERS"


def test_an_existing_web_acl_with_rules_of_our_own_is_e331_at_the_rules(tmp_path):
    """A stage's API has one web ACL: an existing one (web_acl_arn) or the compiler's own
    (managed_rules, rate_limit_per_ip), not both: E331 (docs/spec-reference.md), at the first rule
    setting (kills the diagnostic built without its path, which shifted code and message)."""
    text = SMALL_SPEC.replace("    environment: {TABLE_ORDERS: orders-by-hand, LOG_LEVEL: debug}\n", "") + (
        "api:\n"
        "  waf:\n"
        "    web_acl_arn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/0123abcd-0123-4567-89ab-0123456789ab\n"
        "    managed_rules: [AWSManagedRulesCommonRuleSet]\n"
        "  routes:\n"
        "    - {method: GET, path: /items, function: items}\n")
    [d] = [d for d in _diagnostics(tmp_path, text) if d.code == "E331"]
    assert d.path == "api.waf.managed_rules"
