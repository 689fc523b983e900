"""The gateway's request path, in API Gateway's order: route (403 Missing Authentication Token),
API key (403 Forbidden), the key's usage plan quota (429 Limit Exceeded) and throttle, the route's
or the stage's throttle (429 Too Many Requests), the CORS preflight (no key, no authorizer),
the authorizer, body validation (400), then the function through its proxy integration (502 on
an error or a malformed answer, 504 on a timeout). One access-log line per request, whatever
the outcome. Independent of HTTP plumbing (server.py), so it can be driven directly.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import traceback
import uuid
from pathlib import Path
from typing import Optional

from jsonschema import Draft4Validator

from ..model import App, Throttling
from ..naming import Naming
from . import responses as gw
from .auth import Authorizers
from .environment import worker_environment
from .events import Call, MalformedResponse, Request, map_response, proxy_event
from .keys import ApiKeys
from .limits import Clock, Limits
from .logs import LogSink
from .routing import Match, Router
from .workers import FunctionPool, Outcome

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def api_id(app: App) -> str:
    digest = hashlib.sha256(f"{app.name}/{app.stage}/{app.region}".encode()).hexdigest()
    return "".join(c if c.isdigit() or c.islower() else "x" for c in digest)[:10]


def request_time(epoch_s: float) -> str:
    t = time.gmtime(epoch_s)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


class Gateway:
    def __init__(self, app: App, project_root: Path, *, keys: ApiKeys, clock: Clock, log: LogSink,
                 aws_endpoint: Optional[str] = None, max_workers: int = 4):
        self.app, self.api, self.clock, self.log, self.keys = app, app.api, clock, log, keys
        self.router = Router(app.api, app.stage)
        self.limits = Limits(clock)
        self.api_id = api_id(app)
        naming = Naming(app.name, app.stage, app.region)
        needed = set(app.api.functions_served()) | {a.function for a in app.api.authorizers if a.type == "lambda"}
        self.pools = {fn.key: FunctionPool(fn, naming.function(fn.key), worker_environment(app, fn, aws_endpoint),
                                           project_root, log, app.region, max_workers)
                      for fn in app.functions if fn.key in needed}
        self.authorizers = Authorizers(app.api, app.region, self.api_id, app.stage, clock, self._invoke_authorizer)
        self.validators = {(r.path, r.method): Draft4Validator(json.loads(r.body_model))
                           for r in app.api.routes if r.body_model is not None}

    def _invoke_authorizer(self, function: str, event: dict, call: Call) -> Outcome:
        return self.pools[function].invoke(event)

    def _new_call(self) -> Call:
        now = self.clock.time()
        return Call(request_id=str(uuid.uuid4()), extended_request_id=base64.b64encode(os.urandom(11)).decode()[:15] + "=",
                    trace_id=f"1-{int(now):08x}-{uuid.uuid4().hex[:24]}", request_time=request_time(now),
                    request_time_epoch_ms=int(now * 1000), api_id=self.api_id, stage=self.app.stage)

    def handle(self, request: Request, reject: Optional[gw.GatewayError] = None) -> gw.Response:
        started = self.clock.monotonic()
        call = self._new_call()
        state: dict = {}
        try:
            if reject is not None:
                raise reject
            response = self._process(request, call, state)
        except gw.GatewayError as error:
            state["error"] = error.message
            response = gw.error_response(error, self.api.cors, request.headers)
        except Exception:  # noqa: BLE001 - a bug here must not kill the server
            for line in traceback.format_exc().rstrip().split("\n"):
                self.log.note(line)
            state["error"] = "Internal server error"
            response = gw.error_response(gw.integration_failure(), self.api.cors, request.headers)
        response.headers += [("x-amzn-RequestId", call.request_id), ("x-amz-apigw-id", call.extended_request_id),
                             ("X-Amzn-Trace-Id", f"Root={call.trace_id};Sampled=0")]
        self._access_log(request, call, state, response, started)
        return response

    def _access_log(self, request: Request, call: Call, state: dict, response: gw.Response, started: float) -> None:
        match: Optional[Match] = state.get("match")
        user_agent = gw.header_of(request.headers, "User-Agent")
        self.log.access({
            "requestId": call.request_id, "extendedRequestId": call.extended_request_id,
            "identity.sourceIp": request.source_ip, "identity.userAgent": user_agent, "requestTime": call.request_time,
            "httpMethod": request.method,
            "resourcePath": match.resource if match is not None and match.target is not None else None,
            "path": f"/{self.app.stage}{match.path}" if match is not None else request.raw_path,
            "status": response.status, "protocol": "HTTP/1.1", "responseLength": len(response.body),
            "responseLatency": int((self.clock.monotonic() - started) * 1000),
            "integrationLatency": state.get("integration_latency"), "integration.status": state.get("integration_status"),
            "error.message": state.get("error"), "identity.apiKeyId": call.api_key.id if call.api_key else None,
            "xrayTraceId": call.trace_id,
        })

    def _throttle(self, resource: str, method: str, own: Optional[Throttling]) -> None:
        """A route's own limits replace the stage's default for that method (MethodSettings)."""
        limits = own or self.api.throttling
        if limits is not None and not self.limits.bucket(("route" if own else "stage", resource, method), limits).take():
            raise gw.too_many_requests()

    def _process(self, request: Request, call: Call, state: dict) -> gw.Response:
        match = state["match"] = self.router.match(request.method, request.raw_path)
        if match.target is None:
            raise gw.missing_token()
        if match.preflight:
            self._throttle(match.resource, "OPTIONS", None)
            return gw.preflight_response(self.api.cors, self.router.methods_of(match.resource), request.headers)
        route = match.route
        if route.api_key_required:
            key = self.keys.lookup(gw.header_of(request.headers, "x-api-key"))
            if key is None:
                raise gw.forbidden()
            call.api_key = key
            if key.plan.quota is not None and not self.limits.quota(key.name, key.plan.quota).take():
                raise gw.limit_exceeded()
            if key.plan.throttling is not None and not self.limits.bucket(("plan", key.name), key.plan.throttling).take():
                raise gw.too_many_requests()
        self._throttle(route.path, request.method, route.throttling)
        self.authorizers.authorize(route, request, match, call)
        validator = self.validators.get((route.path, route.method))
        if validator is not None:
            try:
                body = json.loads(request.body.decode("utf-8"))
            except ValueError:
                raise gw.invalid_body() from None
            if not validator.is_valid(body):
                raise gw.invalid_body()
        event = proxy_event(request, call, route.path, match.path, match.path_parameters)
        outcome = self.pools[route.function].invoke(event)
        state["integration_latency"] = outcome.latency_ms
        if outcome.timed_out:
            raise gw.integration_timeout()
        if not outcome.ok:
            if not (outcome.error or {}).get("errorType", "").startswith("Runtime."):
                state["integration_status"] = 200  # Lambda answered 200 with a function error
            raise gw.integration_failure()
        try:
            status, response = map_response(outcome.response)
        except MalformedResponse as exc:
            state["integration_status"] = 200
            self.log.function(route.function, f"Execution failed due to configuration error: Malformed Lambda proxy response: {exc}")
            raise gw.integration_failure() from None
        state["integration_status"] = status
        return response

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def worker_pids(self) -> list[int]:
        return [pid for pool in self.pools.values() for pid in pool.pids()]
