"""CORS headers on actual responses, applied by :func:`._http.endpoint`.

API Gateway answers preflight (``OPTIONS``) itself with a mock integration;
with Lambda proxy integration the headers on the real response are ours.
The compiler sets, on every function behind a route when the spec has
``api.cors``:

* ``CORS_ALLOW_ORIGINS``: comma-separated origins, or exactly ``*``. Unset
  or empty (after trimming) means CORS is off: :func:`apply` returns the
  response untouched, so behaviour is byte for byte what it was without CORS.
* ``CORS_ALLOW_CREDENTIALS``: ``true`` enables credentials; anything else
  (``false``, unset, a typo) does not, so a bad value fails closed.
* ``CORS_EXPOSE_HEADERS``: comma-separated header names, possibly empty.

When CORS is on, every response gets:

* with ``*``: ``Access-Control-Allow-Origin: *`` and never
  ``Access-Control-Allow-Credentials`` (browsers refuse credentials with
  ``*``, and the validator refuses the combination, so it is ignored here
  rather than "fixed" by reflecting any origin, which would open the API to
  every site);
* with a list: ``Vary: Origin`` (merged into a ``Vary`` the handler set),
  and the request's ``Origin`` echoed in ``Access-Control-Allow-Origin``
  only when it equals one of the listed origins exactly; then also
  ``Access-Control-Allow-Credentials: true`` when credentials are enabled.
  A ``*`` inside a longer list is a literal that no Origin equals;
* ``Access-Control-Expose-Headers`` whenever an Allow-Origin is sent and
  the list is non-empty (without Allow-Origin the browser hides the whole
  response, so the list would be noise).

Once CORS is on, these three ``Access-Control-*`` headers belong to this
module: any a handler set (in any letter case) are replaced or dropped, so
a handler cannot widen the configured policy by accident.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any, Mapping

ORIGINS_ENV = "CORS_ALLOW_ORIGINS"
CREDENTIALS_ENV = "CORS_ALLOW_CREDENTIALS"
EXPOSE_ENV = "CORS_EXPOSE_HEADERS"

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
EXPOSE_HEADERS = "Access-Control-Expose-Headers"
_OWNED = {ALLOW_ORIGIN.lower(), ALLOW_CREDENTIALS.lower(), EXPOSE_HEADERS.lower()}


@dataclass(frozen=True)
class Policy:
    """The parsed CORS settings; ``origins`` is empty when ``any_origin``."""

    any_origin: bool
    origins: frozenset[str]
    credentials: bool
    expose: str  # ready-made header value; "" means send no Expose-Headers


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


# Keyed by the raw strings: Lambda fixes a function's environment for the
# life of its execution environment, so this parses once per process in
# practice, while reading three variables per request costs next to nothing
# and means a changed environment (tests' monkeypatch) can never meet a stale
# policy, with no reset hook to forget.
@functools.lru_cache(maxsize=8)
def _parse(raw_origins: str, raw_credentials: str, raw_expose: str) -> Policy | None:
    origins = _split(raw_origins)
    if not origins:
        return None
    expose: list[str] = []
    for name in _split(raw_expose):
        if name.lower() not in {e.lower() for e in expose}:
            expose.append(name)
    any_origin = origins == ["*"]
    return Policy(any_origin=any_origin,
                  origins=frozenset() if any_origin else frozenset(origins),
                  credentials=raw_credentials.strip().lower() == "true",
                  expose=", ".join(expose))


def current_policy() -> Policy | None:
    """The policy the environment describes now, or None when CORS is off."""
    return _parse(os.environ.get(ORIGINS_ENV, ""), os.environ.get(CREDENTIALS_ENV, ""),
                  os.environ.get(EXPOSE_ENV, ""))


def request_origin(event: Any) -> str | None:
    """The request's ``Origin`` header, matched case-insensitively, or None.

    ``headers`` (API Gateway's single-value view, holding the last value of a
    repeated header) wins; events with only ``multiValueHeaders`` fall back
    to its last value, the same choice API Gateway makes. Either map may be
    None.
    """
    if not isinstance(event, Mapping):
        return None
    single = event.get("headers")
    if isinstance(single, Mapping):
        for name, value in single.items():
            if isinstance(name, str) and name.lower() == "origin" and isinstance(value, str):
                return value
    multi = event.get("multiValueHeaders")
    if isinstance(multi, Mapping):
        for name, values in multi.items():
            if (isinstance(name, str) and name.lower() == "origin"
                    and isinstance(values, list) and values and isinstance(values[-1], str)):
                return values[-1]
    return None


def _with_vary_origin(headers: dict[str, str]) -> None:
    key = next((k for k in headers if k.lower() == "vary"), None)
    if key is None:
        headers["Vary"] = "Origin"
        return
    tokens = [t.strip().lower() for t in str(headers[key]).split(",")]
    if "origin" not in tokens and "*" not in tokens:  # "Vary: *" already covers Origin
        headers[key] = f"{headers[key]}, Origin"


def apply(response: dict, event: Any, policy: Policy | None) -> dict:
    """Return ``response`` with the CORS headers ``policy`` calls for (see module doc).

    ``policy=None`` returns the very same object, untouched. Otherwise a new
    response dict with a new ``headers`` dict is returned; the input is not
    mutated.
    """
    if policy is None:
        return response
    headers = {k: v for k, v in (response.get("headers") or {}).items() if k.lower() not in _OWNED}
    if policy.any_origin:
        headers[ALLOW_ORIGIN] = "*"
        allowed = True
    else:
        _with_vary_origin(headers)
        origin = request_origin(event)
        allowed = origin is not None and origin in policy.origins
        if allowed:
            headers[ALLOW_ORIGIN] = origin
            if policy.credentials:
                headers[ALLOW_CREDENTIALS] = "true"
    if allowed and policy.expose:
        headers[EXPOSE_HEADERS] = policy.expose
    return {**response, "headers": headers}
