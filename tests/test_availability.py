"""Several regions from one spec: invariants of the plan document that survive a golden refresh.

Expected values come from the raw spec (yaml.safe_load) and AWS's documented behaviour, never from
the compiler's normalizer. Behaviour that cannot be run here, and the documentation relied on:
- Route 53 publishes health-check metrics only in us-east-1 (Route 53 Developer Guide, "Monitoring
  health checks using CloudWatch": "Route 53 health check metrics are available only in US East
  (N. Virginia)").
- API Gateway generates a different value for every ApiKey unless `value` is given (CreateApiKey).
- Global tables (2019.11.21) replicate through a NEW_AND_OLD_IMAGES stream; the provider's
  TableReplica documentation asks the main table to ignore `replicas`.
- LambdaProvisionedConcurrencyUtilization is a fraction (Application Auto Scaling User Guide,
  "Target tracking scaling policies": TargetValue 0.7 for 70 %).
- S3 replication of SSE-KMS objects needs SourceSelectionCriteria.SseKmsEncryptedObjects and
  ReplicaKmsKeyID, and versioning on both buckets (S3 User Guide, "Replicating encrypted objects").
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from compiler import plan_diff
from compiler.errors import SpecError
from compiler.plan import plan_file
from plan_support import GOLDEN, ROOT, by_urn, resources

ACTIVE_ACTIVE = GOLDEN / "plan_two_regions_active_active" / "spec.yaml"
ACTIVE_PASSIVE = GOLDEN / "plan_two_regions_active_passive" / "spec.yaml"


def _spec_text(**changes) -> str:
    """The active-active golden spec with top-level keys replaced (None removes one)."""
    raw = yaml.safe_load(ACTIVE_ACTIVE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return yaml.safe_dump(raw, sort_keys=False)


@lru_cache(maxsize=16)
def _plan_text(text: str, tmp: str) -> dict:
    path = Path(tmp) / f"spec-{hashlib.sha256(text.encode()).hexdigest()[:10]}.yaml"
    path.write_text(text, encoding="utf-8")
    return plan_file(str(path), project_root=ROOT)


@pytest.fixture(scope="module")
def tmp_specs(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("availability"))


THREE = {"mode": "active-active", "regions": ["eu-west-1", "us-east-1", "ap-southeast-2"],
         "health_check": {"route": "/health", "checker_regions": ["us-east-1", "eu-west-1", "ap-southeast-1"]},
         "drain": ["ap-southeast-2"]}


@pytest.fixture(scope="module")
def three(tmp_specs) -> dict:
    return _plan_text(_spec_text(availability=THREE), tmp_specs)


@pytest.fixture(scope="module")
def two() -> dict:
    return plan_file(str(ACTIVE_ACTIVE), project_root=ROOT)


@pytest.fixture(scope="module")
def passive() -> dict:
    return plan_file(str(ACTIVE_PASSIVE), project_root=ROOT)


def raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def provider_names(document: dict) -> dict[str, str]:
    """provider reference -> the provider's region input."""
    out = {}
    for r in resources(document, "pulumi:providers:aws"):
        out[f"{r['urn']}::{r['id']}"] = r["inputs"]["region"]
    return out


def region_of(document: dict, resource: dict) -> str:
    return provider_names(document)[resource["provider"]]


def in_region(document: dict, type_token: str, region: str) -> list[dict]:
    return [r for r in resources(document, type_token) if region_of(document, r) == region and "global" not in r["name"]]


# --- every region is a full copy, through its own provider ---------------------------------------

def test_every_aws_resource_goes_through_an_explicit_provider_pinned_to_a_listed_region(three):
    regions = provider_names(three)
    assert sorted(set(regions.values())) == sorted(set(THREE["regions"]) | {"us-east-1"})
    for r in three["resources"]:
        if r["type"].startswith("aws:"):
            assert r["provider"] in regions, f"{r['name']} is on the default provider"


def test_each_region_gets_the_same_full_copy_of_the_app(three):
    per_region = {}
    for region in THREE["regions"]:
        per_region[region] = sorted(r["type"] for r in three["resources"]
                                    if r["type"].startswith("aws:") and r["provider"] and region_of(three, r) == region
                                    and "-global" not in r["name"] and r["type"] != "aws:dynamodb/table:Table"
                                    and r["type"] != "aws:dynamodb/tableReplica:TableReplica" and "replication" not in r["name"])
    assert per_region["eu-west-1"] == per_region["us-east-1"] == per_region["ap-southeast-2"]
    for needed in ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:lambda/function:Function", "aws:apigateway/restApi:RestApi",
                   "aws:apigateway/usagePlan:UsagePlan", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic",
                   "aws:apigateway/domainName:DomainName", "aws:acm/certificate:Certificate"):
        assert needed in per_region["eu-west-1"], needed


def test_no_urn_and_no_account_wide_name_is_shared_between_regions(three):
    urns = [r["urn"] for r in three["resources"]]
    assert len(urns) == len(set(urns))
    # Account-wide (not regional) names: IAM roles, dashboards, S3 buckets (global), health checks' targets.
    global_names = [r["inputs"].get("name") or r["inputs"].get("namePrefix") for r in resources(three, "aws:iam/role:Role")]
    global_names += [r["inputs"]["dashboardName"] for r in resources(three, "aws:cloudwatch/dashboard:Dashboard")]
    global_names += [r["outputs"]["bucket"] for r in resources(three, "aws:s3/bucket:Bucket")]
    assert len(global_names) == len(set(global_names))
    for name in global_names:
        assert any(label in name for label in [*THREE["regions"], "global"]), f"{name} does not carry its region"


# --- health checks and DNS ----------------------------------------------------------------------

def test_each_region_has_a_health_check_on_its_own_execute_api_host_and_stage(two):
    spec = raw(ACTIVE_ACTIVE)
    check = spec["availability"]["health_check"]
    apis = {region_of(two, r): r["id"] for r in resources(two, "aws:apigateway/restApi:RestApi")}
    checks = resources(two, "aws:route53/healthCheck:HealthCheck")
    assert len(checks) == len(spec["availability"]["regions"])
    assert len(set(apis.values())) == len(apis), "two regions' APIs share an id"
    hosts = sorted(c["inputs"]["fqdn"] for c in checks)
    assert hosts == sorted(f"{apis[r]}.execute-api.{r}.amazonaws.com" for r in spec["availability"]["regions"])
    for c in checks:
        i = c["inputs"]
        assert spec["domain"]["name"] not in i["fqdn"]
        assert (i["type"], i["port"], i["enableSni"]) == ("HTTPS_STR_MATCH", 443, True)
        assert i["resourcePath"] == f"/{spec['stage']}{check['route']}"
        assert (i["searchString"], i["requestInterval"], i["failureThreshold"], i["regions"]) == (
            check["match"], check["interval_s"], check["failure_threshold"], check["checker_regions"])


def test_active_active_has_one_latency_record_per_region_with_its_health_check(two):
    spec = raw(ACTIVE_ACTIVE)
    records = [r for r in resources(two, "aws:route53/record:Record") if r["inputs"]["name"] == spec["domain"]["name"]]
    checks = {c["id"]: c["inputs"]["fqdn"] for c in resources(two, "aws:route53/healthCheck:HealthCheck")}
    assert sorted(r["inputs"]["setIdentifier"] for r in records) == sorted(spec["availability"]["regions"])
    for record in records:
        i = record["inputs"]
        region = i["setIdentifier"]
        assert i["latencyRoutingPolicies"] == [{"region": region}]
        assert i["zoneId"] == spec["domain"]["hosted_zone_id"]
        assert f".execute-api.{region}." in checks[i["healthCheckId"]]
        [alias] = i["aliases"]
        assert alias["evaluateTargetHealth"] is True and f".execute-api.{region}." in alias["name"]


def test_active_passive_has_a_primary_and_a_secondary_failover_record_in_list_order(passive):
    spec = raw(ACTIVE_PASSIVE)
    records = {r["inputs"]["setIdentifier"]: r["inputs"] for r in resources(passive, "aws:route53/record:Record") if r["inputs"].get("setIdentifier")}
    first, second = spec["availability"]["regions"]
    assert records[first]["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]
    assert records[second]["failoverRoutingPolicies"] == [{"type": "SECONDARY"}]
    assert all("latencyRoutingPolicies" not in r for r in records.values())


def test_a_drained_region_leaves_dns_but_keeps_its_health_check_and_everything_else(three):
    drained = THREE["drain"][0]
    records = [r["inputs"].get("setIdentifier") for r in resources(three, "aws:route53/record:Record") if r["inputs"]["name"] == "api.shop.example.com"]
    assert sorted(records) == sorted(r for r in THREE["regions"] if r != drained)
    assert any(f".execute-api.{drained}." in c["inputs"]["fqdn"] for c in resources(three, "aws:route53/healthCheck:HealthCheck"))
    assert in_region(three, "aws:lambda/function:Function", drained) and in_region(three, "aws:apigateway/stage:Stage", drained)


def test_one_validation_record_validates_every_regions_certificate(two):
    spec = raw(ACTIVE_ACTIVE)
    validation = [r for r in resources(two, "aws:route53/record:Record") if r["inputs"]["type"] == "CNAME"]
    assert len(validation) == 1
    certificates = resources(two, "aws:acm/certificate:Certificate")
    assert sorted(region_of(two, c) for c in certificates) == sorted(spec["availability"]["regions"])
    assert {c["inputs"]["domainName"] for c in certificates} == {spec["domain"]["name"]}
    for v in resources(two, "aws:acm/certificateValidation:CertificateValidation"):
        assert v["dependencies"]["validationRecordFqdns"] == [validation[0]["urn"]]
    for d in resources(two, "aws:apigateway/domainName:DomainName"):
        assert d["inputs"]["securityPolicy"] == "TLS_1_2" and d["inputs"]["endpointConfiguration"]["types"] == "REGIONAL"
        # Created only once ACM has issued: the ARN comes from the validation resource.
        assert any("certificateValidation" in urn for urn in d["dependencies"]["regionalCertificateArn"])


def test_health_alarms_and_their_encrypted_topic_live_in_us_east_1_even_when_no_region_is(tmp_specs):
    europe = {**THREE, "regions": ["eu-west-1", "eu-central-1"], "drain": []}
    document = _plan_text(_spec_text(availability=europe, logs=None), tmp_specs)
    alarms = [a for a in resources(document, "aws:cloudwatch/metricAlarm:MetricAlarm") if a["inputs"].get("namespace") == "AWS/Route53"]
    assert len(alarms) == 2
    topic_arns = set()
    for alarm in alarms:
        assert region_of(document, alarm) == "us-east-1"
        assert alarm["inputs"]["metricName"] == "HealthCheckStatus" and alarm["inputs"]["comparisonOperator"] == "LessThanThreshold"
        topic_arns |= set(alarm["inputs"]["alarmActions"])
    [topic] = [t for t in resources(document, "aws:sns/topic:Topic") if t["outputs"]["arn"] in topic_arns]
    assert topic["outputs"]["arn"].startswith("arn:aws:sns:us-east-1:")
    assert topic["inputs"]["kmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:")
    notify = raw(ACTIVE_ACTIVE)["alarms"]["notify"]
    subscribed = [s["inputs"]["endpoint"] for s in resources(document, "aws:sns/topicSubscription:TopicSubscription") if s["inputs"]["topic"] == topic["outputs"]["arn"]]
    assert sorted(subscribed) == sorted(notify)


def test_the_health_route_gets_its_own_throttle_unless_the_spec_sets_one(two, passive):
    for document, spec_path in ((two, ACTIVE_ACTIVE), (passive, ACTIVE_PASSIVE)):
        spec = raw(spec_path)
        [route] = [r for r in spec["api"]["routes"] if r["path"] == spec["availability"]["health_check"]["route"]]
        settings = [m["inputs"]["settings"] for m in resources(document, "aws:apigateway/methodSettings:MethodSettings")
                    if m["inputs"]["methodPath"] == f"~1{route['path'][1:]}/GET"]
        assert len(settings) == len(spec["availability"]["regions"])
        for s in settings:
            assert "throttlingRateLimit" in s
            if "throttling" in route:
                assert (s["throttlingRateLimit"], s["throttlingBurstLimit"]) == (route["throttling"]["rate_limit"], route["throttling"]["burst_limit"])
            else:
                assert 0 < s["throttlingRateLimit"] <= 50


# --- API keys, tables, replication, provisioned concurrency ------------------------------------

def test_every_regions_api_key_takes_the_one_generated_secret_value(two):
    spec = raw(ACTIVE_ACTIVE)
    keys = [k for plan in spec["api"]["usage_plans"].values() for k in plan.get("api_keys", [])]
    passwords = {r["urn"]: r for r in resources(two, "random:index/randomPassword:RandomPassword")}
    assert len(passwords) == len(keys)
    for key in keys:
        api_keys = [k for k in resources(two, "aws:apigateway/apiKey:ApiKey") if k["inputs"]["name"].endswith(f"-{key}")]
        assert sorted(region_of(two, k) for k in api_keys) == sorted(spec["availability"]["regions"])
        sources = {tuple(k["dependencies"]["value"]) for k in api_keys}
        assert len(sources) == 1 and set(next(iter(sources))) <= set(passwords)
        for k in api_keys:
            assert k["inputs"]["value"] == "(secret)", "a key value must never appear in the plan document"
    for password in passwords.values():
        assert password["inputs"]["length"] >= 20 and password["outputs"]["result"] == "(secret)"


def test_tables_become_global_tables_with_a_replica_per_other_region_under_its_key(three):
    spec = raw(ACTIVE_ACTIVE)
    for key in spec["tables"]:
        [table] = [t for t in resources(three, "aws:dynamodb/table:Table") if t["inputs"]["name"].endswith(f"-{key}")]
        assert region_of(three, table) == spec["region"]
        assert table["inputs"]["streamEnabled"] is True and table["inputs"]["streamViewType"] == "NEW_AND_OLD_IMAGES"
        assert "replicas" in table["options"]["ignore_changes"]
        replicas = [r for r in resources(three, "aws:dynamodb/tableReplica:TableReplica") if r["inputs"]["globalTableArn"] == table["outputs"]["arn"]]
        assert sorted(region_of(three, r) for r in replicas) == sorted(r for r in THREE["regions"] if r != spec["region"])
        keys = {region_of(three, k): k["outputs"]["arn"] for k in resources(three, "aws:kms/key:Key") if "-global" not in k["name"]}
        for replica in replicas:
            assert replica["inputs"]["kmsKeyArn"] == keys[region_of(three, replica)]
            assert replica["inputs"]["pointInTimeRecovery"] is True
            assert replica["options"].get("retain_on_delete") is True


def test_functions_in_each_region_are_granted_their_own_regions_table_copy(three):
    for region in THREE["regions"]:
        [policy] = [p for p in in_region(three, "aws:iam/rolePolicy:RolePolicy", region) if p["name"].startswith("fn-items")]
        statements = json.loads(policy["inputs"]["policy"])["Statement"]
        table_arns = {arn for s in statements if s["Sid"].startswith("Table") and not s["Sid"].startswith("TableKey")
                      for arn in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])}
        assert table_arns and all(f":dynamodb:{region}:" in arn for arn in table_arns)


def test_archives_replicate_into_the_named_region_re_encrypted_without_delete_markers(three):
    target = raw(ACTIVE_ACTIVE)["logs"]["archive"]["replicate_to"]
    buckets = {region_of(three, b): b for b in resources(three, "aws:s3/bucket:Bucket")}
    keys = {region_of(three, k): k for k in resources(three, "aws:kms/key:Key") if "-global" not in k["name"]}
    versionings = {region_of(three, v): v["urn"] for v in resources(three, "aws:s3/bucketVersioning:BucketVersioning")}
    configs = resources(three, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert sorted(region_of(three, c) for c in configs) == sorted(r for r in THREE["regions"] if r != target)
    for config in configs:
        source = region_of(three, config)
        [rule] = config["inputs"]["rules"]
        assert config["inputs"]["bucket"] == buckets[source]["id"]
        assert rule["destination"]["bucket"] == buckets[target]["outputs"]["arn"]
        assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == keys[target]["outputs"]["arn"]
        assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"]["status"] == "Enabled"
        assert rule["deleteMarkerReplication"]["status"] == "Disabled"
        assert {versionings[source], versionings[target]} <= set(config["depends_on"])


def test_the_replication_role_may_only_read_its_source_and_write_replicas(three):
    for policy in resources(three, "aws:iam/rolePolicy:RolePolicy"):
        if "archive-replication" not in policy["name"]:
            continue
        statements = json.loads(policy["inputs"]["policy"])["Statement"]
        actions = {a for s in statements for a in s["Action"]}
        assert "s3:ReplicateDelete" not in actions and not any(a.endswith("*") for a in actions)
        for s in statements:
            assert s["Resource"] != "*"
            if s["Action"][0].startswith("kms:"):
                assert "kms:ViaService" in s["Condition"]["StringEquals"]


def test_a_one_region_app_may_replicate_its_archive_into_another_region(tmp_specs):
    document = _plan_text(_spec_text(availability=None, domain=None, logs={"archive": {"replicate_to": "eu-central-1"}}), tmp_specs)
    buckets = {region_of(document, b) for b in resources(document, "aws:s3/bucket:Bucket")}
    assert buckets == {"eu-west-1", "eu-central-1"}
    [config] = resources(document, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert region_of(document, config) == "eu-west-1"
    assert not resources(document, "aws:lambda/function:Function") or all(
        region_of(document, f) == "eu-west-1" for f in resources(document, "aws:lambda/function:Function"))


def test_provisioned_concurrency_keeps_alias_live_warm_and_the_api_invokes_the_alias(two):
    spec = raw(ACTIVE_ACTIVE)
    pcs = {name: f["provisioned_concurrency"] for name, f in spec["functions"].items() if "provisioned_concurrency" in f}
    assert pcs
    for region in spec["availability"]["regions"]:
        body = json.loads(in_region(two, "aws:apigateway/restApi:RestApi", region)[0]["inputs"]["body"])
        uris = [op["x-amazon-apigateway-integration"]["uri"] for methods in body["paths"].values() for op in methods.values()]
        for name, pc in pcs.items():
            function = f"{spec['name']}-{spec['stage']}-{name}"
            [fn] = [f for f in in_region(two, "aws:lambda/function:Function", region) if f["inputs"]["name"] == function]
            assert fn["inputs"]["publish"] is True
            [alias] = [a for a in in_region(two, "aws:lambda/alias:Alias", region) if a["inputs"]["functionName"] == function]
            assert alias["inputs"]["name"] == "live"
            assert fn["urn"] in alias["dependencies"]["functionVersion"]
            [config] = [c for c in in_region(two, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig", region)
                        if c["inputs"]["functionName"] == function]
            assert config["inputs"]["qualifier"] == "live" and config["inputs"]["provisionedConcurrentExecutions"] == pc["min"]
            assert config["options"]["ignore_changes"] == ["provisionedConcurrentExecutions"]
            [target] = [t for t in in_region(two, "aws:appautoscaling/target:Target", region) if t["inputs"]["serviceNamespace"] == "lambda"]
            assert target["inputs"]["resourceId"] == f"function:{function}:live"
            assert (target["inputs"]["minCapacity"], target["inputs"]["maxCapacity"]) == (pc["min"], pc["max"])
            [policy] = [p for p in in_region(two, "aws:appautoscaling/policy:Policy", region) if p["inputs"]["serviceNamespace"] == "lambda"]
            tracking = policy["inputs"]["targetTrackingScalingPolicyConfiguration"]
            assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == "LambdaProvisionedConcurrencyUtilization"
            assert tracking["targetValue"] == pc.get("target_utilization_percent", 70) / 100
            assert any(f":function:{function}:live/invocations" in u for u in uris)
            assert not any(f":function:{function}/invocations" in u for u in uris)
            [permission] = [p for p in in_region(two, "aws:lambda/permission:Permission", region) if p["inputs"]["function"] == function]
            assert permission["inputs"]["qualifier"] == "live"


def test_the_deployment_trigger_is_the_hash_of_the_rendered_body(two):
    for region in raw(ACTIVE_ACTIVE)["availability"]["regions"]:
        [api] = in_region(two, "aws:apigateway/restApi:RestApi", region)
        [deployment] = in_region(two, "aws:apigateway/deployment:Deployment", region)
        assert deployment["inputs"]["triggers"]["openapi_sha256"] == hashlib.sha256(api["inputs"]["body"].encode()).hexdigest()


def test_outputs_give_the_domain_and_per_region_urls_and_health_checks(two):
    spec = raw(ACTIVE_ACTIVE)
    outputs = two["outputs"]
    assert outputs["domain_url"] == f"https://{spec['domain']['name']}"
    checks = {c["id"] for c in resources(two, "aws:route53/healthCheck:HealthCheck")}
    assert sorted(outputs["regions"]) == sorted(spec["availability"]["regions"])
    for region, values in outputs["regions"].items():
        assert values["api_url"].startswith("https://") and f".execute-api.{region}." in values["api_url"]
        assert values["health_check_id"] in checks
    assert two["availability"] == {"mode": "active-active", "regions": spec["availability"]["regions"], "drain": [],
                                   "domain": spec["domain"]["name"]}


def test_a_one_region_app_with_a_domain_gets_one_plain_alias_record_and_no_health_check(tmp_specs):
    document = _plan_text(_spec_text(availability=None, logs=None), tmp_specs)
    records = [r for r in resources(document, "aws:route53/record:Record") if r["inputs"]["type"] == "A"]
    assert len(records) == 1 and "setIdentifier" not in records[0]["inputs"] and "healthCheckId" not in records[0]["inputs"]
    assert not resources(document, "aws:route53/healthCheck:HealthCheck")
    assert not resources(document, "random:index/randomPassword:RandomPassword"), "one region keeps API Gateway's own key values"


def test_the_single_region_sample_gains_nothing_from_this_feature():
    from plan_support import plan

    document = plan("specs/serverless-app.yaml")
    assert "availability" not in document and "regions" not in document["outputs"]
    for token in ("aws:route53/", "random:", "aws:dynamodb/tableReplica", "aws:lambda/alias", "aws:s3/bucketReplicationConfig"):
        assert not [r for r in document["resources"] if r["type"].startswith(token)], token
    assert len(resources(document, "pulumi:providers:aws")) == 1


# --- validation and the diff warning -----------------------------------------------------------

@pytest.mark.parametrize("availability,code", [
    ({**THREE, "regions": ["us-east-1", "us-west-2"], "drain": []}, "E332"),
    ({**THREE, "mode": "active-passive", "drain": []}, "E333"),
    ({**THREE, "health_check": {"route": "/items", "checker_regions": THREE["health_check"]["checker_regions"]}, "drain": []}, None),
    ({**THREE, "health_check": {"route": "/nope"}}, "E335"),
    ({**THREE, "drain": THREE["regions"]}, "E336"),
])
def test_availability_rules(tmp_specs, availability, code):
    text = _spec_text(availability=availability)
    if code is None:
        assert _plan_text(text, tmp_specs)["availability"]["regions"] == availability["regions"]
        return
    with pytest.raises(SpecError) as caught:
        _plan_text(text, tmp_specs)
    assert code in {d.code for d in caught.value.diagnostics}


def test_removing_a_region_that_was_not_drained_warns_and_a_drained_one_does_not():
    old = {"region": "eu-west-1", "availability": {"regions": ["eu-west-1", "us-east-1", "ap-southeast-2"], "drain": ["ap-southeast-2"]}}
    new = {"region": "eu-west-1", "availability": {"regions": ["eu-west-1"], "drain": []}}
    warnings = plan_diff.region_warnings(old, new)
    assert len(warnings) == 1 and warnings[0].startswith("W405") and "'us-east-1'" in warnings[0]
    assert plan_diff.region_warnings(old, old) == []
    one_region = {"region": "eu-west-1"}
    assert [w for w in plan_diff.region_warnings(old, one_region) if "'us-east-1'" in w]


def test_the_region_lists_of_the_schema_agree():
    schema = json.loads((ROOT / "schema" / "app.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["aws_region"]["enum"] == schema["properties"]["region"]["enum"]


def test_a_stage_may_run_in_several_regions_while_another_runs_in_one(tmp_specs):
    raw = yaml.safe_load(ACTIVE_ACTIVE.read_text(encoding="utf-8"))
    availability, domain = raw.pop("availability"), raw.pop("domain")
    raw["logs"] = {"archive": {"replicate_to": "us-east-1"}}
    raw["stages"] = {"dev": {}, "prod": {"availability": availability, "domain": domain, "logs": {"archive": {"replicate_to": "eu-west-1"}}}}
    path = Path(tmp_specs) / "staged.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    dev = plan_file(str(path), stage="dev", project_root=ROOT)
    prod = plan_file(str(path), stage="prod", project_root=ROOT)
    assert "availability" not in dev and not resources(dev, "aws:route53/healthCheck:HealthCheck")
    assert prod["availability"]["regions"] == availability["regions"]
    assert len(resources(prod, "aws:route53/healthCheck:HealthCheck")) == len(availability["regions"])


@pytest.mark.parametrize("labels,valid", [
    ([63, 63, 63, 58], True),     # 63+1+63+1+63+1+58 = 250 characters plus ".io" = 253
    ([63, 63, 63, 59], False),    # 254 characters
    ([64, 3], False),             # a label over 63 characters
])
def test_the_domain_name_is_at_most_253_characters_in_labels_of_at_most_63(labels, valid):
    from compiler.validate import diagnose
    from compiler.loader import load_text

    name = ".".join("a" * n for n in labels) + ".io"
    text = _spec_text(domain={"name": name, "hosted_zone_id": "Z0123456789ABCDEFGHIJ"})
    codes = [(d.code, d.path) for d in diagnose(load_text(text, "spec.yaml"), ROOT) if d.severity == "error"]
    assert (("E205", "domain.name") not in codes) == valid, (len(name), codes)
