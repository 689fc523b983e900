"""Secrets at run time: ``get_secret("payment_api_key")`` -> the secret's current value.

Contract:

* ``name`` is the spec's secret name (lower snake case). The compiler tells
  the function where the secret lives in env ``SECRET_<NAME>``
  (``SECRET_PAYMENT_API_KEY``), only for secrets listed in the function's
  ``uses.secrets``; no such variable raises :class:`UnknownSecret` (a
  ``KeyError``) naming the variable.
* A location starting with ``arn:`` whose service part is ``secretsmanager``
  (full ARN, or partial ARN without the random suffix) is read with
  Secrets Manager ``GetSecretValue`` and yields its ``SecretString``;
  anything else is an SSM parameter name (or ARN), read with
  ``GetParameter(WithDecryption=True)``.
* Values are cached per process for ``SECRETS_CACHE_TTL_S`` seconds
  (default 300; 0 disables the cache), measured with ``time.monotonic`` so
  wall-clock jumps neither expire nor pin entries. A rotated secret is thus
  seen within one TTL; :func:`clear_cache` forgets everything (tests).
* A secret value never appears in a log line, an exception message or a
  repr from this module; errors name the secret and its location only.

This module does not log: the request's single log line belongs to the
``endpoint`` boundary, and AWS errors propagate to it unchanged.
"""
from __future__ import annotations

import os
import re
import time

from ._aws import ConfigurationError, client

DEFAULT_TTL_S = 300.0
TTL_ENV = "SECRETS_CACHE_TTL_S"
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")  # the spec schema's secret-name rule


class UnknownSecret(KeyError):
    """The function has no ``SECRET_<NAME>`` variable: the secret is not in its ``uses``."""

    def __init__(self, name: str, env_name: str) -> None:
        super().__init__(name)
        self.env_name = env_name
        self.message = (f"unknown secret {name!r}: environment variable {env_name} is not set "
                        "(list the secret in the function's uses.secrets)")

    def __str__(self) -> str:  # KeyError's own __str__ would quote the whole message
        return self.message


class SecretUnavailable(RuntimeError):
    """The secret exists but holds no text value (a binary-only Secrets Manager secret)."""


class _Entry:
    """A cached value; its repr hides the value so no debug print can leak it."""

    __slots__ = ("value", "expires_at")

    def __init__(self, value: str, expires_at: float) -> None:
        self.value = value
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"_Entry(value=<redacted>, expires_at={self.expires_at!r})"


# Keyed by location, not name: the location is what identifies the value.
_cache: dict[str, _Entry] = {}


def _now() -> float:
    return time.monotonic()


def env_name(name: str) -> str:
    """``payment_api_key`` -> ``SECRET_PAYMENT_API_KEY``."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"invalid secret name {name!r}: expected lower snake case, "
                         "starting with a letter, at most 64 characters")
    return f"SECRET_{name.upper()}"


def _ttl() -> float:
    raw = os.environ.get(TTL_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TTL_S
    try:
        ttl = float(raw)
    except ValueError:
        ttl = -1.0
    if not 0 <= ttl < float("inf"):  # also rejects NaN
        raise ConfigurationError(f"{TTL_ENV} must be a number of seconds >= 0, got {raw!r}")
    return ttl


def is_secrets_manager(location: str) -> bool:
    """True for Secrets Manager ARNs (``arn:<partition>:secretsmanager:...``)."""
    parts = location.split(":")
    return len(parts) > 2 and parts[0] == "arn" and parts[2] == "secretsmanager"


def _fetch(name: str, location: str) -> str:
    if is_secrets_manager(location):
        found = client("secretsmanager").get_secret_value(SecretId=location)
        value = found.get("SecretString")
        if value is None:
            raise SecretUnavailable(f"secret {name!r} ({location}) has no SecretString; "
                                    "binary secrets are not supported")
        return value
    found = client("ssm").get_parameter(Name=location, WithDecryption=True)
    return found["Parameter"]["Value"]


def get_secret(name: str) -> str:
    """Return the value of the spec's secret ``name``, from the cache while it is fresh."""
    variable = env_name(name)
    location = os.environ.get(variable)
    if not location:
        raise UnknownSecret(name, variable)
    now = _now()
    entry = _cache.get(location)
    if entry is not None and now < entry.expires_at:
        return entry.value
    ttl = _ttl()
    value = _fetch(name, location)
    if ttl > 0:
        _cache[location] = _Entry(value, now + ttl)
    else:
        _cache.pop(location, None)
    return value


def clear_cache() -> None:
    """Forget every cached value (tests; or to force a refetch after rotation)."""
    _cache.clear()
