"""The REST API's OpenAPI 3 body, generated from the model (no Pulumi here).

One body instead of a Resource/Method/Integration trio per route: the resource count stays
constant in routes, an update is one atomic PutRestApi, and deploys avoid control-plane throttling.
The canonical body has a placeholder per function where its invoke ARN goes; its hash is the
Deployment's trigger, so any route or integration change redeploys and reordering the spec does not.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Mapping

from .model import Api, App

API_KEY_SCHEME = "api_key"
_PARAM = re.compile(r"\{([^{}+]+)\+?\}")


def placeholder(function: str) -> str:
    return f"${{function:{function}}}"


def _operation(route, integration_uri: str) -> dict:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in _PARAM.findall(route.path)]
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
    if route.api_key_required:
        operation["security"] = [{API_KEY_SCHEME: []}]
    return operation


def document(app: App, integration_uris: Mapping[str, str]) -> dict:
    """The OpenAPI document with each function's integration URI filled in."""
    api: Api = app.api
    paths: dict = {}
    for route in api.routes:
        method = "x-amazon-apigateway-any-method" if route.method == "ANY" else route.method.lower()
        paths.setdefault(route.path, {})[method] = _operation(route, integration_uris[route.function])
    body = {
        "openapi": "3.0.1",
        "info": {"title": f"{app.name}-{app.stage}", "version": "1"},
        "paths": paths,
        "x-amazon-apigateway-api-key-source": "HEADER",
    }
    if any(route.api_key_required for route in api.routes):
        body["components"] = {"securitySchemes": {API_KEY_SCHEME: {"type": "apiKey", "name": "x-api-key", "in": "header"}}}
    return body


def render(app: App, integration_uris: Mapping[str, str]) -> str:
    return json.dumps(document(app, integration_uris), sort_keys=True, separators=(",", ":"))


def canonical_body(app: App) -> str:
    """The body with placeholders instead of ARNs: known before anything is deployed."""
    return render(app, {fn: placeholder(fn) for fn in app.api.functions_served()})


def body_hash(app: App) -> str:
    return hashlib.sha256(canonical_body(app).encode()).hexdigest()
