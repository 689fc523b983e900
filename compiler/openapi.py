"""The REST API's OpenAPI 3 body, generated from the model (no Pulumi here).

One body instead of a Resource/Method/Integration trio per route: the resource count stays
constant in routes, an update is one atomic PutRestApi, and deploys avoid control-plane throttling.
The canonical body has a placeholder per function where its invoke ARN goes; its hash is the
Deployment's trigger, so any route or integration change redeploys and reordering the spec does not.

The API surface lives here too: security schemes for API keys and authorizers (cognito_user_pools,
custom Lambda TOKEN/REQUEST, awsSigv4), request validation (a model and a validator per body
schema), and CORS (cors.py: preflight methods and gateway responses).
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Mapping, Optional

from . import cors
from .model import Api, App, Authorizer, Route

API_KEY_SCHEME = "api_key"
BODY_VALIDATOR = "body"
_PARAM = re.compile(r"\{([^{}+]+)\+?\}")
# Identity sources as the spec writes them -> API Gateway's mapping expressions.
_SOURCES = {"header": "method.request.header", "query": "method.request.querystring", "stage": "stageVariables",
            "context": "context"}


def placeholder(function: str) -> str:
    return f"${{function:{function}}}"


def authorizer_placeholder(function: str) -> str:
    return f"${{authorizer:{function}}}"


def model_name(route: Route) -> str:
    """API Gateway model names are alphanumeric: POST /items/{id} -> PostItemsId."""
    words = re.findall(r"[A-Za-z0-9]+", f"{route.method} {route.path}")
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


def _security(route: Route) -> list:
    requirement: dict = {}
    if route.auth is not None:
        requirement[route.auth] = list(route.scopes)
    if route.api_key_required:
        requirement[API_KEY_SCHEME] = []
    # One requirement object: every scheme in it must pass (an authorizer AND an API key).
    return [requirement] if requirement else []


def _path_parameters(path: str) -> list[dict]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in _PARAM.findall(path)]


def _operation(route: Route, integration_uri: str) -> dict:
    params = _path_parameters(route.path)
    operation: dict = {
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",  # Lambda is always invoked with POST, whatever the route's method
            "uri": integration_uri,
            "passthroughBehavior": "when_no_match",
            "timeoutInMillis": 29_000,
        },
        # A numeric code: API Gateway's importer supports method responses by status code only, and
        # the body is imported with failOnWarnings. A proxy integration passes every status through.
        "responses": {"200": {"description": "Proxied from the Lambda function"}},
    }
    if params:
        operation["parameters"] = params
    security = _security(route)
    if security:
        operation["security"] = security
    if route.body_model is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{model_name(route)}"}}}}
        operation["x-amazon-apigateway-request-validator"] = BODY_VALIDATOR
    return operation


def identity_source(authorizer: Authorizer) -> str:
    return ", ".join(f"{_SOURCES[kind]}.{name}" for kind, name in (s.split(".", 1) for s in authorizer.identity))


def security_scheme(authorizer: Authorizer, authorizer_uri: Optional[str]) -> dict:
    if authorizer.type == "cognito":
        return {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": list(authorizer.user_pool_arns)}}
    if authorizer.type == "iam":
        return {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
    headers = [s.split(".", 1)[1] for s in authorizer.identity if s.startswith("header.")]
    return {"type": "apiKey", "name": headers[0] if headers else "Unused", "in": "header", "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {
                "type": "request" if authorizer.request_type else "token", "authorizerUri": authorizer_uri,
                "identitySource": identity_source(authorizer), "authorizerResultTtlInSeconds": authorizer.cache_ttl_s}}


def document(app: App, integration_uris: Mapping[str, str], authorizer_uris: Optional[Mapping[str, str]] = None) -> dict:
    """The OpenAPI document with each function's integration URI (and each Lambda authorizer's
    URI) filled in."""
    api: Api = app.api
    authorizer_uris = authorizer_uris or {}
    paths: dict = {}
    for route in api.routes:
        method = "x-amazon-apigateway-any-method" if route.method == "ANY" else route.method.lower()
        paths.setdefault(route.path, {})[method] = _operation(route, integration_uris[route.function])
    if api.cors is not None:
        for path, methods in paths.items():
            route_methods = [r.method for r in api.routes if r.path == path]
            preflight = cors.preflight(api.cors, route_methods)
            if _PARAM.search(path):
                # OpenAPI requires every path parameter to be declared on each operation.
                preflight["parameters"] = _path_parameters(path)
            methods.setdefault("options", preflight)
    body: dict = {
        "openapi": "3.0.1",
        "info": {"title": f"{app.name}-{app.stage}", "version": "1"},
        "paths": paths,
        "x-amazon-apigateway-api-key-source": "HEADER",
    }
    schemes = {}
    if any(route.api_key_required for route in api.routes):
        schemes[API_KEY_SCHEME] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    used = {route.auth for route in api.routes if route.auth}
    for authorizer in api.authorizers:
        if authorizer.key in used:
            schemes[authorizer.key] = security_scheme(authorizer, authorizer_uris.get(authorizer.function))
    # `$schema` and `id` name the draft (API Gateway models are draft 4 anyway); an OpenAPI schema
    # object may not carry them.
    models = {model_name(r): {k: v for k, v in json.loads(r.body_model).items() if k not in ("$schema", "id")}
              for r in api.routes if r.body_model is not None}
    components = {k: v for k, v in (("securitySchemes", schemes), ("schemas", models)) if v}
    if components:
        body["components"] = components
    if models:
        body["x-amazon-apigateway-request-validators"] = {
            BODY_VALIDATOR: {"validateRequestBody": True, "validateRequestParameters": False}}
    responses = cors.gateway_responses(api.cors) if api.cors is not None else {}
    if responses:
        body["x-amazon-apigateway-gateway-responses"] = responses
    return body


def render(app: App, integration_uris: Mapping[str, str], authorizer_uris: Optional[Mapping[str, str]] = None) -> str:
    return json.dumps(document(app, integration_uris, authorizer_uris), sort_keys=True, separators=(",", ":"))


def authorizer_functions(api: Api) -> tuple[str, ...]:
    return tuple(sorted({a.function for a in api.authorizers if a.type == "lambda" and a.function}))


def canonical_body(app: App) -> str:
    """The body with placeholders instead of ARNs: known before anything is deployed."""
    return render(app, {fn: placeholder(fn) for fn in app.api.functions_served()},
                  {fn: authorizer_placeholder(fn) for fn in authorizer_functions(app.api)})


def text_hash(body: str) -> str:
    """The sha256 of a rendered body: the deployment trigger (a different integration target is a
    different body, so it redeploys the stage)."""
    return hashlib.sha256(body.encode()).hexdigest()
