"""Authorizers, locally. Lambda authorizers really run (in their own worker pool) with the TOKEN or
REQUEST event API Gateway sends, and their IAM policy is honoured as deployed: an explicit Deny on
the method ARN wins, else an Allow must match it; the answer is cached per identity for the
authorizer's TTL and the cached policy is checked against each new method ARN, as API Gateway does.

Cognito and IAM (SigV4) cannot be verified without AWS: a well-formed token or signature header
is accepted unverified (start-up says so loudly); a missing or malformed one fails as deployed.
"""
from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any, Callable, Optional

from ..model import Api, Authorizer, Route
from . import responses as gw
from .events import ACCOUNT_ID, Call, Request, proxy_event, query_parameters
from .limits import Clock
from .routing import Match

_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 +Credential=([A-Za-z0-9]+)/\d{8}/[a-z0-9-]+/[a-z0-9-]+/aws4_request, *"
                    r"SignedHeaders=[a-z0-9;-]+, *Signature=[0-9a-f]{64}$")
_JWT_PART = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def method_arn(region: str, api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}/{stage}/{method}/{path.lstrip('/')}"


def _arn_pattern(pattern: str) -> re.Pattern:
    return re.compile("^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$")


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def evaluate_policy(policy: Any, arn: str) -> str:
    """'allow', 'deny' (explicit) or 'none' for `arn` under an IAM policy document; ValueError when
    the document is not one."""
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), (list, dict)):
        raise ValueError("policyDocument needs a Statement")
    verdict = "none"
    for statement in _listed(policy["Statement"]):
        if not isinstance(statement, dict) or "Effect" not in statement or "Resource" not in statement:
            raise ValueError("each statement needs Effect, Action and Resource")
        actions = [a.lower() for a in _listed(statement.get("Action", [])) if isinstance(a, str)]
        if not {"execute-api:invoke", "execute-api:*", "*"} & set(actions):
            continue
        if not any(isinstance(r, str) and _arn_pattern(r).match(arn) for r in _listed(statement["Resource"])):
            continue
        effect = str(statement["Effect"]).lower()
        if effect == "deny":
            return "deny"
        if effect == "allow":
            verdict = "allow"
    return verdict


def authorizer_context(answer: dict, latency_ms: int) -> dict:
    """requestContext.authorizer of a Lambda authorizer's answer: principalId and its context,
    values as strings (REST APIs pass them so); ValueError on a nested value, which API Gateway
    rejects."""
    out: dict[str, Any] = {"principalId": answer["principalId"]}
    for key, value in (answer.get("context") or {}).items():
        if isinstance(value, (dict, list)):
            raise ValueError(f"authorizer context {key!r} must be a string, number or boolean")
        out[key] = ("true" if value else "false") if isinstance(value, bool) else None if value is None else str(value)
    out["integrationLatency"] = latency_ms
    return out


def jwt_claims(header: Optional[str]) -> Optional[dict]:
    """The (unverified) claims of a JWT-shaped Authorization value, 'Bearer ' optional; else None."""
    token = (header or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3 or not all(_JWT_PART.match(p) for p in parts):
        return None
    try:
        decoded = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2]]
    except ValueError:
        return None
    return decoded[1] if all(isinstance(d, dict) for d in decoded) else None


class Authorizers:
    def __init__(self, api: Api, region: str, api_id: str, stage: str, clock: Clock,
                 invoke: Callable[[str, dict, Call], Any]):
        self.api, self.region, self.api_id, self.stage, self.clock = api, region, api_id, stage, clock
        self._invoke = invoke
        self._cache: dict[tuple, tuple[float, dict, int]] = {}
        self._lock = threading.Lock()

    def authorize(self, route: Route, request: Request, match: Match, call: Call) -> None:
        """Fill `call.authorizer` / `call.identity`, or raise the gateway's error."""
        if route.auth is None:
            return
        authorizer = self.api.authorizer(route.auth)
        if authorizer.type == "cognito":
            claims = jwt_claims(gw.header_of(request.headers, "Authorization"))
            if claims is None:
                raise gw.unauthorized()
            if route.scopes and not set(route.scopes) & set(str(claims.get("scope", "")).split()):
                raise gw.unauthorized()
            call.authorizer = {"claims": {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}}
        elif authorizer.type == "iam":
            header = gw.header_of(request.headers, "Authorization")
            if not header:
                raise gw.missing_token()
            found = _SIGV4.match(header.strip())
            if not found:
                raise gw.bad_signature("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                                       "parameters (AWS4-HMAC-SHA256)")
            call.identity = {"accessKey": found.group(1)}
        else:
            self._lambda(authorizer, route, request, match, call)

    def _sources(self, authorizer: Authorizer, request: Request, match: Match, call: Call) -> list[Optional[str]]:
        single, _ = query_parameters(request.query)
        context = {"sourceIp": request.source_ip, "requestId": call.request_id, "stage": self.stage,
                   "httpMethod": request.method, "resourcePath": match.resource, "path": f"/{self.stage}{match.path}"}
        values = []
        for source in authorizer.identity:
            kind, name = source.split(".", 1)
            value = (gw.header_of(request.headers, name) if kind == "header" else (single or {}).get(name) if kind == "query"
                     else context.get(name) if kind == "context" else None)
            values.append(value or None)
        return values

    def _lambda(self, authorizer: Authorizer, route: Route, request: Request, match: Match, call: Call) -> None:
        arn = method_arn(self.region, self.api_id, self.stage, request.method, match.path)
        values = self._sources(authorizer, request, match, call)
        if not authorizer.request_type and not values[0]:
            raise gw.unauthorized()  # TOKEN: no token, no call
        if authorizer.request_type and authorizer.cache_ttl_s > 0 and not all(values):
            raise gw.unauthorized()  # cached REQUEST authorizers need every identity source
        key = (authorizer.key, tuple(values))
        now = self.clock.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            answer, latency = cached[1], cached[2]
        else:
            if authorizer.request_type:
                event = {"type": "REQUEST", "methodArn": arn,
                         **proxy_event(request, call, match.resource, match.path, match.path_parameters)}
                event.pop("body"), event.pop("isBase64Encoded")
            else:
                event = {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
            outcome = self._invoke(authorizer.function, event, call)
            if not outcome.ok:
                message = (outcome.error or {}).get("errorMessage")
                raise gw.unauthorized() if message == "Unauthorized" else gw.authorizer_error()
            answer, latency = outcome.response, outcome.latency_ms
            if not isinstance(answer, dict) or "principalId" not in answer or "policyDocument" not in answer:
                raise gw.authorizer_error()
            if authorizer.cache_ttl_s > 0:
                with self._lock:
                    self._cache[key] = (now + authorizer.cache_ttl_s, answer, latency)
        try:
            verdict = evaluate_policy(answer["policyDocument"], arn)
            context = authorizer_context(answer, latency)
        except ValueError:
            raise gw.authorizer_error() from None
        if verdict != "allow":
            raise gw.access_denied(explicit=verdict == "deny")
        call.authorizer = context
