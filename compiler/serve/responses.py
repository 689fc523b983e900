"""API Gateway's own answers: its error responses (bodies and x-amzn-ErrorType as a deployed REST
API sends them, with the CORS headers of the DEFAULT_4XX/5XX gateway responses compiler/cors.py
configures) and the CORS preflight its mock integration answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .. import cors as cors_rules
from ..model import Cors

Headers = list[tuple[str, str]]


@dataclass
class Response:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class GatewayError(Exception):
    """An answer of the gateway itself; `message` is what `$context.error.message` logs."""

    def __init__(self, status: int, message: Optional[str], error_type: str, body: str):
        super().__init__(message or error_type)
        self.status, self.message, self.error_type, self.body = status, message, error_type, body


def missing_token() -> GatewayError:
    return GatewayError(403, "Missing Authentication Token", "MissingAuthenticationTokenException",
                        '{"message":"Missing Authentication Token"}')


def forbidden() -> GatewayError:
    return GatewayError(403, "Forbidden", "ForbiddenException", '{"message":"Forbidden"}')


def limit_exceeded() -> GatewayError:
    return GatewayError(429, "Limit Exceeded", "LimitExceededException", '{"message":"Limit Exceeded"}')


def too_many_requests() -> GatewayError:
    return GatewayError(429, "Too Many Requests", "TooManyRequestsException", '{"message":"Too Many Requests"}')


def unauthorized() -> GatewayError:
    return GatewayError(401, "Unauthorized", "UnauthorizedException", '{"message":"Unauthorized"}')


def access_denied(explicit: bool) -> GatewayError:
    message = "User is not authorized to access this resource" + (" with an explicit deny" if explicit else "")
    return GatewayError(403, message, "AccessDeniedException", '{"Message":"%s"}' % message)


def authorizer_error() -> GatewayError:
    return GatewayError(500, None, "AuthorizerConfigurationException", '{"message": null}')


def bad_signature(detail: str) -> GatewayError:
    return GatewayError(403, detail, "IncompleteSignatureException", '{"message":"%s"}' % detail)


def invalid_body() -> GatewayError:
    return GatewayError(400, "Invalid request body", "BadRequestException", '{"message": "Invalid request body"}')


def too_large() -> GatewayError:
    return GatewayError(413, "Request Too Long", "RequestTooLongException", '{"message":"Request Too Long"}')


def integration_failure() -> GatewayError:
    return GatewayError(502, "Internal server error", "", '{"message": "Internal server error"}')


def integration_timeout() -> GatewayError:
    return GatewayError(504, "Endpoint request timed out", "", '{"message": "Endpoint request timed out"}')


def header_of(headers: Headers, name: str) -> Optional[str]:
    """The last value of header `name` (any case), as API Gateway's single-value view holds it."""
    found = None
    for key, value in headers:
        if key.lower() == name.lower():
            found = value
    return found


def error_cors_headers(cors: Optional[Cors], request_headers: Headers) -> Headers:
    """The DEFAULT_4XX/5XX gateway response headers compiler/cors.py deploys: static values, or
    the request's Origin where the deployed mapping echoes `method.request.header.origin`."""
    if cors is None:
        return []
    parameters = cors_rules.gateway_responses(cors).get("DEFAULT_4XX", {}).get("responseParameters", {})
    out: Headers = []
    for name, source in parameters.items():
        header = name.split("gatewayresponse.header.", 1)[1]
        if source.startswith("'") and source.endswith("'"):
            out.append((header, source[1:-1]))
        elif source.startswith("method.request.header."):
            value = header_of(request_headers, source.rsplit(".", 1)[1])
            if value is not None:
                out.append((header, value))
    return out


def error_response(error: GatewayError, cors: Optional[Cors], request_headers: Headers) -> Response:
    headers: Headers = [("Content-Type", "application/json")]
    if error.error_type:
        headers.append(("x-amzn-ErrorType", error.error_type))
    headers += error_cors_headers(cors, request_headers)
    return Response(error.status, headers, error.body.encode())


def preflight_response(cors: Cors, methods: list[str], request_headers: Headers) -> Response:
    """What the deployed OPTIONS mock integration answers (compiler/cors.py's `preflight`): its
    static headers, plus the request's Origin when its mapping template echoes an allowed one."""
    integration = cors_rules.preflight(cors, methods)["x-amazon-apigateway-integration"]["responses"]["default"]
    headers: Headers = [("Content-Type", "application/json")]
    for name, value in sorted(integration["responseParameters"].items()):
        headers.append((name.split("method.response.header.", 1)[1], value[1:-1]))
    if integration["responseTemplates"]["application/json"]:  # several origins: echoed when allowed
        origin = header_of(request_headers, "Origin")
        if origin is not None and origin in cors.allow_origins:
            headers.append(("Access-Control-Allow-Origin", origin))
    return Response(int(integration["statusCode"]), headers, b"")
