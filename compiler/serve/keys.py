"""API keys of the local API: one per key the spec's usage plans name.

Deployed keys get values API Gateway generates and keeps; locally each gets a fresh random value
at start-up (printed with the routes) unless `--api-key NAME=VALUE` fixes it. Ids are stable
per app, stage and name, like a deployed key's id is stable across requests.
"""
from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from ..model import Api, UsagePlan

_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ApiKey:
    name: str
    id: str
    value: str
    plan: UsagePlan


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """`NAME=VALUE` pairs (the --api-key flags) as a mapping; ValueError on a malformed one."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ValueError(f"--api-key {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def key_id(app: str, stage: str, name: str) -> str:
    """A 10-character id, lower-case letters and digits as API Gateway's key ids are."""
    digest = hashlib.sha256(f"{app}/{stage}/apikey/{name}".encode()).hexdigest()
    return "".join(c if c.isdigit() or c.islower() else "a" for c in digest)[:10]


def generate_value() -> str:
    """40 letters and digits, the shape of a value API Gateway generates."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(40))


class ApiKeys:
    def __init__(self, api: Optional[Api], app: str, stage: str, overrides: Mapping[str, str] | None = None):
        overrides = dict(overrides or {})
        plans = api.usage_plans if api is not None else ()
        names = sorted(name for plan in plans for name in plan.api_keys)
        unknown = sorted(set(overrides) - set(names))
        if unknown:
            raise ValueError(f"--api-key names unknown key(s) {', '.join(unknown)}; the spec's keys: {', '.join(names) or '(none)'}")
        self.keys: tuple[ApiKey, ...] = tuple(
            ApiKey(name, key_id(app, stage, name), overrides.get(name) or generate_value(), plan)
            for plan in plans for name in plan.api_keys)
        self._by_value = {key.value: key for key in self.keys}
        if len(self._by_value) != len(self.keys):
            raise ValueError("two API keys have the same value")

    def lookup(self, value: Optional[str]) -> Optional[ApiKey]:
        return self._by_value.get(value) if value else None
