"""Health endpoint: Lambda handler behind API Gateway REST (v1) proxy integration.

* ``GET``  -> 200 ``{"status": "ok", "version", "region"?, "time"}`` where
  ``version`` comes from ``APP_VERSION`` (else ``"unknown"``), ``region`` from
  ``AWS_REGION`` (omitted when unset) and ``time`` is ISO-8601 UTC.
* ``HEAD`` -> 200 with the same headers and an empty body (HTTP forbids a
  body on HEAD responses).
* anything else -> 405 with ``Allow: GET, HEAD``.

Deliberately checks nothing downstream: it answers "is the function
deployable and invocable", cheaply enough for frequent probes.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any, Mapping

from ._http import endpoint, json_response, method_not_allowed, method_of

ALLOWED_METHODS = ("GET", "HEAD")
# Probes must see live state, never a cached answer from a CDN or proxy.
_NO_CACHE = {"Cache-Control": "no-store"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _status() -> dict[str, Any]:
    # Read env per request (not at import) so the values are always the
    # function's current configuration; the cost is negligible.
    payload: dict[str, Any] = {
        "status": "ok",
        "version": os.environ.get("APP_VERSION") or "unknown",
    }
    region = os.environ.get("AWS_REGION")
    if region:
        payload["region"] = region
    payload["time"] = _now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return payload


@endpoint
def handler(event: Mapping[str, Any], context: Any) -> dict:
    method = method_of(event)
    if method not in ALLOWED_METHODS:
        return method_not_allowed(method, ALLOWED_METHODS)
    response = json_response(200, _status(), _NO_CACHE)
    if method == "HEAD":
        response["body"] = ""
    return response
