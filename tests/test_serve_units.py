"""`serve`'s parts without HTTP: routing precedence, token buckets and quotas on a fake clock,
IAM policy evaluation, proxy-answer mapping, the access-log format and the function environment
(checked against the plans' golden documents), the start-up banner, and no Pulumi on the path."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import stages
from compiler.model import Api, Quota, Route, Throttling
from compiler.normalize import normalize
from compiler.serve.auth import evaluate_policy, jwt_claims, method_arn
from compiler.serve.events import MalformedResponse, map_response
from compiler.serve.limits import FakeClock, QuotaCounter, TokenBucket
from compiler.serve.logs import access_log_format, render_access_log
from compiler.serve.routing import Router
from compiler.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent


def api(*paths: str, methods: str = "GET", cors=None) -> Api:
    routes = tuple(Route(method=m, path=p, function="f", api_key_required=False, throttling=None)
                   for p in paths for m in methods.split(","))
    return Api(endpoint="REGIONAL", create_cloudwatch_role=True, throttling=None, routes=routes, usage_plans=(), cors=cors)


def test_routing_precedence_with_backtracking():
    router = Router(api("/a/b/c", "/{x}/b/d", "/{x}/{y}/{z}", "/a/{proxy+}", "/"), "dev")
    assert router.match("GET", "/a/b/c").resource == "/a/b/c"
    # The first segment decides: static /a (then its greedy child) beats {x}.
    assert router.match("GET", "/a/b/d").resource == "/a/{proxy+}"
    # Without a match under /a, the walk backtracks to the parameter.
    narrow = Router(api("/a/b/c", "/{x}/b/d"), "dev")
    assert (narrow.match("GET", "/a/b/d").resource, narrow.match("GET", "/a/b/d").path_parameters) == ("/{x}/b/d", {"x": "a"})
    assert router.match("GET", "/q/r/s").resource == "/{x}/{y}/{z}"
    assert router.match("GET", "/a/r/s/t").path_parameters == {"proxy": "r/s/t"}
    assert router.match("GET", "/dev/").resource == "/" and router.match("GET", "/").resource == "/"
    assert router.match("GET", "/dev/a/b/c").stage_prefixed and not router.match("GET", "/a/b/c").stage_prefixed
    assert router.match("GET", "/a/b%20x/c").path == "/a/b x/c"
    assert router.match("POST", "/a/b/c").target is None and router.match("GET", "/a/b").target is None
    assert router.match("GET", "/x/y").target is None and router.match("GET", "/x/y/z/w").resource is None


def test_any_and_explicit_methods_and_the_preflight():
    from compiler.model import Cors

    cors = Cors(("https://a.example",), ("content-type",), (), 600, False)
    both = Api(endpoint="REGIONAL", create_cloudwatch_role=True, throttling=None, usage_plans=(), cors=cors, routes=(
        Route("ANY", "/r", "any", False, None), Route("GET", "/r", "get", False, None)))
    router = Router(both, "dev")
    assert router.match("GET", "/r").route.function == "get"
    assert router.match("DELETE", "/r").route.function == "any"
    assert router.match("OPTIONS", "/r").preflight


def test_a_token_bucket_refills_at_its_rate_up_to_its_burst():
    clock = FakeClock()
    bucket = TokenBucket(Throttling(2.0, 3), clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.advance(0.5)
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.advance(100)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert not TokenBucket(Throttling(0, 0), clock).take()


@pytest.mark.parametrize("period, step", [("DAY", 86_400), ("WEEK", 7 * 86_400), ("MONTH", 31 * 86_400)])
def test_a_quota_resets_with_its_calendar_period(period, step):
    clock = FakeClock(start=1_767_225_600.0)  # 2026-01-01T00:00:00Z, a Thursday
    quota = QuotaCounter(Quota(2, period), clock)
    assert [quota.take(), quota.take(), quota.take()] == [True, True, False]
    clock.advance(step)
    assert quota.take()


def test_policy_evaluation_as_api_gateway_reads_an_authorizers_answer():
    arn = method_arn("eu-west-1", "abc", "dev", "GET", "/items/1")
    assert arn == "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/GET/items/1"

    def policy(*statements):
        return {"Version": "2012-10-17", "Statement": list(statements)}

    allow_all = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:abc/*"}
    assert evaluate_policy(policy(allow_all), arn) == "allow"
    assert evaluate_policy(policy(allow_all, {**allow_all, "Effect": "Deny", "Resource": [arn]}), arn) == "deny"
    assert evaluate_policy(policy({**allow_all, "Resource": "arn:aws:execute-api:*:*:abc/dev/POST/*"}), arn) == "none"
    assert evaluate_policy(policy({**allow_all, "Action": "s3:GetObject"}), arn) == "none"
    assert evaluate_policy(policy({**allow_all, "Resource": "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/GET/items/?"}), arn) == "allow"
    with pytest.raises(ValueError):
        evaluate_policy({"Statement": [{"Action": "execute-api:Invoke"}]}, arn)


def test_jwt_shape():
    assert jwt_claims("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln") == {"sub": "u"}
    assert jwt_claims("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln") == {"sub": "u"}
    assert jwt_claims("a.b") is None and jwt_claims(None) is None and jwt_claims("x.y.z") is None


def test_proxy_answers_are_mapped_or_rejected_as_api_gateway_does():
    status, response = map_response({"statusCode": "201", "headers": {"X-A": 1, "content-length": "9"},
                                     "multiValueHeaders": {"X-B": ["1", "2"]}, "body": "hi"})
    assert status == 201 and response.body == b"hi"
    assert response.headers == [("Content-Type", "application/json"), ("X-B", "1"), ("X-B", "2"), ("X-A", "1")]
    assert map_response({"statusCode": 204})[1].body == b""
    assert map_response({"statusCode": 200, "body": "AAE=", "isBase64Encoded": True})[1].body == b"\x00\x01"
    for bad in (None, "text", {"body": "x"}, {"statusCode": 200, "cookies": []}, {"statusCode": 200, "body": {}},
                {"statusCode": 200, "headers": {"X": {"nested": 1}}}, {"statusCode": 99},
                {"statusCode": 200, "body": "***", "isBase64Encoded": True}):
        with pytest.raises(MalformedResponse):
            map_response(bad)


def test_the_access_log_format_is_the_deployed_stages():
    from compiler.factories.api import ACCESS_LOG_FORMAT

    assert access_log_format() == ACCESS_LOG_FORMAT
    line = render_access_log(ACCESS_LOG_FORMAT, {"status": 200, "userAgent": None, "path": 'a"b', "identity.sourceIp": "1.2.3.4"})
    parsed = json.loads(line)
    assert list(parsed) == list(json.loads(ACCESS_LOG_FORMAT))
    assert (parsed["status"], parsed["userAgent"], parsed["path"], parsed["ip"], parsed["requestId"]) == ("200", "-", 'a"b', "1.2.3.4", "-")


def _golden_cases():
    cases = [(ROOT / "specs" / f"{p.stem}.yaml", p) for p in sorted((ROOT / "tests" / "golden" / "specs").glob("*.plan.json"))]
    cases += [(d / "spec.yaml", d / "plan.json") for d in sorted((ROOT / "tests" / "golden").iterdir())
              if (d / "plan.json").exists() and (d / "spec.yaml").exists()]
    return [c for c in cases if c[0].exists()]


@pytest.mark.parametrize("spec, golden", _golden_cases(), ids=lambda p: p.parent.name if p.name == "spec.yaml" else p.stem)
def test_functions_get_the_environment_the_plan_deploys(spec, golden):
    from compiler.serve.environment import compiled_environment

    document = json.loads(golden.read_text())
    data = validate_file(str(spec), ROOT).data
    app = normalize(data, stage=document["stage"], project_root=ROOT)
    planned = {r["name"]: (r["inputs"].get("environment") or {}).get("variables", {})
               for r in document["resources"] if r["type"] == "aws:lambda/function:Function"}
    for fn in app.functions:
        assert compiled_environment(app, fn) == planned[f"fn-{fn.key}-{app.region}-function"], fn.key


def test_the_banner_shows_each_routes_key_auth_and_limits():
    from compiler.serve.banner import banner
    from compiler.serve.keys import ApiKeys
    from compiler.serve.load import load_app

    app, _ = load_app(str(ROOT / "specs" / "serverless-app.yaml"), project_root=ROOT)
    keys = ApiKeys(app.api, app.name, app.stage, {"acme": "local-acme-key-000000000000"})
    text = banner(app, keys, "127.0.0.1", 3000)
    post = next(line for line in text.splitlines() if line.strip().startswith("POST"))
    assert "/items" in post and "required" in post and "route 100/s burst 200" in post and "10000/DAY" in post
    assert "local-acme-key-000000000000" in text and "http://127.0.0.1:3000/dev/" in text
    assert stages.offline_stage({}, None) == app.stage


def test_unknown_api_key_names_are_refused():
    from compiler.serve.keys import ApiKeys, parse_overrides
    from compiler.serve.load import load_app

    app, _ = load_app(str(ROOT / "specs" / "serverless-app.yaml"), project_root=ROOT)
    with pytest.raises(ValueError, match="acme"):
        ApiKeys(app.api, app.name, app.stage, {"acmee": "x"})
    with pytest.raises(ValueError):
        parse_overrides(["no-equals-sign"])


def test_serving_never_imports_pulumi():
    code = (
        "import sys, urllib.request\n"
        "from compiler.serve import running\n"
        "from compiler.serve import cli, banner\n"
        "with running('specs/serverless-app.yaml', log_stream=open('/dev/null', 'w')) as r:\n"
        "    assert urllib.request.urlopen(r.url + '/health').status == 200\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws'))\n"
        "assert not loaded, loaded\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
