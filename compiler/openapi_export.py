"""`openapi`: the API's OpenAPI 3 document for people and client generators (no Pulumi here).

The body API Gateway imports (openapi.py) is valid input for API Gateway, not for generic tools: it
carries `x-amazon-apigateway-*` extensions, an ANY pseudo-method, greedy `{proxy+}` path variables,
preflight OPTIONS methods the gateway answers itself, and security schemes only API Gateway
understands. `clean_document` turns
that body into a plain OpenAPI 3.0 document; `export_file` builds either one from a spec.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Optional

AWS_PREFIX = "x-amazon-apigateway"
ANY_METHOD = "x-amazon-apigateway-any-method"
# The methods API Gateway's ANY stands for.
CONCRETE_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
OPERATION_KEYS = frozenset((*CONCRETE_METHODS, "trace", ANY_METHOD))
# OpenAPI 3.0: only these scheme types take scopes in a security requirement.
SCOPED_SCHEME_TYPES = frozenset(("oauth2", "openIdConnect"))
_HEADER_SOURCE = re.compile(r"^method\.request\.header\.(.+)$")
# Draft 4 keywords an OpenAPI 3.0 Schema Object does not have (kept as x-jsonschema-<keyword>).
_DRAFT4_ONLY = frozenset(("definitions", "patternProperties", "dependencies", "additionalItems"))
_GREEDY = re.compile(r"\{([^{}]+)\+\}")
GREEDY_DESCRIPTION = "The rest of the path, slashes included (an API Gateway greedy path variable)"


class NoApi(Exception):
    """The spec declares no `api`, so there is no document to export."""


def clean_document(body: dict, stage: str) -> dict:
    """The plain OpenAPI 3.0 document of API Gateway's import `body` (left unchanged) for `stage`."""
    document = copy.deepcopy(body)
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name in list(schemes):
        schemes[name] = _clean_scheme(schemes[name])
    scoped = {name for name, scheme in schemes.items() if isinstance(scheme, dict) and scheme.get("type") in SCOPED_SCHEME_TYPES}

    paths = {}
    for path, item in document.get("paths", {}).items():
        item = _concrete_methods(item)
        item = {key: value for key, value in item.items() if not (key in OPERATION_KEYS and _is_mock(value))}
        if not any(key in OPERATION_KEYS for key in item):
            continue  # only the gateway's own preflight was there
        greedy = set(_GREEDY.findall(path))
        for key, operation in item.items():
            if key in OPERATION_KEYS:
                _unscope(operation, scoped)
                _describe_greedy(operation, greedy)
        # `{proxy+}` is API Gateway's; OpenAPI templates name the parameter itself.
        paths[_GREEDY.sub(r"{\1}", path)] = item
    document["paths"] = paths
    _unscope(document, scoped, description_of=document.setdefault("info", {}))

    models = document.get("components", {}).get("schemas")
    if isinstance(models, dict):
        document["components"]["schemas"] = {name: _oas_schema(model) for name, model in models.items()}

    document = _strip_aws(document)
    document["servers"] = [{"url": "/" + stage}]
    return document


def _clean_scheme(scheme: Any) -> Any:
    """A standard security scheme for one API Gateway marks as Cognito, Lambda authorizer or IAM."""
    if not isinstance(scheme, dict):
        return scheme
    authtype = str(scheme.get(f"{AWS_PREFIX}-authtype", "")).lower()
    if authtype == "cognito_user_pools":
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "Amazon Cognito user pool ID or access token"}
    if authtype == "custom":
        authorizer = scheme.get(f"{AWS_PREFIX}-authorizer") or {}
        return {"type": "apiKey", "in": "header", "name": _identity_header(authorizer.get("identitySource")),
                "description": "Lambda authorizer"}
    if authtype == "awssigv4":
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "AWS Signature Version 4 (IAM)"}
    return scheme  # the API key scheme, or anything standard: extensions go with the rest


def _identity_header(identity_source: Any) -> str:
    """The first header of an authorizer's identity source (`method.request.header.X, ...`)."""
    for source in str(identity_source or "").split(","):
        match = _HEADER_SOURCE.match(source.strip())
        if match:
            return match.group(1)
    return "Authorization"


def _is_mock(operation: Any) -> bool:
    integration = operation.get(f"{AWS_PREFIX}-integration") if isinstance(operation, dict) else None
    return isinstance(integration, dict) and str(integration.get("type", "")).lower() == "mock"


def _concrete_methods(item: Any) -> dict:
    """The path item with ANY as each concrete method the path does not name itself (a method the
    body names, even the gateway's own preflight, takes precedence over ANY in API Gateway)."""
    if not isinstance(item, dict) or ANY_METHOD not in item:
        return item if isinstance(item, dict) else {}
    operation = item[ANY_METHOD]
    expanded = {key: value for key, value in item.items() if key != ANY_METHOD}
    for method in CONCRETE_METHODS:
        if method not in item:
            copied = copy.deepcopy(operation)
            if isinstance(copied, dict) and "operationId" in copied:  # operation ids must stay unique
                copied["operationId"] = f"{copied['operationId']}_{method}"
            expanded[method] = copied
    return expanded


def _describe_greedy(operation: Any, names: set) -> None:
    for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
        if isinstance(parameter, dict) and parameter.get("in") == "path" and parameter.get("name") in names:
            parameter.setdefault("description", GREEDY_DESCRIPTION)


def _unscope(holder: dict, scoped: set, description_of: Optional[dict] = None) -> None:
    """Empty the scope lists of non-OAuth schemes in `holder`'s security requirements, naming the
    scopes in the description instead (of `description_of`, default the holder itself)."""
    requirements = holder.get("security")
    if not isinstance(requirements, list):
        return
    moved: list[str] = []
    for requirement in requirements:
        if not isinstance(requirement, dict):
            continue
        for scheme, scopes in requirement.items():
            if scheme not in scoped and scopes:
                moved += [str(s) for s in scopes if str(s) not in moved]
                requirement[scheme] = []
    if moved:
        target = holder if description_of is None else description_of
        note = "Requires scopes: " + ", ".join(moved)
        target["description"] = f"{target['description']}\n\n{note}" if target.get("description") else note


def _oas_schema(schema: Any) -> Any:
    """A request body model (JSON Schema draft 4, as API Gateway models are) as an OpenAPI 3.0 Schema
    Object, which has no `$schema`/`id`, no type lists and fewer keywords: identifiers are dropped,
    `type: [T, "null"]` becomes `type: T, nullable: true`, and draft 4 keywords OpenAPI lacks are
    kept as `x-` extensions. Everything else stays as it is."""
    if not isinstance(schema, dict):
        return schema
    result: dict = {}
    for key, value in schema.items():
        if key in ("$schema", "id"):
            continue
        if key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            if len(types) == 1:
                result["type"] = types[0]
            elif types:
                result["x-jsonschema-type"] = value
            if "null" in value:
                result["nullable"] = True
        elif key in ("properties",) and isinstance(value, dict):
            result[key] = {name: _oas_schema(sub) for name, sub in value.items()}
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            result[key] = [_oas_schema(sub) for sub in value]
        elif key in ("not", "additionalProperties") and isinstance(value, dict):
            result[key] = _oas_schema(value)
        elif key == "items" and isinstance(value, dict):
            result[key] = _oas_schema(value)
        elif key in _DRAFT4_ONLY or (key == "items" and isinstance(value, list)):
            result[f"x-jsonschema-{key}"] = value
        else:
            result[key] = value
    return result


def _strip_aws(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip_aws(value) for key, value in node.items() if not (isinstance(key, str) and key.startswith(AWS_PREFIX))}
    if isinstance(node, list):
        return [_strip_aws(value) for value in node]
    return node


def export_file(spec_file: str, *, stage: Optional[str] = None, project_root: Path, aws_extensions: bool = False) -> tuple[dict, list[str]]:
    """Validate `spec_file` (SpecError on any error) and pick its stage as `plan` does; return the
    API's document (the import body itself with `aws_extensions`, else the clean one) and the
    spec's warnings as text. NoApi when the spec has no api."""
    import json

    from . import openapi
    from .offline import load_offline

    loaded = load_offline(spec_file, stage=stage, project_root=project_root)
    app = loaded.app
    if app.api is None:
        raise NoApi(f"{spec_file}: the spec has no api")
    body = json.loads(openapi.canonical_body(app))
    return (body if aws_extensions else clean_document(body, app.stage)), loaded.warnings
