"""`serve` over real HTTP: a temporary project (Pulumi.yaml, runtime_handlers/, a body schema)
whose spec exercises routing precedence, the proxy event, API keys, usage-plan quotas, throttles
(with a fake clock, no sleeps), CORS preflight, Lambda and Cognito authorizers, body validation,
502s, the function timeout (504), code reloading and the access log."""
from __future__ import annotations

import http.client
import io
import json
import time
from pathlib import Path

import pytest

from compiler.serve import FakeClock, running
from compiler.serve.workers import WORKER

SPEC = """\
version: 1
name: probe
region: eu-west-1
stage: dev
tables:
  things: {partition_key: {name: id, type: S}}
secrets:
  token: {ssm_parameter: /probe/token}
functions:
  probe:
    handler: runtime_handlers.probe.handler
    timeout_s: 5
    uses: {tables: {things: read}, secrets: [token]}
    environment: {GREETING: hello}
  slow:
    handler: runtime_handlers.slow.handler
    timeout_s: 1
  version:
    handler: runtime_handlers.version.handler
  authorize:
    handler: runtime_handlers.gate.handler
api:
  throttling: {rate_limit: 1000, burst_limit: 2000}
  cors: {allow_origins: [https://a.example, https://b.example]}
  authorizers:
    gate: {type: lambda, function: authorize, identity: header.Authorization, cache_ttl_s: 0}
    tenants: {type: lambda, function: authorize, identity: "header.X-Tenant, query.token", cache_ttl_s: 60}
    users: {type: cognito, user_pool_arns: ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc"]}
  routes:
    - {method: GET,  path: /things,             function: probe}
    - {method: POST, path: /things,             function: probe, api_key_required: true, body_schema: schemas/thing.json}
    - {method: GET,  path: /things/special,     function: probe}
    - {method: GET,  path: '/things/{id}',      function: probe}
    - {method: ANY,  path: '/files/{proxy+}',   function: probe}
    - {method: GET,  path: /limited,            function: probe, throttling: {rate_limit: 1, burst_limit: 2}}
    - {method: GET,  path: /metered,            function: probe, api_key_required: true}
    - {method: GET,  path: /guarded,            function: probe, auth: gate}
    - {method: GET,  path: '/tenants/{id}',     function: probe, auth: tenants}
    - {method: GET,  path: /me,                 function: probe, auth: users}
    - {method: GET,  path: /slow,               function: slow}
    - {method: GET,  path: /version,            function: version}
  usage_plans:
    open: {api_keys: [bob]}
    metered: {quota: {limit: 3, period: DAY}, api_keys: [alice]}
"""

PROBE = '''\
import base64, json, os

ENV = ("GREETING", "TABLE_THINGS", "SECRET_TOKEN", "CORS_ALLOW_ORIGINS", "CORS_ALLOW_CREDENTIALS", "AWS_REGION",
       "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME")


def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode")
    print("probe saw", event["httpMethod"], event["path"])
    if mode == "raise":
        raise RuntimeError("boom from the probe")
    if mode == "malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if mode == "binary":
        return {"statusCode": 201, "headers": {"Content-Type": "image/png"},
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                "body": base64.b64encode(b"\\x89PNG\\x00\\xff").decode(), "isBase64Encoded": True}
    body = {"event": event, "env": {k: os.environ.get(k) for k in ENV}, "function": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis()}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
'''

SLOW = '''\
import os, time


def handler(event, context):
    time.sleep(float((event.get("queryStringParameters") or {}).get("sleep", "0")))
    return {"statusCode": 200, "body": str(os.getpid())}
'''

VERSION = '''\
VERSION = "{version}"


def handler(event, context):
    return {{"statusCode": 200, "body": VERSION}}
'''

GATE = '''\
def handler(event, context):
    if event["type"] == "REQUEST":
        print("authorizing", event["headers"]["X-Tenant"], event["queryStringParameters"]["token"], event["pathParameters"])
        tenant_arn = event["methodArn"].rsplit("/", 1)[0] + "/*"  # the tenant's every id, as cached policies should
        return {"principalId": event["headers"]["X-Tenant"], "context": {"token": event["queryStringParameters"]["token"]},
                "policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [tenant_arn]}]}}
    token, arn = event["authorizationToken"], event["methodArn"]
    assert event["type"] == "TOKEN"
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "broken":
        return "not a policy"
    effect = {"allow": "Allow", "deny": "Deny"}.get(token)
    resource = arn if effect else arn.split("/")[0] + "/dev/POST/elsewhere"
    return {"principalId": "user-1",
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect or "Allow", "Resource": resource}]},
            "context": {"tenant": "t1", "level": 3, "admin": True, "arn": arn}}
'''

SCHEMA = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
          "properties": {"name": {"type": "string", "minLength": 1}}}


def write_project(root: Path) -> Path:
    (root / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    handlers = root / "runtime_handlers"
    handlers.mkdir()
    (handlers / "__init__.py").write_text("")
    (handlers / "probe.py").write_text(PROBE)
    (handlers / "slow.py").write_text(SLOW)
    (handlers / "version.py").write_text(VERSION.format(version="one"))
    (handlers / "gate.py").write_text(GATE)
    (root / "schemas").mkdir()
    (root / "schemas" / "thing.json").write_text(json.dumps(SCHEMA))
    (root / "spec.yaml").write_text(SPEC)
    return root


def worker_processes(project: Path, handler: str = "") -> list[int]:
    """Live worker processes of `project` (serving `handler` when given), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(WORKER) in cmdline and str(project) in cmdline and handler in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


class Server:
    def __init__(self, running, clock: FakeClock, log: io.StringIO, log_file: Path):
        self.running, self.clock, self.log, self.log_file = running, clock, log, log_file

    def call(self, method: str, path: str, headers: dict | None = None, body: bytes | str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.running.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def json(self, method: str, path: str, **kwargs):
        status, headers, body = self.call(method, path, **kwargs)
        return status, headers, json.loads(body) if body else None

    def access_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.getvalue().splitlines() if line.startswith('{"apiKeyId"')]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("serve-project"))


@pytest.fixture(scope="module")
def server(project, tmp_path_factory):
    clock, log = FakeClock(), io.StringIO()
    log_file = tmp_path_factory.mktemp("serve-logs") / "serve.log"
    with running(str(project / "spec.yaml"), clock=clock, log_stream=log, log_file=str(log_file),
                 api_keys={"bob": "bob-key-0123456789abcdefghij"}, aws_endpoint="http://127.0.0.1:9") as r:
        yield Server(r, clock, log, log_file)
        pids = r.server.gateway.worker_pids()
    # No `pids and`: only tests that call a function start workers, and a run of some of this
    # module's tests (mutation testing runs a mutant's tests only) may start none; the /proc scan
    # below still finds any worker left over, whatever worker_pids() says.
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()], "workers outlived the server"
    assert worker_processes(project) == []


def test_static_beats_parameter_beats_greedy_and_the_stage_prefix_is_optional(server):
    for path, resource, parameters in [
        ("/dev/things/special", "/things/special", None),
        ("/dev/things/42", "/things/{id}", {"id": "42"}),
        ("/things/42", "/things/{id}", {"id": "42"}),
        ("/dev/files/a/b/c.txt", "/files/{proxy+}", {"proxy": "a/b/c.txt"}),
        ("/dev/things", "/things", None),
    ]:
        status, _, body = server.json("GET", path)
        assert status == 200, path
        assert (body["event"]["resource"], body["event"]["pathParameters"]) == (resource, parameters), path


def test_unknown_paths_and_methods_get_the_gateways_403(server):
    for method, path in [("GET", "/dev/nothing"), ("GET", "/dev/files"), ("DELETE", "/dev/things"),
                         ("PUT", "/dev/things/42"), ("GET", "/prod/things")]:
        status, headers, body = server.json(method, path)
        assert (status, body) == (403, {"message": "Missing Authentication Token"}), (method, path)
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # ANY covers every method of its resource.
    assert server.call("DELETE", "/dev/files/x")[0] == 200


def test_the_proxy_event_has_api_gateways_fields(server):
    status, headers, body = server.json("GET", "/dev/things/42?a=1&a=2&b=x", headers={"X-Custom": "v", "User-Agent": "probe/1"})
    assert status == 200
    event = body["event"]
    assert event["path"] == "/things/42" and event["httpMethod"] == "GET" and event["resource"] == "/things/{id}"
    assert event["headers"]["X-Custom"] == "v" and event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == headers["x-amzn-RequestId"]
    assert (context["stage"], context["resourcePath"], context["httpMethod"], context["path"]) == ("dev", "/things/{id}", "GET", "/dev/things/42")
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "probe/1"
    assert "apiKeyId" not in context["identity"] and "authorizer" not in context
    _, _, plain = server.json("GET", "/things")
    assert plain["event"]["queryStringParameters"] is None and plain["event"]["multiValueQueryStringParameters"] is None
    assert plain["event"]["pathParameters"] is None


def test_the_function_gets_the_compiled_environment(server):
    _, _, body = server.json("GET", "/dev/things")
    assert body["env"] == {
        "GREETING": "hello", "TABLE_THINGS": "probe-dev-things", "SECRET_TOKEN": "/probe/token",
        "CORS_ALLOW_ORIGINS": "https://a.example,https://b.example", "CORS_ALLOW_CREDENTIALS": "false",
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_LAMBDA_FUNCTION_NAME": "probe-dev-probe"}
    assert body["function"] == "probe-dev-probe" and 0 < body["remaining_ms"] <= 5000


def test_binary_bodies_are_base64_both_ways(server):
    status, _, body = server.json("POST", "/dev/files/upload", body=b"\xff\x00\xfe")
    assert status == 200 and body["event"]["isBase64Encoded"] is True and body["event"]["body"] == "/wD+"
    _, _, text = server.json("POST", "/dev/files/upload", body="héllo".encode())
    assert text["event"]["body"] == "héllo" and text["event"]["isBase64Encoded"] is False
    status, headers, raw = server.call("GET", "/dev/files/x?mode=binary")
    assert (status, raw, headers["Content-Type"]) == (201, b"\x89PNG\x00\xff", "image/png")
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_an_exception_or_a_malformed_answer_is_a_502_with_the_traceback_only_in_the_log(server):
    for query in ("raise", "malformed"):
        status, _, body = server.call("GET", f"/dev/things/1?mode={query}")
        assert (status, body) == (502, b'{"message": "Internal server error"}')
    log = server.log.getvalue()
    assert "RuntimeError: boom from the probe" in log and "Traceback" in log
    assert "Malformed Lambda proxy response" in log


def test_api_keys_forbid_then_allow_and_the_body_schema_is_enforced(server):
    thing = json.dumps({"name": "x"})
    assert server.json("POST", "/dev/things", body=thing)[::2] == (403, {"message": "Forbidden"})
    assert server.json("POST", "/dev/things", body=thing, headers={"x-api-key": "wrong"})[::2] == (403, {"message": "Forbidden"})
    key = {"x-api-key": "bob-key-0123456789abcdefghij", "Content-Type": "application/json"}
    status, _, body = server.json("POST", "/dev/things", body=thing, headers=key)
    assert status == 200 and body["event"]["body"] == thing
    assert body["event"]["requestContext"]["identity"]["apiKeyId"] == server.running.server.keys.lookup(key["x-api-key"]).id
    for bad in (json.dumps({"name": ""}), "[1]", "not json", ""):
        assert server.json("POST", "/dev/things", body=bad, headers=key)[::2] == (400, {"message": "Invalid request body"}), bad


def test_generated_keys_are_exposed_and_a_plans_quota_is_enforced_per_period(server):
    alice = {"x-api-key": server.running.keys["alice"]}
    assert len(server.running.keys["alice"]) == 40
    assert [server.call("GET", "/dev/metered", headers=alice)[0] for _ in range(3)] == [200, 200, 200]
    status, headers, body = server.json("GET", "/dev/metered", headers=alice)
    assert (status, body, headers["x-amzn-ErrorType"]) == (429, {"message": "Limit Exceeded"}, "LimitExceededException")
    server.clock.advance(24 * 3600)
    assert server.call("GET", "/dev/metered", headers=alice)[0] == 200


def test_a_routes_burst_is_throttled_and_recovers_after_the_refill(server):
    assert [server.call("GET", "/dev/limited")[0] for _ in range(2)] == [200, 200]
    assert server.json("GET", "/dev/limited")[::2] == (429, {"message": "Too Many Requests"})
    server.clock.advance(0.5)
    assert server.call("GET", "/dev/limited")[0] == 429  # half a token
    server.clock.advance(0.5)
    assert server.call("GET", "/dev/limited")[0] == 200


def test_preflight_needs_no_key_and_echoes_only_allowed_origins(server):
    status, headers, body = server.call("OPTIONS", "/dev/things", headers={"Origin": "https://b.example"})
    assert (status, body) == (200, b"")
    assert headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"
    assert headers["Access-Control-Allow-Headers"] == "content-type,authorization,x-api-key"
    assert headers["Vary"] == "Origin" and headers["Access-Control-Max-Age"] == "600"
    _, other, _ = server.call("OPTIONS", "/dev/things/7", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other
    # The gateway's own errors carry CORS headers too (DEFAULT_4XX echoes the Origin).
    _, denied, _ = server.call("POST", "/dev/things", headers={"Origin": "https://a.example"})
    assert denied["Access-Control-Allow-Origin"] == "https://a.example"


def test_a_lambda_authorizer_allows_denies_and_passes_its_context(server):
    status, _, body = server.json("GET", "/dev/guarded", headers={"Authorization": "allow"})
    assert status == 200
    authorizer = body["event"]["requestContext"]["authorizer"]
    assert {k: authorizer[k] for k in ("principalId", "tenant", "level", "admin")} == \
        {"principalId": "user-1", "tenant": "t1", "level": "3", "admin": "true"}
    assert authorizer["arn"].startswith("arn:aws:execute-api:eu-west-1:123456789012:") and authorizer["arn"].endswith("/dev/GET/guarded")
    assert server.json("GET", "/dev/guarded", headers={"Authorization": "deny"})[::2] == \
        (403, {"Message": "User is not authorized to access this resource with an explicit deny"})
    assert server.json("GET", "/dev/guarded", headers={"Authorization": "other"})[::2] == \
        (403, {"Message": "User is not authorized to access this resource"})
    assert server.json("GET", "/dev/guarded")[::2] == (401, {"message": "Unauthorized"})
    assert server.json("GET", "/dev/guarded", headers={"Authorization": "unauthorized"})[::2] == (401, {"message": "Unauthorized"})
    assert server.json("GET", "/dev/guarded", headers={"Authorization": "broken"})[::2] == (500, {"message": None})


def test_a_request_authorizer_needs_every_source_and_its_answer_is_cached(server):
    assert server.json("GET", "/dev/tenants/1?token=t")[::2] == (401, {"message": "Unauthorized"})
    assert server.json("GET", "/dev/tenants/1", headers={"X-Tenant": "acme"})[0] == 401
    for item in ("1", "2"):
        status, _, body = server.json("GET", f"/dev/tenants/{item}?token=t", headers={"X-Tenant": "acme"})
        assert status == 200 and body["event"]["requestContext"]["authorizer"]["principalId"] == "acme"
        assert body["event"]["requestContext"]["authorizer"]["token"] == "t"
    assert server.log.getvalue().count("[authorize] authorizing acme t {'id': '1'}") == 1  # the second came from the cache
    assert "authorizing acme t {'id': '2'}" not in server.log.getvalue()


def test_cognito_accepts_a_well_formed_token_unverified(server):
    import base64

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'RS256'})}.{part({'sub': 'u-1', 'email': 'a@example.com'})}.c2ln"
    status, _, body = server.json("GET", "/dev/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and body["event"]["requestContext"]["authorizer"]["claims"]["sub"] == "u-1"
    assert server.json("GET", "/dev/me", headers={"Authorization": "garbage"})[0] == 401
    assert server.json("GET", "/dev/me")[0] == 401


def test_the_functions_timeout_is_a_504_and_its_worker_is_replaced(server, project):
    started = time.monotonic()
    status, _, body = server.json("GET", "/dev/slow?sleep=2")
    assert (status, body) == (504, {"message": "Endpoint request timed out"})
    assert 0.9 < time.monotonic() - started < 1.9
    assert worker_processes(project, "runtime_handlers.slow.handler") == []
    status, _, pid = server.call("GET", "/dev/slow")
    assert status == 200 and worker_processes(project, "runtime_handlers.slow.handler") == [int(pid)]


def test_changed_handler_code_is_served_by_a_fresh_worker(server, project):
    assert server.call("GET", "/dev/version")[2] == b"one"
    (project / "runtime_handlers" / "version.py").write_text(VERSION.format(version="two, changed"))
    time.sleep(0.3)  # the code is looked at no more than every 0.2 s
    assert server.call("GET", "/dev/version")[2] == b"two, changed"


def test_each_request_writes_one_access_log_line_in_the_stages_format(server):
    from compiler.factories.api import ACCESS_LOG_FORMAT

    before = len(server.access_lines())
    server.call("GET", "/dev/things/9", headers={"User-Agent": "probe/2"})
    server.call("GET", "/dev/nothing")
    server.call("POST", "/dev/things", body='{"name": "y"}', headers={"x-api-key": "bob-key-0123456789abcdefghij"})
    ok, missing, keyed = server.access_lines()[before:]
    assert list(ok) == list(json.loads(ACCESS_LOG_FORMAT))  # same keys, same order
    assert all(isinstance(v, str) for v in ok.values())
    assert (ok["status"], ok["httpMethod"], ok["path"], ok["resourcePath"], ok["userAgent"], ok["integrationStatus"]) == \
        ("200", "GET", "/dev/things/9", "/things/{id}", "probe/2", "200")
    assert (ok["errorMessage"], ok["apiKeyId"], ok["ip"], ok["protocol"]) == ("-", "-", "127.0.0.1", "HTTP/1.1")
    assert (missing["status"], missing["errorMessage"], missing["integrationLatency"]) == ("403", "Missing Authentication Token", "-")
    assert keyed["apiKeyId"] == server.running.server.keys.lookup("bob-key-0123456789abcdefghij").id
    assert server.log_file.read_text().count('{"apiKeyId"') == len(server.access_lines())
    assert "[probe] probe saw GET /things/9" in server.log_file.read_text()
