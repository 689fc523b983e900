"""The Lambda proxy integration's payload, version 1.0, both ways: the event a function receives
(the shape tests/handler_events.py documents: absent maps are None, `queryStringParameters` keeps
the last value of a repeated key, `requestContext.path` carries the stage) and the function's
answer mapped back to HTTP as API Gateway maps it (or rejected as malformed: a 502).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import parse_qsl

from .responses import Headers, Response

ACCOUNT_ID = "123456789012"  # moto's default account, as the plan's mocks use
RESPONSE_KEYS = frozenset(("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"))
# Hop-by-hop and framing headers the gateway sets itself.
_NOT_FORWARDED = frozenset(("content-length", "transfer-encoding", "connection", "keep-alive"))


@dataclass
class Request:
    method: str
    raw_path: str
    query: str
    headers: Headers
    body: bytes
    source_ip: str
    port: int = 0


@dataclass
class Call:
    """Who is calling, as the gateway knows it once its checks ran."""

    request_id: str
    extended_request_id: str
    trace_id: str
    request_time: str  # 28/Nov/2025:23:19:00 +0000
    request_time_epoch_ms: int
    api_id: str
    stage: str
    api_key: Optional[Any] = None  # keys.ApiKey
    authorizer: Optional[dict] = None
    identity: Optional[dict] = None


def multi_headers(headers: Headers) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        out.setdefault(names.setdefault(name.lower(), name), []).append(value)
    return out


def query_parameters(query: str) -> tuple[Optional[dict], Optional[dict]]:
    multi: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        multi.setdefault(key, []).append(value)
    if not multi:
        return None, None
    return {k: v[-1] for k, v in multi.items()}, multi


def forwarded_headers(request: Request, call: Call) -> Headers:
    """The request's headers plus those API Gateway adds on its way to the integration."""
    headers = list(request.headers)
    present = {name.lower() for name, _ in headers}
    forwarded = next((v for k, v in headers if k.lower() == "x-forwarded-for"), None)
    headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
    headers.append(("X-Forwarded-For", f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip))
    if "x-forwarded-port" not in present:
        headers.append(("X-Forwarded-Port", str(request.port)))
    if "x-forwarded-proto" not in present:
        headers.append(("X-Forwarded-Proto", "http"))
    if "x-amzn-trace-id" not in present:
        headers.append(("X-Amzn-Trace-Id", f"Root={call.trace_id}"))
    return headers


def body_field(body: bytes) -> tuple[Optional[str], bool]:
    """(body, isBase64Encoded): text as it came, anything not UTF-8 base64-encoded; no body is None."""
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def request_context(request: Request, call: Call, resource: str, path: str) -> dict:
    headers = dict((k.lower(), v) for k, v in request.headers)
    host = headers.get("host", "localhost")
    identity = {
        "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
        "sourceIp": request.source_ip, "principalOrgId": None, "accessKey": None,
        "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
        "userAgent": headers.get("user-agent"), "user": None,
    }
    if call.api_key is not None:
        identity["apiKey"], identity["apiKeyId"] = call.api_key.value, call.api_key.id
    identity.update(call.identity or {})
    context = {
        "resourceId": resource_id(resource), "resourcePath": resource, "httpMethod": request.method,
        "extendedRequestId": call.extended_request_id, "requestTime": call.request_time,
        "path": f"/{call.stage}{path}", "accountId": ACCOUNT_ID, "protocol": "HTTP/1.1",
        "stage": call.stage, "domainPrefix": call.api_id, "requestTimeEpoch": call.request_time_epoch_ms,
        "requestId": call.request_id, "identity": identity, "domainName": host.split(":")[0], "apiId": call.api_id,
    }
    if call.authorizer is not None:
        context["authorizer"] = call.authorizer
    return context


def resource_id(resource: str) -> str:
    return hashlib.sha256(resource.encode()).hexdigest()[:6]


def proxy_event(request: Request, call: Call, resource: str, path: str, path_parameters: Optional[dict]) -> dict:
    headers = forwarded_headers(request, call)
    multi = multi_headers(headers)
    single, multi_query = query_parameters(request.query)
    body, encoded = body_field(request.body)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": single,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": request_context(request, call, resource, path),
        "body": body,
        "isBase64Encoded": encoded,
    }


class MalformedResponse(ValueError):
    """The function's answer is not a proxy response API Gateway accepts (it answers 502)."""


def _header_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedResponse(f"header {name!r} has a {type(value).__name__} value")


def map_response(answer: Any) -> tuple[int, Response]:
    """(the function's status, the HTTP response) of a proxy answer; MalformedResponse otherwise."""
    if not isinstance(answer, dict):
        raise MalformedResponse(f"the answer is a {type(answer).__name__}, not an object")
    extra = sorted(set(answer) - RESPONSE_KEYS)
    if extra:
        raise MalformedResponse(f"unexpected key(s) {', '.join(extra)}")
    status = answer.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {answer.get('statusCode')!r} is not an HTTP status")
    headers: Headers = []
    single = answer.get("headers") or {}
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders {name!r} is not a list")
        headers += [(name, _header_value(name, v)) for v in values]
    for name, value in single.items():
        rendered = _header_value(name, value)
        if not any(k.lower() == name.lower() and v == rendered for k, v in headers):
            headers.append((name, rendered))
    headers = [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED]
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.insert(0, ("Content-Type", "application/json"))
    body = answer.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse(f"body is a {type(body).__name__}, not a string")
    if answer.get("isBase64Encoded") and body:
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("isBase64Encoded is set but the body is not base64") from None
    else:
        raw = (body or "").encode("utf-8", "surrogatepass")
    return status, Response(status, headers, raw)
