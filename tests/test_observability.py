"""Observability invariants of the plan: every log group is retained, encrypted and archived through
Firehose to the archive bucket; alarms, the alarm topic and the dashboard match the spec.

Expectations come from the raw spec and the schema's defaults (tests/spec_facts.py, never the
compiler's own normalizer, so a bug there cannot move the plan and the expectation together) and
from AWS's own conventions (metric names, log group names), never from a copy of a plan.
"""
from __future__ import annotations

import json
from fnmatch import fnmatchcase
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from compiler.plan import plan_file
import spec_facts as facts
from plan_support import CASE_IDS as ALL_IDS
from plan_support import CASE_SPECS as ALL_SPECS
from plan_support import EU_WEST_1, MINIMAL, ROOT, SAMPLE, one, plan, policy_statements, resources
BOTH = [SAMPLE, EU_WEST_1]

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"

# What each alarm kind of the spec watches in CloudWatch (AWS's metric names).
FUNCTION_METRIC = {"function_errors": "Errors", "function_throttles": "Throttles", "function_duration_ms": "Duration"}
API_METRIC = {"api_4xx": "4XXError", "api_5xx": "5XXError", "api_latency_ms": "Latency"}
STATISTIC_KINDS = {"function_duration_ms", "api_latency_ms"}
FUNCTION_KINDS = facts.FUNCTION_ALARMS


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ArnLike: each of the six ':'-separated parts matched on its own, wildcards inside a part."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    return len(pattern_parts) == len(arn_parts) == 6 and all(fnmatchcase(a, p) for p, a in zip(pattern_parts, arn_parts))


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def key_arn(document: dict) -> str:
    return one(document, "aws:kms/key:Key")["outputs"]["arn"]


def delivery_error_group_name(spec: str) -> str:
    return f"/aws/kinesisfirehose/{facts.prefix(spec)}"


def app_log_groups(document: dict, spec: str) -> list[dict]:
    """Every log group the app creates except Firehose's own delivery-error group."""
    return [g for g in resources(document, LOG_GROUP) if g["inputs"]["name"] != delivery_error_group_name(spec)]


def function_names(document: dict) -> dict[str, str]:
    return document["outputs"].get("function_names", {})


def rest_api(document: dict) -> dict | None:
    apis = resources(document, "aws:apigateway/restApi:RestApi")
    assert len(apis) <= 1
    return apis[0] if apis else None


API_SPECS = [spec for spec in ALL_SPECS if facts.api(spec) is not None]
assert set(BOTH) <= set(API_SPECS)


# 1. Every log group is shipped to the archive ---------------------------------------------------

@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_every_log_group_has_one_subscription_filter_to_the_apps_one_firehose_stream_writing_to_the_archive_bucket(spec):
    document, api = plan(spec), facts.api(spec)
    bucket_arn = one(document, "aws:s3/bucket:Bucket")["outputs"]["arn"]
    # One stream per app and region, however many functions: the per-region stream quota and the
    # per-stream buffers do not grow with the spec.
    stream = one(document, STREAM)
    assert stream["inputs"]["extendedS3Configuration"]["bucketArn"] == bucket_arn
    filters = resources(document, FILTER)
    groups = app_log_groups(document, spec)
    # One group per function, plus the API's access and execution groups when there is an API.
    # With a web ACL created here, its `aws-waf-logs-` group too.
    own_waf = bool(api and api.get("waf") and not api["waf"].get("web_acl_arn"))
    assert len(groups) == len(facts.functions(spec)) + (2 if api else 0) + own_waf
    for group in groups:
        name = group["inputs"]["name"]
        mine = [f for f in filters if f["inputs"]["logGroup"] == name]
        assert len(mine) == 1, f"{name} has {len(mine)} subscription filters"
        subscription = mine[0]
        assert subscription["inputs"]["filterPattern"] == ""
        assert subscription["inputs"]["destinationArn"] == stream["outputs"]["arn"]
        # The filter is created after its log group (a real edge, not a coincidence of names).
        edges = {urn for urns in subscription["dependencies"].values() for urn in urns} | set(subscription["depends_on"])
        assert group["urn"] in edges, f"the subscription filter of {name} does not depend on its log group"
        # PutSubscriptionFilter overwrites by name: a replacement must delete the old filter first.
        assert subscription["options"].get("delete_before_replace") is True
    assert len(filters) == len(groups), "a subscription filter targets a log group that is not the app's"


@pytest.mark.parametrize("spec", API_SPECS)
def test_the_api_execution_log_group_is_created_under_api_gateways_name_and_shipped(spec):
    document = plan(spec)
    api = rest_api(document)
    expected = f"API-Gateway-Execution-Logs_{api['id']}/{facts.stage_of(spec)}"
    group = [g for g in resources(document, LOG_GROUP) if g["inputs"]["name"] == expected]
    assert len(group) == 1, f"no log group {expected}"
    subscription = [f for f in resources(document, FILTER) if f["inputs"]["logGroup"] == expected]
    assert len(subscription) == 1
    assert group[0]["urn"] in subscription[0]["dependencies"]["logGroup"]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_firehose_delivery_error_group_exists_and_is_not_itself_subscribed(spec):
    document = plan(spec)
    name = delivery_error_group_name(spec)
    assert [g["inputs"]["name"] for g in resources(document, LOG_GROUP)].count(name) == 1
    assert not [f for f in resources(document, FILTER) if f["inputs"]["logGroup"] == name], \
        "the delivery-error group would feed the streams whose errors it records"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_delivery_stream_partitions_by_source_and_date_and_writes_gzip_kms_encrypted_batches(spec):
    document = plan(spec)
    key = key_arn(document)
    delivery_errors = delivery_error_group_name(spec)
    error_streams = {s["inputs"]["name"] for s in resources(document, "aws:cloudwatch/logStream:LogStream")
                     if s["inputs"]["logGroupName"] == delivery_errors}
    stream = one(document, STREAM)
    s3 = stream["inputs"]["extendedS3Configuration"]
    # Dynamic partitioning on the envelope's logGroup: logs/<kind>/<name>/year=/month=/day=/.
    assert s3["dynamicPartitioningConfiguration"]["enabled"] is True
    assert s3["prefix"] == ("logs/!{partitionKeyFromQuery:kind}/!{partitionKeyFromQuery:name}/"
                            "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/")
    # With expressions in the prefix, Firehose requires an error prefix with the error type.
    assert "!{firehose:error-output-type}" in s3["errorOutputPrefix"]
    assert s3["errorOutputPrefix"].startswith("errors/"), "failed records would mix with archived logs"
    processors = s3["processingConfiguration"]["processors"]
    assert [p["type"] for p in processors] == ["Decompression", "MetadataExtraction", "AppendDelimiterToRecord"]
    extraction = {p["parameterName"]: p["parameterValue"] for p in processors[1]["parameters"]}
    assert extraction["JsonParsingEngine"] == "JQ-1.6" and ".logGroup" in extraction["MetadataExtractionQuery"]
    assert s3["compressionFormat"] == "GZIP"
    assert s3["kmsKeyArn"] == key
    assert s3["bufferingSize"] >= 64, "Firehose requires at least 64 MB with dynamic partitioning"
    assert s3["bufferingInterval"] >= 300
    logging = s3["cloudwatchLoggingOptions"]
    assert logging["enabled"] is True
    assert logging["logGroupName"] == delivery_errors
    assert logging["logStreamName"] in error_streams


# 2. Retention and encryption of every log group ------------------------------------------------

@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_every_log_group_keeps_the_specs_retention_and_is_encrypted_with_the_app_key(spec):
    document = plan(spec)
    key = key_arn(document)
    groups = resources(document, LOG_GROUP)
    assert groups
    for group in groups:
        assert group["inputs"]["retentionInDays"] == facts.logs(spec)["retention_days"], group["inputs"]["name"]
        assert group["inputs"]["kmsKeyId"] == key, group["inputs"]["name"]


def test_retention_defaults_to_30_days_when_the_spec_says_nothing():
    document = plan(MINIMAL)
    with open(ROOT / MINIMAL, encoding="utf-8") as handle:
        assert "logs" not in yaml.safe_load(handle)
    assert {g["inputs"]["retentionInDays"] for g in resources(document, LOG_GROUP)} == {30}


# 3. Alarms equal the spec ------------------------------------------------------------------------

def _alarm_kind_and_target(alarm: dict) -> tuple[str, str]:
    """(spec kind, watched function name or 'api') of an alarm, read from what it measures."""
    inputs = alarm["inputs"]
    if "metricQueries" in inputs:
        metrics = [q["metric"] for q in inputs["metricQueries"] if q.get("metric")]
        if {m["namespace"] for m in metrics} == {"AWS/DynamoDB"}:
            kind = "table_throttles" if {m["metricName"] for m in metrics} == {"ReadThrottleEvents", "WriteThrottleEvents"} else "table_system_errors"
            tables = {m["dimensions"]["TableName"] for m in metrics}
            assert len(tables) == 1
            return kind, tables.pop()
        assert {m["metricName"] for m in metrics} == {"Errors", "Invocations"}, inputs["name"]
        targets = {m["dimensions"]["FunctionName"] for m in metrics}
        assert len(targets) == 1
        return "function_error_rate_percent", targets.pop()
    if inputs["namespace"] == "AWS/Lambda":
        kind = {v: k for k, v in FUNCTION_METRIC.items()}[inputs["metricName"]]
        return kind, inputs["dimensions"]["FunctionName"]
    assert inputs["namespace"] == "AWS/ApiGateway", inputs["name"]
    return {v: k for k, v in API_METRIC.items()}[inputs["metricName"]], "api"


def _expected_statistic(kind: str, statistic: str | None) -> dict:
    """Counts are summed; distributions use the spec's statistic (the schema's default filled in
    by spec_facts): a percentile is an extended statistic, Average/Minimum/Maximum a statistic."""
    if kind not in STATISTIC_KINDS:
        return {"statistic": "Sum"}
    assert statistic, f"{kind} has no statistic, not even the schema's default"
    return {"extendedStatistic": statistic} if statistic.startswith("p") else {"statistic": statistic}


def expected_alarms(spec: str, document: dict) -> dict[tuple[str, str], dict]:
    """(kind, watched physical name or "api") -> the settings the raw spec asks for."""
    names = function_names(document)
    out = {}
    for (kind, target), settings in facts.alarm_settings(spec).items():
        if kind in FUNCTION_KINDS:
            out[(kind, names[target])] = settings
        elif kind.startswith("table_"):
            out[(kind, f"{facts.prefix(spec)}-{target}")] = settings
        else:
            out[(kind, target)] = settings
    return out


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_alarms_are_exactly_the_specs_kinds_for_each_function_and_the_api(spec):
    document = plan(spec)
    seen = [_alarm_kind_and_target(a) for a in resources(document, ALARM)]
    assert sorted(seen) == sorted(expected_alarms(spec, document))


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_each_alarm_has_the_specs_threshold_period_evaluation_periods_and_statistic(spec):
    document = plan(spec)
    wanted = expected_alarms(spec, document)
    topic = one(document, TOPIC)["outputs"]["arn"]
    lambdas = {f["inputs"]["name"] for f in resources(document, "aws:lambda/function:Function")}
    api = rest_api(document)
    stage = one(document, "aws:apigateway/stage:Stage")["inputs"]["stageName"] if api else None
    for alarm in resources(document, ALARM):
        inputs = alarm["inputs"]
        kind, target = _alarm_kind_and_target(alarm)
        rule = wanted.get((kind, target))
        assert rule is not None, f"{inputs['name']} watches {kind} of {target}, which the spec does not ask for"
        assert inputs["threshold"] == rule["threshold"]
        assert inputs["evaluationPeriods"] == rule["evaluation_periods"]
        assert inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert inputs["treatMissingData"] == "notBreaching"
        assert inputs["alarmActions"] == [topic]
        assert inputs["okActions"] == [topic]
        if kind == "function_error_rate_percent":
            queries = inputs["metricQueries"]
            assert "period" not in inputs and "metricName" not in inputs, "metric math alarms take no top-level metric"
            metrics = {q["id"]: q["metric"] for q in queries if q.get("metric")}
            for metric in metrics.values():
                assert metric["namespace"] == "AWS/Lambda"
                assert metric["stat"] == "Sum"
                assert metric["period"] == rule["period_s"]
                assert metric["dimensions"] == {"FunctionName": target}
            assert not any(q["returnData"] for q in queries if q.get("metric"))
            expression = [q for q in queries if q.get("expression")]
            assert len(expression) == 1 and expression[0]["returnData"] is True
            by_name = {m["metricName"]: i for i, m in metrics.items()}
            assert expression[0]["expression"].replace(" ", "") == f"100*{by_name['Errors']}/{by_name['Invocations']}"
        elif kind.startswith("table_"):
            queries = inputs["metricQueries"]
            metrics = [q["metric"] for q in queries if q.get("metric")]
            assert all(m["period"] == rule["period_s"] and m["stat"] == "Sum" and m["dimensions"]["TableName"] == target for m in metrics)
            if kind == "table_system_errors":
                # DynamoDB publishes SystemErrors per operation: an alarm on TableName alone sees nothing.
                assert all(m["metricName"] == "SystemErrors" and "Operation" in m["dimensions"] for m in metrics)
                assert 1 < len(metrics) <= 10, "alarm metric math takes at most 10 metrics"
            [total] = [q for q in queries if q.get("expression")]
            assert total["returnData"] is True and not any(q["returnData"] for q in queries if q.get("metric"))
        else:
            assert inputs["period"] == rule["period_s"]
            statistic = _expected_statistic(kind, rule.get("statistic"))
            assert {k: inputs[k] for k in ("statistic", "extendedStatistic") if k in inputs} == statistic
            if kind in FUNCTION_METRIC:
                assert inputs["namespace"] == "AWS/Lambda"
                assert inputs["dimensions"] == {"FunctionName": target}
            else:
                assert inputs["namespace"] == "AWS/ApiGateway"
                assert inputs["dimensions"] == {"ApiName": api["inputs"]["name"], "Stage": stage}
        if target != "api" and not kind.startswith("table_"):
            assert target in lambdas, f"{inputs['name']} watches {target}, which is no function of the plan"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_no_alarm_uses_a_metric_aws_lambda_does_not_publish(spec):
    for alarm in resources(plan(spec), ALARM):
        inputs = alarm["inputs"]
        names = [inputs.get("metricName")] + [q["metric"]["metricName"] for q in inputs.get("metricQueries", []) if q.get("metric")]
        assert "ErrorRate" not in names


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_alarm_descriptions_point_at_the_dashboard_and_the_relevant_log_groups_within_1024_characters(spec):
    document = plan(spec)
    dashboard_url = document["outputs"]["dashboard_url"]
    log_group_of = {f["inputs"]["name"]: f["inputs"]["loggingConfig"]["logGroup"]
                    for f in resources(document, "aws:lambda/function:Function")}
    api = rest_api(document)
    api_groups = []
    if api:
        stage = one(document, "aws:apigateway/stage:Stage")["inputs"]
        access_arn = stage["accessLogSettings"]["destinationArn"]
        access = [g for g in resources(document, LOG_GROUP) if g["outputs"]["arn"] == access_arn]
        assert len(access) == 1
        api_groups = [access[0]["inputs"]["name"], f"API-Gateway-Execution-Logs_{api['id']}/{stage['stageName']}"]
    for alarm in resources(document, ALARM):
        description = alarm["inputs"]["alarmDescription"]
        assert len(description) <= 1024
        assert dashboard_url in description
        kind, target = _alarm_kind_and_target(alarm)
        if kind.startswith("table_"):
            assert f"Table {target} (DynamoDB)" in description  # DynamoDB writes no log group
            continue
        for group in (api_groups if target == "api" else [log_group_of[target]]):
            assert group in description, f"{alarm['inputs']['name']} does not mention {group}"


def test_a_spec_without_alarms_creates_no_alarm_but_still_a_topic_and_a_dashboard():
    document = plan(MINIMAL)
    assert "alarms" not in facts.raw(MINIMAL) and facts.alarm_settings(MINIMAL) == {}
    assert resources(document, ALARM) == []
    assert len(resources(document, TOPIC)) == 1
    assert len(resources(document, "aws:cloudwatch/dashboard:Dashboard")) == 1


# 4. The alarm topic and the key that encrypts it -------------------------------------------------

@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_one_kms_encrypted_topic_with_one_email_subscription_per_notify_address(spec):
    document = plan(spec)
    topic = one(document, TOPIC)
    assert topic["inputs"]["kmsMasterKeyId"] == key_arn(document)
    subscriptions = resources(document, "aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s["inputs"]["endpoint"] for s in subscriptions) == sorted(facts.notify(spec))
    for subscription in subscriptions:
        assert subscription["inputs"]["protocol"] == "email"
        assert subscription["inputs"]["topic"] == topic["outputs"]["arn"]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_topic_policy_lets_only_this_apps_alarms_publish_and_denies_plain_http(spec):
    document = plan(spec)
    topic_arn = one(document, TOPIC)["outputs"]["arn"]
    policy = one(document, "aws:sns/topicPolicy:TopicPolicy")
    assert policy["inputs"]["arn"] == topic_arn
    statements = [s for r, s in policy_statements(document) if r["type"] == "aws:sns/topicPolicy:TopicPolicy"]
    publish = [s for s in statements if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(publish) == 1
    assert as_list(publish[0]["Action"]) == ["sns:Publish"]
    assert as_list(publish[0]["Resource"]) == [topic_arn]
    source = {op: v["aws:SourceArn"] for op, v in publish[0]["Condition"].items() if "aws:SourceArn" in v}
    assert source and set(source) <= {"ArnLike", "ArnEquals"}
    patterns = [p for value in source.values() for p in as_list(value)]
    for alarm in resources(document, ALARM):
        assert any(arn_like(p, alarm["outputs"]["arn"]) for p in patterns), f"{alarm['outputs']['arn']} may not publish"
    account = topic_arn.split(":")[4]
    stranger = f"arn:aws:cloudwatch:{document['region']}:{account}:alarm:someone-else-prod-errors"
    assert not any(arn_like(p, stranger) for p in patterns), "any alarm of the account may publish"
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert any("sns:Publish" in as_list(s["Action"]) and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               and topic_arn in as_list(s["Resource"]) for s in deny)


def _key_statements(document: dict) -> list[dict]:
    return [s for r, s in policy_statements(document) if r["type"] == "aws:kms/key:Key"]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_key_policy_lets_cloudwatch_use_the_key_to_publish_to_the_encrypted_topic(spec):
    document = plan(spec)
    topic_arn = one(document, TOPIC)["outputs"]["arn"]
    grants = [s for s in _key_statements(document)
              if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(grants) == 1
    actions = set(as_list(grants[0]["Action"]))
    assert "kms:Decrypt" in actions and ({"kms:GenerateDataKey", "kms:GenerateDataKey*"} & actions)
    # Scoped by encryption context to this app's topic (README: "its topic by ARN"): without the
    # condition every alarm of the account could use the key through any topic.
    scoped = {operator: values["kms:EncryptionContext:aws:sns:topicArn"] for operator, values in grants[0].get("Condition", {}).items()
              if "kms:EncryptionContext:aws:sns:topicArn" in values}
    assert scoped, "the key's CloudWatch grant is not scoped to the alarm topic"
    assert set(scoped) <= {"StringEquals", "ArnEquals", "StringLike", "ArnLike"}, scoped
    patterns = [p for value in scoped.values() for p in as_list(value)]
    assert all(fnmatchcase(topic_arn, p) for p in patterns), (patterns, topic_arn)
    stranger = topic_arn.rsplit(":", 1)[0] + ":someone-else-prod-alarms"
    assert not any(fnmatchcase(stranger, p) for p in patterns), "another app's topic may use the key"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_key_policy_lets_regional_cloudwatch_logs_encrypt_every_log_group_of_the_app_and_no_other(spec):
    document = plan(spec)
    region = document["region"]
    grants = [s for s in _key_statements(document)
              if s["Effect"] == "Allow" and s.get("Principal") == {"Service": f"logs.{region}.amazonaws.com"}]
    assert len(grants) == 1
    actions = set(as_list(grants[0]["Action"]))
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} <= actions or "kms:GenerateDataKey*" in actions
    patterns = as_list(grants[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    groups = resources(document, LOG_GROUP)
    for group in groups:
        assert any(arn_like(p, group["outputs"]["arn"]) for p in patterns), f"CloudWatch Logs may not use the key for {group['inputs']['name']}"
    account = key_arn(document).split(":")[4]
    for foreign in ("/aws/lambda/someone-else-prod-items", "/aws/apigateway/someone-else-prod-access", "payments"):
        arn = f"arn:aws:logs:{region}:{account}:log-group:{foreign}"
        assert not any(arn_like(p, arn) for p in patterns), f"the key grant also covers {foreign}"


# 5. The dashboard ----------------------------------------------------------------------------------

def _dashboard(document: dict) -> list[dict]:
    return json.loads(one(document, "aws:cloudwatch/dashboard:Dashboard")["inputs"]["dashboardBody"])["widgets"]


def _metrics(widgets: list[dict]) -> set[tuple]:
    """(namespace, metric name, dimensions, stat) of every metric line; '.' repeats the line above."""
    found = set()
    for widget in widgets:
        if widget["type"] != "metric":
            continue
        previous: list = []
        for line in widget["properties"]["metrics"]:
            options = line[-1] if isinstance(line[-1], dict) else {}
            values = [v for v in line if not isinstance(v, dict)]
            values = [previous[i] if v == "." and i < len(previous) else v for i, v in enumerate(values)]
            previous = values
            namespace, name, dims = values[0], values[1], values[2:]
            stat = options.get("stat", widget["properties"].get("stat", "Average"))
            found.add((namespace, name, tuple(sorted(zip(dims[::2], dims[1::2]))), stat))
    return found


def _has(metrics: set[tuple], namespace: str, name: str, dims: dict, stat: str | None = None) -> bool:
    wanted = tuple(sorted(dims.items()))
    return any(m[:3] == (namespace, name, wanted) and (stat is None or m[3] == stat) for m in metrics)


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_dashboard_graphs_every_function_and_the_api_with_the_right_dimensions(spec):
    document = plan(spec)
    dashboards = resources(document, "aws:cloudwatch/dashboard:Dashboard")
    assert len(dashboards) == 1
    metrics = _metrics(_dashboard(document))
    assert sorted(function_names(document)) == sorted(facts.functions(spec))
    for name in function_names(document).values():
        dims = {"FunctionName": name}
        for metric in ("Invocations", "Errors", "Throttles"):
            assert _has(metrics, "AWS/Lambda", metric, dims), f"no {metric} for {name}"
        for stat in ("p50", "p99"):
            assert _has(metrics, "AWS/Lambda", "Duration", dims, stat), f"no Duration {stat} for {name}"
    api = rest_api(document)
    if facts.api(spec) is None:
        assert not any(m[0] == "AWS/ApiGateway" for m in metrics)
        return
    dims = {"ApiName": api["inputs"]["name"], "Stage": one(document, "aws:apigateway/stage:Stage")["inputs"]["stageName"]}
    for metric in ("Count", "4XXError", "5XXError"):
        assert _has(metrics, "AWS/ApiGateway", metric, dims), f"no API {metric}"
    for stat in ("p50", "p99"):
        assert _has(metrics, "AWS/ApiGateway", "Latency", dims, stat), f"no API Latency {stat}"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_dashboard_alarm_widget_lists_exactly_every_alarm(spec):
    document = plan(spec)
    listed = [arn for w in _dashboard(document) if w["type"] == "alarm" for arn in w["properties"]["alarms"]]
    assert sorted(listed) == sorted(a["outputs"]["arn"] for a in resources(document, ALARM))


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_dashboard_widgets_fit_the_24_column_grid_without_overlapping(spec):
    widgets = _dashboard(plan(spec))
    boxes = []
    for widget in widgets:
        x, y, width, height = widget["x"], widget["y"], widget["width"], widget["height"]
        assert x >= 0 and y >= 0 and width >= 1 and height >= 1
        assert x + width <= 24, f"{widget} runs past column 24"
        boxes.append((x, y, x + width, y + height))
    for a, b in combinations(boxes, 2):
        overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        assert not overlap, f"widgets at {a} and {b} overlap"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_stack_outputs_name_the_archive_the_alarm_topic_the_dashboard_and_the_api(spec):
    document, region = plan(spec), facts.effective(spec)["region"]
    outputs = document["outputs"]
    assert outputs["archive_bucket"] == one(document, "aws:s3/bucket:Bucket")["outputs"]["bucket"]
    assert outputs["alarm_topic_arn"] == one(document, TOPIC)["outputs"]["arn"]
    dashboard = one(document, "aws:cloudwatch/dashboard:Dashboard")["inputs"]["dashboardName"]
    assert outputs["dashboard_url"].startswith(f"https://{region}.console.aws.amazon.com/cloudwatch/")
    assert outputs["dashboard_url"].endswith(f"#dashboards/dashboard/{dashboard}")
    if facts.api(spec):
        stage = one(document, "aws:apigateway/stage:Stage")
        assert outputs["api_url"] == stage["outputs"]["invokeUrl"]
    else:
        assert "api_url" not in outputs


# 6. Changing the spec changes the resources ------------------------------------------------------

def test_changed_retention_lifecycle_days_and_thresholds_show_up_in_the_matching_resources(tmp_path: Path):
    with open(ROOT / SAMPLE, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    before_logs, before_alarms = facts.logs(SAMPLE), facts.alarm_settings(SAMPLE)
    retention = 60 if before_logs["retention_days"] != 60 else 90
    expire = before_logs["archive"]["expire_after_days"] + 35
    noncurrent = before_logs["archive"]["noncurrent_expire_after_days"] + 15
    errors = before_alarms[("function_errors", "items")]["threshold"] + 2
    latency = before_alarms[("api_latency_ms", "api")]["threshold"] + 250
    document["logs"] = {"retention_days": retention,
                        "archive": {"expire_after_days": expire, "noncurrent_expire_after_days": noncurrent}}
    document["alarms"]["function_errors"]["threshold"] = errors
    document["alarms"]["api_latency_ms"]["threshold"] = latency
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    result = plan_file(str(changed), project_root=ROOT)

    assert {g["inputs"]["retentionInDays"] for g in resources(result, LOG_GROUP)} == {retention}
    rules = one(result, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["inputs"]["rules"]
    assert [r["expiration"]["days"] for r in rules if "days" in r.get("expiration", {})] == [expire]
    assert [r["noncurrentVersionExpiration"]["noncurrentDays"] for r in rules if "noncurrentVersionExpiration" in r] == [noncurrent]
    thresholds: dict[str, set] = {}
    for alarm in resources(result, ALARM):
        thresholds.setdefault(_alarm_kind_and_target(alarm)[0], set()).add(alarm["inputs"]["threshold"])
    assert thresholds["function_errors"] == {errors}
    assert thresholds["api_latency_ms"] == {latency}
    # Untouched kinds keep the sample's thresholds.
    assert thresholds["function_throttles"] == {before_alarms[("function_throttles", "items")]["threshold"]}
