"""Builders for realistic API Gateway REST (v1) Lambda proxy events.

The shape mirrors what API Gateway actually sends for a REST API with Lambda
proxy integration (see the AWS "Input format of a Lambda function for proxy
integration" docs), including its quirks: absent maps are ``None`` rather
than ``{}``, ``queryStringParameters`` keeps the LAST value of a repeated key
while ``multiValueQueryStringParameters`` keeps them all, and
``requestContext.path`` includes the stage while ``path`` does not.
"""
from __future__ import annotations

import base64
import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

ACCOUNT_ID = "123456789012"
API_ID = "a1b2c3d4e5"
REGION = "eu-west-1"
STAGE = "prod"
DOMAIN = f"{API_ID}.execute-api.{REGION}.amazonaws.com"
REQUEST_TIME_EPOCH = 1764371940123  # 2025-11-28T23:19:00.123Z
USER_AGENT = "python-requests/2.32.3"
SOURCE_IP = "203.0.113.42"


def _default_headers() -> dict[str, str]:
    return {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "IE",
        "Host": DOMAIN,
        "User-Agent": USER_AGENT,
        "Via": "1.1 0f1e2d3c4b5a69788796a5b4c3d2e1f0.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Zk3xq9qJrT2m8B1n4pL0sVwYx6cHdEaGfI7uKoMtNjR5bQ==",
        "X-Amzn-Trace-Id": "Root=1-6929eee4-3f1c2b7a9d8e6f5a4b3c2d1e",
        "X-Forwarded-For": f"{SOURCE_IP}, 130.176.1.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }


def rest_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: Mapping[str, str | Sequence[str]] | None = None,
    body: str | bytes | dict | list | None = None,
    headers: Mapping[str, str] | None = None,
    base64_body: bool = False,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Build one proxy event. ``resource`` defaults to ``path`` (no params).

    ``body`` given as dict/list is JSON-encoded; bytes/str are sent as-is,
    base64-encoded first when ``base64_body`` is set (binary media type).
    """
    resource = resource or path
    hdrs = _default_headers()
    if body is not None:
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if base64_body and body is not None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        body = base64.b64encode(raw).decode("ascii")
    elif isinstance(body, bytes):
        body = body.decode("utf-8")
    multi_query = None
    if query:
        multi_query = {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": (
            {k: v[-1] for k, v in multi_query.items()} if multi_query else None),
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "x1y2z3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Tq3zXGLhDoEFmEg=",
            "requestTime": "28/Nov/2025:23:19:00 +0000",
            "path": f"/{STAGE}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": API_ID,
            "requestTimeEpoch": REQUEST_TIME_EPOCH,
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": SOURCE_IP,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": USER_AGENT,
                "user": None,
            },
            "domainName": DOMAIN,
            "apiId": API_ID,
        },
        "body": body,
        "isBase64Encoded": bool(base64_body and body is not None),
    }


@dataclass
class FakeLambdaContext:
    """Stand-in for the runtime's LambdaContext (same attribute names)."""

    function_name: str = "app-items"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/app-items"
    log_stream_name: str = "2025/11/28/[$LATEST]8f7e6d5c4b3a29180f1e2d3c4b5a6978"
    remaining_ms: int = 3000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def json_body(response: Mapping[str, Any]) -> Any:
    """Assert the proxy response is well-formed JSON and return its body."""
    assert response["headers"]["Content-Type"] == "application/json"
    assert isinstance(response["body"], str)
    return json.loads(response["body"])


def log_lines(captured_out: str) -> list[dict[str, Any]]:
    """Parse stdout captured by capsys into JSON log records (one per line)."""
    return [json.loads(line) for line in captured_out.splitlines()]


@contextmanager
def moto_items_table(monkeypatch, table: str, region: str = REGION):
    """A fresh moto DynamoDB items table (key `id`, S) named by TABLE_ITEMS, fake credentials, and
    the handlers' cached clients reset before and after; yields a boto3 DynamoDB client."""
    import boto3
    from moto import mock_aws

    from runtime_handlers import _aws

    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": region,
                        "AWS_REGION": region, "TABLE_ITEMS": table}.items():
        monkeypatch.setenv(name, value)
    _aws.reset_clients()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=region)
        client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        yield client
    _aws.reset_clients()  # never leave a client bound to a finished mock
