"""AWS plumbing shared by the handlers: cached SDK clients and required configuration.

Contract:

* :func:`client` returns ONE boto3 client per service per execution
  environment, created on first use (not at import, so a cold start that
  never touches a service pays nothing for it) in the region Lambda puts in
  ``AWS_REGION``. Warm invocations reuse it and its connection pool.
* :func:`reset_clients` forgets every cached client. Tests call it so that
  each moto ``mock_aws()`` block gets clients created inside it.
* :func:`require_env` reads a setting the compiler must have provided and
  raises :class:`ConfigurationError` naming the variable when it is absent,
  which the ``endpoint`` boundary turns into a generic 500 whose log line
  carries ``error_type: ConfigurationError``.

boto3 is not shipped in the deployment zip: the Lambda Python runtimes
include it.
"""
from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

# botocore's defaults (60 s connect and read timeouts) exceed API Gateway's
# 29 s integration timeout, so a stuck connection would surface as a 504
# with no log line; short timeouts plus a few standard-mode retries fail
# inside the function, where the endpoint boundary logs the error.
_CONFIG = Config(connect_timeout=2, read_timeout=5,
                 retries={"mode": "standard", "max_attempts": 3})

_clients: dict[str, Any] = {}


class ConfigurationError(RuntimeError):
    """The function's environment lacks a setting the compiler should have set."""


def require_env(name: str) -> str:
    """Return env ``name``; raise ConfigurationError if it is unset or empty."""
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def client(service: str) -> Any:
    """Return the cached boto3 client for ``service``, creating it on first use."""
    cached = _clients.get(service)
    if cached is None:
        # region_name=None falls back to the SDK's own lookup
        # (AWS_DEFAULT_REGION, config files), which is what runs outside Lambda.
        cached = boto3.client(service, region_name=os.environ.get("AWS_REGION") or None,
                              config=_CONFIG)
        _clients[service] = cached
    return cached


def reset_clients() -> None:
    """Forget every cached client (tests: one set of clients per mock_aws block)."""
    _clients.clear()
