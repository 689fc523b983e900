"""The API surface in the plan: CORS preflight without key or authorizer, authorizers and API keys
on the right methods, request validation, and WAF on the stage.

Expectations come from the raw spec and API Gateway's documented OpenAPI extensions
(x-amazon-apigateway-authtype / -authorizer / -request-validator(s) / -gateway-responses and mock
integrations), not from the compiler's helpers.
"""
from __future__ import annotations

import json

import pytest
import yaml

from compiler.plan import plan_file
from plan_support import ROOT, one, plan, resources

SPEC = "tests/golden/plan_api_surface/spec.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.fixture(scope="module")
def document() -> dict:
    return plan(SPEC)


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((ROOT / SPEC).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def body(document) -> dict:
    return json.loads(one(document, "aws:apigateway/restApi:RestApi")["inputs"]["body"])


def test_every_path_has_a_preflight_that_needs_no_key_and_no_authorizer(body, spec):
    paths = {route["path"] for route in spec["api"]["routes"]}
    assert set(body["paths"]) == paths
    for path in paths:
        preflight = body["paths"][path]["options"]
        assert "security" not in preflight, f"the preflight of {path} demands credentials browsers never send"
        integration = preflight["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock"
        parameters = integration["responses"]["default"]["responseParameters"]
        methods = {r["method"] for r in spec["api"]["routes"] if r["path"] == path} | {"OPTIONS"}
        assert parameters["method.response.header.Access-Control-Allow-Methods"] == "'" + ",".join(sorted(methods)) + "'"
        assert parameters["method.response.header.Access-Control-Allow-Headers"] == "'content-type,authorization,x-api-key'"
        assert parameters["method.response.header.Vary"] == "'Origin'"
        # Several origins: the template echoes the Origin only when it is one of them.
        template = integration["responses"]["default"]["responseTemplates"]["application/json"]
        for origin in spec["api"]["cors"]["allow_origins"]:
            assert f'"{origin}"' in template
        assert "Access-Control-Allow-Origin = $origin" in template


def test_a_single_origin_is_a_static_header_and_credentials_are_allowed_only_when_asked(tmp_path, spec):
    data = json.loads(json.dumps(spec))
    data["api"]["cors"] = {"allow_origins": ["https://app.example.com"], "allow_credentials": True}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    document = plan_file(str(path), project_root=ROOT)
    body = json.loads(one(document, "aws:apigateway/restApi:RestApi")["inputs"]["body"])
    parameters = body["paths"]["/items"]["options"]["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]
    assert parameters["method.response.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    assert parameters["method.response.header.Access-Control-Allow-Credentials"] == "'true'"
    gateway = body["x-amazon-apigateway-gateway-responses"]["DEFAULT_4XX"]["responseParameters"]
    assert gateway["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    assert gateway["gatewayresponse.header.Access-Control-Allow-Credentials"] == "'true'"


def test_api_gateways_own_errors_carry_cors_headers_so_browsers_can_read_them(body, spec):
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        parameters = body["x-amazon-apigateway-gateway-responses"][kind]["responseParameters"]
        # Several origins without credentials: the request's Origin is echoed.
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.origin"
        assert parameters["gatewayresponse.header.Access-Control-Expose-Headers"] == "'Location'"


def test_auth_and_api_keys_land_on_exactly_the_methods_the_spec_names(body, spec):
    default = spec["api"].get("default_auth", "none")
    for route in spec["api"]["routes"]:
        operation = body["paths"][route["path"]][route["method"].lower()]
        auth = route.get("auth", default)
        expected = {}
        if auth != "none":
            expected[auth] = route.get("scopes", [])
        if route.get("api_key_required"):
            expected["api_key"] = []
        assert operation.get("security", []) == ([expected] if expected else []), f"{route['method']} {route['path']}"


def test_each_authorizer_is_the_security_scheme_api_gateway_expects(body, spec, document):
    schemes = body["components"]["securitySchemes"]
    authorizers = spec["api"]["authorizers"]
    users = schemes["users"]
    assert users["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert users["x-amazon-apigateway-authorizer"] == {"type": "cognito_user_pools", "providerARNs": authorizers["users"]["user_pool_arns"]}
    authorize_arn = one(document, "aws:lambda/function:Function", "fn-authorize-eu-west-1-function")["outputs"]["invokeArn"]
    partners = schemes["partners"]["x-amazon-apigateway-authorizer"]
    assert (partners["type"], partners["identitySource"], partners["authorizerUri"], partners["authorizerResultTtlInSeconds"]) == \
        ("token", "method.request.header.Authorization", authorize_arn, 300)
    tenants = schemes["tenants"]["x-amazon-apigateway-authorizer"]
    assert (tenants["type"], tenants["identitySource"], tenants["authorizerResultTtlInSeconds"]) == \
        ("request", "method.request.header.X-Tenant, method.request.querystring.token", 0)
    assert schemes["internal"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_the_authorizer_function_may_be_invoked_by_api_gateway_through_authorizers_only(document):
    permissions = [p for p in resources(document, "aws:lambda/permission:Permission") if p["inputs"]["function"] == "storefront-dev-authorize"]
    assert len(permissions) == 1
    api = one(document, "aws:apigateway/restApi:RestApi")
    assert permissions[0]["inputs"]["sourceArn"] == f"{api['outputs']['executionArn']}/authorizers/*"
    assert permissions[0]["inputs"]["principal"] == "apigateway.amazonaws.com"


def test_a_body_schema_becomes_a_model_and_a_validator_on_that_method_only(body, spec):
    [route] = [r for r in spec["api"]["routes"] if "body_schema" in r]
    schema = json.loads((ROOT / route["body_schema"]).read_text())
    operation = body["paths"][route["path"]][route["method"].lower()]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    model = body["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert model == {k: v for k, v in schema.items() if k != "$schema"}
    validator = operation["x-amazon-apigateway-request-validator"]
    assert body["x-amazon-apigateway-request-validators"][validator] == {"validateRequestBody": True, "validateRequestParameters": False}
    others = [op for path, item in body["paths"].items() for m, op in item.items() if (path, m) != (route["path"], route["method"].lower())]
    assert not any("x-amazon-apigateway-request-validator" in op for op in others)


def test_the_web_acl_has_the_managed_groups_and_rate_rule_and_is_associated_with_the_stage(document, spec):
    waf = spec["api"]["waf"]
    acl = one(document, "aws:wafv2/webAcl:WebAcl")
    assert acl["inputs"]["scope"] == "REGIONAL" and "allow" in acl["inputs"]["defaultAction"]
    rules = sorted(acl["inputs"]["rules"], key=lambda r: r["priority"])
    managed = [r["statement"]["managedRuleGroupStatement"] for r in rules if "managedRuleGroupStatement" in r["statement"]]
    assert [(m["vendorName"], m["name"]) for m in managed] == [("AWS", name) for name in waf["managed_rules"]]
    [rate] = [r for r in rules if "rateBasedStatement" in r["statement"]]
    assert rate["statement"]["rateBasedStatement"] == {"aggregateKeyType": "IP", "limit": waf["rate_limit_per_ip"]}
    assert "block" in rate["action"]
    association = one(document, "aws:wafv2/webAclAssociation:WebAclAssociation")
    stage = one(document, "aws:apigateway/stage:Stage")
    assert association["inputs"]["resourceArn"] == stage["outputs"]["arn"]
    assert association["inputs"]["webAclArn"] == acl["outputs"]["arn"]
    logging = one(document, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    group = one(document, "aws:cloudwatch/logGroup:LogGroup", "waf-eu-west-1-logs")
    assert group["inputs"]["name"].startswith("aws-waf-logs-") and "kmsKeyId" in group["inputs"]
    assert logging["inputs"]["logDestinationConfigs"] == [group["outputs"]["arn"]]


def test_an_existing_web_acl_is_associated_and_nothing_is_created(tmp_path, spec):
    data = json.loads(json.dumps(spec))
    arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/a1b2c3d4-0000-1111-2222-333344445555"
    data["api"]["waf"] = {"web_acl_arn": arn}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    document = plan_file(str(path), project_root=ROOT)
    assert resources(document, "aws:wafv2/webAcl:WebAcl") == []
    assert one(document, "aws:wafv2/webAclAssociation:WebAclAssociation")["inputs"]["webAclArn"] == arn


def test_routed_functions_get_the_cors_environment_and_the_authorizer_does_not(document, spec):
    functions = {f["inputs"]["name"]: f["inputs"].get("environment", {}).get("variables", {}) for f in resources(document, "aws:lambda/function:Function")}
    assert functions["storefront-dev-items"]["CORS_ALLOW_ORIGINS"] == ",".join(spec["api"]["cors"]["allow_origins"])
    assert functions["storefront-dev-items"]["CORS_EXPOSE_HEADERS"] == "Location"
    assert functions["storefront-dev-items"]["CORS_ALLOW_CREDENTIALS"] == "false"
    assert "CORS_ALLOW_ORIGINS" not in functions["storefront-dev-authorize"]
