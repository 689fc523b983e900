"""`python -m compiler openapi`: the API's OpenAPI 3 document. The clean document (for client
generators and docs) is valid OpenAPI 3.0 with no API Gateway extension, no preflight mock and no
ANY pseudo-method; `--aws-extensions` prints exactly the body API Gateway imports, and that body
imports into moto's API Gateway with every resource path. The command never loads Pulumi.
"""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import boto3
import pytest
import yaml
from moto import mock_aws
from openapi_spec_validator import OpenAPIV30SpecValidator, validate

from compiler import openapi
from compiler.__main__ import main
from compiler.normalize import normalize
from compiler.openapi_export import clean_document
import spec_facts as facts
from plan_support import GOLDEN, ROOT
from test_plan_against_moto import greedy_parameters_as_validators_read_them
from test_safe_deploy import import_warnings

SAMPLE = "specs/serverless-app.yaml"
NO_API = "tests/golden/plan_functions_only/spec.yaml"
ANY_SPEC = "tests/golden/plan_nested_paths/spec.yaml"
ROOT_PLACEHOLDER = "<project-root>"
ERROR_CASES = sorted(p.name for p in GOLDEN.glob("error_*") if p.is_dir())
CONCRETE = {"get", "put", "post", "delete", "patch", "head", "options"}
ACCOUNT = "123456789012"


def _has_api(spec: str) -> bool:
    return bool((yaml.safe_load((ROOT / spec).read_text(encoding="utf-8")) or {}).get("api"))


API_SPECS = [p.relative_to(ROOT).as_posix() for p in [*sorted((ROOT / "specs").glob("*.yaml")), *sorted(GOLDEN.glob("plan_*/spec.yaml"))]
             if _has_api(p.relative_to(ROOT).as_posix())]


def run(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(ROOT)
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err.replace(str(ROOT), ROOT_PLACEHOLDER)


def app_of(spec: str, stage: str | None = None):
    data = yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))
    return normalize(data, stage=stage or data.get("stage") or "dev", spec_file=spec, project_root=ROOT)


def amazon_keys(node, where: str = "") -> list[str]:
    if isinstance(node, dict):
        return [f"{where}.{k}" for k in node if str(k).startswith("x-amazon-apigateway")] + \
               [hit for k, v in node.items() for hit in amazon_keys(v, f"{where}.{k}")]
    if isinstance(node, list):
        return [hit for i, v in enumerate(node) for hit in amazon_keys(v, f"{where}[{i}]")]
    return []


def integration(uri: str) -> dict:
    return {"type": "aws_proxy", "httpMethod": "POST", "uri": uri, "passthroughBehavior": "when_no_match", "timeoutInMillis": 29000}


def preflight() -> dict:
    return {"summary": "CORS preflight",
            "responses": {"200": {"description": "CORS preflight", "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}},
            "x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}, "passthroughBehavior": "when_no_match",
                "responses": {"default": {"statusCode": "200", "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'"}}}}}


PROXIED = {"200": {"description": "Proxied from the Lambda function"}}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
POST_ITEMS = {"type": "object", "title": "New item", "required": ["name"],
              "properties": {"id": {"type": "string"}, "name": {"type": "string", "maxLength": 64}, "qty": {"type": "integer", "minimum": 1},
                             "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "maxItems": 20}}}
DRAFT_4 = {"$schema": "http://json-schema.org/draft-04/schema#"}  # API Gateway models may say so; OpenAPI 3.0 schemas may not


def aws_body() -> dict:
    """A body of the shape openapi.py generates: every authorizer kind, scopes, a body model and its
    validator, an API key, CORS preflights and gateway responses, ANY."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "shop-dev", "version": "1"},
        "paths": {
            "/items": {
                "get": {"security": [{"users": ["items/read"]}], "x-amazon-apigateway-integration": integration("${function:items}"),
                        "responses": copy.deepcopy(PROXIED)},
                "post": {"security": [{"users": ["items/write", "items/admin"], "api_key": []}],
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PostItems"}}}},
                         "x-amazon-apigateway-request-validator": "body",
                         "x-amazon-apigateway-integration": integration("${function:items}"), "responses": copy.deepcopy(PROXIED)},
                "options": preflight(),
            },
            "/items/{id}": {
                "get": {"parameters": [copy.deepcopy(ID_PARAM)], "security": [{"partners": []}],
                        "x-amazon-apigateway-integration": integration("${function:items}"), "responses": copy.deepcopy(PROXIED)},
                "delete": {"parameters": [copy.deepcopy(ID_PARAM)], "security": [{"internal": []}],
                           "x-amazon-apigateway-integration": integration("${function:items}"), "responses": copy.deepcopy(PROXIED)},
                "options": preflight(),
            },
            "/reports": {
                "x-amazon-apigateway-any-method": {"security": [{"headers": []}], "x-amazon-apigateway-integration": integration("${function:reports}"),
                                                   "responses": copy.deepcopy(PROXIED)},
                "post": {"x-amazon-apigateway-integration": integration("${function:ingest}"), "responses": copy.deepcopy(PROXIED)},
                "options": preflight(),
            },
            "/preflight-only": {"options": preflight()},
        },
        "components": {
            "securitySchemes": {
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                "users": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
                          "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                             "providerARNs": [f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_Abc123"]}},
                "partners": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
                             "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": "${authorizer:authorize}",
                                                                "identitySource": "method.request.header.Authorization",
                                                                "authorizerResultTtlInSeconds": 300}},
                "headers": {"type": "apiKey", "name": "X-Tenant", "in": "header", "x-amazon-apigateway-authtype": "custom",
                            "x-amazon-apigateway-authorizer": {"type": "request", "authorizerUri": "${authorizer:authorize}",
                                                               "identitySource": "method.request.querystring.tenant, method.request.header.X-Tenant, method.request.header.X-Key",
                                                               "authorizerResultTtlInSeconds": 0}},
                "internal": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
            },
            "schemas": {"PostItems": {**DRAFT_4, **copy.deepcopy(POST_ITEMS)}},
        },
        "x-amazon-apigateway-api-key-source": "HEADER",
        "x-amazon-apigateway-request-validators": {"body": {"validateRequestBody": True, "validateRequestParameters": False}},
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"}},
            "DEFAULT_5XX": {"responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"}}},
    }


# -- clean_document on hand-made bodies -------------------------------------------------------------

def test_the_hand_made_body_is_one_api_gateway_accepts():
    assert import_warnings(aws_body()) == []


def test_the_clean_document_is_valid_openapi_3_0():
    validate(clean_document(aws_body(), "dev"), cls=OpenAPIV30SpecValidator)


def test_the_clean_document_has_no_api_gateway_extension_anywhere():
    assert amazon_keys(aws_body()), "the fixture must have extensions to remove"
    assert amazon_keys(clean_document(aws_body(), "dev")) == []


def test_the_clean_document_drops_preflight_mocks_and_paths_left_without_an_operation():
    paths = clean_document(aws_body(), "dev")["paths"]
    assert set(paths) == {"/items", "/items/{id}", "/reports"}
    assert set(paths["/items"]) == {"get", "post"}
    assert set(paths["/items/{id}"]) == {"get", "delete"}
    assert all(op.get("summary") != "CORS preflight" for item in paths.values() for op in item.values())


def test_real_routes_keep_their_parameters_security_and_request_body():
    body, paths = aws_body(), clean_document(aws_body(), "dev")["paths"]
    post = paths["/items"]["post"]
    assert post["requestBody"] == body["paths"]["/items"]["post"]["requestBody"]
    assert post["security"] == [{"users": [], "api_key": []}]
    assert post["responses"] == PROXIED
    assert paths["/items/{id}"]["get"]["parameters"] == [ID_PARAM]
    assert paths["/items/{id}"]["get"]["security"] == [{"partners": []}]
    assert paths["/items/{id}"]["delete"]["security"] == [{"internal": []}]


def test_request_body_models_are_kept_as_they_are_but_for_the_draft_4_schema_identifier():
    assert clean_document(aws_body(), "dev")["components"]["schemas"] == {"PostItems": POST_ITEMS}


def test_draft_4_only_constructs_of_a_model_become_valid_openapi_3_0():
    body = aws_body()
    body["components"]["schemas"]["PostItems"]["properties"]["note"] = {"type": ["string", "null"], "id": "#note"}
    body["components"]["schemas"]["PostItems"]["patternProperties"] = {"^x-": {"type": "string"}}
    document = clean_document(body, "dev")
    validate(document, cls=OpenAPIV30SpecValidator)
    model = document["components"]["schemas"]["PostItems"]
    assert model["properties"]["note"] == {"type": "string", "nullable": True}
    assert model["properties"]["id"] == {"type": "string"}  # a property named id is not the draft 4 id keyword
    assert model["x-jsonschema-patternProperties"] == {"^x-": {"type": "string"}} and "patternProperties" not in model


def test_scopes_of_non_oauth_schemes_move_into_the_operation_description():
    paths = clean_document(aws_body(), "dev")["paths"]
    assert paths["/items"]["get"]["description"] == "Requires scopes: items/read"
    assert paths["/items"]["get"]["security"] == [{"users": []}]
    assert paths["/items"]["post"]["description"] == "Requires scopes: items/write, items/admin"
    assert "description" not in paths["/items/{id}"]["get"]


def test_scopes_are_appended_to_an_existing_description():
    body = aws_body()
    body["paths"]["/items"]["get"]["description"] = "Lists the items."
    assert clean_document(body, "dev")["paths"]["/items"]["get"]["description"] == "Lists the items.\n\nRequires scopes: items/read"


def test_scopes_of_an_oauth2_scheme_stay_in_the_requirement():
    body = aws_body()
    body["components"]["securitySchemes"]["oauth"] = {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://auth.example.com/token", "scopes": {"items/read": "read items"}}}}
    body["paths"]["/items"]["get"]["security"] = [{"oauth": ["items/read"]}]
    get = clean_document(body, "dev")["paths"]["/items"]["get"]
    assert get["security"] == [{"oauth": ["items/read"]}] and "description" not in get


def test_security_schemes_become_standard_ones():
    schemes = clean_document(aws_body(), "dev")["components"]["securitySchemes"]
    assert schemes == {
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        "users": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "Amazon Cognito user pool ID or access token"},
        "partners": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Lambda authorizer"},
        "headers": {"type": "apiKey", "in": "header", "name": "X-Tenant", "description": "Lambda authorizer"},
        "internal": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "AWS Signature Version 4 (IAM)"},
    }


def test_a_lambda_authorizer_without_a_header_identity_source_names_the_authorization_header():
    body = aws_body()
    body["components"]["securitySchemes"]["headers"]["x-amazon-apigateway-authorizer"]["identitySource"] = "method.request.querystring.tenant"
    assert clean_document(body, "dev")["components"]["securitySchemes"]["headers"]["name"] == "Authorization"


def test_any_becomes_every_concrete_method_the_path_does_not_name_itself():
    body = aws_body()
    reports = clean_document(body, "dev")["paths"]["/reports"]
    # POST is a route of its own and OPTIONS is the gateway's preflight: API Gateway never sends them to ANY.
    assert set(reports) == {"get", "put", "post", "delete", "patch", "head"}
    for method in ("get", "put", "delete", "patch", "head"):
        assert reports[method]["security"] == [{"headers": []}], method
    assert "security" not in reports["post"]  # the route's own operation, not ANY's
    assert reports["get"] is not reports["put"]
    del body["paths"]["/reports"]["options"], body["paths"]["/reports"]["post"]
    assert set(clean_document(body, "dev")["paths"]["/reports"]) == CONCRETE


def test_greedy_path_variables_become_plain_template_parameters():
    body = {"openapi": "3.0.1", "info": {"title": "t-dev", "version": "1"}, "paths": {"/files/{proxy+}": {"x-amazon-apigateway-any-method": {
        "parameters": [{"name": "proxy", "in": "path", "required": True, "schema": {"type": "string"}}],
        "x-amazon-apigateway-integration": integration("${function:files}"), "responses": copy.deepcopy(PROXIED)}}}}
    document = clean_document(body, "dev")
    validate(document, cls=OpenAPIV30SpecValidator)
    assert list(document["paths"]) == ["/files/{proxy}"]
    assert "slashes" in document["paths"]["/files/{proxy}"]["get"]["parameters"][0]["description"]


def test_servers_name_the_stage():
    assert clean_document(aws_body(), "prod")["servers"] == [{"url": "/prod"}]


def test_clean_document_leaves_its_argument_unchanged():
    body = aws_body()
    clean_document(body, "dev")
    assert body == aws_body()


# -- the command ------------------------------------------------------------------------------------

def expected_methods(spec: str) -> dict[str, set[str]]:
    """Path -> lower-case methods, from the raw spec's routes: ANY is each method no route of the
    path names (OPTIONS too, unless CORS makes it the gateway's own preflight)."""
    routes = facts.routes(spec)
    named: dict[str, set[str]] = {}
    for route in routes:
        named.setdefault(route["path"], set())
        if route["method"] != "ANY":
            named[route["path"]].add(route["method"].lower())
    expected = {}
    for path, methods in named.items():
        if any(r["method"] == "ANY" and r["path"] == path for r in routes):
            methods = methods | (CONCRETE - methods - ({"options"} if facts.api(spec).get("cors") else set()))
        expected[path.replace("+}", "}")] = methods
    return expected


def test_there_are_specs_with_an_api_to_export():
    assert SAMPLE in API_SPECS and ANY_SPEC in API_SPECS


@pytest.mark.parametrize("spec", API_SPECS)
def test_the_cli_prints_the_clean_document_of_each_spec_with_the_spec_routes(spec, capsys, monkeypatch):
    code, out, err = run(["openapi", spec], capsys, monkeypatch)
    assert code == 0, err
    document = json.loads(out)
    assert out == json.dumps(document, indent=2, sort_keys=True) + "\n"
    validate(document, cls=OpenAPIV30SpecValidator)
    assert amazon_keys(document) == []
    assert {path: set(item) for path, item in document["paths"].items()} == expected_methods(spec)
    assert document["servers"] == [{"url": f"/{facts.stage_of(spec)}"}]


def test_the_sample_spec_exports_its_routes_with_lower_case_methods(capsys, monkeypatch):
    code, out, err = run(["openapi", SAMPLE], capsys, monkeypatch)
    assert (code, err) == (0, "")
    routes = yaml.safe_load((ROOT / SAMPLE).read_text(encoding="utf-8"))["api"]["routes"]
    document = json.loads(out)
    assert set(document["paths"]) == {r["path"] for r in routes}
    for route in routes:
        assert route["method"].lower() in document["paths"][route["path"]], route
    assert document["info"]["title"] == "serverless-app-dev"


def test_any_routes_are_exported_as_concrete_methods(capsys, monkeypatch):
    code, out, _ = run(["openapi", ANY_SPEC], capsys, monkeypatch)
    assert code == 0
    paths = json.loads(out)["paths"]
    assert "/files/{proxy}" in paths and "/files/{proxy+}" not in paths
    assert {"get", "put", "post", "delete", "patch", "head"} <= set(paths["/files/{proxy}"])
    assert not any(key.startswith("x-") for item in paths.values() for key in item)


@pytest.mark.parametrize("spec", API_SPECS)
def test_aws_extensions_prints_exactly_the_body_api_gateway_imports(spec, capsys, monkeypatch):
    code, out, err = run(["openapi", spec, "--aws-extensions"], capsys, monkeypatch)
    assert code == 0, err
    assert out == json.dumps(json.loads(openapi.canonical_body(app_of(spec))), indent=2, sort_keys=True) + "\n"


def test_stage_prod_changes_the_title_and_the_server(capsys, monkeypatch):
    code, out, err = run(["openapi", SAMPLE, "--stage", "prod"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["info"]["title"] == "serverless-app-prod"
    assert document["servers"] == [{"url": "/prod"}]
    code, out, _ = run(["openapi", SAMPLE, "--stage", "prod", "--aws-extensions"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["info"]["title"] == "serverless-app-prod"


def test_a_spec_without_an_api_exits_1_with_one_line(capsys, monkeypatch):
    code, out, err = run(["openapi", NO_API], capsys, monkeypatch)
    assert (code, out, err) == (1, "", f"{NO_API}: the spec has no api\n")


@pytest.mark.parametrize("case", ERROR_CASES)
def test_a_broken_spec_exits_1_with_exactly_the_validate_diagnostics(case, capsys, monkeypatch):
    code, out, err = run(["openapi", f"tests/golden/{case}/spec.yaml"], capsys, monkeypatch)
    assert (code, out) == (1, ""), err
    assert re.search(r":\d+:\d+: E\d{3} ", err), err
    assert err == (GOLDEN / case / "errors.txt").read_text(encoding="utf-8")


def test_an_invalid_or_undeclared_stage_exits_1_with_its_diagnostic(capsys, monkeypatch):
    code, out, err = run(["openapi", SAMPLE, "--stage", "Prod_1"], capsys, monkeypatch)
    assert (code, out) == (1, "") and re.search(r": E205 stage: .*Prod_1", err), err
    code, out, err = run(["openapi", SAMPLE, "--stage", "qa"], capsys, monkeypatch)
    assert (code, out) == (1, "") and re.search(r": E316 stages: .*'qa'", err), err


def test_a_missing_spec_file_exits_1_with_e100(capsys, monkeypatch):
    code, out, err = run(["openapi", "specs/does-not-exist.yaml"], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert re.match(r"specs/does-not-exist\.yaml:\d+:\d+: E100 ", err), err


@pytest.mark.parametrize("flags", [[], ["--aws-extensions"]], ids=["clean", "aws-extensions"])
def test_openapi_never_imports_pulumi(flags):
    script = ("import contextlib, io, json, sys\n"
              "from compiler.__main__ import main\n"
              "out = io.StringIO()\n"
              "with contextlib.redirect_stdout(out):\n"
              f"    code = main(['openapi', {SAMPLE!r}, *{flags!r}])\n"
              "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] == 0 and json.loads(report["out"])["paths"]
    assert {"compiler.openapi", "compiler.openapi_export", "compiler.normalize"} <= set(report["modules"])
    assert [m for m in report["modules"] if m == "pulumi" or m.startswith(("pulumi.", "pulumi_"))] == []


# -- the AWS body imports into (moto's) API Gateway -------------------------------------------------

@pytest.fixture
def aws_credentials(monkeypatch):
    """Never reach a real account, whatever the environment holds."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")


def invoke_arn(region: str, function: str) -> str:
    return (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}/invocations")


def deployable(body: dict, region: str) -> dict:
    """The body as deployed: placeholders replaced by invoke ARNs, as the Pulumi program does."""
    text = re.sub(r"\$\{(?:function|authorizer):([^}]+)\}", lambda m: invoke_arn(region, m.group(1)), json.dumps(body))
    assert "${" not in text, "a placeholder kind this test does not know"
    return json.loads(text)


def for_moto(body: dict) -> dict:
    """Moto's importer limitations, worked around without touching what is compared: it reads
    `info.description` unconditionally (API Gateway does not need it); its put_integration demands
    a uri and httpMethod, which a mock integration has not (the OPTIONS method stays, without
    integration); and failOnWarnings runs openapi-spec-validator, which wants every operation on a
    templated path to declare the path's parameters (the preflight mocks do not; they get them) and
    rejects the `$schema` of a draft 4 model (API Gateway's own examples carry it; it is dropped),
    and reads a greedy `{proxy+}` as a parameter named `proxy+` (see
    test_plan_against_moto.greedy_parameters_as_validators_read_them)."""
    body = greedy_parameters_as_validators_read_them(body)
    body["info"].setdefault("description", "imported by tests")
    for model in body.get("components", {}).get("schemas", {}).values():
        model.pop("$schema", None)
    for path, item in body["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("x-amazon-apigateway-integration", {}).get("type") == "mock":
                del operation["x-amazon-apigateway-integration"]
                operation.setdefault("parameters", [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                                                    for name in re.findall(r"\{([^{}+]+)\+?\}", path)])
    return body


def resource_paths(paths) -> list[str]:
    """Every resource API Gateway creates for `paths`: the root and each prefix of each path."""
    found = {"/"}
    for path in paths:
        parts = path.strip("/").split("/")
        found |= {"/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1) if parts[0]}
    return sorted(found)


def import_into_moto(body: dict, region: str) -> tuple[dict[str, set[str]], dict]:
    """Import with failOnWarnings; return path -> methods of the imported API, and the client+id."""
    with mock_aws():
        client = boto3.client("apigateway", region_name=region)
        api = client.import_rest_api(body=json.dumps(for_moto(body)).encode(), failOnWarnings=True)
        items = client.get_resources(restApiId=api["id"], embed=["methods"], limit=500)["items"]
        integrations = {(r["path"], m): client.get_integration(restApiId=api["id"], resourceId=r["id"], httpMethod=m)
                        for r in items for m in r.get("resourceMethods", {})
                        if m != "OPTIONS"}
    # moto keeps ANY under the body's own key instead of API Gateway's ANY
    methods = {r["path"]: {"ANY" if m == "X-AMAZON-APIGATEWAY-ANY-METHOD" else m for m in r.get("resourceMethods", {})} for r in items}
    assert sorted(r["path"] for r in items) == sorted(methods), "one resource per path"
    return methods, integrations


def body_methods(body: dict) -> dict[str, set[str]]:
    return {path: {"ANY" if key == "x-amazon-apigateway-any-method" else key.upper() for key in item} for path, item in body["paths"].items()}


@pytest.mark.parametrize("spec", API_SPECS)
def test_the_aws_body_of_each_spec_imports_into_api_gateway_with_every_resource_path(spec, aws_credentials):
    app = app_of(spec)
    body = deployable(json.loads(openapi.canonical_body(app)), app.region)
    methods, integrations = import_into_moto(body, app.region)
    assert sorted(methods) == resource_paths(body["paths"])
    assert {path: m for path, m in methods.items() if m} == body_methods(body)
    for route in facts.routes(spec):
        method = "X-AMAZON-APIGATEWAY-ANY-METHOD" if route["method"] == "ANY" else route["method"]
        assert integrations[(route["path"], method)]["uri"] == invoke_arn(facts.effective(spec)["region"], route["function"]), route


def test_the_hand_made_body_imports_into_api_gateway_with_every_resource_path(aws_credentials):
    body = deployable(aws_body(), "us-east-1")
    methods, integrations = import_into_moto(body, "us-east-1")
    assert sorted(methods) == resource_paths(body["paths"])
    assert {path: m for path, m in methods.items() if m} == body_methods(body)
    assert integrations[("/items", "POST")]["type"] == "AWS_PROXY" or integrations[("/items", "POST")]["type"].lower() == "aws_proxy"
