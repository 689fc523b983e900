"""Two plan documents -> what a deploy would change: resources added, removed, changed (each
changed input path with its old and new value) and replaced (a physical name or another input
the provider cannot update in place changed). No Pulumi here: it reads documents only.

Replacement follows the Terraform AWS provider's ForceNew inputs for the types this compiler
creates (a name, the thing a resource belongs to); anything not listed is taken as updatable, so
a `replace` mark is a warning that holds, never a guess that hides one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Inputs every named resource cannot change in place.
NAME_INPUTS = ("name", "namePrefix", "bucket", "dashboardName", "layerName", "stageName")
# Type -> further inputs whose change replaces the resource (ForceNew in the provider).
REPLACE_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:dynamodb/table:Table": ("hashKey", "rangeKey"),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ("logGroup", "destinationArn"),
    "aws:cloudwatch/logStream:LogStream": ("logGroupName",),
    "aws:apigateway/stage:Stage": ("restApi",),
    "aws:apigateway/methodSettings:MethodSettings": ("restApi", "methodPath"),
    "aws:apigateway/deployment:Deployment": ("restApi", "triggers"),
    "aws:lambda/permission:Permission": ("function", "sourceArn", "principal", "action"),
    "aws:lambda/layerVersion:LayerVersion": ("code", "compatibleRuntimes", "compatibleArchitectures"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ("destination",),
    "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol", "endpoint"),
    "aws:appautoscaling/target:Target": ("resourceId", "scalableDimension", "serviceNamespace"),
    "aws:wafv2/webAcl:WebAcl": ("scope",),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ("resourceArn", "webAclArn"),
    # Several regions and the custom domain. Route 53 cannot change a health check's type or
    # interval; a record's zone and set identifier are its identity.
    "aws:route53/healthCheck:HealthCheck": ("type", "requestInterval", "measureLatency"),
    "aws:route53/record:Record": ("zoneId", "setIdentifier"),
    "aws:acm/certificate:Certificate": ("domainName",),
    "aws:apigateway/domainName:DomainName": ("domainName",),
    "aws:dynamodb/tableReplica:TableReplica": ("globalTableArn", "kmsKeyArn"),
    "aws:lambda/alias:Alias": ("functionName",),
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": ("functionName", "qualifier"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ("bucket",),
    # A new password is a new API key value in every region: clients' keys stop working.
    "random:index/randomPassword:RandomPassword": ("length", "special", "upper", "lower", "numeric"),
}


def region_warnings(old: dict, new: dict) -> list[str]:
    """W405: a region that left `availability.regions` without having been drained in the old
    plan. Removing it deletes its copy while DNS may still send clients there (records and
    resolvers' caches); drain it first, deploy, wait out the TTLs, then remove it."""
    was = old.get("availability") or {}
    now = new.get("availability") or {}
    gone = [r for r in was.get("regions", []) if r not in now.get("regions", [new.get("region")])]
    return [f"W405 availability.regions: region '{region}' is removed without having been drained; DNS may still send clients "
            f"there. Add it to availability.drain first, deploy, wait for resolvers' caches, then remove it"
            for region in gone if region not in was.get("drain", [])]


@dataclass
class Change:
    urn: str
    type: str
    name: str
    action: str  # "add" | "remove" | "update" | "replace"
    inputs: list[tuple[str, Any, Any]] = field(default_factory=list)  # (path, old, new)
    options: list[tuple[str, Any, Any]] = field(default_factory=list)
    replaced_by: list[str] = field(default_factory=list)  # the input paths that force replacement


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Nested inputs as path -> leaf; JSON-string inputs (policies, bodies) are parsed so a changed
    statement shows as itself, not as one long string."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{path}[{i}]"))
        return out
    return {path: value}


def _differences(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    a, b = _flatten(old), _flatten(new)
    return [(path, a.get(path), b.get(path)) for path in sorted(set(a) | set(b)) if a.get(path) != b.get(path)]


def _forces_replacement(type_token: str, path: str) -> bool:
    top = path.split(".", 1)[0].split("[", 1)[0]
    return top in NAME_INPUTS or top in REPLACE_INPUTS.get(type_token, ())


def diff(old: dict, new: dict) -> list[Change]:
    """The changes from plan document `old` to `new`, resources matched by URN, sorted by URN."""
    before = {r["urn"]: r for r in old["resources"]}
    after = {r["urn"]: r for r in new["resources"]}
    changes = []
    for urn in sorted(set(before) | set(after)):
        if urn not in before:
            r = after[urn]
            changes.append(Change(urn, r["type"], r["name"], "add"))
        elif urn not in after:
            r = before[urn]
            changes.append(Change(urn, r["type"], r["name"], "remove"))
        else:
            a, b = before[urn], after[urn]
            inputs = _differences(a["inputs"], b["inputs"])
            options = _differences(a.get("options", {}), b.get("options", {}))
            if not inputs and not options:
                continue
            forcing = [path for path, _, _ in inputs if _forces_replacement(b["type"], path)]
            changes.append(Change(urn, b["type"], b["name"], "replace" if forcing else "update", inputs, options, forcing))
    return changes


def counts(changes: list[Change]) -> dict[str, int]:
    return {action: sum(1 for c in changes if c.action == action) for action in ("add", "update", "replace", "remove")}


SYMBOLS = {"add": "+", "remove": "-", "update": "~", "replace": "-/+"}


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _pair(old: Any, new: Any, context: int = 30) -> tuple[str, str]:
    """Old and new values as text; long strings cut to the part that differs, with some context."""
    a = "(none)" if old is None else _value(old) if not isinstance(old, str) else old
    b = "(none)" if new is None else _value(new) if not isinstance(new, str) else new
    if len(a) <= 80 and len(b) <= 80:
        return a, b
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    cut = max(0, start - context)

    def window(text: str) -> str:
        middle = text[cut:len(text) - max(0, end - context)]
        return ("..." if cut else "") + middle + ("..." if end > context else "")
    return window(a), window(b)


def render_text(changes: list[Change]) -> str:
    c = counts(changes)
    lines = [f"Plan diff: {c['add']} to add, {c['update']} to change, {c['replace']} to replace, {c['remove']} to remove"]
    for change in changes:
        lines.append(f"{SYMBOLS[change.action]} {change.type} {change.name}"
                     + (f"  (replace: {', '.join(change.replaced_by)})" if change.replaced_by else ""))
        for path, old, new in change.inputs + [(f"options.{p}", o, n) for p, o, n in change.options]:
            shown_old, shown_new = _pair(old, new)
            lines.append(f"    {path}: {shown_old} -> {shown_new}")
    return "\n".join(lines) + "\n"


def render_markdown(changes: list[Change]) -> str:
    """A summary fit for a pull-request comment: counts, a table, the input changes folded."""
    c = counts(changes)
    lines = ["### Plan diff", "", f"**{c['add']}** to add, **{c['update']}** to change, **{c['replace']}** to replace, "
             f"**{c['remove']}** to remove", ""]
    if not changes:
        return "\n".join(lines + ["No changes."]) + "\n"
    lines += ["| | Resource | Type | Changed inputs |", "|---|---|---|---|"]
    for change in changes:
        changed = ", ".join(sorted({p.split(".", 1)[0].split("[", 1)[0] for p, _, _ in change.inputs})) or ("-" if change.action in ("add", "remove") else "options")
        lines.append(f"| `{SYMBOLS[change.action]}` | `{change.name}` | `{change.type}` | {changed}"
                     + (" **(replace)**" if change.action == "replace" else "") + " |")
    details = [f"- `{change.name}` `{path}`: `{a}` → `{b}`" for change in changes for path, old, new in change.inputs
               for a, b in [_pair(old, new)]]
    if details:
        lines += ["", "<details><summary>Input changes</summary>", "", *details, "", "</details>"]
    return "\n".join(lines) + "\n"
