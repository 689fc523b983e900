"""DynamoDB tables as the spec asks: encryption with the app's key, point-in-time recovery,
billing, TTL, streams, indexes, autoscaling, retention and alarms; and the table definition
accepted by DynamoDB (moto) as the provider would send it.

Expectations come from the raw spec and the issue's contract. Autoscaled capacity is ignored by
later deploys (Application Auto Scaling owns it); tables hold data, so they are retained on destroy.
"""
from __future__ import annotations

import json

import boto3
import pytest
import yaml
from moto import mock_aws

from plan_support import ROOT, SAMPLE, one, plan, resources

SPEC = "tests/golden/plan_tables_and_secrets/spec.yaml"
TABLE = "aws:dynamodb/table:Table"
TARGET, POLICY = "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"


@pytest.fixture(scope="module")
def document() -> dict:
    return plan(SPEC)


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((ROOT / SPEC).read_text(encoding="utf-8"))


def table(document: dict, key: str) -> dict:
    return one(document, TABLE, f"table-{key}-{document['region']}-table")


def test_every_table_is_encrypted_with_the_apps_key_and_retained(document, spec):
    key_arn = one(document, "aws:kms/key:Key")["outputs"]["arn"]
    assert {t["inputs"]["name"] for t in resources(document, TABLE)} == {f"orders-dev-{k}" for k in spec["tables"]}
    for resource in resources(document, TABLE):
        assert resource["inputs"]["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_arn}
        assert resource["options"]["retain_on_delete"] is True
        assert resource["inputs"]["pointInTimeRecovery"] == {"enabled": True}


def test_keys_indexes_ttl_and_stream_are_as_written(document, spec):
    for key, raw in spec["tables"].items():
        inputs = table(document, key)["inputs"]
        assert inputs["hashKey"] == raw["partition_key"]["name"]
        assert inputs.get("rangeKey") == raw.get("sort_key", {}).get("name")
        keys = [raw["partition_key"], raw.get("sort_key")] + [k for i in raw.get("indexes", {}).values() for k in (i["partition_key"], i.get("sort_key"))]
        assert sorted((a["name"], a["type"]) for a in inputs["attributes"]) == sorted({(k["name"], k["type"]) for k in keys if k})
        indexes = {i["name"]: i for i in inputs.get("globalSecondaryIndexes", [])}
        assert set(indexes) == set(raw.get("indexes", {}))
        for name, index in raw.get("indexes", {}).items():
            schema = [(k["attributeName"], k["keyType"]) for k in indexes[name]["keySchemas"]]
            expected = [(index["partition_key"]["name"], "HASH")] + ([(index["sort_key"]["name"], "RANGE")] if "sort_key" in index else [])
            assert schema == expected
            assert indexes[name]["projectionType"] == index.get("projection", "all").upper()
        if "ttl_attribute" in raw:
            assert inputs["ttl"] == {"attributeName": raw["ttl_attribute"], "enabled": True}
        else:
            assert "ttl" not in inputs
        if "stream" in raw:
            assert (inputs["streamEnabled"], inputs["streamViewType"]) == (True, raw["stream"].upper())
        else:
            assert "streamEnabled" not in inputs


def test_on_demand_is_the_default_and_provisioned_tables_carry_their_capacity(document, spec):
    events, orders = table(document, "events")["inputs"], table(document, "orders")["inputs"]
    assert "billing" not in spec["tables"]["events"] and events["billingMode"] == "PAY_PER_REQUEST"
    assert "readCapacity" not in events and all("readCapacity" not in i for i in events["globalSecondaryIndexes"])
    capacity = spec["tables"]["orders"]["capacity"]
    assert (orders["billingMode"], orders["readCapacity"], orders["writeCapacity"]) == ("PROVISIONED", capacity["read"], capacity["write"])
    assert all((i["readCapacity"], i["writeCapacity"]) == (capacity["read"], capacity["write"]) for i in orders["globalSecondaryIndexes"])


def test_autoscaling_targets_and_policies_cover_reads_and_writes_of_the_table_and_each_index(document, spec):
    raw = spec["tables"]["orders"]
    autoscale, capacity = raw["autoscale"], raw["capacity"]
    targets = resources(document, TARGET)
    resource_ids = {"table/orders-dev-orders"} | {f"table/orders-dev-orders/index/{i}" for i in raw["indexes"]}
    assert len(targets) == 2 * len(resource_ids)
    for target in targets:
        inputs = target["inputs"]
        assert inputs["serviceNamespace"] == "dynamodb" and inputs["resourceId"] in resource_ids
        kind = "table" if "/index/" not in inputs["resourceId"] else "index"
        side = "read" if inputs["scalableDimension"].endswith("ReadCapacityUnits") else "write"
        assert inputs["scalableDimension"] == f"dynamodb:{kind}:{side.capitalize()}CapacityUnits"
        assert (inputs["minCapacity"], inputs["maxCapacity"]) == (capacity[side], autoscale[f"max_{side}"])
    policies = resources(document, POLICY)
    assert len(policies) == len(targets)
    for policy in policies:
        inputs = policy["inputs"]
        assert inputs["policyType"] == "TargetTrackingScaling"
        tracking = inputs["targetTrackingScalingPolicyConfiguration"]
        assert tracking["targetValue"] == autoscale["target_utilization_percent"]
        side = "Read" if inputs["scalableDimension"].endswith("ReadCapacityUnits") else "Write"
        assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == f"DynamoDB{side}CapacityUtilization"
    # Later deploys must not reset what the autoscaler set.
    ignored = set(table(document, "orders")["options"]["ignore_changes"])
    assert {"readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"} <= ignored
    assert "ignore_changes" not in table(document, "events")["options"]


def test_a_table_without_autoscaling_gets_no_scaling_resources_and_keeps_its_capacity_managed(tmp_path):
    data = yaml.safe_load((ROOT / SAMPLE).read_text())
    data["tables"]["items"].update(billing="provisioned", capacity={"read": 3, "write": 3})
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data), encoding="utf-8")
    from compiler.plan import plan_file
    document = plan_file(str(spec), project_root=ROOT)
    assert resources(document, TARGET) == [] and "ignore_changes" not in one(document, TABLE)["options"]


def test_table_alarms_and_dashboard_widgets_watch_every_table(document, spec):
    alarms = [a for a in resources(document, "aws:cloudwatch/metricAlarm:MetricAlarm")
              if any(q.get("metric", {}).get("namespace") == "AWS/DynamoDB" for q in a["inputs"].get("metricQueries", []))]
    assert len(alarms) == 2 * len(spec["tables"])
    body = json.loads(one(document, "aws:cloudwatch/dashboard:Dashboard")["inputs"]["dashboardBody"])
    watched = {m[3] for w in body["widgets"] for m in w["properties"].get("metrics", []) if m[0] == "AWS/DynamoDB"}
    assert watched == {f"orders-dev-{k}" for k in spec["tables"]}


def test_dynamodb_accepts_each_table_as_the_provider_would_create_it(document):
    """The plan's table inputs as CreateTable parameters (the provider's mapping), against moto."""
    with mock_aws():
        kms = boto3.client("kms", region_name=document["region"])
        key = kms.create_key()["KeyMetadata"]["Arn"]
        dynamodb = boto3.client("dynamodb", region_name=document["region"])
        for resource in resources(document, TABLE):
            inputs = resource["inputs"]
            provisioned = inputs["billingMode"] == "PROVISIONED"

            def throughput(source: dict) -> dict:
                return {"ProvisionedThroughput": {"ReadCapacityUnits": source["readCapacity"], "WriteCapacityUnits": source["writeCapacity"]}} if provisioned else {}
            schema = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}] + (
                [{"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"}] if "rangeKey" in inputs else [])
            arguments = dict(
                TableName=inputs["name"], BillingMode=inputs["billingMode"], KeySchema=schema,
                AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]],
                SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
                DeletionProtectionEnabled=inputs["deletionProtectionEnabled"], **throughput(inputs))
            if inputs.get("globalSecondaryIndexes"):
                arguments["GlobalSecondaryIndexes"] = [
                    {"IndexName": i["name"], "KeySchema": [{"AttributeName": k["attributeName"], "KeyType": k["keyType"]} for k in i["keySchemas"]],
                     "Projection": {"ProjectionType": i["projectionType"]}, **throughput(i)} for i in inputs["globalSecondaryIndexes"]]
            if inputs.get("streamEnabled"):
                arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": inputs["streamViewType"]}
            created = dynamodb.create_table(**arguments)["TableDescription"]
            assert created["TableArn"] == resource["outputs"]["arn"]
            if "ttl" in inputs:
                dynamodb.update_time_to_live(TableName=inputs["name"], TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": inputs["ttl"]["attributeName"]})
            dynamodb.update_continuous_backups(TableName=inputs["name"], PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": inputs["pointInTimeRecovery"]["enabled"]})
            described = dynamodb.describe_table(TableName=inputs["name"])["Table"]
            assert described["SSEDescription"]["KMSMasterKeyArn"] == key
            assert {a["AttributeName"] for a in described["AttributeDefinitions"]} == {a["name"] for a in inputs["attributes"]}


def test_autoscaling_targets_depend_on_their_table_through_the_resource_id(document):
    [orders] = [t for t in resources(document, TABLE) if t["inputs"]["name"] == "orders-dev-orders"]
    for target in resources(document, TARGET):
        assert target["dependencies"]["resourceId"] == [orders["urn"]]
