"""CORS in the OpenAPI body: a preflight method per path and CORS headers on API Gateway's own
error responses (no Pulumi here).

The preflight is an OPTIONS method answered by a mock integration: it carries no security
requirement, so it needs no API key and no authorizer whatever the path's routes demand (browsers
send preflights without credentials; demanding them is the bug peers have had for years). Answers
of the functions themselves carry their CORS headers from the handlers' HTTP helper.

One allowed origin (or `*`) is a static header. Several are matched in the integration response's
mapping template, which echoes the request's Origin only when it is one of them
($context.responseOverride), with `Vary: Origin` so caches keep the answers apart.
"""
from __future__ import annotations

from .model import Cors

ANY_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _quoted(value: str) -> str:
    """A static header value in API Gateway's response parameters is a single-quoted literal."""
    return f"'{value}'"


def _static_origin(cors: Cors) -> str | None:
    return cors.allow_origins[0] if len(cors.allow_origins) == 1 else None


def _origin_template(cors: Cors) -> str:
    test = " || ".join(f'$origin == "{origin}"' for origin in cors.allow_origins)
    return ("#set($origin = $input.params().header.get('Origin'))\n"
            "#if(\"$!origin\" == \"\")#set($origin = $input.params().header.get('origin'))#end\n"
            f"#if({test})\n#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n#end\n")


def preflight_headers(cors: Cors, methods: list[str]) -> dict[str, str]:
    """Header -> static value of the preflight answer (Access-Control-Allow-Origin is dynamic when
    several origins are allowed, so it is absent here)."""
    headers = {
        "Access-Control-Allow-Methods": ",".join(sorted({*methods, "OPTIONS"})),
        "Access-Control-Allow-Headers": ",".join(cors.allow_headers),
        "Access-Control-Max-Age": str(cors.max_age_s),
    }
    origin = _static_origin(cors)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
    if origin != "*":
        headers["Vary"] = "Origin"
    if cors.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def preflight(cors: Cors, methods: list[str]) -> dict:
    """The OPTIONS operation of a path whose routes have `methods` (ANY expanded)."""
    methods = sorted({m for method in methods for m in (ANY_METHODS if method == "ANY" else (method,))})
    static = preflight_headers(cors, methods)
    declared = sorted({*static, "Access-Control-Allow-Origin"})
    response = {"statusCode": "200",
                "responseParameters": {f"method.response.header.{h}": _quoted(v) for h, v in sorted(static.items())},
                "responseTemplates": {"application/json": _origin_template(cors) if _static_origin(cors) is None else ""}}
    return {
        "summary": "CORS preflight",
        "responses": {"200": {"description": "CORS preflight",
                              "headers": {h: {"schema": {"type": "string"}} for h in declared}}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {"default": response},
        },
    }


def gateway_responses(cors: Cors) -> dict:
    """DEFAULT_4XX and DEFAULT_5XX (missing key, authorizer denial, throttling, validation, ...)
    with CORS headers, so a browser script can read API Gateway's own errors. With several origins
    the request's Origin is echoed, but never together with credentials: that would let any site
    read credentialed error answers, so those errors then stay opaque to browsers."""
    parameters = {}
    origin = _static_origin(cors)
    if origin is not None:
        parameters["gatewayresponse.header.Access-Control-Allow-Origin"] = _quoted(origin)
    elif not cors.allow_credentials:
        parameters["gatewayresponse.header.Access-Control-Allow-Origin"] = "method.request.header.origin"
    if parameters and origin != "*":
        parameters["gatewayresponse.header.Vary"] = _quoted("Origin")
    if parameters and cors.allow_credentials:
        parameters["gatewayresponse.header.Access-Control-Allow-Credentials"] = _quoted("true")
    if parameters and cors.expose_headers:
        parameters["gatewayresponse.header.Access-Control-Expose-Headers"] = _quoted(",".join(cors.expose_headers))
    if not parameters:
        return {}
    return {kind: {"responseParameters": dict(sorted(parameters.items()))} for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}


def function_environment(cors: Cors) -> dict[str, str]:
    """What the handlers' HTTP helper reads to add CORS headers to the functions' own answers."""
    return {"CORS_ALLOW_ORIGINS": ",".join(cors.allow_origins), "CORS_ALLOW_CREDENTIALS": str(cors.allow_credentials).lower(),
            "CORS_EXPOSE_HEADERS": ",".join(cors.expose_headers)}
