"""Safe to deploy, safe to destroy: what `pulumi destroy` keeps, what another stack in the same
account and region sees, and deploys that would fail for reasons the operator cannot see.

Each test reads the plan document (what the engine receives, options included), so it survives a
golden refresh. Expectations come from the raw spec, the AWS documentation cited in each
docstring, and the provider's behaviour, never from the compiler's own helpers.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from compiler.plan import plan_file
from plan_support import CASE_IDS, CASE_SPECS, ROOT, SAMPLE, USAGE_PLANS, one, plan, plan_json, resources

KEY, ALIAS, BUCKET = "aws:kms/key:Key", "aws:kms/alias:Alias", "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
BUCKET_CONFIGURATION = ("BucketOwnershipControls", "BucketPublicAccessBlock", "BucketVersioning",
                        "BucketServerSideEncryptionConfiguration", "BucketLifecycleConfiguration", "BucketPolicy")
ACCOUNT, ROLE, ROLE_POLICY = "aws:apigateway/account:Account", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def s3_type(kind: str) -> str:
    return f"aws:s3/{kind[:1].lower() + kind[1:]}:{kind}"


def write_spec(tmp_path: Path, data: dict, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def load(spec: str) -> dict:
    return yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))


# 1. The account's API Gateway logging role -----------------------------------------------------

def test_destroying_a_stack_never_resets_the_accounts_api_gateway_logging_role():
    """pulumi-aws v7 wraps Terraform provider v6, whose aws_api_gateway_account Delete always calls
    UpdateAccount with cloudwatchRoleArn = null (v6 upgrade guide: "`reset_on_delete` has been
    removed. The destroy operation will now always reset the API Gateway account settings";
    internal/service/apigateway/account.go). The setting, the role it names and the role's policy
    must therefore be retained, or destroying one stack stops logging for every API in the region."""
    document = plan(SAMPLE)
    account = one(document, ACCOUNT)
    assert account["options"].get("retain_on_delete") is True
    [role] = [r for r in resources(document, ROLE) if r["outputs"]["arn"] == account["inputs"]["cloudwatchRoleArn"]]
    assert role["options"].get("retain_on_delete") is True
    [policy] = [p for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"]]
    assert policy["options"].get("retain_on_delete") is True
    # The setting waits for the role's permissions (API Gateway checks them when it is set).
    assert policy["urn"] in account["depends_on"]


def test_the_logging_role_has_a_generated_name_so_a_recreated_stack_never_collides_with_the_one_it_left():
    """A retained role stays in IAM after destroy; a fixed name would make the next `up` of the same
    stack fail with EntityAlreadyExists. IAM name prefixes take at most 38 characters."""
    role = one(plan(SAMPLE), ROLE, "api-us-east-1-cloudwatch-role")
    assert "name" not in role["inputs"]
    prefix = role["inputs"]["namePrefix"]
    assert len(prefix) <= 38 and prefix.startswith("serverless-app-dev-apigw-") and "us-east-1" in prefix


def test_a_second_app_and_a_second_stage_in_the_same_account_and_region_share_no_physical_name(tmp_path):
    """Two stacks that create one name would fight over it (or fail with AlreadyExists). Names come
    from every named input of the plan: functions, roles, log groups, bucket, alias, stream, topic,
    dashboard, API, keys, plans."""
    data = load(USAGE_PLANS)
    other_app = write_spec(tmp_path, {**data, "name": "other-app"}, "other.yaml")
    stacks = [plan(USAGE_PLANS), plan_file(USAGE_PLANS, stage="qa", project_root=ROOT),
              plan_file(other_app, project_root=ROOT)]

    def names(document: dict) -> set[tuple[str, str]]:
        found = set()
        for r in document["resources"]:
            for field in ("name", "namePrefix", "bucket", "dashboardName"):
                if isinstance(r["inputs"].get(field), str) and r["type"] != "pulumi:providers:aws":
                    found.add((r["type"], r["inputs"][field]))
        return found

    first, second, third = map(names, stacks)
    shared = {n for n in (first & second) | (first & third) | (second & third)
              # Names scoped inside a log group of the stack itself (its subscription filter, a log stream).
              if n[0] not in ("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "aws:cloudwatch/logStream:LogStream")}
    assert shared == set()
    # Each stack points the account's setting at its own role: none depends on another stack's.
    roles = {one(d, ACCOUNT)["inputs"]["cloudwatchRoleArn"] for d in stacks}
    assert len(roles) == 3


def test_with_an_external_logging_role_the_app_neither_sets_nor_creates_it():
    document = plan("tests/golden/plan_eu_west_1/spec.yaml")
    assert load("tests/golden/plan_eu_west_1/spec.yaml")["api"]["cloudwatch_role"] == "external"
    assert resources(document, ACCOUNT) == []
    assert not [r for r in resources(document, ROLE) if "apigw" in json.dumps(r["inputs"])]


# 2. The archive outlives the stack --------------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_the_archive_key_alias_bucket_and_every_bucket_setting_are_retained_on_destroy(spec):
    """`pulumi destroy` must leave archived logs readable: a deleted (scheduled) key makes every
    object unreadable after its 7-30 day window; a deleted public access block, policy or
    encryption configuration resets the bucket's protection."""
    document = plan(spec)
    kept = [one(document, KEY), one(document, ALIAS), one(document, BUCKET),
            *(one(document, s3_type(kind)) for kind in BUCKET_CONFIGURATION)]
    assert [r["name"] for r in kept if r["options"].get("retain_on_delete") is not True] == []


@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_the_bucket_depends_on_the_key_so_the_key_is_never_deleted_before_the_bucket(spec):
    document = plan(spec)
    bucket, key = one(document, BUCKET), one(document, KEY)
    edges = {urn for urns in bucket["dependencies"].values() for urn in urns} | set(bucket["depends_on"])
    assert key["urn"] in edges


def test_only_a_protected_stage_protects_the_key_the_bucket_and_the_tables():
    """`protect` makes `pulumi destroy` refuse to run at all; the sample's prod stage sets it.
    Tables also get DynamoDB's own deletion protection there."""
    assert load(SAMPLE)["stages"]["prod"]["protect"] is True and not load(SAMPLE).get("protect")
    dev, prod = plan(SAMPLE), plan(SAMPLE, "prod")
    for kind in (KEY, BUCKET, TABLE):
        assert "protect" not in one(dev, kind)["options"]
        assert one(prod, kind)["options"]["protect"] is True
    protected = sorted(r["type"] for r in prod["resources"] if r["options"].get("protect"))
    assert protected == sorted([KEY, BUCKET, TABLE])
    assert one(dev, TABLE)["inputs"]["deletionProtectionEnabled"] is False
    assert one(prod, TABLE)["inputs"]["deletionProtectionEnabled"] is True
    assert one(dev, TABLE)["options"]["retain_on_delete"] is True


def test_protect_at_the_top_level_protects_every_stage(tmp_path):
    data = {**load(USAGE_PLANS), "protect": True}
    document = plan_file(write_spec(tmp_path, data), project_root=ROOT)
    assert one(document, KEY)["options"]["protect"] is True and one(document, BUCKET)["options"]["protect"] is True


# 3. Options in the plan document -------------------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_every_resource_carries_the_options_the_engine_received_and_only_known_ones(spec):
    known = {"protect", "retain_on_delete", "ignore_changes", "replace_on_changes", "delete_before_replace",
             "custom_timeouts", "deleted_with"}
    for resource in plan(spec)["resources"]:
        assert set(resource["options"]) <= known, resource["name"]
        # Only set options are listed: false and empty ones are omitted, so the document stays compact.
        assert all(value not in (False, [], {}, "") for value in resource["options"].values()), resource["name"]


# 4. Reserved concurrency --------------------------------------------------------------------------

def test_the_sample_reserves_no_concurrency_and_the_key_documents_the_unreserved_minimum():
    """PutFunctionConcurrency: "you leave at least 100 simultaneous executions unreserved"; new
    accounts have reduced quotas, so any reservation can fail the first deploy there."""
    assert all("reserved_concurrency" not in f for f in load(SAMPLE)["functions"].values())
    assert all("reservedConcurrentExecutions" not in f["inputs"] for f in resources(plan(SAMPLE), "aws:lambda/function:Function"))
    schema = json.loads((ROOT / "schema" / "app.schema.json").read_text(encoding="utf-8"))
    described = schema["$defs"]["function"]["properties"]["reserved_concurrency"]["description"]
    assert "100" in described and "unreserved" in described


# 7. ANY routes and method settings ------------------------------------------------------------------

def test_a_throttled_any_route_gets_a_setting_per_concrete_method_and_an_explicit_route_keeps_its_own(tmp_path):
    """API Gateway documents method paths as `{resource_path}/{http_method}` or `*/*` only (Stage
    API, methodSettings), so `~1files/*` is not used; a GET route of the same path keeps its limits."""
    data = {"version": 1, "name": "files", "region": "eu-west-1",
            "functions": {"files": {"handler": "runtime_handlers.items.handler"}},
            "api": {"routes": [
                {"method": "ANY", "path": "/files/{key+}", "function": "files", "throttling": {"rate_limit": 10, "burst_limit": 20}},
                {"method": "GET", "path": "/files/{key+}", "function": "files", "throttling": {"rate_limit": 50, "burst_limit": 100}}]}}
    document = plan_file(write_spec(tmp_path, data), project_root=ROOT)
    settings = {r["inputs"]["methodPath"]: r["inputs"]["settings"] for r in resources(document, METHOD_SETTINGS)}
    resource = "~1files~1{key+}"
    assert not [path for path in settings if path.endswith("/*") and path != "*/*"]
    assert {path.rsplit("/", 1)[1] for path in settings if path != "*/*"} == {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
    assert settings[f"{resource}/GET"]["throttlingRateLimit"] == 50
    for method in ("DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"):
        assert settings[f"{resource}/{method}"]["throttlingRateLimit"] == 10


# 8. Nothing in the API body triggers an import warning -----------------------------------------

# From "Amazon API Gateway important notes for REST APIs" (api-gateway-known-issues.html), the
# OpenAPI features API Gateway ignores or does not support; with fail_on_warnings each would
# fail the deploy.
UNSUPPORTED_SCHEMA_KEYS = {"discriminator", "example", "readOnly", "oneOf", "anyOf", "additionalProperties",
                           "exclusiveMinimum", "deprecated"}
UNSUPPORTED_FORMATS = {"int32", "int64", "decimal"}
PARAMETER_ATTRIBUTES = {"name", "in", "required", "type", "description", "schema"}  # `schema` carries `type` in OpenAPI 3
PATH_SEGMENT = re.compile(r"^(\{[A-Za-z0-9_.-]+\+?\}|[A-Za-z0-9._,~-]+)$")


def import_warnings(body: dict) -> list[str]:
    """Everything in `body` the documented list says API Gateway rejects or ignores."""
    found = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in UNSUPPORTED_SCHEMA_KEYS:
                    found.append(f"{where}.{key} is not supported")
                if key == "format" and value in UNSUPPORTED_FORMATS:
                    found.append(f"{where}.format {value} is not supported")
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(body, "")
    if "security" in body:
        found.append("root-level security is not used by API Gateway")
    for name, scheme in body.get("components", {}).get("securitySchemes", {}).items():
        if scheme.get("type") != "apiKey":
            found.append(f"security scheme {name} is {scheme.get('type')}, only apiKey is supported")
    for path, methods in body["paths"].items():
        found += [f"path segment '{s}' of {path}" for s in path.strip("/").split("/") if s and not PATH_SEGMENT.match(s)]
        for method, operation in methods.items():
            for code, response in operation.get("responses", {}).items():
                if not code.isdigit():
                    found.append(f"{method.upper()} {path}: non-numeric response code '{code}'")
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None and schema.get("type", "object") != "object":
                    found.append(f"{method.upper()} {path}: method response schemas must be objects")
            for parameter in operation.get("parameters", []):
                extra = set(parameter) - PARAMETER_ATTRIBUTES
                if extra:
                    found.append(f"{method.upper()} {path}: parameter attributes {sorted(extra)} are ignored")
    return found


def test_the_import_warning_check_finds_what_api_gateway_documents_as_unsupported():
    body = {"paths": {"/a": {"get": {"responses": {"default": {"description": "x"}},
                                     "parameters": [{"name": "q", "in": "query", "example": "1", "style": "form"}]}}},
            "security": [{"k": []}], "components": {"securitySchemes": {"k": {"type": "oauth2"}}}}
    problems = import_warnings(body)
    assert any("non-numeric response code 'default'" in p for p in problems)
    assert any("root-level security" in p for p in problems)
    assert any("oauth2" in p for p in problems)
    assert any("example is not supported" in p for p in problems)
    assert any("['example', 'style']" in p for p in problems)


@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_no_api_body_uses_an_openapi_feature_api_gateway_warns_about(spec):
    document = plan(spec)
    for api in resources(document, "aws:apigateway/restApi:RestApi"):
        assert api["inputs"]["failOnWarnings"] is True
        assert import_warnings(json.loads(api["inputs"]["body"])) == []


# 11. Personal data out of URNs ---------------------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_no_email_address_appears_in_a_urn_or_logical_name(spec):
    document = plan(spec)
    addresses = load(spec).get("alarms", {}).get("notify", [])
    for resource in document["resources"]:
        assert "@" not in resource["urn"] and "@" not in resource["name"]
        assert not any(a.split("@")[0] in resource["name"] for a in addresses if len(a.split("@")[0]) > 4)
    endpoints = sorted(s["inputs"]["endpoint"] for s in resources(document, "aws:sns/topicSubscription:TopicSubscription"))
    assert endpoints == sorted(addresses)


def test_reordering_or_recasing_notify_addresses_keeps_subscription_names(tmp_path):
    data = load(USAGE_PLANS)
    data["alarms"] = {"notify": ["b@example.com", "a@example.com"], "function_errors": {"threshold": 1}}
    first = plan_file(write_spec(tmp_path, data, "a.yaml"), project_root=ROOT)
    data["alarms"]["notify"] = ["a@example.com", "B@example.com"]
    second = plan_file(write_spec(tmp_path, data, "b.yaml"), project_root=ROOT)
    kind = "aws:sns/topicSubscription:TopicSubscription"
    assert sorted(r["name"] for r in resources(first, kind)) == sorted(r["name"] for r in resources(second, kind))


# 12. Deployed values do not depend on how the spec path was spelled ---------------------------

def _plan_in_process(argv: list[str], cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "compiler", *argv], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_plan_is_byte_identical_whatever_the_spelling_of_the_spec_path_and_the_working_directory(tmp_path):
    reference = plan_json(SAMPLE)
    assert '"spec": "specs/serverless-app.yaml"' in reference
    # The project root is found from the working directory: run from a sub-folder of the project.
    spellings = [(["plan", "--json", f"./{SAMPLE}"], ROOT), (["plan", "--json", str(ROOT / SAMPLE)], ROOT),
                 (["plan", "--json", "serverless-app.yaml"], ROOT / "specs"),
                 (["plan", "--json", "../specs/serverless-app.yaml"], ROOT / "runtime_handlers")]
    # Each spelling is a process of its own (a second to start): run them side by side.
    with ThreadPoolExecutor(max_workers=len(spellings)) as pool:
        outputs = list(pool.map(lambda spelling: _plan_in_process(*spelling), spellings))
    for (argv, cwd), output in zip(spellings, outputs):
        assert output == reference, f"{argv} from {cwd}"


@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_deployed_text_names_the_spec_relative_to_the_project_root(spec):
    text = json.dumps([r["inputs"] for r in plan(spec)["resources"]])
    assert str(ROOT) not in text
    assert spec in text  # alarm descriptions, the API description, the dashboard header


# 13. Cost defaults for API logging and metrics --------------------------------------------------

def test_api_logging_defaults_to_errors_only_without_data_trace_or_per_method_metrics_and_can_be_raised(tmp_path):
    data = load(USAGE_PLANS)
    assert "logging" not in data["api"]
    settings = [r["inputs"]["settings"] for r in resources(plan(USAGE_PLANS), METHOD_SETTINGS)]
    assert settings and all((s["loggingLevel"], s["dataTraceEnabled"], s["metricsEnabled"]) == ("ERROR", False, False) for s in settings)
    data["api"]["logging"] = {"execution": "INFO", "data_trace": True, "detailed_metrics": True}
    raised = plan_file(write_spec(tmp_path, data), project_root=ROOT)
    settings = [r["inputs"]["settings"] for r in resources(raised, METHOD_SETTINGS)]
    assert all((s["loggingLevel"], s["dataTraceEnabled"], s["metricsEnabled"]) == ("INFO", True, True) for s in settings)


# 15. Names AWS keeps per account, and logical names, carry the region ---------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_role_and_dashboard_names_and_every_logical_name_carry_the_region(spec):
    """IAM role and CloudWatch dashboard names are account-wide (PutDashboard: "All dashboards in
    your account are global, not region-specific"); URNs hold parent types, not names."""
    document = plan(spec)
    region = document["region"]
    for role in resources(document, ROLE):
        name = role["inputs"].get("name") or role["inputs"]["namePrefix"]
        assert region in name or re.search(r"-[0-9a-f]{8}$", name), name
    for dashboard in resources(document, "aws:cloudwatch/dashboard:Dashboard"):
        assert region in dashboard["inputs"]["dashboardName"]
    assert [r["name"] for r in document["resources"] if region not in r["name"]] == []


def test_two_regions_of_one_app_and_stage_share_no_urn_and_no_account_wide_name(tmp_path):
    east = plan(USAGE_PLANS)
    data = {**load(USAGE_PLANS), "region": "eu-west-1"}
    west = plan_file(write_spec(tmp_path, data), project_root=ROOT)
    tails = lambda d: {r["urn"].split("::", 2)[2] for r in d["resources"]}  # noqa: E731 - type path and name
    assert tails(east) & tails(west) == set()
    global_names = lambda d: {r["inputs"].get("name") or r["inputs"].get("namePrefix") for r in resources(d, ROLE)} | \
        {r["inputs"]["dashboardName"] for r in resources(d, "aws:cloudwatch/dashboard:Dashboard")}  # noqa: E731
    assert global_names(east) & global_names(west) == set()

