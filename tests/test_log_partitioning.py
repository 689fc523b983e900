"""The archive's one Firehose stream per app and region, and its partitioning rule run on real
CloudWatch Logs envelopes.

CloudWatch Logs delivers subscription data to Firehose as gzip-compressed JSON envelopes
({"messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"}); with the
Decompression processor and no message extraction, Firehose's dynamic partitioning sees that
envelope ("Writing with CloudWatch Logs" and "Message extraction" in the Firehose developer guide)
and evaluates the MetadataExtractionQuery with JQ. Here the same query, taken from the plan
document, runs through libjq (the `jq` package) on envelopes made as CloudWatch Logs makes them.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import jq
import pytest
import yaml

from compiler.plan import plan_file
from plan_support import CASE_IDS, CASE_SPECS, ROOT, SAMPLE, one, plan, resources

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


def envelope(log_group: str, message_type: str = "DATA_MESSAGE") -> bytes:
    """A subscription record as CloudWatch Logs sends it: gzip-compressed JSON."""
    body = {"messageType": message_type, "owner": "123456789012", "logGroup": log_group,
            "logStream": "2026/11/29/[$LATEST]0123456789abcdef", "subscriptionFilters": ["archive-to-s3"],
            "logEvents": [{"id": "37809182735091283", "timestamp": 1764374400000, "message": '{"level":"INFO","msg":"hello"}'}]}
    return gzip.compress(json.dumps(body).encode())


def stream_configuration(document: dict) -> dict:
    return one(document, STREAM)["inputs"]["extendedS3Configuration"]


def query_of(document: dict) -> str:
    processors = stream_configuration(document)["processingConfiguration"]["processors"]
    [extraction] = [p for p in processors if p["type"] == "MetadataExtraction"]
    return {p["parameterName"]: p["parameterValue"] for p in extraction["parameters"]}["MetadataExtractionQuery"]


def archive_folder(document: dict, record: bytes) -> str:
    """Where Firehose writes `record`: decompress (the Decompression processor), run the query,
    fill the prefix's partitionKeyFromQuery expressions (dates left as written)."""
    keys = jq.compile(query_of(document)).input_text(gzip.decompress(record).decode()).first()
    prefix = stream_configuration(document)["prefix"]
    return re.sub(r"!\{partitionKeyFromQuery:([a-z]+)\}", lambda m: keys[m.group(1)], prefix).split("year=")[0]


def log_groups(document: dict) -> dict[str, str]:
    """Shipped log group name -> the logical name of its subscription filter's group."""
    return {f["inputs"]["logGroup"]: f["name"] for f in resources(document, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")}


@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_each_shipped_log_group_lands_in_its_own_documented_folder(spec):
    document = plan(spec)
    raw = yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))
    expected = {f"/aws/lambda/{name}": f"logs/lambda/{key}/" for key, name in document["outputs"]["function_names"].items()}
    if "api" in raw:
        expected[f"/aws/apigateway/{raw['name']}-{document['stage']}-access"] = "logs/apigateway/access/"
        expected[f"API-Gateway-Execution-Logs_{document['outputs']['api_id']}/{document['stage']}"] = "logs/apigateway/execution/"
        waf = raw["api"].get("waf", {})
        if waf and "web_acl_arn" not in waf:
            expected[f"aws-waf-logs-{raw['name']}-{document['stage']}"] = "logs/waf/acl/"
    assert set(log_groups(document)) == set(expected)
    for group, folder in expected.items():
        assert archive_folder(document, envelope(group)) == folder, group


def test_a_control_message_or_a_foreign_group_goes_to_a_folder_of_its_own_instead_of_failing():
    """CloudWatch Logs sends a CONTROL_MESSAGE (empty logGroup) when a subscription starts."""
    document = plan(SAMPLE)
    assert archive_folder(document, envelope("", "CONTROL_MESSAGE")) == "logs/other/unknown/"
    assert archive_folder(document, envelope("/aws/lambda/another-app-dev-items")) == "logs/other/unknown/"


def test_a_function_whose_physical_name_was_shortened_still_lands_under_its_spec_key(tmp_path: Path):
    key = "a-rather-long-worker-key"  # 24 characters, the longest a function key may be
    data = {"version": 1, "name": "an-application-with-a-long-name", "stage": "staging-eu-1", "region": "eu-west-1",
            "functions": {key: {"handler": "runtime_handlers.health.handler"}, "short": {"handler": "runtime_handlers.health.handler"}}}
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data), encoding="utf-8")
    document = plan_file(str(spec), project_root=ROOT)
    physical = document["outputs"]["function_names"][key]
    assert not physical.endswith(key), "the case needs a shortened name"
    assert archive_folder(document, envelope(f"/aws/lambda/{physical}")) == f"logs/lambda/{key}/"
    assert archive_folder(document, envelope(f"/aws/lambda/{document['outputs']['function_names']['short']}")) == "logs/lambda/short/"


def _functions_spec(tmp_path: Path, count: int) -> str:
    data = {"version": 1, "name": "fleet", "region": "eu-west-1",
            "functions": {f"worker{i}": {"handler": "runtime_handlers.health.handler"} for i in range(count)}}
    spec = tmp_path / f"fleet{count}.yaml"
    spec.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(spec)


def test_the_number_of_streams_and_the_query_size_do_not_grow_with_the_number_of_functions(tmp_path: Path):
    """Firehose streams are a per-region quota; one stream per app and region whatever the spec."""
    small, large = (plan_file(_functions_spec(tmp_path, n), project_root=ROOT) for n in (1, 12))
    for kind in (STREAM, "aws:cloudwatch/logStream:LogStream"):
        counts = [len(resources(d, kind)) for d in (small, large)]
        assert counts[0] == counts[1], kind
    shipping_roles = [sorted(r["inputs"]["name"] for r in resources(d, "aws:iam/role:Role") if "log-archive" in r["inputs"]["name"]) for d in (small, large)]
    assert len(shipping_roles[0]) == len(shipping_roles[1]) == 2
    assert len(resources(large, STREAM)) == 1
    assert len(query_of(small)) == len(query_of(large))
    # ... while each function still gets its own subscription into that stream.
    assert len(resources(large, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")) == 12
