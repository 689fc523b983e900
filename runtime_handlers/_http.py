"""HTTP plumbing shared by the Lambda handlers.

Contract for every handler wrapped with :func:`endpoint`:

* it returns an API Gateway REST (v1) proxy response: ``statusCode``,
  ``headers`` (always ``Content-Type: application/json``) and ``body`` as a
  JSON string;
* it prints exactly ONE JSON log line per invocation to stdout, which the
  Lambda runtime forwards to CloudWatch Logs (one line = one log event, so
  Logs Insights can query the fields directly);
* an unhandled exception becomes a generic 500; the exception type and
  traceback go to the log line only, never to the client;
* when the environment configures CORS (``CORS_ALLOW_ORIGINS``), every
  response it returns, the 500 included, carries the CORS headers described
  in :mod:`._cors`; without it responses are exactly as the handler built them.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import time
import traceback
from typing import Any, Callable, Iterable, Mapping

from . import _cors

JSON_CONTENT_TYPE = "application/json"
# CloudWatch caps a log event at 256 KiB; a bounded traceback keeps the
# single request line well under that while still locating the fault.
_MAX_TRACEBACK_CHARS = 4000

Handler = Callable[[Any, Any], dict]


class BadRequest(Exception):
    """Raised by request helpers; the handler turns it into a 400."""

    def __init__(self, message: str, reasons: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = list(reasons)


def json_response(status: int, payload: Any,
                  headers: Mapping[str, str] | None = None) -> dict:
    merged = {"Content-Type": JSON_CONTENT_TYPE}
    merged.update(headers or {})
    # Default ensure_ascii: escaped output can't fail to encode even if a
    # client smuggled a lone surrogate ("\ud800") into a string we echo.
    return {
        "statusCode": status,
        "headers": merged,
        "body": json.dumps(payload, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def error_response(status: int, message: str, reasons: Iterable[str] | None = None,
                   headers: Mapping[str, str] | None = None) -> dict:
    payload: dict[str, Any] = {"error": message}
    if reasons is not None:
        payload["reasons"] = list(reasons)
    return json_response(status, payload, headers)


def method_not_allowed(method: str, allowed: Iterable[str]) -> dict:
    allow = ", ".join(allowed)
    return error_response(405, f"method {method} not allowed", headers={"Allow": allow})


# --- event accessors -------------------------------------------------------
# API Gateway sends JSON null (not {}) for absent maps, hence the `or {}`.

def method_of(event: Mapping) -> str:
    return str(event.get("httpMethod") or "").upper()


def query_params(event: Mapping) -> dict:
    return dict(event.get("queryStringParameters") or {})


def path_params(event: Mapping) -> dict:
    return dict(event.get("pathParameters") or {})


def body_text(event: Mapping) -> str | None:
    """Return the raw request body as text, decoding base64 when flagged.

    API Gateway base64-encodes bodies whose Content-Type is listed in the
    API's binary media types, so the flag must be honoured, not guessed.
    """
    body = event.get("body")
    if body is None or not event.get("isBase64Encoded"):
        return body
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise BadRequest("invalid request body", ["body is not valid base64"]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("invalid request body", ["body is not valid UTF-8"]) from None


# --- logging ---------------------------------------------------------------

def _request_id(event: Any, context: Any) -> str | None:
    rid = getattr(context, "aws_request_id", None)
    if rid:
        return rid
    ctx = event.get("requestContext") if isinstance(event, Mapping) else None
    return ctx.get("requestId") if isinstance(ctx, Mapping) else None


def _log_request(event: Any, context: Any, status: int, latency_ms: float,
                 failure: BaseException | None) -> None:
    ev = event if isinstance(event, Mapping) else {}
    record: dict[str, Any] = {
        "level": "ERROR" if failure is not None else "INFO",
        "message": "request failed" if failure is not None else "request completed",
        "request_id": _request_id(event, context),
        "function": getattr(context, "function_name", None),
        "method": ev.get("httpMethod"),
        "path": ev.get("path"),
        "resource": ev.get("resource"),
        "status": status,
        "latency_ms": latency_ms,
    }
    if failure is not None:
        record["error_type"] = type(failure).__name__
        tb = "".join(traceback.format_exception(failure))
        record["traceback"] = tb[-_MAX_TRACEBACK_CHARS:]
    # json.dumps escapes newlines, so the record is always a single line;
    # ASCII output and default=str keep logging from ever raising.
    print(json.dumps(record, default=str), flush=True)


def endpoint(fn: Handler) -> Handler:
    """Wrap a handler with the 500 boundary, CORS headers and the per-request log line."""

    @functools.wraps(fn)
    def wrapper(event: Any, context: Any) -> dict:
        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            response = fn(event, context)
        except Exception as exc:  # last-resort boundary; details go to logs only
            failure = exc
            response = error_response(500, "internal server error")
        # After the boundary so the 500 gets the headers too (a browser can
        # then read the error); apply() reads the event defensively, so a
        # malformed request cannot make it raise past the log line.
        response = _cors.apply(response, event, _cors.current_policy())
        latency_ms = round((time.perf_counter() - started) * 1000, 3)
        _log_request(event, context, response["statusCode"], latency_ms, failure)
        return response

    return wrapper
