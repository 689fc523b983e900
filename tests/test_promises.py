"""The README's promises, each an invariant of the plan document.

Every test reads the plan (what the engine receives: inputs, dependencies, options), so it
survives a golden refresh: a change that breaks a promise fails here even after someone refreshed
the golden files without reading them. Expected values come from the raw spec and the schema's
defaults (tests/spec_facts.py), from the README's own words, and from AWS's documented behaviour,
never from the compiler's code. Each promise runs on every golden spec and on the sample's
protected `prod` stage (whose overrides the README shows).
"""
from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from functools import lru_cache

import jq
import pytest

import spec_facts as facts
from plan_support import CASE_IDS, CASE_SPECS, SAMPLE, one, plan, policy_statements, resources
from test_observability import _alarm_kind_and_target

# Every golden spec at its offline stage, and the sample's protected prod stage.
CASES = [(spec, None) for spec in CASE_SPECS] + [(SAMPLE, "prod")]
IDS = CASE_IDS + ["specs/serverless-app@prod"]
API_CASES = [(spec, stage) for spec, stage in CASES if facts.api(spec, stage) is not None]
API_IDS = [case_id for case_id, (spec, stage) in zip(IDS, CASES) if facts.api(spec, stage) is not None]

KEY, ALIAS, BUCKET = "aws:kms/key:Key", "aws:kms/alias:Alias", "aws:s3/bucket:Bucket"
LOG_GROUP, STREAM, TOPIC = "aws:cloudwatch/logGroup:LogGroup", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "aws:sns/topic:Topic"
TABLE, FUNCTION, STAGE = "aws:dynamodb/table:Table", "aws:lambda/function:Function", "aws:apigateway/stage:Stage"
REST_API, ACCOUNT = "aws:apigateway/restApi:RestApi", "aws:apigateway/account:Account"
ROLE, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUCKET_SETTINGS = tuple(f"aws:s3/{kind[:1].lower() + kind[1:]}:{kind}" for kind in (
    "BucketVersioning", "BucketServerSideEncryptionConfiguration", "BucketPublicAccessBlock", "BucketOwnershipControls",
    "BucketPolicy", "BucketLifecycleConfiguration"))


def doc(spec: str, stage: str | None) -> dict:
    return plan(spec, stage)


def key_arn(document: dict) -> str:
    return one(document, KEY)["outputs"]["arn"]


def account(document: dict) -> str:
    return key_arn(document).split(":")[4]


def edges(resource: dict) -> set[str]:
    """Everything the engine creates before `resource`: input dependencies and explicit depends_on."""
    return {urn for urns in resource["dependencies"].values() for urn in urns} | set(resource["depends_on"])


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def function_key_of(document: dict) -> dict[str, str]:
    """Physical function name -> the spec's function key (from the plan's stack outputs)."""
    return {name: key for key, name in document["outputs"]["function_names"].items()}


# 1. Tracing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,stage", API_CASES, ids=API_IDS)
def test_the_api_stage_traces_every_request_with_x_ray(spec, stage):
    """README: the access log carries each request's X-Ray trace id, so the stage must trace."""
    assert one(doc(spec, stage), STAGE)["inputs"].get("xrayTracingEnabled") is True


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_every_function_traces_actively_and_may_write_its_traces(spec, stage):
    document = plan(spec, stage)
    functions = resources(document, FUNCTION)
    assert sorted(function_key_of(document).values()) == sorted(facts.functions(spec, stage))
    for function in functions:
        assert function["inputs"].get("tracingConfig") == {"mode": "Active"}, function["name"]
        role = next(r for r in resources(document, ROLE) if r["outputs"]["arn"] == function["inputs"]["role"])
        actions = {a for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"]
                   for s in json.loads(p["inputs"]["policy"])["Statement"] for a in as_list(s["Action"])}
        assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions, function["name"]


@pytest.mark.parametrize("spec,stage", API_CASES, ids=API_IDS)
def test_the_access_log_is_one_json_line_per_request_with_the_documented_fields(spec, stage):
    """README: request id, route, status, latency, API key id, X-Ray trace id."""
    settings = one(plan(spec, stage), STAGE)["inputs"]["accessLogSettings"]
    line = json.loads(settings["format"])
    assert "\n" not in settings["format"]
    for variable in ("$context.requestId", "$context.resourcePath", "$context.status", "$context.responseLatency",
                     "$context.identity.apiKeyId", "$context.xrayTraceId"):
        assert variable in line.values(), f"the access log has no {variable}"


# 2. The archive: decompressed envelopes as JSON lines, in the documented layout ------------------

@lru_cache(maxsize=None)
def _jq(query: str):
    return jq.compile(query)


def firehose_deliver(stream: dict, records: list[bytes], arrival: datetime) -> dict[str, bytes]:
    """The S3 objects Firehose writes for `records` put into `stream` (its plan inputs), following
    the stream's own configuration as the Firehose developer guide describes it: the processors
    in order (Decompression, MetadataExtraction with JQ, AppendDelimiterToRecord; a processor this
    emulator does not know fails the test), dynamic partitioning into the prefix, records that fail
    processing under the error prefix, then the destination's compression per object."""
    s3 = stream["inputs"]["extendedS3Configuration"]
    processing = s3.get("processingConfiguration") or {}
    objects: dict[str, list[bytes]] = {}
    dates = {"yyyy": f"{arrival.year:04d}", "MM": f"{arrival.month:02d}", "dd": f"{arrival.day:02d}"}

    def fill(prefix: str, keys: dict, error: str | None = None) -> str:
        prefix = re.sub(r"!\{timestamp:([A-Za-z]+)\}", lambda m: dates[m.group(1)], prefix)
        prefix = prefix.replace("!{firehose:error-output-type}", error or "")
        return re.sub(r"!\{partitionKeyFromQuery:([A-Za-z0-9_]+)\}", lambda m: keys[m.group(1)], prefix)

    for record in records:
        data, keys, failed = record, {}, None
        for processor in processing.get("processors", []) if processing.get("enabled") else []:
            parameters = {p["parameterName"]: p["parameterValue"] for p in processor.get("parameters", [])}
            if processor["type"] == "Decompression":
                assert parameters.get("CompressionFormat") == "GZIP"
                try:
                    data = gzip.decompress(data)
                except OSError:
                    failed = "processing-failed"
            elif processor["type"] == "MetadataExtraction":
                assert parameters["JsonParsingEngine"] == "JQ-1.6"
                try:
                    keys = _jq(parameters["MetadataExtractionQuery"]).input_value(json.loads(data)).first()
                except (ValueError, UnicodeDecodeError):
                    failed = "partitioning-failed"
            elif processor["type"] == "AppendDelimiterToRecord":
                data += b"\n"
            else:
                raise AssertionError(f"processor {processor['type']} is not emulated")
            if failed:
                break
        partitioned = (s3.get("dynamicPartitioningConfiguration") or {}).get("enabled")
        if not failed and partitioned and "partitionKeyFromQuery" in s3["prefix"] and not keys:
            failed = "partitioning-failed"
        prefix = fill(s3["errorOutputPrefix"], {}, failed) if failed else fill(s3["prefix"], keys)
        objects.setdefault(prefix, []).append(record if failed else data)
    out = {}
    for prefix, chunks in objects.items():
        body = b"".join(chunks)
        out[f"{prefix}{stream['inputs']['name']}-1-2026-11-28-00-00-00-uuid{s3.get('fileExtension', '')}"] = \
            gzip.compress(body) if s3["compressionFormat"] == "GZIP" else body
    return out


def cloudwatch_logs_delivery(log_group: str, message: str, message_type: str = "DATA_MESSAGE") -> tuple[dict, bytes]:
    """(envelope, record) as a CloudWatch Logs subscription sends it to Firehose: gzip-compressed
    JSON (CloudWatch Logs user guide, "Subscription filters with Amazon Data Firehose")."""
    envelope = {"messageType": message_type, "owner": "123456789012", "logGroup": log_group,
                "logStream": "2026/11/28/[$LATEST]0123456789abcdef", "subscriptionFilters": ["archive-to-s3"],
                "logEvents": [{"id": "37809182735091283", "timestamp": 1764288000000, "message": message}]}
    return envelope, gzip.compress(json.dumps(envelope).encode())


def test_the_firehose_emulator_sends_what_it_cannot_process_to_the_error_prefix():
    """The emulator is what the archive test stands on: without Decompression, the JQ query sees
    gzip bytes and the record is a processing failure, as in Firehose."""
    stream = json.loads(json.dumps(one(plan(SAMPLE), STREAM)))
    processors = stream["inputs"]["extendedS3Configuration"]["processingConfiguration"]["processors"]
    stream["inputs"]["extendedS3Configuration"]["processingConfiguration"]["processors"] = \
        [p for p in processors if p["type"] != "Decompression"]
    _, record = cloudwatch_logs_delivery("/aws/lambda/serverless-app-dev-items", "hello")
    [key] = firehose_deliver(stream, [record], datetime(2026, 11, 28, tzinfo=timezone.utc))
    assert key.startswith("errors/partitioning-failed/year=2026/month=11/day=28/")


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_archive_holds_each_envelope_as_one_json_line_gzipped_once_under_logs_source_and_date(spec, stage):
    """README "Where logs land": Firehose decompresses the CloudWatch Logs envelopes, partitions on
    the envelope's logGroup, and writes newline-delimited JSON, gzip-compressed, to
    logs/lambda/<function>/, logs/apigateway/access/, logs/apigateway/execution/ (logs/other/unknown/
    for control messages) with year=/month=/day= folders and .json.gz objects; `gunzip | jq` reads
    them. Two deliveries per log group, so a missing delimiter would glue lines together."""
    document = plan(spec, stage)
    stream = one(document, STREAM)
    arrival = datetime(2026, 11, 28, 13, 5, tzinfo=timezone.utc)
    expected: dict[str, list[dict]] = {}
    records = []

    def send(group: str, folder: str, message_type: str = "DATA_MESSAGE") -> None:
        for i in range(2):
            envelope, record = cloudwatch_logs_delivery(group, json.dumps({"level": "INFO", "n": i}), message_type)
            expected.setdefault(f"{folder}year=2026/month=11/day=28/", []).append(envelope)
            records.append(record)

    prefix = facts.prefix(spec, stage)
    for key, name in document["outputs"]["function_names"].items():
        send(f"/aws/lambda/{name}", f"logs/lambda/{key}/")
    if facts.api(spec, stage) is not None:
        send(f"/aws/apigateway/{prefix}-access", "logs/apigateway/access/")
        send(f"API-Gateway-Execution-Logs_{document['outputs']['api_id']}/{facts.stage_of(spec, stage)}", "logs/apigateway/execution/")
        waf = facts.api(spec, stage).get("waf") or {}
        if waf and not waf.get("web_acl_arn"):
            send(f"aws-waf-logs-{prefix}", "logs/waf/acl/")
    send("", "logs/other/unknown/", "CONTROL_MESSAGE")
    objects = firehose_deliver(stream, records, arrival)
    found: dict[str, list[dict]] = {}
    for key, body in objects.items():
        folder, name = key.rsplit("/", 1)
        assert name.endswith(".json.gz"), key
        lines = gzip.decompress(body).decode().splitlines()
        found.setdefault(folder + "/", []).extend(json.loads(line) for line in lines)
    assert found == expected


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_stream_buffers_64_mb_or_300_s_and_sends_failed_records_under_errors(spec, stage):
    s3 = one(plan(spec, stage), STREAM)["inputs"]["extendedS3Configuration"]
    assert (s3["bufferingSize"], s3["bufferingInterval"]) == (64, 300)
    assert s3["errorOutputPrefix"].startswith("errors/!{firehose:error-output-type}/year=")


# 3. Encryption of everything that stores data ------------------------------------------------------

@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_every_stream_log_group_topic_table_bucket_and_environment_is_encrypted_with_the_apps_key(spec, stage):
    """README: one customer-managed KMS key encrypts the log groups, the Firehose stream and the
    objects it writes, the archive bucket (SSE-KMS with a bucket key), the alarm topic, the tables
    and the functions' environment variables."""
    document = plan(spec, stage)
    key = key_arn(document)
    streams = resources(document, STREAM)
    assert len(streams) == 1
    for stream in streams:
        assert stream["inputs"].get("serverSideEncryption") == {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": key}
        assert stream["inputs"]["extendedS3Configuration"].get("kmsKeyArn") == key
    groups = resources(document, LOG_GROUP)
    assert groups and [g["inputs"]["name"] for g in groups if g["inputs"].get("kmsKeyId") != key] == []
    topics = resources(document, TOPIC)
    assert len(topics) == 1 and topics[0]["inputs"].get("kmsMasterKeyId") == key
    tables = resources(document, facts.table_type(spec, stage))
    assert len(tables) == len(facts.tables(spec, stage))
    for table in tables:
        if table["type"] == TABLE:
            assert table["inputs"].get("serverSideEncryption") == {"enabled": True, "kmsKeyArn": key}, table["name"]
        else:  # a global table's replica in another region, under that region's key
            assert table["inputs"].get("kmsKeyArn") == key, table["name"]
    [rule] = one(document, BUCKET_SETTINGS[1])["inputs"]["rules"]
    assert rule == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key}, "bucketKeyEnabled": True}
    for function in resources(document, FUNCTION):
        if function["inputs"].get("environment"):
            assert function["inputs"].get("kmsKeyArn") == key, function["name"]


# 4. What destroy keeps, what protect guards ------------------------------------------------------

@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_exactly_what_holds_data_or_account_settings_is_retained_and_a_protected_stage_protects_the_data(spec, stage):
    """README "What `pulumi destroy` keeps": the key and alias, the bucket and its configuration,
    the tables, and (with `cloudwatch_role: create`) the account's API Gateway logging setting with
    its role and policy are retained; functions, the API, log groups, streams, alarms and
    dashboards are deleted. `protect: true` also protects the key, the bucket and the tables, and
    turns on the tables' deletion protection. `force_destroy` is off."""
    document = plan(spec, stage)
    api = facts.api(spec, stage)
    table_type = facts.table_type(spec, stage)
    expected = {KEY, ALIAS, BUCKET, *BUCKET_SETTINGS} | ({table_type} if facts.tables(spec, stage) else set())
    if api is not None and api["cloudwatch_role"] == "create":
        expected |= {ACCOUNT, ROLE, ROLE_POLICY}
    retained = {r["type"] for r in document["resources"] if r["options"].get("retain_on_delete")}
    assert retained == expected
    logging_role = [r for r in document["resources"] if r["type"] in (ROLE, ROLE_POLICY) and r["options"].get("retain_on_delete")]
    assert len(logging_role) == (2 if ACCOUNT in expected else 0), [r["name"] for r in logging_role]
    protected = {r["type"] for r in document["resources"] if r["options"].get("protect")}
    wanted = {KEY, BUCKET} | ({table_type} if facts.tables(spec, stage) else set())
    assert protected == (wanted if facts.protect(spec, stage) else set())
    for table in resources(document, table_type):
        assert table["inputs"]["deletionProtectionEnabled"] is facts.protect(spec, stage)
    assert one(document, BUCKET)["inputs"].get("forceDestroy", False) is False


def test_the_cases_include_a_protected_and_an_unprotected_stage():
    assert {facts.protect(spec, stage) for spec, stage in CASES} == {True, False}


# 5. The API body is imported strictly ----------------------------------------------------------

@pytest.mark.parametrize("spec,stage", API_CASES, ids=API_IDS)
def test_the_rest_api_body_is_imported_with_fail_on_warnings_and_overwrite(spec, stage):
    """An ignored part of the body (a warning) would deploy an API other than the spec's."""
    inputs = one(plan(spec, stage), REST_API)["inputs"]
    assert inputs.get("failOnWarnings") is True
    assert inputs.get("putRestApiMode") == "overwrite"


# 6. Dependencies that order the deploy -------------------------------------------------------------

@pytest.mark.parametrize("spec,stage", API_CASES, ids=API_IDS)
def test_the_stage_waits_for_the_logging_role_setting_and_the_pre_created_log_groups(spec, stage):
    """API Gateway refuses access logging on a stage until the account has a CloudWatch role
    (apigateway.Account); the execution log group must exist first or API Gateway creates it
    without retention or encryption."""
    document = plan(spec, stage)
    stage_resource = one(document, STAGE)
    accounts = resources(document, ACCOUNT)
    assert len(accounts) == (1 if facts.api(spec, stage)["cloudwatch_role"] == "create" else 0)
    for account_setting in accounts:
        assert account_setting["urn"] in edges(stage_resource), "the stage does not wait for the account's logging role"
        role = next(r for r in resources(document, ROLE) if r["outputs"]["arn"] == account_setting["inputs"]["cloudwatchRoleArn"])
        policy = next(p for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"])
        assert policy["urn"] in edges(account_setting)
    groups = {g["inputs"]["name"]: g["urn"] for g in resources(document, LOG_GROUP)}
    execution = f"API-Gateway-Execution-Logs_{document['outputs']['api_id']}/{facts.stage_of(spec, stage)}"
    access = f"/aws/apigateway/{facts.prefix(spec, stage)}-access"
    assert {groups[execution], groups[access]} <= edges(stage_resource)


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_each_function_is_created_after_its_own_log_group_and_its_roles_policy(spec, stage):
    """Lambda creates /aws/lambda/<function> on first invoke with no retention unless it exists."""
    document = plan(spec, stage)
    groups = {g["inputs"]["name"]: g for g in resources(document, LOG_GROUP)}
    for function in resources(document, FUNCTION):
        name = function["inputs"]["name"]
        group = groups[f"/aws/lambda/{name}"]
        assert function["inputs"]["loggingConfig"]["logGroup"] == group["inputs"]["name"]
        assert group["urn"] in edges(function), f"{name} does not wait for its log group"
        role = next(r for r in resources(document, ROLE) if r["outputs"]["arn"] == function["inputs"]["role"])
        policies = [p["urn"] for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"]]
        assert policies and set(policies) <= edges(function), f"{name} may run before its role's permissions exist"


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_archive_is_built_in_order_key_bucket_settings_stream_subscriptions(spec, stage):
    """The bucket depends on the key (so destroy never removes the key first); lifecycle rules wait
    for versioning, the TLS-only policy for the public access block; the stream waits for its
    role's policy and the bucket's versioning, encryption and policy; each subscription filter
    waits for its log group and the subscription role's policy (CloudWatch Logs test-delivers)."""
    document = plan(spec, stage)
    key, bucket = one(document, KEY), one(document, BUCKET)
    assert key["urn"] in edges(bucket)
    settings = {t: one(document, t) for t in BUCKET_SETTINGS}
    assert settings[BUCKET_SETTINGS[0]]["urn"] in edges(settings[BUCKET_SETTINGS[5]])
    assert settings[BUCKET_SETTINGS[2]]["urn"] in edges(settings[BUCKET_SETTINGS[4]])
    stream = one(document, STREAM)
    firehose_role = next(r for r in resources(document, ROLE) if r["outputs"]["arn"] == stream["inputs"]["extendedS3Configuration"]["roleArn"])
    firehose_policy = next(p for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == firehose_role["id"])
    assert {bucket["urn"], firehose_policy["urn"], *(settings[t]["urn"] for t in BUCKET_SETTINGS[:2])} <= edges(stream)
    assert settings[BUCKET_SETTINGS[4]]["urn"] in edges(stream)
    groups = {g["inputs"]["name"]: g["urn"] for g in resources(document, LOG_GROUP)}
    filters = resources(document, FILTER)
    assert filters
    for subscription in filters:
        role = next(r for r in resources(document, ROLE) if r["outputs"]["arn"] == subscription["inputs"]["roleArn"])
        policy = next(p for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"])
        assert {groups[subscription["inputs"]["logGroup"]], policy["urn"], stream["urn"]} <= edges(subscription)


# 7. The key policy's conditions ----------------------------------------------------------------

def key_statements(document: dict) -> dict[str, dict]:
    """The key policy's statements by principal: "account", "logs" and "cloudwatch"."""
    found = {}
    for resource, statement in policy_statements(document):
        if resource["type"] != KEY:
            continue
        principal = statement["Principal"]
        if principal == {"AWS": f"arn:aws:iam::{account(document)}:root"}:
            found["account"] = statement
        elif principal == {"Service": f"logs.{document['region']}.amazonaws.com"}:
            found["logs"] = statement
        elif principal == {"Service": "cloudwatch.amazonaws.com"}:
            found["cloudwatch"] = statement
        else:
            raise AssertionError(f"unexpected key policy principal {principal}")
    return found


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_key_lets_cloudwatch_alarms_publish_only_to_this_apps_topic(spec, stage):
    """README: "The KMS key policy names ... its topic by ARN", <app>-<stage>-alarms."""
    document = plan(spec, stage)
    topic = f"arn:aws:sns:{document['region']}:{account(document)}:{facts.prefix(spec, stage)}-alarms"
    assert one(document, TOPIC)["outputs"]["arn"] == topic
    statement = key_statements(document)["cloudwatch"]
    assert statement["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic}}


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_key_lets_cloudwatch_logs_use_it_only_for_this_apps_log_groups(spec, stage):
    """README: the key policy names this app's log groups by prefix."""
    document = plan(spec, stage)
    statement = key_statements(document)["logs"]
    assert set(statement["Condition"]) == {"ArnLike"}
    patterns = as_list(statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    for group in resources(document, LOG_GROUP):
        assert any(fnmatchcase(group["outputs"]["arn"], p) for p in patterns), group["inputs"]["name"]
    foreign = f"arn:aws:logs:{document['region']}:{account(document)}:log-group:/aws/lambda/someone-else-{facts.stage_of(spec, stage)}-items"
    assert not any(fnmatchcase(foreign, p) for p in patterns)


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_the_account_administers_the_key_unconditionally(spec, stage):
    statement = key_statements(plan(spec, stage))["account"]
    assert "Condition" not in statement and "kms:PutKeyPolicy" in statement["Action"]


# 8. Retention, lifecycle and alarms equal the spec -------------------------------------------------

@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_retention_and_archive_lifecycle_days_equal_the_spec(spec, stage):
    document, logs = plan(spec, stage), facts.logs(spec, stage)
    assert {g["inputs"]["retentionInDays"] for g in resources(document, LOG_GROUP)} == {logs["retention_days"]}
    rules = one(document, BUCKET_SETTINGS[5])["inputs"]["rules"]
    assert [r["expiration"]["days"] for r in rules if "days" in r.get("expiration", {})] == [logs["archive"]["expire_after_days"]]
    assert [r["noncurrentVersionExpiration"]["noncurrentDays"] for r in rules if "noncurrentVersionExpiration" in r] == \
        [logs["archive"]["noncurrent_expire_after_days"]]
    # README: incomplete multipart uploads are aborted after 7 days.
    assert [r["abortIncompleteMultipartUpload"]["daysAfterInitiation"] for r in rules if "abortIncompleteMultipartUpload" in r] == [7]


def _settings_of(alarm: dict) -> dict:
    """threshold, period_s, evaluation_periods and the statistic an alarm was given."""
    inputs = alarm["inputs"]
    metrics = [q["metric"] for q in inputs.get("metricQueries", []) if q.get("metric")]
    periods = {m["period"] for m in metrics} if metrics else {inputs["period"]}
    assert len(periods) == 1, inputs["name"]
    out = {"threshold": inputs["threshold"], "period_s": periods.pop(), "evaluation_periods": inputs["evaluationPeriods"]}
    if "extendedStatistic" in inputs or inputs.get("statistic") not in (None, "Sum"):
        out["statistic"] = inputs.get("extendedStatistic") or inputs["statistic"]
    return out


@pytest.mark.parametrize("spec,stage", CASES, ids=IDS)
def test_every_alarm_has_the_threshold_period_evaluation_periods_and_statistic_the_spec_gives(spec, stage):
    """README "Alarms": each kind per function (a function's own alarms override field by field),
    for the API stage and per table, with the spec's threshold, period, evaluation periods and
    statistic; a stage's override merges into an alarm field by field."""
    document = plan(spec, stage)
    names = function_key_of(document)
    prefix = facts.prefix(spec, stage)
    actual = {}
    for alarm in resources(document, ALARM):
        kind, target = _alarm_kind_and_target(alarm)
        target = names.get(target, target.removeprefix(f"{prefix}-") if kind.startswith("table_") else target)
        actual[(kind, target)] = _settings_of(alarm)
    wanted = {}
    for (kind, target), settings in facts.alarm_settings(spec, stage).items():
        wanted[(kind, target)] = {k: v for k, v in settings.items() if k in ("threshold", "period_s", "evaluation_periods", "statistic")}
    assert actual == wanted


def test_the_cases_set_every_alarm_field_to_something_other_than_its_default():
    """Otherwise an alarm that silently took the schema's defaults would pass the test above."""
    differs = set()
    for spec, stage in CASES:
        for (kind, _), settings in facts.alarm_settings(spec, stage).items():
            default = facts.defaults("alarms", kind)
            differs |= {field for field, value in settings.items() if field in default and value != default[field]}
    assert differs == {"period_s", "evaluation_periods", "statistic"}
