"""Least privilege from `uses`: each function's role allows exactly what its spec asks, and a
function that uses nothing gets nothing beyond its own logs, tracing and environment.

Expectations are written here from the issue's contract (the action lists) and the raw spec,
not imported from the compiler. IAM semantics relied on: Secrets Manager ARNs end in `-` plus six
random characters, so `<name>-??????` matches exactly that secret ("Resource: Secret ARN" in the
Secrets Manager user guide); SSM parameter ARNs drop the name's leading `/`.
"""
from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest
import yaml

from plan_support import ROOT, SAMPLE, plan, resources

TABLES_SPEC = "tests/golden/plan_tables_and_secrets/spec.yaml"
ACCOUNT, REGION = "123456789012", "eu-west-1"
READ = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable"}
WRITE = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
BASELINE = {"WriteOwnLogGroup", "ActiveTracing", "DecryptOwnEnvironment"}


def raw(spec: str) -> dict:
    return yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))


def policy_of(document: dict, function_key: str) -> list[dict]:
    [policy] = [p for p in resources(document, "aws:iam/rolePolicy:RolePolicy") if p["name"].startswith(f"fn-{function_key}-")]
    return json.loads(policy["inputs"]["policy"])["Statement"]


def environment_of(document: dict, function_key: str) -> dict:
    name = document["outputs"]["function_names"][function_key]
    [function] = [f for f in resources(document, "aws:lambda/function:Function") if f["inputs"]["name"] == name]
    return function["inputs"].get("environment", {}).get("variables", {})


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def allowed(statements: list[dict], action: str, resource: str) -> bool:
    """Whether any Allow statement names `action` on a resource pattern matching `resource`."""
    return any(s["Effect"] == "Allow" and action in as_list(s["Action"])
               and any(fnmatchcase(resource, pattern) for pattern in as_list(s["Resource"])) for s in statements)


@pytest.fixture(scope="module")
def document() -> dict:
    return plan(TABLES_SPEC)


def table_arn(spec: dict, key: str) -> str:
    return f"arn:aws:dynamodb:{spec['region']}:{ACCOUNT}:table/{spec['name']}-{spec.get('stage', 'dev')}-{key}"


def test_each_table_grant_is_exactly_the_access_level_asked_on_that_table_only(document):
    spec = raw(TABLES_SPEC)
    for key, function in spec["functions"].items():
        statements = policy_of(document, key)
        asked = function.get("uses", {}).get("tables", {})
        for table in spec["tables"]:
            arn = table_arn(spec, table)
            access = asked.get(table)
            want = (READ if access in ("read", "read_write") else set()) | (WRITE if access in ("write", "read_write") else set())
            for action in READ | WRITE:
                assert allowed(statements, action, arn) == (action in want), (key, table, action)
            # Reads reach the table's indexes; writes never name them.
            assert allowed(statements, "dynamodb:Query", f"{arn}/index/by_status") == (access in ("read", "read_write"))
        granted = {a for s in statements if s["Sid"].startswith("Table") and not s["Sid"].startswith("TableKey") for a in as_list(s["Action"])}
        assert granted <= READ | WRITE


def test_table_grants_include_the_app_keys_use_through_dynamodb_in_this_region_only(document):
    key_arn = [k for k in resources(document, "aws:kms/key:Key")][0]["outputs"]["arn"]
    for key in ("orders", "reports"):
        kms = [s for s in policy_of(document, key) if any(a.startswith("kms:") for a in as_list(s["Action"])) and s["Sid"].startswith("TableKey")]
        assert kms and all(s["Resource"] == key_arn for s in kms)
        assert all(s["Condition"] == {"StringEquals": {"kms:ViaService": f"dynamodb.{REGION}.amazonaws.com"}} for s in kms)
    reads_only = {a for s in policy_of(document, "reports") if s["Sid"].startswith("TableKey") for a in as_list(s["Action"])}
    assert reads_only == {"kms:Decrypt", "kms:DescribeKey"}


def test_secret_grants_name_exactly_that_parameter_or_secret(document):
    orders = policy_of(document, "orders")
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/payment-api-key"
    assert allowed(orders, "ssm:GetParameter", parameter)
    assert not allowed(orders, "ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/other")
    # A name-based secret ARN: the name, '-', and exactly six random characters.
    assert allowed(orders, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-AbC123")
    assert not allowed(orders, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-admin-AbC123")
    assert not allowed(orders, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/dbx-AbC12")
    reports = policy_of(document, "reports")
    full = raw(TABLES_SPEC)["secrets"]["partner_token"]
    assert allowed(reports, "secretsmanager:GetSecretValue", full["secrets_manager"])
    assert not allowed(reports, "ssm:GetParameter", parameter)
    [decrypt] = [s for s in reports if s["Sid"].startswith("SecretKey")]
    assert (decrypt["Action"], decrypt["Resource"]) == (["kms:Decrypt"], full["kms_key"])
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}


def test_extra_permissions_are_passed_exactly_as_written(document):
    statements = {s["Sid"]: s for s in policy_of(document, "orders")}
    assert statements["Extra1"]["Action"] == ["s3:GetObject"] and statements["Extra1"]["Resource"] == ["arn:aws:s3:::partner-drop/*"]
    assert statements["Extra2"]["Action"] == ["cloudwatch:PutMetricData"] and statements["Extra2"]["Resource"] == "*"


def test_a_function_that_uses_nothing_gets_only_its_logs_and_tracing(document):
    statements = policy_of(document, "health")
    assert {s["Sid"] for s in statements} == {"WriteOwnLogGroup", "ActiveTracing"}
    assert environment_of(document, "health") == {}


def test_no_statement_grants_a_wildcard_action_or_an_unscoped_data_action(document):
    for key in raw(TABLES_SPEC)["functions"]:
        for statement in policy_of(document, key):
            assert all("*" not in action for action in as_list(statement["Action"]))
            if statement["Resource"] == "*":
                assert set(as_list(statement["Action"])) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"}


def test_the_environment_names_tables_and_secrets_never_their_values(document):
    spec = raw(TABLES_SPEC)
    assert environment_of(document, "orders") == {
        "TABLE_ORDERS": "orders-dev-orders", "TABLE_EVENTS": "orders-dev-events",
        "SECRET_PAYMENT_API_KEY": "/orders/payment-api-key",
        "SECRET_DB_CREDENTIALS": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db"}
    assert environment_of(document, "reports") == {"TABLE_ORDERS": "orders-dev-orders",
                                                   "SECRET_PARTNER_TOKEN": spec["secrets"]["partner_token"]["secrets_manager"]}


def test_the_sample_items_function_may_read_and_write_its_table_and_health_nothing():
    document = plan(SAMPLE)
    spec = raw(SAMPLE)
    arn = table_arn(spec, "items")
    items = policy_of(document, "items")
    assert all(allowed(items, action, arn) for action in READ | WRITE)
    assert environment_of(document, "items")["TABLE_ITEMS"] == "serverless-app-dev-items"
    assert not any(s["Sid"].startswith("Table") for s in policy_of(document, "health"))
    assert {s["Sid"] for s in policy_of(document, "health")} <= BASELINE
