"""Combinations no other golden spec had, checked on tests/golden/plan_route_combinations: API keys
on parameterised, nested and greedy routes, ANY routes (on the root, and key-protected and
throttled beside an explicit GET of the same greedy path), key-protected routes reachable through
several usage plans, and functions that serve no route.

Each test reads the plan document and takes its expectations from the raw spec (spec_facts), so a
golden refresh cannot hide a regression: e.g. dropping the API-key requirement of routes with a
path parameter fails here, whatever the golden file says.
"""
from __future__ import annotations

import json

import pytest

import spec_facts as facts
from plan_support import CASE_SPECS, one, plan, resources

SPEC = "tests/golden/plan_route_combinations/spec.yaml"
REST_API, FUNCTION = "aws:apigateway/restApi:RestApi", "aws:lambda/function:Function"
ANY = "x-amazon-apigateway-any-method"


def body() -> dict:
    return json.loads(one(plan(SPEC), REST_API)["inputs"]["body"])


def operation(route: dict) -> dict:
    return body()["paths"][route["path"]][ANY if route["method"] == "ANY" else route["method"].lower()]


def test_the_case_is_a_golden_case_and_has_the_combinations_it_claims():
    routes = facts.routes(SPEC)
    assert SPEC in CASE_SPECS
    keyed = [r for r in routes if r["api_key_required"]]
    assert any("{" in r["path"] and "+}" not in r["path"] for r in keyed), "a key-protected route with a path parameter"
    assert any(r["path"].count("{") >= 2 for r in keyed), "a key-protected nested parameterised route"
    assert any("+}" in r["path"] and r["method"] == "ANY" for r in keyed), "a key-protected greedy ANY route"
    assert any(r["method"] == "ANY" and r["path"] == "/" for r in routes), "ANY on the root"
    assert any(r["method"] == "GET" and r["path"] == k["path"] for r in routes for k in keyed if k["method"] == "ANY")
    assert len(facts.api(SPEC)["usage_plans"]) >= 3
    assert set(facts.functions(SPEC)) - facts.served(SPEC) == {"worker", "janitor"}


@pytest.mark.parametrize("route", facts.routes(SPEC), ids=lambda r: f"{r['method']} {r['path']}")
def test_each_route_requires_an_api_key_exactly_when_the_spec_says_so(route):
    """A key-protected route must carry the api_key requirement in the body API Gateway imports,
    whatever its path looks like ({id}, nested parameters, a greedy {key+}) and for ANY too."""
    security = operation(route).get("security", [])
    if route["api_key_required"]:
        assert security == [{"api_key": []}], f"{route['method']} {route['path']} does not require the API key"
    else:
        assert all("api_key" not in requirement for requirement in security), f"{route['method']} {route['path']} requires a key"


def test_the_api_key_scheme_reads_the_x_api_key_header():
    document = body()
    assert document["components"]["securitySchemes"]["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert document["x-amazon-apigateway-api-key-source"] == "HEADER"


def test_cors_preflights_of_key_protected_paths_need_no_key():
    """README: the preflight never needs an API key or an authorizer."""
    for path in {r["path"] for r in facts.routes(SPEC) if r["api_key_required"]}:
        preflight = body()["paths"][path]["options"]
        assert preflight["x-amazon-apigateway-integration"]["type"] == "mock"
        assert not preflight.get("security")


def test_path_parameters_are_declared_on_every_operation_of_a_parameterised_path():
    for route in facts.routes(SPEC):
        names = [segment.strip("{}+") for segment in route["path"].split("/") if segment.startswith("{")]
        declared = [p["name"] for p in operation(route).get("parameters", []) if p["in"] == "path"]
        assert declared == names, f"{route['method']} {route['path']}"


def test_any_routes_are_one_any_method_proxied_to_their_function():
    document = plan(SPEC)
    invoke = {key: next(f for f in resources(document, FUNCTION) if f["inputs"]["name"] == name)["outputs"]["invokeArn"]
              for key, name in document["outputs"]["function_names"].items()}
    for route in (r for r in facts.routes(SPEC) if r["method"] == "ANY"):
        integration = operation(route)["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["httpMethod"], integration["uri"]) == ("aws_proxy", "POST", invoke[route["function"]])


def test_a_throttled_any_route_throttles_every_method_but_the_explicit_get_of_its_path():
    """MethodSettings paths are `<resource>/<METHOD>` (no documented `<resource>/*`); API Gateway
    sends GET to the explicit GET method, which keeps the stage's limits."""
    [route] = [r for r in facts.routes(SPEC) if r["method"] == "ANY" and r.get("throttling")]
    resource = route["path"].replace("/", "~1")
    settings = {s["inputs"]["methodPath"]: s["inputs"]["settings"] for s in resources(plan(SPEC), "aws:apigateway/methodSettings:MethodSettings")}
    methods = {path.rsplit("/", 1)[1] for path in settings if path.startswith(resource + "/")}
    assert {"DELETE", "HEAD", "PATCH", "POST", "PUT"} <= methods and "GET" not in methods
    for method in methods:
        assert (settings[f"{resource}/{method}"]["throttlingRateLimit"], settings[f"{resource}/{method}"]["throttlingBurstLimit"]) == \
            (route["throttling"]["rate_limit"], route["throttling"]["burst_limit"])


def test_every_usage_plan_reaches_the_stage_so_each_of_their_keys_can_call_a_key_protected_route():
    document = plan(SPEC)
    rest_api, stage = one(document, REST_API), one(document, "aws:apigateway/stage:Stage")
    plans = {p["inputs"]["name"]: p for p in resources(document, "aws:apigateway/usagePlan:UsagePlan")}
    keys = {k["inputs"]["name"]: k for k in resources(document, "aws:apigateway/apiKey:ApiKey")}
    bindings = resources(document, "aws:apigateway/usagePlanKey:UsagePlanKey")
    prefix = facts.prefix(SPEC)
    assert set(plans) == {f"{prefix}-{name}" for name in facts.api(SPEC)["usage_plans"]}
    for name, spec_plan in facts.api(SPEC)["usage_plans"].items():
        usage_plan = plans[f"{prefix}-{name}"]["inputs"]
        assert usage_plan["apiStages"] == [{"apiId": rest_api["id"], "stage": stage["inputs"]["stageName"]}]
        throttling, quota = spec_plan.get("throttling"), spec_plan.get("quota")
        assert usage_plan.get("throttleSettings") == ({"rateLimit": throttling["rate_limit"], "burstLimit": throttling["burst_limit"]}
                                                      if throttling else None)
        assert usage_plan.get("quotaSettings") == ({"limit": quota["limit"], "period": quota["period"]} if quota else None)
        for key in spec_plan["api_keys"]:
            [binding] = [b for b in bindings if b["inputs"]["keyId"] == keys[f"{prefix}-{key}"]["id"]]
            assert binding["inputs"]["usagePlanId"] == plans[f"{prefix}-{name}"]["id"]
    assert len(bindings) == len(keys) == sum(len(p["api_keys"]) for p in facts.api(SPEC)["usage_plans"].values())


def test_functions_without_routes_get_no_invoke_permission_no_integration_and_no_cors_environment():
    document = plan(SPEC)
    names = document["outputs"]["function_names"]
    unrouted = set(facts.functions(SPEC)) - facts.served(SPEC)
    permitted = {p["inputs"]["function"] for p in resources(document, "aws:lambda/permission:Permission")}
    assert permitted == {names[key] for key in facts.served(SPEC)}
    functions = {f["inputs"]["name"]: f for f in resources(document, FUNCTION)}
    uris = {op["x-amazon-apigateway-integration"].get("uri") for item in body()["paths"].values() for op in item.values()}
    for key in unrouted:
        function = functions[names[key]]
        assert function["outputs"]["invokeArn"] not in uris
        variables = function["inputs"].get("environment", {}).get("variables", {})
        assert not [v for v in variables if v.startswith("CORS_")], key
        own = facts.functions(SPEC)[key]["environment"]
        assert variables == {k: str(v) for k, v in own.items()}
        assert ("kmsKeyArn" in function["inputs"]) == bool(own), key
    for key in facts.served(SPEC):
        assert "CORS_ALLOW_ORIGINS" in functions[names[key]]["inputs"]["environment"]["variables"]


def test_functions_without_routes_are_still_logged_archived_alarmed_and_on_the_dashboard():
    document = plan(SPEC)
    names = document["outputs"]["function_names"]
    filters = {f["inputs"]["logGroup"] for f in resources(document, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")}
    dashboard = one(document, "aws:cloudwatch/dashboard:Dashboard")["inputs"]["dashboardBody"]
    alarmed = {a["inputs"].get("dimensions", {}).get("FunctionName") for a in resources(document, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    for key in set(facts.functions(SPEC)) - facts.served(SPEC):
        assert f"/aws/lambda/{names[key]}" in filters
        assert names[key] in dashboard and names[key] in alarmed
    # The routed function at API Gateway's 29 s limit is planned with it.
    assert next(f for f in resources(document, FUNCTION) if f["inputs"]["name"] == names["items"])["inputs"]["timeout"] == 29


def test_a_throttled_any_route_leaves_the_cors_preflight_of_its_path_alone():
    """With CORS every path has its own OPTIONS method (a mock integration answering preflights);
    API Gateway routes OPTIONS there, not to ANY, so the ANY route's limits must not be set on it
    (a browser's preflight would otherwise eat a data route's budget)."""
    assert facts.api(SPEC)["cors"]
    any_routes = [r for r in facts.routes(SPEC) if r["method"] == "ANY" and r.get("throttling")]
    assert any_routes
    paths = {s["inputs"]["methodPath"] for s in resources(plan(SPEC), "aws:apigateway/methodSettings:MethodSettings")}
    for route in any_routes:
        escaped = route["path"].replace("/", "~1")
        assert f"{escaped}/OPTIONS" not in paths
        assert f"{escaped}/POST" in paths
