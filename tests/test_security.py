"""Security invariants of the plan: the archive bucket, least-privilege IAM, the KMS key, and no
deprecated resource types or runtimes.

Expectations come from the raw spec and the schema's defaults (tests/spec_facts.py, never the
compiler's own normalizer) and AWS's documented requirements, never from a copy of a plan.
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml

import spec_facts as facts
from compiler.plan import plan_file
from plan_support import CASE_IDS as ALL_IDS
from plan_support import CASE_SPECS as ALL_SPECS
from plan_support import EU_WEST_1, ROOT, SAMPLE, one, plan, policy_statements, resources

BUCKET = "aws:s3/bucket:Bucket"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LAMBDA = "aws:lambda/function:Function"
KEY = "aws:kms/key:Key"
# Sub-resources of the archive bucket, each of which must be bound to it.
BUCKET_PARTS = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
)


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ArnLike: each of the six ':'-separated parts matched on its own."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    return len(pattern_parts) == len(arn_parts) == 6 and all(fnmatchcase(a, p) for p, a in zip(pattern_parts, arn_parts))


def key_arn(document: dict) -> str:
    return one(document, KEY)["outputs"]["arn"]


def account_of(document: dict) -> str:
    return key_arn(document).split(":")[4]


def bucket(document: dict) -> dict:
    return one(document, BUCKET)


def statements_of(document: dict, resource: dict) -> list[dict]:
    return [s for r, s in policy_statements(document) if r["urn"] == resource["urn"]]


def role_by_trust(document: dict, service: str) -> list[dict]:
    """Roles whose trust policy lets `service` assume them."""
    found = []
    for role in resources(document, ROLE):
        trusted = {p for s in statements_of(document, role) for p in as_list(s.get("Principal", {}).get("Service", []))}
        if service in trusted:
            found.append(role)
    return found


def role_policy_statements(document: dict, role: dict) -> list[dict]:
    """Every statement of every inline policy attached to `role` (RolePolicy.role is the role's id)."""
    policies = [p for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] == role["id"]]
    assert policies, f"role {role['inputs']['name']} has no policy"
    return [s for p in policies for s in statements_of(document, p)]


def only_trust(document: dict, role: dict) -> dict:
    trust = statements_of(document, role)
    assert len(trust) == 1, f"{role['inputs']['name']} trusts more than one statement"
    statement = trust[0]
    assert statement["Effect"] == "Allow"
    assert as_list(statement["Action"]) == ["sts:AssumeRole"]
    assert "Resource" not in statement
    return statement


# 7. The archive bucket ------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_archive_is_one_versioned_kms_encrypted_private_bucket_with_bucket_owner_enforced(spec):
    document = plan(spec)
    assert len(resources(document, BUCKET)) == 1
    versioning = one(document, BUCKET_PARTS[0])["inputs"]["versioningConfiguration"]
    assert versioning["status"] == "Enabled"
    rules = one(document, BUCKET_PARTS[1])["inputs"]["rules"]
    assert len(rules) == 1
    assert rules[0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn(document)}
    assert rules[0]["bucketKeyEnabled"] is True
    block = one(document, BUCKET_PARTS[2])["inputs"]
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[flag] is True, flag
    ownership = one(document, BUCKET_PARTS[3])["inputs"]["rule"]
    assert ownership == {"objectOwnership": "BucketOwnerEnforced"}


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_bucket_policy_denies_every_s3_action_over_plain_http_on_the_bucket_and_its_objects(spec):
    document = plan(spec)
    arn = bucket(document)["outputs"]["arn"]
    policy = one(document, BUCKET_PARTS[4])
    denies = [s for s in statements_of(document, policy) if s["Effect"] == "Deny"]
    tls = [s for s in denies if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert len(tls) == 1
    assert as_list(tls[0]["Action"]) == ["s3:*"]
    assert tls[0]["Principal"] in ("*", {"AWS": "*"})
    assert set(as_list(tls[0]["Resource"])) == {arn, f"{arn}/*"}


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_lifecycle_expires_current_and_noncurrent_objects_after_the_specs_days(spec):
    document, archive = plan(spec), facts.logs(spec)["archive"]
    rules = one(document, BUCKET_PARTS[5])["inputs"]["rules"]
    assert rules and all(r["status"] == "Enabled" for r in rules)
    assert [r["expiration"]["days"] for r in rules if "days" in r.get("expiration", {})] == [archive["expire_after_days"]]
    # Delete markers left by expiry are removed once alone, in a rule of their own (S3 refuses
    # ExpiredObjectDeleteMarker beside Days in one Expiration).
    markers = [r for r in rules if r.get("expiration", {}).get("expiredObjectDeleteMarker") is True]
    assert len(markers) == 1 and set(markers[0]["expiration"]) == {"expiredObjectDeleteMarker"}
    assert [r["noncurrentVersionExpiration"]["noncurrentDays"] for r in rules if r.get("noncurrentVersionExpiration")] == \
        [archive["noncurrent_expire_after_days"]]
    aborts = [r["abortIncompleteMultipartUpload"]["daysAfterInitiation"] for r in rules if r.get("abortIncompleteMultipartUpload")]
    assert aborts and all(days >= 1 for days in aborts)
    # Every rule applies to the whole bucket (an empty prefix filter).
    assert all(r.get("filter", {}).get("prefix", "") == "" for r in rules)


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_every_bucket_setting_is_bound_to_the_archive_bucket_by_id_and_dependency(spec):
    document = plan(spec)
    archive = bucket(document)
    for type_token in BUCKET_PARTS:
        part = one(document, type_token)
        assert part["inputs"]["bucket"] == archive["id"], type_token
        assert archive["urn"] in part["dependencies"].get("bucket", []), f"{type_token} does not depend on the bucket"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_bucket_name_is_lower_case_within_63_characters_and_holds_the_account_and_region(spec):
    document = plan(spec)
    name = bucket(document)["inputs"]["bucket"]
    assert len(name) <= 63
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name), name
    assert account_of(document) in name
    assert document["region"] in name


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_bucket_name_is_the_documented_deterministic_name(spec):
    """README: `<app>-<stage>-logs-<account id>-<region>`, no randomness (shortened with a stable
    hash only past 63 characters, which none of these specs reach)."""
    document = plan(spec)
    expected = f"{facts.prefix(spec)}-logs-{account_of(document)}-{facts.effective(spec)['region']}"
    assert len(expected) <= 63
    assert bucket(document)["inputs"]["bucket"] == expected


def _long_name_spec(tmp_path: Path) -> Path:
    with open(ROOT / EU_WEST_1, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    document["name"] = "a" + "b" * 30           # the longest app name the schema allows (31)
    document["stage"] = "s" * 16                # the longest stage name
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_the_bucket_name_keeps_the_account_and_region_even_for_the_longest_app_and_stage_names(tmp_path):
    document = plan_file(str(_long_name_spec(tmp_path)), project_root=ROOT)
    name = bucket(document)["inputs"]["bucket"]
    assert len(name) <= 63 and name == name.lower()
    assert account_of(document) in name and document["region"] in name, name


# 8. Least-privilege IAM ------------------------------------------------------------------------------

def _documented_star(resource: dict, statement: dict, function_policies: set[str], operator_stars: set[tuple]) -> bool:
    """Resource "*" is allowed only where AWS gives no narrower choice: X-Ray in function roles (no
    resource-level permissions), key policies (where "*" means this key), and the operator's own
    `uses.permissions` entries written with "*" (the validator allows those only for actions
    without resource-level permissions)."""
    if resource["type"] == KEY:
        return True
    actions = as_list(statement["Action"])
    if resource["urn"] in function_policies and tuple(sorted(actions)) in operator_stars:
        return True
    return resource["urn"] in function_policies and all(a.startswith("xray:") for a in actions)


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_no_allow_statement_grants_a_wildcard_action_or_an_unscoped_resource(spec):
    document = plan(spec)
    function_roles = {f["inputs"]["role"] for f in resources(document, LAMBDA)}
    role_ids = {r["id"] for r in resources(document, ROLE) if r["outputs"]["arn"] in function_roles}
    function_policies = {p["urn"] for p in resources(document, ROLE_POLICY) if p["inputs"]["role"] in role_ids}
    raw = yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))
    operator_stars = {tuple(sorted(p["actions"])) for f in raw["functions"].values()
                      for p in f.get("uses", {}).get("permissions", []) if p["resources"] == ["*"]}
    checked = 0
    for resource, statement in policy_statements(document):
        assert "NotAction" not in statement and "NotResource" not in statement, resource["name"]
        if statement["Effect"] != "Allow":
            continue
        checked += 1
        for action in as_list(statement["Action"]):
            assert action != "*" and not action.endswith(":*"), f"{resource['name']} allows {action}"
        if "Resource" in statement and "*" in as_list(statement["Resource"]):
            assert _documented_star(resource, statement, function_policies, operator_stars), \
                f"{resource['name']} allows {statement['Action']} on every resource"
    assert checked > 0


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_each_function_role_writes_only_its_own_log_group_and_decrypts_only_its_own_environment(spec):
    document, functions = plan(spec), facts.functions(spec)
    key = key_arn(document)
    groups = {g["inputs"]["name"]: g["outputs"]["arn"] for g in resources(document, "aws:cloudwatch/logGroup:LogGroup")}
    roles = {r["outputs"]["arn"]: r for r in resources(document, ROLE)}
    names = document["outputs"]["function_names"]
    assert sorted(names) == sorted(functions)
    for fn_key, fn in functions.items():
        function = next(f for f in resources(document, LAMBDA) if f["inputs"]["name"] == names[fn_key])
        role = roles[function["inputs"]["role"]]
        # Another function's role would let one function act as another.
        assert [f["inputs"]["name"] for f in resources(document, LAMBDA) if f["inputs"]["role"] == role["outputs"]["arn"]] == [names[fn_key]]
        own_group = groups[function["inputs"]["loggingConfig"]["logGroup"]]
        # Grants from `uses` (Table*, Secret*, Extra* statements) are checked in test_grants.py.
        statements = [s for s in role_policy_statements(document, role) if not s["Sid"].startswith(("Table", "Secret", "Extra"))]
        decrypts = []
        for statement in statements:
            assert statement["Effect"] == "Allow"
            actions = as_list(statement["Action"])
            services = {a.split(":")[0] for a in actions}
            assert services <= {"logs", "xray", "kms"} and len(services) == 1, actions
            if services == {"logs"}:
                assert set(as_list(statement["Resource"])) <= {own_group, f"{own_group}:*"}, statement
            if services == {"kms"}:
                assert actions == ["kms:Decrypt"]
                decrypts.append(statement)
        if fn["environment"] or generated_environment(spec, fn_key):
            assert len(decrypts) == 1, f"{fn_key} has environment variables but cannot decrypt them"
            assert as_list(decrypts[0]["Resource"]) == [key]
            # Lambda decrypts at rest through itself, with the function's ARN as encryption context.
            arn = f"arn:aws:lambda:{document['region']}:{account_of(document)}:function:{names[fn_key]}"
            assert decrypts[0]["Condition"] == {"StringEquals": {
                "kms:ViaService": f"lambda.{document['region']}.amazonaws.com",
                "kms:EncryptionContext:aws:lambda:FunctionArn": arn}}
        else:
            assert decrypts == [], f"{fn_key} has no environment variables but may decrypt with the key"
        trust = only_trust(document, role)
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_firehose_role_writes_only_the_archive_bucket_and_uses_the_key_only_through_s3(spec):
    document = plan(spec)
    region, key = document["region"], key_arn(document)
    arn = bucket(document)["outputs"]["arn"]
    delivery_errors = [g for g in resources(document, "aws:cloudwatch/logGroup:LogGroup")
                       if g["inputs"]["name"].startswith("/aws/kinesisfirehose/")]
    assert len(delivery_errors) == 1
    roles = role_by_trust(document, "firehose.amazonaws.com")
    assert len(roles) == 1
    role = roles[0]
    streams = resources(document, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    assert {s["inputs"]["extendedS3Configuration"]["roleArn"] for s in streams} == {role["outputs"]["arn"]}
    for statement in role_policy_statements(document, role):
        assert statement["Effect"] == "Allow"
        actions = as_list(statement["Action"])
        services = {a.split(":")[0] for a in actions}
        assert len(services) == 1 and services <= {"s3", "kms", "logs"}, actions
        resources_ = set(as_list(statement["Resource"]))
        if services == {"s3"}:
            assert resources_ <= {arn, f"{arn}/*"}
            assert not {"s3:DeleteObject", "s3:DeleteBucket", "s3:PutBucketPolicy"} & set(actions)
        elif services == {"kms"}:
            assert resources_ == {key}
            assert statement["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{region}.amazonaws.com"
        else:
            group = delivery_errors[0]["outputs"]["arn"]
            assert all(r.startswith(f"{group}:") for r in resources_), resources_
    trust = only_trust(document, role)
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": account_of(document)}}


@pytest.mark.parametrize("spec", [SAMPLE, EU_WEST_1])
def test_the_firehose_roles_kms_condition_admits_the_encryption_context_s3_uses_with_bucket_keys(spec):
    document = plan(spec)
    arn = bucket(document)["outputs"]["arn"]
    bucket_keys = one(document, BUCKET_PARTS[1])["inputs"]["rules"][0].get("bucketKeyEnabled", False)
    # With an S3 Bucket Key the context is the bucket ARN; without one, an object ARN.
    context = arn if bucket_keys else f"{arn}/logs/lambda/x/file.json.gz"
    role = role_by_trust(document, "firehose.amazonaws.com")[0]
    kms = [s for s in role_policy_statements(document, role) if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert len(kms) == 1, "Firehose needs exactly one grant to encrypt archived objects"
    scoped = {operator: values["kms:EncryptionContext:aws:s3:arn"] for operator, values in kms[0].get("Condition", {}).items()
              if "kms:EncryptionContext:aws:s3:arn" in values}
    assert scoped, "Firehose's use of the key is not scoped to the archive bucket by encryption context"
    for operator, value in scoped.items():
        match = fnmatchcase if "Like" in operator else str.__eq__
        assert any(match(context, v) for v in as_list(value)), f"{operator} {value} rejects {context}"
        assert not any(match("arn:aws:s3:::someone-elses-bucket", v) or match("arn:aws:s3:::someone-elses-bucket/x", v)
                       for v in as_list(value)), f"{operator} {value} admits another bucket"


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_subscription_role_may_only_put_records_into_the_apps_delivery_streams(spec):
    document = plan(spec)
    region = document["region"]
    roles = role_by_trust(document, f"logs.{region}.amazonaws.com")
    assert len(roles) == 1
    role = roles[0]
    filters = resources(document, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert {f["inputs"]["roleArn"] for f in filters} == {role["outputs"]["arn"]}
    streams = {s["outputs"]["arn"] for s in resources(document, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")}
    statements = role_policy_statements(document, role)
    assert {a for s in statements for a in as_list(s["Action"])} == {"firehose:PutRecord", "firehose:PutRecordBatch"}
    assert {r for s in statements for r in as_list(s["Resource"])} == streams
    trust = only_trust(document, role)
    assert trust["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    source = {op: v["aws:SourceArn"] for op, v in trust.get("Condition", {}).items() if "aws:SourceArn" in v}
    assert source and set(source) <= {"ArnLike", "ArnEquals"}, "no confused-deputy condition"
    patterns = [p for value in source.values() for p in as_list(value)]
    for group in resources(document, "aws:cloudwatch/logGroup:LogGroup"):
        assert any(arn_like(p, group["outputs"]["arn"]) for p in patterns)
    assert not any(arn_like(p, f"arn:aws:logs:{region}:999999999999:log-group:/aws/lambda/x") for p in patterns), \
        "another account's CloudWatch Logs could use the role"


# 9. The KMS key, Lambda encryption, deprecated types and runtimes --------------------------------

@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_app_key_rotates_and_waits_30_days_before_deletion(spec):
    key = one(plan(spec), KEY)["inputs"]
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30


def generated_environment(spec: str, key: str) -> set[str]:
    """Names the README says the compiler adds: TABLE_/SECRET_ from `uses`, CORS_* on functions
    behind routes when the api has cors."""
    uses = facts.functions(spec)[key].get("uses") or {}
    names = {f"TABLE_{t.upper()}" for t in uses.get("tables", {})} | {f"SECRET_{s.upper()}" for s in uses.get("secrets", [])}
    api = facts.api(spec)
    if api is not None and api.get("cors") and key in facts.served(spec):
        names |= {"CORS_ALLOW_ORIGINS", "CORS_ALLOW_CREDENTIALS", "CORS_EXPOSE_HEADERS"}
    return names


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_functions_with_environment_variables_encrypt_them_with_the_app_key(spec):
    document = plan(spec)
    names = document["outputs"]["function_names"]
    functions = {f["inputs"]["name"]: f["inputs"] for f in resources(document, LAMBDA)}
    for key, fn in facts.functions(spec).items():
        inputs = functions[names[key]]
        # The spec's own variables (stored as strings, booleans as true/false) plus the names the
        # compiler sets (values checked in test_grants.py and the CORS tests).
        generated = generated_environment(spec, key)
        own = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fn["environment"].items()}
        if own or generated:
            variables = inputs["environment"]["variables"]
            assert {k: v for k, v in variables.items() if k not in generated} == own
            assert set(variables) - set(own) == generated
            assert inputs["kmsKeyArn"] == key_arn(document)
        else:
            assert "environment" not in inputs


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_the_key_policy_keeps_the_account_as_administrator_without_kms_star(spec):
    document = plan(spec)
    root = f"arn:aws:iam::{account_of(document)}:root"
    statements = [s for r, s in policy_statements(document) if r["type"] == KEY]
    admin = [s for s in statements if s.get("Principal") == {"AWS": root}]
    assert len(admin) == 1, "without the account statement the key becomes unmanageable"
    actions = set(as_list(admin[0]["Action"]))
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation"} <= actions
    assert "kms:*" not in actions


DEPRECATED_TYPES = re.compile(r"^aws:s3/bucket\w*V2:|^aws:s3/bucketAcl")
INLINE_BUCKET_ARGUMENTS = {"acl", "versioning", "serverSideEncryptionConfiguration", "lifecycleRules", "policy", "loggings",
                           "logging", "website", "corsRules", "replicationConfiguration", "objectLockConfiguration",
                           "accelerationStatus", "requestPayer", "grants"}


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_no_deprecated_resource_types_inline_bucket_settings_or_old_runtimes(spec):
    document = plan(spec)
    deprecated = [r["type"] for r in document["resources"] if DEPRECATED_TYPES.search(r["type"])]
    assert deprecated == []
    inline = INLINE_BUCKET_ARGUMENTS & set(bucket(document)["inputs"])
    assert inline == set(), f"deprecated inline bucket arguments: {inline}"
    for function in resources(document, LAMBDA):
        runtime = function["inputs"]["runtime"]
        found = re.fullmatch(r"python3\.(\d+)", runtime)
        assert found and int(found.group(1)) >= 11, runtime
