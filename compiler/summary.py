"""The human side of `plan`: a component tree with resource counts, the route table, the values an
operator decides (summary_settings.py), the IAM summary and the outputs; values only a deploy
will know are shown as `(known after deploy)`, never as if real."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from .summary_settings import billed_per_region, iam, invented_ids, output_value, settings


def _short_type(token: str) -> str:
    """aws:apigateway/restApi:RestApi -> apigateway.RestApi; serverless:index:Api -> Api."""
    package, module, kind = token.split(":", 2)
    if package == "pulumi":
        return f"provider {kind}"
    module = module.split("/")[0]
    return kind if module == "index" else f"{module}.{kind}"


def summary(document: dict) -> str:
    resources = document["resources"]
    children = defaultdict(list)
    for r in resources:
        children[r["parent"]].append(r)
    custom = [r for r in resources if not r["type"].startswith("serverless:")]
    where = f"region {document['region']}"
    availability = document.get("availability")
    if availability:
        where = (f"{availability['mode']} in {', '.join(availability['regions'])} (primary {document['region']})"
                 + (f" behind {availability['domain']}" if availability.get("domain") else "")
                 + (f"; drained: {', '.join(availability['drain'])}" if availability.get("drain") else ""))
    lines = [f"Plan for {document['spec']}: stage {document['stage']}, {where}",
             f"{len(custom)} resources in {len(resources) - len(custom)} components", ""]

    def walk(urn: str, depth: int) -> None:
        kids = sorted(children.get(urn, []), key=lambda r: (not r["type"].startswith("serverless:"), r["name"]))
        components = [k for k in kids if k["type"].startswith("serverless:")]
        leaves = Counter(_short_type(k["type"]) for k in kids if not k["type"].startswith("serverless:"))
        for component in components:
            count = _count(component["urn"], children)
            lines.append(f"{'  ' * depth}{_short_type(component['type'])} {component['name']} ({count} resource{'s' if count != 1 else ''})")
            walk(component["urn"], depth + 1)
        for kind, n in sorted(leaves.items()):
            lines.append(f"{'  ' * depth}- {kind}" + (f" x{n}" if n > 1 else ""))

    roots = {r["parent"] for r in resources} - {r["urn"] for r in resources}
    for root in sorted(roots):
        walk(root, 0)
    billed = billed_per_region(resources)
    lines += ["", *_routes(resources), "", *settings(resources), *([""] + billed if billed else []), "", *iam(resources), "", "Outputs:"]
    invented = invented_ids(resources)
    for key, value in sorted(document["outputs"].items()):
        lines.append(f"  {key}: {output_value(value, invented)}")
    return "\n".join(lines) + "\n"


def _count(urn: str, children: dict) -> int:
    total = 0
    for kid in children.get(urn, []):
        total += _count(kid["urn"], children) if kid["type"].startswith("serverless:") else 1
    return total


def _routes(resources: list[dict]) -> list[str]:
    apis = [r for r in resources if r["type"] == "aws:apigateway/restApi:RestApi"]
    if not apis:
        return ["Routes: none (the spec has no api)"]
    body = json.loads(apis[0]["inputs"]["body"])
    rows = []
    for path, methods in sorted(body["paths"].items()):
        for method, operation in sorted(methods.items()):
            integration = operation["x-amazon-apigateway-integration"]
            if integration["type"] == "mock":
                continue  # the CORS preflight API Gateway answers itself
            function = integration["uri"].split(":function:")[-1].split("/")[0]
            schemes = sorted({name for requirement in operation.get("security", []) for name in requirement})
            key = ", ".join("api key" if name == "api_key" else f"auth {name}" for name in schemes)
            rows.append((method.replace("x-amazon-apigateway-any-method", "ANY").upper(), path, function, key))
    width = max(len(r[1]) for r in rows)
    return ["Routes:"] + [f"  {m:<7} {p:<{width}}  -> {f}" + (f"  [{k}]" if k else "") for m, p, f, k in rows]
