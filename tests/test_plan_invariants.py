"""Properties every plan must have, whatever the spec: order independence, stable deployment
triggers, unique names, one explicit provider, a single component tree, real dependency edges,
determinism, a resource count that grows with functions (not routes), and the inputs the engine
receives for method settings, usage plans and functions.

Specs written to `tmp_path` are planned with `project_root=ROOT` (handlers resolve against it),
so a variant of a spec can be built without touching the repository.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest
import yaml

import compiler.context
from compiler.plan import plan_file, to_json
from compiler.schema_errors import load_schema
from plan_support import (CASE_IDS, CASE_SPECS, FUNCTIONS_ONLY, NESTED, ROOT, SAMPLE, USAGE_PLANS, by_urn, one, plan,
                          plan_json, resources)

PROVIDER = "pulumi:providers:aws"
APP = "serverless:index:App"
COMPONENT_PREFIX = "serverless:index:"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


# -- helpers ---------------------------------------------------------------------------------------

def load(spec: str) -> dict:
    return yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))


def plan_data(data: dict, path: Path, stage: str | None = None) -> dict:
    """Write `data` as YAML (keys in the order given) to `path` and plan it against the repository."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return plan_file(str(path), stage=stage, project_root=ROOT)


def without_spec(document: dict) -> str:
    return to_json({k: v for k, v in document.items() if k != "spec"})


def shuffled(node, rng: random.Random):
    """Every mapping's keys and every list (routes, api_keys, notify) in a random order."""
    if isinstance(node, dict):
        items = [(key, shuffled(value, rng)) for key, value in node.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(node, list):
        items = [shuffled(value, rng) for value in node]
        rng.shuffle(items)
        return items
    return node


def is_component(resource: dict) -> bool:
    return resource["type"].startswith(COMPONENT_PREFIX)


def provider_urn(reference: str) -> str:
    """A provider reference is `<provider urn>::<provider id>`."""
    return reference.rsplit("::", 1)[0]


def provider_problems(document: dict) -> list[str]:
    """Every way the plan strays from "one explicit aws provider, pinned to the spec's region, used by
    every AWS resource": one line per problem, naming the resource."""
    problems = []
    providers = resources(document, PROVIDER)
    if len(providers) != 1:
        problems.append(f"expected exactly one {PROVIDER}, found {[p['name'] for p in providers]}")
    for provider in providers:
        if provider["inputs"].get("region") != document["region"]:
            problems.append(f"provider {provider['name']} has region {provider['inputs'].get('region')!r}, "
                            f"the spec says {document['region']!r}")
    explicit = {p["urn"] for p in providers}
    for resource in document["resources"]:
        if resource["type"] == PROVIDER or is_component(resource):
            continue
        if not resource["provider"]:
            problems.append(f"{resource['type']} {resource['name']} uses the default provider")
        elif not resource["type"].startswith("aws:"):
            problems.append(f"{resource['type']} {resource['name']} is neither an AWS resource nor a component")
        elif provider_urn(resource["provider"]) not in explicit:
            problems.append(f"{resource['type']} {resource['name']} uses provider {resource['provider']}, not the explicit one")
    return problems


def function_keys_served(data: dict) -> set[str]:
    return {route["function"] for route in (data.get("api") or {}).get("routes", [])}


def route(data: dict, method: str, path: str) -> dict:
    [found] = [r for r in data["api"]["routes"] if (r["method"], r["path"]) == (method, path)]
    return found


def schema_defaults(definition: str) -> dict:
    properties = load_schema()["$defs"][definition]["properties"]
    return {key: prop["default"] for key, prop in properties.items() if "default" in prop}


# -- 1. order independence -------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [SAMPLE, NESTED, USAGE_PLANS])
def test_shuffling_routes_functions_usage_plans_and_mapping_keys_leaves_the_plan_byte_identical(spec, tmp_path):
    data = load(spec)
    path = tmp_path / "spec.yaml"  # one path for every variant: the path shows in the plan (spec, descriptions)
    expected = without_spec(plan_data(data, path))
    original_text = path.read_text(encoding="utf-8")
    reordered = 0
    for seed in (1, 7, 42):
        variant = shuffled(copy.deepcopy(data), random.Random(seed))
        actual = without_spec(plan_data(variant, path))
        reordered += path.read_text(encoding="utf-8") != original_text
        assert actual == expected, f"{spec} shuffled with seed {seed} gives a different plan"
    assert reordered, "no seed changed the order of the spec: the test proved nothing"


# -- 2. deployment trigger -------------------------------------------------------------------------

def _route_path(data):
    route(data, "GET", "/health")["path"] = "/status"


def _route_method(data):
    route(data, "GET", "/items/{id}")["method"] = "DELETE"


def _route_function(data):
    route(data, "GET", "/health")["function"] = "items"


def _route_api_key(data):
    route(data, "GET", "/items")["api_key_required"] = True


def _memory(data):
    data["functions"]["items"]["memory_mb"] = 512


def _alarm_threshold(data):
    data["alarms"]["function_errors"]["threshold"] = 7


def _tag(data):
    data["tags"]["owner"] = "someone-else"


ROUTE_CHANGES = {"path": _route_path, "method": _route_method, "function": _route_function, "api_key_required": _route_api_key}
UNRELATED_CHANGES = {"memory_mb": _memory, "alarm threshold": _alarm_threshold, "tag": _tag}


@pytest.fixture(scope="module")
def sample_api(tmp_path_factory) -> tuple[str, str]:
    """(deployment trigger, rest api body) of the sample as it is."""
    document = plan_data(load(SAMPLE), tmp_path_factory.mktemp("baseline") / "spec.yaml")
    return one(document, DEPLOYMENT)["inputs"]["triggers"]["openapi_sha256"], one(document, REST_API)["inputs"]["body"]


@pytest.mark.parametrize("change", list(ROUTE_CHANGES), ids=list(ROUTE_CHANGES))
def test_changing_one_route_changes_the_deployment_trigger_and_the_rest_api_body(change, sample_api, tmp_path):
    data = load(SAMPLE)
    ROUTE_CHANGES[change](data)
    document = plan_data(data, tmp_path / "spec.yaml")
    trigger, body = sample_api
    deployment = one(document, DEPLOYMENT)
    assert re.fullmatch(r"[0-9a-f]{64}", deployment["inputs"]["triggers"]["openapi_sha256"])
    assert deployment["inputs"]["triggers"]["openapi_sha256"] != trigger, f"changing a route's {change} does not redeploy"
    assert one(document, REST_API)["inputs"]["body"] != body


@pytest.mark.parametrize("change", list(UNRELATED_CHANGES), ids=list(UNRELATED_CHANGES))
def test_changing_something_unrelated_to_routes_keeps_the_deployment_trigger_and_body(change, sample_api, tmp_path):
    data = load(SAMPLE)
    UNRELATED_CHANGES[change](data)
    path = tmp_path / "spec.yaml"
    document = plan_data(data, path)
    assert path.read_text(encoding="utf-8") != yaml.safe_dump(load(SAMPLE), sort_keys=False), "the change changed nothing"
    trigger, body = sample_api
    assert one(document, DEPLOYMENT)["inputs"]["triggers"]["openapi_sha256"] == trigger
    assert one(document, REST_API)["inputs"]["body"] == body


# -- 3. unique names -------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_no_two_resources_share_a_type_and_name_and_urns_are_unique(spec):
    document = plan(spec)
    keys = [(r["type"], r["name"]) for r in document["resources"]]
    urns = [r["urn"] for r in document["resources"]]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert len(urns) == len(set(urns)), sorted(u for u in urns if urns.count(u) > 1)


def test_usage_plan_and_api_key_names_that_join_to_the_same_text_do_not_collide(tmp_path):
    data = load(USAGE_PLANS)
    data["api"]["usage_plans"] = {"a": {"api_keys": ["b-key-c"]}, "a-key-b": {"api_keys": ["c"]}}
    document = plan_data(data, tmp_path / "spec.yaml")
    api_keys = resources(document, "aws:apigateway/apiKey:ApiKey")
    assert len({r["name"] for r in api_keys}) == 2


# -- 4. one explicit provider ----------------------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_every_aws_resource_uses_the_one_explicit_provider_pinned_to_the_spec_region(spec):
    document = plan(spec)
    assert provider_problems(document) == []
    [provider] = resources(document, PROVIDER)
    aws_resources = [r for r in document["resources"] if r["type"].startswith("aws:")]
    assert aws_resources
    for resource in aws_resources:
        assert resource["provider"] and provider_urn(resource["provider"]) == provider["urn"]
        assert resource["provider"].rsplit("::", 1)[1] == provider["id"]
    assert provider["inputs"]["region"] == document["region"] == getattr(spec, "region", load(spec)["region"])
    for resource in document["resources"]:
        if resource["provider"] == "":
            assert is_component(resource) or resource["type"] == PROVIDER, resource["name"]


def test_the_provider_check_reports_a_factory_that_forgets_the_provider(monkeypatch):
    original = compiler.context.BuildContext.opts

    def opts_without_provider_for_the_dashboard(self, parent, **extra):
        if getattr(parent, "kind", None) == "Dashboard":
            return pulumi.ResourceOptions(parent=parent, **extra)
        return original(self, parent, **extra)

    monkeypatch.setattr(compiler.context.BuildContext, "opts", opts_without_provider_for_the_dashboard)
    document = plan_file(SAMPLE, project_root=ROOT)
    problems = provider_problems(document)
    assert problems == ["aws:cloudwatch/dashboard:Dashboard dashboard-us-east-1-dashboard uses the default provider"]


def test_the_provider_check_reports_a_provider_in_another_region():
    document = json.loads(plan_json(SAMPLE))
    document["region"] = "eu-west-1"
    assert provider_problems(document) == ["provider aws-us-east-1 has region 'us-east-1', the spec says 'eu-west-1'"]


# -- 5. one component tree -------------------------------------------------------------------------

def parent_problems(document: dict, exempt: frozenset[str] = frozenset({APP})) -> list[str]:
    index = by_urn(document)
    problems = []
    for resource in document["resources"]:
        if resource["type"] in exempt:
            continue
        if not is_component(resource):
            parent = index.get(resource["parent"])
            if parent is None or not is_component(parent):
                problems.append(f"{resource['name']}: parent {resource['parent']} is not a {COMPONENT_PREFIX}* component")
        chain, current = [], resource
        while current is not None and current["type"] != APP and current["urn"] not in chain:
            chain.append(current["urn"])
            current = index.get(current["parent"])
        if current is None or current["type"] != APP:
            problems.append(f"{resource['name']}: parent chain does not reach {APP}")
    return problems


@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_every_resource_hangs_under_the_app_component_and_leaves_under_a_component(spec):
    document = plan(spec)
    [app] = resources(document, APP)
    assert app["parent"].split("::")[2] == "pulumi:pulumi:Stack"
    assert parent_problems(document, exempt=frozenset({APP})) == []
    components = [r for r in document["resources"] if is_component(r) and r["type"] != APP]
    assert components and all(r["parent"] == app["urn"] for r in components)


def test_the_explicit_provider_also_hangs_under_the_app_component():
    assert parent_problems(plan(SAMPLE)) == []


def test_the_parent_check_reports_a_resource_outside_the_tree():
    document = json.loads(plan_json(SAMPLE))
    stray = one(document, FUNCTION, "fn-items-us-east-1-function")
    stray["parent"] = one(document, APP)["parent"]  # the stack
    problems = parent_problems(document, exempt=frozenset({APP, PROVIDER}))
    assert any(p.startswith("fn-items-us-east-1-function: parent") for p in problems)
    assert any(p == f"fn-items-us-east-1-function: parent chain does not reach {APP}" for p in problems)


# -- 6. dependencies are real references -----------------------------------------------------------

@pytest.mark.parametrize("spec", CASE_SPECS, ids=CASE_IDS)
def test_every_dependency_parent_and_provider_refers_to_a_resource_of_the_plan(spec):
    document = plan(spec)
    urns = set(by_urn(plan(str(spec))))  # the whole plan: a region may depend on the global part
    for resource in document["resources"]:
        for key, deps in resource["dependencies"].items():
            assert deps and set(deps) <= urns, (resource["name"], key, set(deps) - urns)
        assert set(resource["depends_on"]) <= urns, (resource["name"], set(resource["depends_on"]) - urns)
        if resource["provider"]:
            assert provider_urn(resource["provider"]) in urns


def siblings(document: dict, resource: dict, type_token: str) -> dict:
    [found] = [r for r in resources(document, type_token) if r["parent"] == resource["parent"]]
    return found


def test_each_function_depends_on_its_log_group_and_role_and_waits_for_its_role_policy():
    document = plan(SAMPLE)
    functions = resources(document, FUNCTION)
    assert len(functions) == len(load(SAMPLE)["functions"])
    for function in functions:
        log_group = siblings(document, function, LOG_GROUP)
        role = siblings(document, function, "aws:iam/role:Role")
        policy = siblings(document, function, "aws:iam/rolePolicy:RolePolicy")
        assert function["dependencies"]["loggingConfig"] == [log_group["urn"]]
        assert function["inputs"]["loggingConfig"]["logGroup"] == log_group["inputs"]["name"]
        assert function["dependencies"]["role"] == [role["urn"]]
        assert function["inputs"]["role"] == role["outputs"]["arn"]
        assert policy["urn"] in function["depends_on"]
        assert policy["dependencies"]["role"] == [role["urn"]]


def test_the_stage_depends_on_the_deployment_and_the_access_log_group():
    document = plan(SAMPLE)
    stage, deployment = one(document, STAGE), one(document, DEPLOYMENT)
    access_logs = one(document, LOG_GROUP, "api-us-east-1-access-logs")
    assert stage["dependencies"]["deployment"] == [deployment["urn"]]
    assert stage["inputs"]["deployment"] == deployment["id"]
    assert stage["dependencies"]["accessLogSettings"] == [access_logs["urn"]]
    assert stage["inputs"]["accessLogSettings"]["destinationArn"] == access_logs["outputs"]["arn"]
    assert deployment["dependencies"]["restApi"] == [one(document, REST_API)["urn"]]


def test_one_permission_per_routed_function_for_the_whole_api_depends_on_the_rest_api(tmp_path):
    data = load(SAMPLE)
    data["functions"]["worker"] = {"handler": "runtime_handlers.health.handler"}  # serves no route
    document = plan_data(data, tmp_path / "spec.yaml")
    rest_api = one(document, REST_API)
    functions = {f["inputs"]["name"]: f for f in resources(document, FUNCTION)}
    served = {f"serverless-app-dev-{key}" for key in function_keys_served(data)}
    assert served < set(functions)
    permissions = resources(document, PERMISSION)
    assert sorted(p["inputs"]["function"] for p in permissions) == sorted(served)
    for permission in permissions:
        assert permission["inputs"]["sourceArn"] == rest_api["outputs"]["executionArn"] + "/*/*"
        assert permission["dependencies"]["sourceArn"] == [rest_api["urn"]]
        assert permission["dependencies"]["function"] == [functions[permission["inputs"]["function"]]["urn"]]
        assert permission["inputs"]["principal"] == "apigateway.amazonaws.com"
    # The body embeds the invoke ARN of exactly the functions that serve routes.
    assert rest_api["dependencies"]["body"] == sorted(functions[name]["urn"] for name in served)
    body = json.loads(rest_api["inputs"]["body"])
    uris = {op["x-amazon-apigateway-integration"]["uri"] for methods in body["paths"].values() for op in methods.values()
            if op["x-amazon-apigateway-integration"]["type"] != "mock"}  # CORS preflights call no function
    assert uris == {functions[name]["outputs"]["invokeArn"] for name in served}


# -- 7. determinism --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", ["12345"])
def test_the_same_spec_gives_byte_identical_json_in_process_and_in_processes_with_other_hash_seeds(seed):
    """Two builds in one process could share state (caches, hash order); processes with other
    string-hash seeds cannot, so they show the document depends on nothing but the spec."""
    result = subprocess.run([sys.executable, "-m", "compiler", "plan", SAMPLE, "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
    assert result.returncode == 0, result.stderr
    assert result.stdout == plan_json(SAMPLE)


# -- 8. resource count grows with functions, not routes --------------------------------------------

def scale_spec(routes: int, functions: int) -> dict:
    paths = [p for i in range(routes) for p in (f"/r{i}", f"/r{i}/{{id}}")]
    pairs = [(method, path) for path in paths for method in ("GET", "POST")][:routes]
    return {
        "version": 1, "name": "scale", "stage": "dev", "region": "us-east-1",
        "functions": {f"f{i}": {"handler": "runtime_handlers.items.handler"} for i in range(functions)},
        "api": {"throttling": {"rate_limit": 100, "burst_limit": 200},
                "routes": [{"method": m, "path": p, "function": f"f{i % functions}"} for i, (m, p) in enumerate(pairs)]},
        "alarms": {"notify": ["ops@example.com"], "function_errors": {"threshold": 1}, "api_5xx": {"threshold": 1}},
    }


def test_the_number_of_resources_grows_with_functions_not_routes(tmp_path):
    counts = {}
    for routes, functions in ((10, 5), (100, 5), (1000, 5), (100, 10), (100, 20)):
        data = scale_spec(routes, functions)
        assert len({(r["method"], r["path"]) for r in data["api"]["routes"]}) == routes
        document = plan_data(data, tmp_path / f"spec-{routes}-{functions}.yaml")
        assert len(json.loads(one(document, REST_API)["inputs"]["body"])["paths"]) == (routes + 1) // 2
        counts[routes, functions] = len(document["resources"])
    assert counts[10, 5] == counts[100, 5] == counts[1000, 5]
    per_function, remainder = divmod(counts[100, 10] - counts[100, 5], 5)
    assert remainder == 0 and per_function > 0
    assert counts[100, 20] - counts[100, 10] == 10 * per_function


# -- 9. method settings ----------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [SAMPLE, NESTED])
def test_method_settings_throttle_the_stage_and_each_throttled_route(spec):
    data, document = load(spec), plan(spec)
    stage = one(document, STAGE)
    settings = {r["inputs"]["methodPath"]: r for r in resources(document, METHOD_SETTINGS)}
    throttled = [r for r in data["api"]["routes"] if r.get("throttling")]
    assert len(settings) == len(resources(document, METHOD_SETTINGS)) == 1 + len(throttled)
    expected = [("*/*", data["api"]["throttling"])]
    expected += [(r["path"].replace("/", "~1") + "/" + r["method"], r["throttling"]) for r in throttled]
    for method_path, throttling in expected:
        resource = settings[method_path]
        assert resource["inputs"]["stageName"] == stage["inputs"]["stageName"] == document["stage"]
        assert resource["dependencies"]["stageName"] == [stage["urn"]]
        assert resource["inputs"]["restApi"] == one(document, REST_API)["id"]
        # api.logging as written, else the schema's defaults: ERROR logs, no data trace, no per-method metrics.
        logging = {**{"execution": "ERROR", "data_trace": False, "detailed_metrics": False}, **data["api"].get("logging", {})}
        assert resource["inputs"]["settings"] == {
            "throttlingRateLimit": throttling["rate_limit"], "throttlingBurstLimit": throttling["burst_limit"],
            "metricsEnabled": logging["detailed_metrics"], "loggingLevel": logging["execution"],
            "dataTraceEnabled": logging["data_trace"]}
    assert "/" not in "".join(path.rsplit("/", 1)[0] for path in settings if path != "*/*")


def test_method_paths_escape_every_slash_of_the_route_path():
    assert one(plan(SAMPLE), METHOD_SETTINGS, "api-us-east-1-settings-POST /items")["inputs"]["methodPath"] == "~1items/POST"
    nested = one(plan(NESTED), METHOD_SETTINGS, "api-us-west-2-settings-GET /users/{userId}/orders/{orderId}")
    assert nested["inputs"]["methodPath"] == "~1users~1{userId}~1orders~1{orderId}/GET"
    assert nested["inputs"]["settings"]["throttlingRateLimit"] == 5


# -- 10. usage plans -------------------------------------------------------------------------------

def test_usage_plans_have_the_spec_limits_are_bound_to_the_stage_and_bind_each_key():
    data, document = load(USAGE_PLANS), plan(USAGE_PLANS)
    prefix = f"{data['name']}-{data['stage']}"
    rest_api, stage = one(document, REST_API), one(document, STAGE)
    plans = {r["inputs"]["name"]: r for r in resources(document, "aws:apigateway/usagePlan:UsagePlan")}
    keys = {r["inputs"]["name"]: r for r in resources(document, "aws:apigateway/apiKey:ApiKey")}
    bindings = resources(document, "aws:apigateway/usagePlanKey:UsagePlanKey")
    spec_plans = data["api"]["usage_plans"]
    assert set(plans) == {f"{prefix}-{key}" for key in spec_plans}
    assert set(keys) == {f"{prefix}-{key}" for p in spec_plans.values() for key in p.get("api_keys", [])}
    bound = set()
    for plan_key, spec_plan in spec_plans.items():
        usage_plan = plans[f"{prefix}-{plan_key}"]
        inputs = usage_plan["inputs"]
        assert inputs["apiStages"] == [{"apiId": rest_api["id"], "stage": stage["inputs"]["stageName"]}]
        assert inputs["apiStages"][0]["stage"] == data["stage"]
        assert set(usage_plan["dependencies"]["apiStages"]) == {rest_api["urn"], stage["urn"]}
        assert inputs["throttleSettings"] == {"rateLimit": spec_plan["throttling"]["rate_limit"],
                                              "burstLimit": spec_plan["throttling"]["burst_limit"]}
        if "quota" in spec_plan:
            assert inputs["quotaSettings"] == {"limit": spec_plan["quota"]["limit"], "period": spec_plan["quota"]["period"]}
        else:
            assert "quotaSettings" not in inputs
        for key in spec_plan["api_keys"]:
            api_key = keys[f"{prefix}-{key}"]
            assert api_key["inputs"]["enabled"] is True
            [binding] = [b for b in bindings if b["inputs"]["keyId"] == api_key["id"]]
            assert binding["inputs"]["usagePlanId"] == usage_plan["id"]
            assert binding["inputs"]["keyType"] == "API_KEY"
            assert binding["dependencies"] == {"keyId": [api_key["urn"]], "usagePlanId": [usage_plan["urn"]]}
            bound.add(binding["urn"])
    assert len(bound) == len(bindings) == len(keys)
    assert len({p["id"] for p in plans.values()}) == len(plans)
    assert document["outputs"]["api_key_ids"] == {k: keys[f"{prefix}-{k}"]["id"] for p in spec_plans.values() for k in p["api_keys"]}


# -- 11. functions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [SAMPLE, FUNCTIONS_ONLY])
def test_functions_carry_the_spec_settings_and_write_json_logs_to_their_own_group(spec):
    data, document = load(spec), plan(spec)
    defaults = schema_defaults("function")
    functions = {r["inputs"]["name"]: r for r in resources(document, FUNCTION)}
    stage = data.get("stage", "dev")
    assert set(functions) == {f"{data['name']}-{stage}-{key}" for key in data["functions"]}
    for key, raw in data["functions"].items():
        fn = {**defaults, **raw}
        name = f"{data['name']}-{stage}-{key}"
        inputs = functions[name]["inputs"]
        assert inputs["handler"] == fn["handler"]
        assert inputs["runtime"] == fn["runtime"]
        assert inputs["memorySize"] == fn["memory_mb"]
        assert inputs["timeout"] == fn["timeout_s"]
        assert inputs["architectures"] == [fn["architecture"]]
        assert inputs.get("reservedConcurrentExecutions") == raw.get("reserved_concurrency")
        expected_env = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in fn.get("environment", {}).items()}
        # `uses.tables` adds TABLE_<NAME> with the table's physical name.
        expected_env.update({f"TABLE_{t.upper()}": f"{data['name']}-{stage}-{t}" for t in fn.get("uses", {}).get("tables", {})})
        # api.cors adds CORS_* to functions behind routes.
        cors = data.get("api", {}).get("cors")
        if cors and key in {r["function"] for r in data["api"]["routes"]}:
            expected_env.update(CORS_ALLOW_ORIGINS=",".join(cors["allow_origins"]), CORS_EXPOSE_HEADERS=",".join(cors.get("expose_headers", [])),
                                CORS_ALLOW_CREDENTIALS=str(cors.get("allow_credentials", False)).lower())
        assert inputs.get("environment", {}).get("variables", {}) == expected_env
        assert all(isinstance(v, str) for v in expected_env.values())
        assert inputs["tracingConfig"] == {"mode": "Active"}
        assert inputs["loggingConfig"]["logFormat"] == "JSON"
        assert inputs["loggingConfig"]["logGroup"] == f"/aws/lambda/{name}"
        if raw.get("description"):
            assert inputs["description"] == raw["description"]
        else:  # a generated one that names the app, the function and the stage
            assert all(part in inputs["description"] for part in (data["name"], key, stage)), inputs["description"]


def test_environment_values_that_are_not_strings_are_stringified_as_written():
    variables = {f["inputs"]["name"]: f["inputs"].get("environment", {}).get("variables")
                 for f in resources(plan(FUNCTIONS_ONLY), FUNCTION)}
    assert variables["workers-dev-nightly"] == {"MODE": "batch", "DRY_RUN": "false", "BATCH_SIZE": "500"}


def test_the_code_archive_holds_only_runtime_handlers_without_caches(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "runtime_handlers", project / "runtime_handlers",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo"))
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shippable = {p.relative_to(project).as_posix(): p for p in (project / "runtime_handlers").rglob("*") if p.is_file()}
    assert "runtime_handlers/items.py" in shippable
    # What a developer's machine adds: caches, compiled files, and files outside runtime_handlers/.
    (project / "runtime_handlers" / "__pycache__").mkdir()
    (project / "runtime_handlers" / "__pycache__" / "items.cpython-312.pyc").write_bytes(b"\0cache")
    (project / "runtime_handlers" / "stale.pyc").write_bytes(b"\0stale")
    (project / "runtime_handlers" / "pkg" / "__pycache__").mkdir(parents=True)
    (project / "runtime_handlers" / "pkg" / "__pycache__" / "x.py").write_text("cached = 1\n")
    (project / "secrets.txt").write_text("not code\n")
    spec = project / "spec.yaml"
    shutil.copy(ROOT / FUNCTIONS_ONLY, spec)
    document = plan_file(str(spec), project_root=project)
    archives = {json.dumps(f["inputs"]["code"], sort_keys=True) for f in resources(document, FUNCTION)}
    assert len(archives) == 1, "every function ships the same archive"
    entries = json.loads(archives.pop())["$archive"]["entries"]
    assert set(entries) == set(shippable)
    for name, file in shippable.items():
        assert entries[name] == "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()
    assert not [n for n in entries if "__pycache__" in n or n.endswith((".pyc", ".pyo")) or not n.startswith("runtime_handlers/")]


# -- 12. --stage -----------------------------------------------------------------------------------

def test_the_stage_flag_changes_every_physical_name_and_the_stage():
    # A spec without `stages`, so the two stages differ only by name.
    spec = NESTED
    data = load(spec)
    assert "stages" not in data and data.get("stage", "dev") != "prod"
    base, prod = plan(spec), plan_file(spec, stage="prod", project_root=ROOT)
    old, new = f"{data['name']}-{base['stage']}", f"{data['name']}-prod"
    assert prod["stage"] == "prod" and base["stage"] != "prod"
    assert prod["outputs"]["stage"] == "prod"
    assert one(prod, STAGE)["inputs"]["stageName"] == "prod"
    assert prod["outputs"]["api_url"].endswith("/prod")
    assert all(r["urn"].startswith("urn:pulumi:prod::") for r in prod["resources"])
    base_text, prod_text = to_json(base), to_json(prod)
    assert old in base_text
    assert old not in prod_text and not re.search(rf"(?<![A-Za-z0-9]){base['stage']}(?![A-Za-z0-9])", prod_text)
    prod_by_key = {(r["type"], r["name"]): r for r in prod["resources"]}
    assert set(prod_by_key) == {(r["type"], r["name"]) for r in base["resources"]}, "logical names do not depend on the stage"
    renamed = 0
    for resource in base["resources"]:
        for field in ("name", "namePrefix", "bucket", "dashboardName"):
            value = resource["inputs"].get(field)
            if isinstance(value, str) and old in value:
                assert prod_by_key[resource["type"], resource["name"]]["inputs"][field] == value.replace(old, new)
                renamed += 1
    assert renamed >= 10
    [provider] = resources(prod, PROVIDER)
    assert json.loads(provider["inputs"]["defaultTags"])["tags"]["stage"] == "prod"
