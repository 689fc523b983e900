"""The plan's documents, applied with real boto3 calls to moto's in-process AWS: what the engine
would send is accepted (as emulated) and reads back unchanged. Plus the API's OpenAPI body checked
against the spec's routes and, when available, against the OpenAPI 3 schema.

The plan's camelCase inputs are converted to the shapes boto3 takes; the only values substituted
are those moto makes up itself (the KMS key's id and ARN). The mock account (123456789012) is
moto's default account, so every other ARN is used as planned.

What AWS reads back is compared with what the spec and the README ask for (tests/spec_facts.py:
the raw spec and the schema's defaults), not only with what was sent: moto echoes whatever it is
given, so an echo alone would pass for any plan.
"""
from __future__ import annotations

import copy
import json
import re
from functools import lru_cache

import boto3
import pytest
from moto import mock_aws

import spec_facts as facts
from plan_support import CASE_IDS, CASE_SPECS, one, plan, plan_cases, resources

SAMPLE = "specs/serverless-app.yaml"
EU_WEST_1 = "tests/golden/plan_eu_west_1/spec.yaml"
CASES = plan_cases()
# Every case, a several-region case once per region (plan_support.RegionSpec).
ALL_SPECS = CASE_SPECS
ALL_IDS = CASE_IDS
assert SAMPLE in ALL_SPECS and EU_WEST_1 in ALL_SPECS
# Moto sessions cost about half a second each: apply the sample, eu-west-1 (another region, an edge API)
# and the functions-only case (no API, two addresses, several environment variables).
APPLIED = [SAMPLE, EU_WEST_1, "tests/golden/plan_functions_only/spec.yaml"]
APPLIED_IDS = [case for spec in APPLIED for case, s, _ in CASES if s == spec]

# The retention values the CloudWatch Logs API accepts (PutRetentionPolicy); moto accepts any.
CLOUDWATCH_LOGS_RETENTION = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
LOG_GROUP_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]{1,512}")


API_SPECS = [spec for spec in ALL_SPECS if facts.api(spec) is not None]
API_IDS = [case for case, spec in zip(ALL_IDS, ALL_SPECS) if spec in API_SPECS]


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    """Never reach a real account, whatever the environment holds."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")


@lru_cache(maxsize=1)
def session() -> boto3.session.Session:
    """One session with explicit fake credentials: clients share its loaded service models (fast)
    and never pick up real credentials. Every request is also checked against the API's model."""
    aws = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing")
    aws.events.register("before-parameter-build", _check_against_api_model)
    return aws


def _check_against_api_model(params: dict, model, **_) -> None:
    """What botocore leaves to the service and moto does not check either: enum values, maximum
    lengths and sizes, and value ranges declared in the API model (the service would reject them)."""
    problems: list[str] = []
    _check_shape(model.input_shape, params, model.name, problems)
    assert not problems, f"{model.service_model.service_name}.{model.name} would be rejected: " + "; ".join(problems)


def _check_shape(shape, value, where: str, problems: list[str]) -> None:
    if shape is None or value is None:
        return
    meta = shape.metadata
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, item in value.items():
            if name in shape.members:
                _check_shape(shape.members[name], item, f"{where}.{name}", problems)
    elif shape.type_name == "list" and isinstance(value, (list, tuple)):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where} has {len(value)} items, at most {meta['max']}")
        for i, item in enumerate(value):
            _check_shape(shape.member, item, f"{where}[{i}]", problems)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            _check_shape(shape.key, key, f"{where} key", problems)
            _check_shape(shape.value, item, f"{where}[{key}]", problems)
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{where}={value!r} is not one of {shape.enum}")
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where} is {len(value)} characters, at most {meta['max']}")
    elif shape.type_name in ("integer", "long", "double", "float") and isinstance(value, (int, float)):
        if "max" in meta and value > meta["max"]:
            problems.append(f"{where}={value} is above {meta['max']}")
        if "min" in meta and value < meta["min"]:
            problems.append(f"{where}={value} is below {meta['min']}")


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# Plan inputs (camelCase, as the engine receives them) -> boto3 shapes (PascalCase, AWS's acronyms).
ACRONYMS = {"id": "ID", "sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}


def to_boto(value):
    if isinstance(value, dict):
        return {ACRONYMS.get(k, k[:1].upper() + k[1:]): to_boto(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_boto(v) for v in value]
    return value


def dimensions(mapping: dict) -> list[dict]:
    return [{"Name": name, "Value": value} for name, value in sorted(mapping.items())]


def assert_contains(expected, actual, where="") -> None:
    """Everything in `expected` is in `actual` (AWS may add defaults of its own)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing from {actual!r}"
            assert_contains(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_contains(e, a, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


class Emulated:
    """One plan applied to moto: the KMS key first, then ids that moto chose substituted everywhere."""

    def __init__(self, document: dict):
        self.document = document
        self.region = document["region"]
        self.planned_key = one(document, "aws:kms/key:Key")
        self.key = self.client("kms").create_key(
            Policy=self.planned_key["inputs"]["policy"], Description=self.planned_key["inputs"]["description"],
            KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]

    def client(self, service: str):
        return session().client(service, region_name=self.region)

    def sub(self, value):
        """`value` with the plan's mock key id and ARN replaced by moto's."""
        if isinstance(value, str):
            return (value.replace(self.planned_key["outputs"]["arn"], self.key["Arn"])
                         .replace(self.planned_key["id"], self.key["KeyId"]))
        if isinstance(value, dict):
            return {k: self.sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.sub(v) for v in value]
        return value

    def create_bucket(self) -> str:
        name = one(self.document, "aws:s3/bucket:Bucket")["inputs"]["bucket"]
        where = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        self.client("s3").create_bucket(Bucket=name, **where)
        return name


# 10. AWS (as emulated) accepts the plan's documents ----------------------------------------------

@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_kms_accepts_the_key_policy_and_returns_it_unchanged_with_rotation_enabled(spec):
    document = plan(spec)
    policy_text = one(document, "aws:kms/key:Key")["inputs"]["policy"]
    # What KMS checks and moto does not: size, grammar, and the lockout safety check (the account
    # must keep kms:PutKeyPolicy, or CreateKey fails with MalformedPolicyDocumentException).
    assert len(policy_text.encode()) <= 32768
    policy = json.loads(policy_text)
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] in ("Allow", "Deny") and "Principal" in statement and statement.get("Resource") == "*"
        assert all(action.startswith("kms:") for action in as_list(statement["Action"])), statement["Action"]
    root = {"AWS": f"arn:aws:iam::{document['outputs']['alarm_topic_arn'].split(':')[4]}:root"}
    assert any(s["Effect"] == "Allow" and s["Principal"] == root and "kms:PutKeyPolicy" in as_list(s["Action"]) and not s.get("Condition")
               for s in policy["Statement"]), "the key policy would lock the account out of its own key"
    with mock_aws():
        aws = Emulated(document)
        kms = aws.client("kms")
        stored = kms.get_key_policy(KeyId=aws.key["KeyId"], PolicyName="default")["Policy"]
        assert json.loads(stored) == json.loads(aws.planned_key["inputs"]["policy"])
        inputs = aws.planned_key["inputs"]
        rotation = {"RotationPeriodInDays": inputs["rotationPeriodInDays"]} if "rotationPeriodInDays" in inputs else {}
        if inputs["enableKeyRotation"]:
            kms.enable_key_rotation(KeyId=aws.key["KeyId"], **rotation)
        assert kms.get_key_rotation_status(KeyId=aws.key["KeyId"])["KeyRotationEnabled"] is True
        alias = one(document, "aws:kms/alias:Alias")["inputs"]
        kms.create_alias(AliasName=alias["name"], TargetKeyId=aws.sub(alias["targetKeyId"]))
        # README: the alias is alias/<app>-<stage>.
        assert [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/{facts.prefix(spec)}"] == [aws.key["KeyId"]]


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_iam_accepts_every_trust_policy_and_role_policy_and_returns_them_unchanged(spec):
    document = plan(spec)
    with mock_aws():
        aws = Emulated(document)
        iam = aws.client("iam")
        roles = resources(document, "aws:iam/role:Role")
        for role in roles:
            inputs = role["inputs"]
            if "namePrefix" in inputs:
                # IAM generates the rest: Terraform's prefixed names add a 26-character suffix.
                assert "name" not in inputs and len(inputs["namePrefix"]) <= 38
                name = role["outputs"]["name"]
                assert name.startswith(inputs["namePrefix"]) and len(name) == len(inputs["namePrefix"]) + 26
            else:
                name = inputs["name"]
            assert len(name) <= 64 and len(inputs.get("description", "")) <= 1000
            created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
                                      Description=inputs.get("description", ""))["Role"]
            assert created["Arn"] == role["outputs"]["arn"]
            stored = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
            assert stored == json.loads(inputs["assumeRolePolicy"])
        # Who may assume the stored roles: one role per function (Lambda), Firehose and regional
        # CloudWatch Logs for the archive, and API Gateway's logging role unless it is external.
        trusted = sorted(p for r in iam.list_roles()["Roles"] for s in r["AssumeRolePolicyDocument"]["Statement"]
                         for p in as_list(s["Principal"]["Service"]))
        api = facts.api(spec)
        wanted = ["lambda.amazonaws.com"] * len(facts.functions(spec)) + ["firehose.amazonaws.com", f"logs.{aws.region}.amazonaws.com"]
        wanted += ["apigateway.amazonaws.com"] if api and api["cloudwatch_role"] == "create" else []
        assert trusted == sorted(wanted)
        names = {role["id"] for role in roles}
        for policy in resources(document, "aws:iam/rolePolicy:RolePolicy"):
            role_name = policy["inputs"]["role"]
            assert role_name in names, f"{policy['name']} is attached to a role the plan does not create"
            text = aws.sub(policy["inputs"]["policy"])
            assert len(text.encode()) <= 10240, "inline role policies are limited to 10,240 characters"
            iam.put_role_policy(RoleName=role_name, PolicyName=policy["name"], PolicyDocument=text)
            stored = iam.get_role_policy(RoleName=role_name, PolicyName=policy["name"])["PolicyDocument"]
            assert stored == json.loads(text)


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_s3_accepts_the_archive_bucket_settings_and_returns_them_unchanged(spec):
    document = plan(spec)

    def inputs(kind: str, *known: str) -> dict:
        found = one(document, f"aws:s3/{kind[:1].lower() + kind[1:]}:{kind}")["inputs"]
        assert set(found) <= {"bucket", *known}, f"{kind} has inputs this test does not apply: {set(found) - {'bucket', *known}}"
        return found

    with mock_aws():
        aws = Emulated(document)
        s3 = aws.client("s3")
        name = aws.create_bucket()

        # README: "<app>-<stage>-logs-<account id>-<region>" (moto's account is the mock's).
        assert name == f"{facts.prefix(spec)}-logs-123456789012-{aws.region}"

        versioning = to_boto(inputs("BucketVersioning", "versioningConfiguration")["versioningConfiguration"])
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=versioning)
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"

        encryption = {"Rules": to_boto(aws.sub(inputs("BucketServerSideEncryptionConfiguration", "rules")["rules"]))}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=encryption)
        # SSE-KMS with the app's key (the one KMS created) and an S3 bucket key.
        assert_contains({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": aws.key["Arn"]},
                                    "BucketKeyEnabled": True}]},
                        s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"], "encryption")

        block = {k: v for k, v in inputs("BucketPublicAccessBlock", "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets").items() if k != "bucket"}
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=to_boto(block))
        assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}

        ownership = {"Rules": [to_boto(inputs("BucketOwnershipControls", "rule")["rule"])]}
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=ownership)
        assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}

        lifecycle = {"Rules": to_boto(inputs("BucketLifecycleConfiguration", "rules")["rules"])}
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=lifecycle)
        stored = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        archive = facts.logs(spec)["archive"]
        assert [r["Expiration"]["Days"] for r in stored if "Days" in r.get("Expiration", {})] == [archive["expire_after_days"]]
        assert [r["NoncurrentVersionExpiration"]["NoncurrentDays"] for r in stored if "NoncurrentVersionExpiration" in r] == \
            [archive["noncurrent_expire_after_days"]]
        assert [r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] for r in stored if "AbortIncompleteMultipartUpload" in r] == [7]
        assert [r["Expiration"] for r in stored if "ExpiredObjectDeleteMarker" in r.get("Expiration", {})] == [{"ExpiredObjectDeleteMarker": True}]

        policy = inputs("BucketPolicy", "policy")["policy"]
        s3.put_bucket_policy(Bucket=name, Policy=policy)
        statements = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]
        bucket_arn = f"arn:aws:s3:::{name}"
        assert [(s["Effect"], as_list(s["Action"]), sorted(as_list(s["Resource"])), s["Condition"]) for s in statements] == \
            [("Deny", ["s3:*"], [bucket_arn, f"{bucket_arn}/*"], {"Bool": {"aws:SecureTransport": "false"}})]


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_sns_accepts_the_encrypted_topic_its_policy_and_one_email_subscription_per_address(spec):
    document = plan(spec)
    topic = one(document, "aws:sns/topic:Topic")
    with mock_aws():
        aws = Emulated(document)
        sns = aws.client("sns")
        attributes = {"KmsMasterKeyId": aws.sub(topic["inputs"]["kmsMasterKeyId"])}
        if "displayName" in topic["inputs"]:
            attributes["DisplayName"] = topic["inputs"]["displayName"]
        arn = sns.create_topic(Name=topic["inputs"]["name"], Attributes=attributes)["TopicArn"]
        assert arn == topic["outputs"]["arn"] == f"arn:aws:sns:{aws.region}:123456789012:{facts.prefix(spec)}-alarms"
        policy = one(document, "aws:sns/topicPolicy:TopicPolicy")["inputs"]
        assert policy["arn"] == arn
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy["policy"])
        stored = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert stored["KmsMasterKeyId"] == aws.key["Arn"]
        assert json.loads(stored["Policy"]) == json.loads(policy["policy"])
        for subscription in resources(document, "aws:sns/topicSubscription:TopicSubscription"):
            inputs = subscription["inputs"]
            sns.subscribe(TopicArn=inputs["topic"], Protocol=inputs["protocol"], Endpoint=inputs["endpoint"])
        listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert sorted((s["Protocol"], s["Endpoint"]) for s in listed) == sorted(("email", a) for a in facts.notify(spec))


ALARM_FIELDS = {"name": "AlarmName", "alarmDescription": "AlarmDescription", "comparisonOperator": "ComparisonOperator",
                "threshold": "Threshold", "evaluationPeriods": "EvaluationPeriods", "treatMissingData": "TreatMissingData",
                "alarmActions": "AlarmActions", "okActions": "OKActions", "insufficientDataActions": "InsufficientDataActions",
                "namespace": "Namespace", "metricName": "MetricName", "period": "Period", "statistic": "Statistic",
                "extendedStatistic": "ExtendedStatistic", "datapointsToAlarm": "DatapointsToAlarm", "unit": "Unit",
                "evaluateLowSampleCountPercentiles": "EvaluateLowSampleCountPercentile", "actionsEnabled": "ActionsEnabled"}


def put_metric_alarm_arguments(inputs: dict) -> dict:
    """A MetricAlarm's inputs as PutMetricAlarm's parameters; an input this does not know fails the test."""
    arguments = {}
    for key, value in inputs.items():
        if key == "dimensions":
            arguments["Dimensions"] = dimensions(value)
        elif key == "metricQueries":
            arguments["Metrics"] = [metric_query(q) for q in value]
        else:
            assert key in ALARM_FIELDS, f"MetricAlarm input {key} is not applied by this test"
            arguments[ALARM_FIELDS[key]] = value
    return arguments


def metric_query(query: dict) -> dict:
    out = {"Id": query["id"], "ReturnData": query.get("returnData", True)}
    if "expression" in query:
        out["Expression"] = query["expression"]
    if "label" in query:
        out["Label"] = query["label"]
    if "metric" in query:
        metric = query["metric"]
        out["MetricStat"] = {"Metric": {"Namespace": metric["namespace"], "MetricName": metric["metricName"],
                                        "Dimensions": dimensions(metric.get("dimensions", {}))},
                             "Period": metric["period"], "Stat": metric["stat"]}
    return out


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_cloudwatch_accepts_every_alarm_and_describes_it_as_planned(spec):
    document = plan(spec)
    alarms = resources(document, "aws:cloudwatch/metricAlarm:MetricAlarm")
    with mock_aws():
        aws = Emulated(document)
        cloudwatch = aws.client("cloudwatch")
        expected = {}
        for alarm in alarms:
            arguments = put_metric_alarm_arguments(alarm["inputs"])
            cloudwatch.put_metric_alarm(**arguments)
            expected[arguments["AlarmName"]] = (arguments, alarm["outputs"]["arn"])
        described = cloudwatch.describe_alarms(AlarmNames=list(expected))["MetricAlarms"] if expected else []
        assert sorted(a["AlarmName"] for a in described) == sorted(expected)
        # What CloudWatch holds is what the spec asks for, not only what was sent: one alarm per
        # (kind, target), with the spec's thresholds, notifying the app's topic on ALARM and OK.
        wanted = facts.alarm_settings(spec)
        assert len(described) == len(wanted)
        assert sorted(a["Threshold"] for a in described) == sorted(float(w["threshold"]) for w in wanted.values())
        assert sorted(a["EvaluationPeriods"] for a in described) == sorted(w["evaluation_periods"] for w in wanted.values())
        topic = f"arn:aws:sns:{aws.region}:123456789012:{facts.prefix(spec)}-alarms"
        assert all(a["AlarmActions"] == [topic] and a["OKActions"] == [topic] for a in described)
        for actual in described:
            arguments, planned_arn = expected[actual["AlarmName"]]
            assert actual["AlarmArn"] == planned_arn
            for field, value in arguments.items():
                if field == "Dimensions":
                    assert sorted(actual[field], key=lambda d: d["Name"]) == value
                elif field == "Metrics":
                    assert_contains(value, actual[field], f"{actual['AlarmName']}.Metrics")
                else:
                    assert actual[field] == value, f"{actual['AlarmName']}.{field}: {actual[field]!r} != {value!r}"


# The dashboard body structure (CloudWatch API Reference, "Dashboard Body Structure and Syntax"):
# moto stores any JSON and always answers PutDashboard with no validation messages, so the
# documented grammar is checked here instead.
WIDGET_TYPES = {"metric", "text", "alarm", "log", "explorer"}
STAT = re.compile(r"^(SampleCount|Average|Sum|Minimum|Maximum|p(\d{1,2}(\.\d{1,2})?|100))$")
METRIC_PERIODS = {1, 5, 10, 30} | {60 * n for n in range(1, 24 * 60 + 1)}


def dashboard_body_problems(body: dict, region: str) -> list[str]:
    """Every way `body` strays from the documented dashboard grammar; empty when it is fine."""
    problems = []
    if set(body) - {"widgets", "start", "end", "periodOverride"} or not body.get("widgets"):
        problems.append(f"top-level keys {sorted(body)}")
    for i, widget in enumerate(body.get("widgets", [])):
        where = f"widgets[{i}]"
        if widget.get("type") not in WIDGET_TYPES:
            problems.append(f"{where}.type {widget.get('type')!r}")
        if not (1 <= widget.get("width", 0) <= 24 and 1 <= widget.get("height", 0) <= 1000
                and 0 <= widget.get("x", -1) <= 23 and widget.get("y", -1) >= 0
                and widget.get("x", 0) + widget.get("width", 0) <= 24):
            problems.append(f"{where}: position or size out of range")
        properties = widget.get("properties", {})
        if widget.get("type") == "text" and not isinstance(properties.get("markdown"), str):
            problems.append(f"{where}: a text widget needs markdown")
        if widget.get("type") == "alarm":
            alarms = properties.get("alarms", [])
            if not 1 <= len(alarms) <= 100:
                problems.append(f"{where}: {len(alarms)} alarms (1 to 100)")
            problems += [f"{where}: {a} is not an alarm ARN of {region}" for a in alarms
                         if not re.fullmatch(rf"arn:aws:cloudwatch:{region}:\d{{12}}:alarm:[^:]+", a)]
        if widget.get("type") == "metric":
            if properties.get("region") != region:
                problems.append(f"{where}: region {properties.get('region')!r}")
            if "stat" in properties and not STAT.match(properties["stat"]):
                problems.append(f"{where}: stat {properties['stat']!r}")
            if "period" in properties and properties["period"] not in METRIC_PERIODS:
                problems.append(f"{where}: period {properties['period']}")
            previous: list = []
            for j, line in enumerate(properties.get("metrics") or [None]):
                if not isinstance(line, list) or not line:
                    problems.append(f"{where}.metrics[{j}] is not a non-empty list")
                    continue
                options = line[-1] if isinstance(line[-1], dict) else None
                values = line[:-1] if options is not None else line
                if not all(isinstance(v, str) for v in values):
                    problems.append(f"{where}.metrics[{j}]: only strings before the options")
                    continue
                if options is not None and "stat" in options and not STAT.match(options["stat"]):
                    problems.append(f"{where}.metrics[{j}]: stat {options['stat']!r}")
                if options is not None and "expression" in options:
                    continue
                # [namespace, metric name, dimension name, value, ...]; "." repeats the line above.
                if len(values) < 2 or len(values) % 2 or (values[0] == "." and not previous):
                    problems.append(f"{where}.metrics[{j}]: {values} is not namespace, name and dimension pairs")
                previous = values
    return problems


def test_the_dashboard_check_reports_what_the_documented_grammar_forbids():
    good = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
        "region": "eu-west-1", "stat": "p99", "period": 60, "metrics": [["AWS/Lambda", "Errors", "FunctionName", "f"], [".", "Throttles", "FunctionName", "f", {"stat": "Sum"}]]}}]}
    assert dashboard_body_problems(good, "eu-west-1") == []
    bad = json.loads(json.dumps(good))
    bad["widgets"][0]["properties"]["metrics"].append(["AWS/Lambda", "Errors", "FunctionName"])
    bad["widgets"][0]["properties"]["stat"] = "p999"
    bad["widgets"].append({"type": "alarm", "x": 12, "y": 0, "width": 13, "height": 6, "properties": {"alarms": ["arn:aws:sns:eu-west-1:1:x"]}})
    problems = dashboard_body_problems(bad, "eu-west-1")
    assert len(problems) == 4, problems
    assert dashboard_body_problems(good, "us-east-1") == ["widgets[0]: region 'eu-west-1'"]


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_the_dashboard_body_follows_the_documented_grammar_and_cloudwatch_stores_it(spec):
    document = plan(spec)
    dashboard = one(document, "aws:cloudwatch/dashboard:Dashboard")["inputs"]
    body = json.loads(dashboard["dashboardBody"])
    assert dashboard_body_problems(body, document["region"]) == []
    # README: the dashboard is <app>-<stage>-<region> (dashboards are global to the account).
    assert dashboard["dashboardName"] == f"{facts.prefix(spec)}-{document['region']}"
    with mock_aws():
        cloudwatch = Emulated(document).client("cloudwatch")
        cloudwatch.put_dashboard(DashboardName=dashboard["dashboardName"], DashboardBody=dashboard["dashboardBody"])
        stored = cloudwatch.get_dashboard(DashboardName=dashboard["dashboardName"])["DashboardBody"]
        assert json.loads(stored) == body


def firehose_arguments(aws: Emulated, stream: dict) -> dict:
    """A FirehoseDeliveryStream's inputs as CreateDeliveryStream's parameters."""
    inputs = aws.sub(stream["inputs"])
    assert inputs["destination"] == "extended_s3"
    s3 = dict(inputs["extendedS3Configuration"])
    known = {"roleArn", "bucketArn", "prefix", "errorOutputPrefix", "bufferingSize", "bufferingInterval", "compressionFormat",
             "fileExtension", "kmsKeyArn", "processingConfiguration", "cloudwatchLoggingOptions",
             "dynamicPartitioningConfiguration"}
    assert set(s3) <= known, f"extendedS3Configuration inputs not applied by this test: {set(s3) - known}"
    destination = {"RoleARN": s3["roleArn"], "BucketARN": s3["bucketArn"], "Prefix": s3["prefix"],
                   "ErrorOutputPrefix": s3["errorOutputPrefix"], "CompressionFormat": s3["compressionFormat"],
                   "BufferingHints": {"SizeInMBs": s3["bufferingSize"], "IntervalInSeconds": s3["bufferingInterval"]},
                   "EncryptionConfiguration": {"KMSEncryptionConfig": {"AWSKMSKeyARN": s3["kmsKeyArn"]}}}
    if "fileExtension" in s3:
        destination["FileExtension"] = s3["fileExtension"]
    if "processingConfiguration" in s3:
        destination["ProcessingConfiguration"] = to_boto(s3["processingConfiguration"])
    if "cloudwatchLoggingOptions" in s3:
        destination["CloudWatchLoggingOptions"] = to_boto(s3["cloudwatchLoggingOptions"])
    if "dynamicPartitioningConfiguration" in s3:
        destination["DynamicPartitioningConfiguration"] = to_boto(s3["dynamicPartitioningConfiguration"])
    arguments = {"DeliveryStreamName": inputs["name"], "DeliveryStreamType": "DirectPut", "ExtendedS3DestinationConfiguration": destination}
    encryption = inputs.get("serverSideEncryption")
    if encryption and encryption.get("enabled"):
        arguments["DeliveryStreamEncryptionConfigurationInput"] = {"KeyType": encryption["keyType"], "KeyARN": encryption["keyArn"]}
    return arguments


@pytest.mark.parametrize("spec", APPLIED, ids=APPLIED_IDS)
def test_cloudwatch_logs_and_firehose_accept_every_log_group_stream_and_subscription_filter(spec):
    document = plan(spec)
    with mock_aws():
        aws = Emulated(document)
        logs, firehose = aws.client("logs"), aws.client("firehose")
        aws.create_bucket()
        for group in resources(document, "aws:cloudwatch/logGroup:LogGroup"):
            inputs = group["inputs"]
            assert LOG_GROUP_NAME.fullmatch(inputs["name"]), inputs["name"]
            assert inputs["retentionInDays"] in CLOUDWATCH_LOGS_RETENTION
            logs.create_log_group(logGroupName=inputs["name"], kmsKeyId=aws.sub(inputs["kmsKeyId"]))
            logs.put_retention_policy(logGroupName=inputs["name"], retentionInDays=inputs["retentionInDays"])
            stored = [g for g in logs.describe_log_groups(logGroupNamePrefix=inputs["name"])["logGroups"] if g["logGroupName"] == inputs["name"]]
            assert len(stored) == 1
            assert stored[0]["retentionInDays"] == facts.logs(spec)["retention_days"]
            assert stored[0]["kmsKeyId"] == aws.key["Arn"]
            assert stored[0]["arn"].removesuffix(":*") == group["outputs"]["arn"]
        for stream in resources(document, "aws:cloudwatch/logStream:LogStream"):
            logs.create_log_stream(logGroupName=stream["inputs"]["logGroupName"], logStreamName=stream["inputs"]["name"])
        for stream in resources(document, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"):
            arguments = firehose_arguments(aws, stream)
            arn = firehose.create_delivery_stream(**arguments)["DeliveryStreamARN"]
            assert arn == stream["outputs"]["arn"]
            described = firehose.describe_delivery_stream(DeliveryStreamName=arguments["DeliveryStreamName"])["DeliveryStreamDescription"]
            destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
            for field in ("RoleARN", "Prefix", "ErrorOutputPrefix"):
                assert destination[field] == arguments["ExtendedS3DestinationConfiguration"][field], field
            # README: into the archive bucket, gzip-compressed and encrypted with the app's key,
            # buffered up to 64 MB or 300 s.
            assert destination["BucketARN"] == f"arn:aws:s3:::{facts.prefix(spec)}-logs-123456789012-{aws.region}"
            assert destination["CompressionFormat"] == "GZIP"
            assert destination["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 300}
            assert destination["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": aws.key["Arn"]}}
            assert described["DeliveryStreamName"] == f"{facts.prefix(spec)}-log-archive"
        for subscription in resources(document, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"):
            inputs = subscription["inputs"]
            logs.put_subscription_filter(logGroupName=inputs["logGroup"], filterName=inputs["name"], filterPattern=inputs["filterPattern"],
                                         destinationArn=inputs["destinationArn"], roleArn=inputs["roleArn"])
            stored = logs.describe_subscription_filters(logGroupName=inputs["logGroup"])["subscriptionFilters"]
            assert [(f["filterName"], f["filterPattern"], f["destinationArn"], f["roleArn"]) for f in stored] == \
                [(inputs["name"], inputs["filterPattern"], inputs["destinationArn"], inputs["roleArn"])]


# 11. The API's OpenAPI body -------------------------------------------------------------------------

def openapi_body(document: dict) -> dict:
    text = one(document, "aws:apigateway/restApi:RestApi")["inputs"]["body"]
    assert isinstance(text, str)
    return json.loads(text)


def operation_key(method: str) -> str:
    return "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()


@pytest.mark.parametrize("spec", API_SPECS, ids=API_IDS)
def test_every_route_of_the_spec_is_an_aws_proxy_post_integration_of_its_function(spec):
    document, routes, region = plan(spec), facts.routes(spec), facts.effective(spec)["region"]
    body = openapi_body(document)
    assert re.fullmatch(r"3\.0\.\d+", body["openapi"]), body["openapi"]
    arns = {f["inputs"]["name"]: f["outputs"]["arn"] for f in resources(document, "aws:lambda/function:Function")}
    names = document["outputs"]["function_names"]
    planned = {(path, method) for path, item in body["paths"].items() for method, operation in item.items()
               if not method.startswith("parameters") and operation["x-amazon-apigateway-integration"]["type"] != "mock"}
    assert planned == {(route["path"], operation_key(route["method"])) for route in routes}
    # The only other operations are CORS preflights, one per path, when the spec asks for CORS.
    preflights = {(path, method) for path, item in body["paths"].items() for method, operation in item.items()
                  if operation["x-amazon-apigateway-integration"]["type"] == "mock"}
    assert preflights == ({(path, "options") for path in body["paths"]} if facts.api(spec).get("cors") else set())
    for route in routes:
        operation = body["paths"][route["path"]][operation_key(route["method"])]
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        assert integration["httpMethod"] == "POST"
        function_arn = arns[names[route["function"]]]
        # A function with provisioned concurrency is invoked through its alias `live` (README).
        qualifier = ":live" if facts.functions(spec)[route["function"]].get("provisioned_concurrency") else ""
        assert f"/functions/{function_arn}{qualifier}/invocations" in integration["uri"]
        assert integration["uri"].startswith(f"arn:aws:apigateway:{region}:lambda:path/")
        assert integration.get("timeoutInMillis", 29000) <= 29000


@pytest.mark.parametrize("spec", API_SPECS, ids=API_IDS)
def test_routes_that_require_an_api_key_use_the_x_api_key_header_scheme_and_the_others_do_not(spec):
    document, routes = plan(spec), facts.routes(spec)
    body = openapi_body(document)
    schemes = body.get("components", {}).get("securitySchemes", {})
    for route in routes:
        operation = body["paths"][route["path"]][operation_key(route["method"])]
        # One requirement object: an API key and an authorizer, when both are asked, must both pass.
        requirement = (operation.get("security") or [{}])
        assert len(requirement) == 1
        if route["api_key_required"]:
            assert requirement[0].get("api_key") == [], f"{route['method']} {route['path']} does not require an API key"
            assert schemes["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
        else:
            assert "api_key" not in requirement[0], f"{route['method']} {route['path']} asks for an API key"
        assert set(requirement[0]) - {"api_key"} == ({route["auth"]} if route["auth"] else set())
    assert "security" not in body, "a global security requirement would apply to every route"
    if any(route["api_key_required"] for route in routes):
        assert body["x-amazon-apigateway-api-key-source"] == "HEADER"


@pytest.mark.parametrize("spec", API_SPECS, ids=API_IDS)
def test_the_openapi_body_is_a_valid_openapi_3_document(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(greedy_parameters_as_validators_read_them(openapi_body(plan(spec))))


def greedy_parameters_as_validators_read_them(body: dict) -> dict:
    """`body` with each greedy path variable `{name+}` declared as `name+`, a copy. API Gateway
    documents (and exports) the parameter of `/{proxy+}` as `proxy`, which the body does; OpenAPI
    knows no greedy variables, so openapi-spec-validator (which moto's importer runs with
    failOnWarnings) reads the template's name as `proxy+` and rejects an operation declaring
    `proxy`. Only the name changes; everything else is validated as generated."""
    body = copy.deepcopy(body)
    for path, item in body["paths"].items():
        greedy = set(re.findall(r"\{([^{}+]+)\+\}", path))
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("name") in greedy:
                    parameter["name"] += "+"
    return body


@pytest.mark.parametrize("spec", API_SPECS, ids=API_IDS)
def test_api_gateway_imports_the_openapi_body_with_fail_on_warnings_and_creates_every_route(spec):
    document = plan(spec)
    api = one(document, "aws:apigateway/restApi:RestApi")["inputs"]
    endpoint = api["endpointConfiguration"]["types"]
    with mock_aws():
        apigateway = Emulated(document).client("apigateway")
        api_id = apigateway.create_rest_api(name=api["name"], endpointConfiguration={"types": as_list(endpoint)})["id"]
        # moto cannot create mock integrations (CORS preflights): those are checked in
        # test_every_route_of_the_spec_is_an_aws_proxy_post_integration_of_its_function.
        body = greedy_parameters_as_validators_read_them(json.loads(api["body"]))
        for item in body["paths"].values():
            for method in [m for m, op in item.items() if op["x-amazon-apigateway-integration"]["type"] == "mock"]:
                del item[method]
        apigateway.put_rest_api(restApiId=api_id, mode=api.get("putRestApiMode", "overwrite"),
                                failOnWarnings=api.get("failOnWarnings", False), body=json.dumps(body).encode())
        created = set()
        for resource in apigateway.get_resources(restApiId=api_id)["items"]:
            for method in resource.get("resourceMethods", {}):
                # moto keeps OpenAPI's name for ANY; API Gateway calls it ANY.
                created.add((resource["path"], "ANY" if method.upper() == "X-AMAZON-APIGATEWAY-ANY-METHOD" else method))
                integration = apigateway.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
                assert integration["type"] == "AWS_PROXY" or integration["type"].lower() == "aws_proxy"
        assert created == {(route["path"], route["method"]) for route in facts.routes(spec)}
