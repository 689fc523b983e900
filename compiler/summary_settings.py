"""The values an operator decides, per resource, for the readable plan (as `terraform plan` shows
them), a compact IAM summary (role -> actions -> resources), and the rule that values the mock
runtime invented (ids, URLs, ARNs with the placeholder account) are shown as `(known after deploy)`.
"""
from __future__ import annotations

import json
from typing import Any, Callable

MOCK_ACCOUNT = "123456789012"
UNKNOWN = "(known after deploy)"


def _get(inputs: dict, *path: str) -> Any:
    for part in path:
        inputs = inputs.get(part) if isinstance(inputs, dict) else None
    return inputs


def _function(i: dict) -> str:
    parts = [i.get("runtime"), i.get("architectures", ["?"])[0], f"{i.get('memorySize')} MB", f"timeout {i.get('timeout')} s"]
    if "reservedConcurrentExecutions" in i:
        parts.append(f"reserved concurrency {i['reservedConcurrentExecutions']}")
    if i.get("layers"):
        parts.append(f"{len(i['layers'])} layer(s)")
    return ", ".join(str(p) for p in parts)


def _alarm(i: dict) -> str:
    stat = i.get("extendedStatistic") or i.get("statistic") or "metric math"
    period = i.get("period") or next((q["metric"]["period"] for q in i.get("metricQueries", []) if q.get("metric")), "?")
    operator = COMPARISONS.get(i.get("comparisonOperator"), i.get("comparisonOperator"))
    return f"{i.get('name')}: {operator} {i.get('threshold')} ({stat}), {period} s x {i.get('evaluationPeriods')}"


COMPARISONS = {"GreaterThanOrEqualToThreshold": ">=", "GreaterThanThreshold": ">", "LessThanThreshold": "<",
               "LessThanOrEqualToThreshold": "<="}


def _method_settings(i: dict) -> str:
    s = i.get("settings", {})
    throttle = f"{s.get('throttlingRateLimit')} req/s burst {s.get('throttlingBurstLimit')}" if "throttlingRateLimit" in s else "no throttle"
    return f"{i.get('methodPath')}: {throttle}, logs {s.get('loggingLevel')}, detailed metrics {'on' if s.get('metricsEnabled') else 'off'}"


def _usage_plan(i: dict) -> str:
    throttle, quota = i.get("throttleSettings"), i.get("quotaSettings")
    return (f"{i.get('name')}: " + (f"{throttle.get('rateLimit')} req/s burst {throttle.get('burstLimit')}" if throttle else "no throttle")
            + (f", quota {quota.get('limit')}/{quota.get('period')}" if quota else ", no quota"))


def _lifecycle(i: dict) -> str:
    parts = []
    for rule in i.get("rules", []):
        if "days" in _get(rule, "expiration") or {}:
            parts.append(f"expire after {rule['expiration']['days']} days")
        if rule.get("noncurrentVersionExpiration"):
            parts.append(f"noncurrent after {rule['noncurrentVersionExpiration']['noncurrentDays']} days")
        if _get(rule, "expiration", "expiredObjectDeleteMarker"):
            parts.append("expired delete markers removed")
    return ", ".join(parts)


def _table(i: dict) -> str:
    billing = i.get("billingMode")
    parts = [i.get("name"), "on-demand" if billing == "PAY_PER_REQUEST" else f"provisioned {i.get('readCapacity')}/{i.get('writeCapacity')} RCU/WCU",
             f"point-in-time recovery {'on' if _get(i, 'pointInTimeRecovery', 'enabled') else 'off'}"]
    if i.get("streamEnabled"):
        parts.append(f"stream {i.get('streamViewType')}")
    if i.get("ttl"):
        parts.append(f"TTL {i['ttl']['attributeName']}")
    return ", ".join(str(p) for p in parts)


def _health_check(i: dict) -> str:
    return (f"{i.get('type')} {known_host(i.get('fqdn'))}{i.get('resourcePath')} for {json.dumps(i.get('searchString'))}, "
            f"every {i.get('requestInterval')} s, unhealthy after {i.get('failureThreshold')}, from {', '.join(i.get('regions', []))}")


def known_host(fqdn: Any) -> str:
    """`<api id>.execute-api...`: the id is the mock's, so it is shown as unknown."""
    text = str(fqdn)
    return f"<api id>.{text.split('.', 1)[1]}" if ".execute-api." in text else text


def _record(i: dict) -> str:
    routing = ("latency" if i.get("latencyRoutingPolicies") else
               f"failover {i['failoverRoutingPolicies'][0]['type']}" if i.get("failoverRoutingPolicies") else "simple")
    target = "alias" if i.get("aliases") else ", ".join(i.get("records", []))
    return (f"{i.get('name')} {i.get('type')} {target}, {routing}" + (f", set {i['setIdentifier']}" if i.get("setIdentifier") else "")
            + (", health-checked" if i.get("healthCheckId") else ""))


SETTINGS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "aws:lambda/function:Function": ("Functions", lambda i: f"{i.get('name')}: {_function(i)}"),
    "aws:cloudwatch/logGroup:LogGroup": ("Log retention", lambda i: f"{i.get('name')}: {i.get('retentionInDays')} days"),
    "aws:apigateway/methodSettings:MethodSettings": ("API method settings", _method_settings),
    "aws:apigateway/usagePlan:UsagePlan": ("Usage plans", _usage_plan),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("Archive lifecycle", _lifecycle),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("Alarms", _alarm),
    "aws:kms/key:Key": ("Key", lambda i: f"rotation every {i.get('rotationPeriodInDays')} days, deletion window {i.get('deletionWindowInDays')} days"),
    "aws:dynamodb/table:Table": ("Tables", _table),
    "aws:dynamodb/tableReplica:TableReplica": ("Table replicas", lambda i: f"of {i.get('globalTableArn', '').rsplit('/', 1)[-1]}, point-in-time recovery {'on' if i.get('pointInTimeRecovery') else 'off'}"),
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": ("Provisioned concurrency", lambda i: f"{i.get('functionName')}:{i.get('qualifier')}: {i.get('provisionedConcurrentExecutions')} at first, then autoscaled"),
    "aws:route53/healthCheck:HealthCheck": ("Health checks", _health_check),
    "aws:route53/record:Record": ("DNS records", _record),
    "aws:apigateway/domainName:DomainName": ("Custom domains", lambda i: f"{i.get('domainName')}: {i.get('securityPolicy')}, {_get(i, 'endpointConfiguration', 'types')}"),
}


def region_label(resource: dict) -> str:
    """The region a resource is created in, from its provider (`aws-<region>`, or `global`)."""
    urn = (resource.get("provider") or "").rsplit("::", 1)[0]
    name = urn.rsplit("::", 1)[-1]
    return name[len("aws-"):] if name.startswith("aws-") else ""


def billed_per_region(resources: list[dict]) -> list[str]:
    """What costs money per region whether or not anyone calls the API: provisioned concurrency,
    table replicas, health checks (each probes one region), the KMS keys."""
    rows: dict[str, list[str]] = {}
    memory = {r["inputs"].get("name"): r["inputs"].get("memorySize") for r in resources if r["type"] == "aws:lambda/function:Function"}
    for r in resources:
        region, i = region_label(r), r["inputs"]
        if r["type"] == "aws:appautoscaling/target:Target" and i.get("serviceNamespace") == "lambda":
            function = str(i.get("resourceId", "")).split(":")[1]
            item = f"provisioned concurrency {function} {i.get('minCapacity')}..{i.get('maxCapacity')} x {memory.get(function)} MB"
        elif r["type"] == "aws:dynamodb/tableReplica:TableReplica":
            item = f"table replica {i.get('globalTableArn', '').rsplit('/', 1)[-1]}"
        elif r["type"] == "aws:route53/healthCheck:HealthCheck":
            region = str(i.get("fqdn", "")).split(".execute-api.")[-1].split(".")[0]
            item = f"health check ({i.get('requestInterval')} s, {len(i.get('regions', []))} checker regions)"
        elif r["type"] == "aws:kms/key:Key":
            item = "KMS key"
        else:
            continue
        rows.setdefault(region or "global", []).append(item)
    if len(rows) < 2 and not any(len(items) > 1 for items in rows.values()):
        return []
    return ["Billed per region (besides requests and storage):",
            *(f"  {region}: " + "; ".join(sorted(items)) for region, items in sorted(rows.items()))]


def settings(resources: list[dict]) -> list[str]:
    lines: list[str] = []
    invented = invented_ids(resources)
    several = len({region_label(r) for r in resources} - {""}) > 1

    def where(r: dict) -> str:
        return f"[{region_label(r)}] " if several and region_label(r) else ""

    for type_token, (title, render) in SETTINGS.items():
        rows = sorted(where(r) + known(render(r["inputs"]), invented) for r in resources if r["type"] == type_token)
        if rows:
            lines += [f"{title}:", *(f"  {row}" for row in rows)]
    kept = sorted(f"{where(r)}{r['name']}: " + ", ".join(k for k in ("protect", "retain_on_delete") if r["options"].get(k))
                  for r in resources if r["options"].get("protect") or r["options"].get("retain_on_delete"))
    if kept:
        lines += ["Kept by pulumi destroy (retain_on_delete) or refusing it (protect):", *(f"  {row}" for row in kept)]
    return lines


def iam(resources: list[dict]) -> list[str]:
    """role -> each statement's actions -> resources, with the placeholder account shown as such."""
    invented = invented_ids(resources)
    roles = {r["id"]: r["inputs"].get("name") or f"{r['inputs'].get('namePrefix', '')}*" for r in resources if r["type"] == "aws:iam/role:Role"}
    lines = ["IAM (role: actions -> resources):"]
    for policy in sorted((r for r in resources if r["type"] == "aws:iam/rolePolicy:RolePolicy"), key=lambda r: roles.get(r["inputs"]["role"], "")):
        lines.append(f"  {roles.get(policy['inputs']['role'], policy['inputs']['role'])}:")
        for statement in json.loads(policy["inputs"]["policy"])["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            shown = ", ".join(sorted(a.split(":")[1] for a in actions))
            service = actions[0].split(":")[0]
            lines.append(f"    {service}:{{{shown}}} -> {', '.join(known(str(t), invented) for t in targets)}")
    return lines if len(lines) > 1 else []


def _shown(value: Any, invented: set[str]) -> Any:
    """A nested output with each leaf as `output_value` shows it."""
    if isinstance(value, dict):
        return {k: _shown(v, invented) for k, v in sorted(value.items())}
    return output_value(value, invented)


def invented_ids(resources: list[dict]) -> set[str]:
    """Ids the mocks generated rather than names the spec decided (a REST API's id, a key id, a
    deployment id): a resource whose id is none of its own inputs."""
    invented = set()
    for r in resources:
        own = {v for v in r["inputs"].values() if isinstance(v, str)}
        if r.get("id") and r["id"] not in own and len(r["id"]) >= 6 and not r["id"].startswith(("arn:", "urn:")):
            invented.add(r["id"])
    return invented


def known(text: str, invented: set[str]) -> str:
    """`text` with the placeholder account and generated ids marked as such."""
    text = text.replace(MOCK_ACCOUNT, "<account>")
    for value in invented:
        text = text.replace(value, "<id>")
    return text


def output_value(value: Any, invented: set[str]) -> str:
    if isinstance(value, dict):
        return json.dumps(_shown(value, invented))
    text = json.dumps(value, sort_keys=True) if isinstance(value, list) else str(value)
    if any(i in text for i in invented):
        return UNKNOWN
    return known(text, invented)
