"""Behaviour of runtime_handlers.health.handler against realistic REST proxy events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from runtime_handlers import health

try:  # works whether or not tests/ is a package
    from tests.handler_events import FakeLambdaContext, json_body, log_lines, rest_event
except ImportError:  # pragma: no cover - depends on how pytest was started
    from handler_events import FakeLambdaContext, json_body, log_lines, rest_event


def call(method):
    return health.handler(rest_event(method, "/health"), FakeLambdaContext(function_name="app-health"))


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("APP_VERSION", "1.4.2")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    return monkeypatch


def test_get_returns_200_with_status_version_region_and_utc_time(env):
    before = datetime.now(timezone.utc)
    response = call("GET")
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "no-store"
    body = json_body(response)
    assert list(body) == ["status", "version", "region", "time"]
    assert (body["status"], body["version"], body["region"]) == ("ok", "1.4.2", "eu-west-1")
    assert body["time"].endswith("Z")
    stamp = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
    assert stamp.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(timezone.utc)


def test_get_without_env_reports_unknown_version_and_omits_region(monkeypatch):
    monkeypatch.delenv("APP_VERSION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    body = json_body(call("GET"))
    assert body["version"] == "unknown"
    assert "region" not in body


def test_head_returns_200_with_headers_and_empty_body(env):
    response = call("HEAD")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["body"] == ""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_return_405_with_allow_get_head(method):
    response = call(method)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET, HEAD"
    assert json_body(response) == {"error": f"method {method} not allowed"}


def test_each_health_request_logs_exactly_one_json_line(env, capsys):
    capsys.readouterr()
    call("GET")
    call("DELETE")
    first, second = log_lines(capsys.readouterr().out)
    assert (first["method"], first["path"], first["status"], first["level"]) == (
        "GET", "/health", 200, "INFO")
    assert (second["method"], second["status"]) == ("DELETE", 405)
    assert first["function"] == "app-health"
    assert first["request_id"] and first["request_id"] != second["request_id"]
    assert all(isinstance(r["latency_ms"], float) for r in (first, second))


def test_clock_failure_returns_generic_500_and_logs_error(env, monkeypatch, capsys):
    def broken_clock():
        raise OSError("clock source unavailable")

    monkeypatch.setattr(health, "_now", broken_clock)
    capsys.readouterr()
    response = call("GET")
    assert response["statusCode"] == 500
    assert json_body(response) == {"error": "internal server error"}
    [record] = log_lines(capsys.readouterr().out)
    assert (record["level"], record["status"], record["error_type"]) == ("ERROR", 500, "OSError")
