"""Parsing and validation of the ``POST /items`` request body.

Contract: :func:`parse_item` either returns the normalised item fields
(``name``, ``price``, ``currency``, ``tags``) or raises
:class:`~runtime_handlers._http.BadRequest` listing EVERY problem found, so a
client can fix its payload in one round trip.

Numbers are parsed as :class:`decimal.Decimal` straight from the JSON text:
going through float would turn ``0.1`` into ``0.1000000000000000055...`` and
make the "at most 2 decimals" rule unreliable.
"""
from __future__ import annotations

import decimal
import json
from decimal import Decimal
from typing import Any

from ._currencies import CURRENCY_CODES
from ._http import BadRequest

ALLOWED_FIELDS = ("name", "price", "currency", "tags")
NAME_MAX = 100
# Upper bound keeps quantize() inside Decimal precision and rejects absurd
# values such as 1e999999 before any arithmetic is attempted.
PRICE_MAX = Decimal("1000000000")
CENT = Decimal("0.01")
DEFAULT_CURRENCY = "USD"
TAG_MAX_LEN = 32
TAGS_MAX = 20


def _reject_constant(name: str) -> Any:
    # NaN / Infinity are not JSON (RFC 8259) even though Python accepts them.
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    # Duplicate keys are resolved differently by different parsers; refusing
    # them avoids validating one value while a proxy saw another.
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def parse_json(text: str | None) -> Any:
    if text is None or not text.strip():
        raise BadRequest("invalid request body", ["request body is required"])
    try:
        # parse_int=Decimal too: it sidesteps int's 4300-digit parsing limit.
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise BadRequest("invalid JSON", [f"body is not valid JSON: {exc}"]) from None


def _check_name(value: Any, reasons: list[str]) -> str | None:
    if not isinstance(value, str):
        reasons.append("name must be a string")
        return None
    name = value.strip()
    if not name:
        reasons.append("name must not be empty")
    elif len(name) > NAME_MAX:
        reasons.append(f"name must be at most {NAME_MAX} characters")
    return name


def _check_price(value: Any, reasons: list[str]) -> str | None:
    # parse_json yields Decimal for every JSON number; `true` stays a bool.
    if not isinstance(value, Decimal):
        reasons.append("price must be a number")
        return None
    price = value
    if price < 0:
        reasons.append("price must be >= 0")
        return None
    if price > PRICE_MAX:
        reasons.append(f"price must be <= {PRICE_MAX}")
        return None
    with decimal.localcontext() as ctx:
        ctx.prec = 28
        cents = price.quantize(CENT)
    if cents != price:
        reasons.append("price must have at most 2 decimal places")
        return None
    # Adding 0 drops the sign of -0 so it normalises to "0.00".
    return f"{cents + 0:.2f}"


def _check_currency(value: Any, reasons: list[str]) -> str | None:
    if not isinstance(value, str):
        reasons.append("currency must be a string")
        return None
    code = value.strip().upper()
    if code not in CURRENCY_CODES:
        reasons.append("currency must be a 3-letter ISO 4217 code")
    return code


def _check_tags(value: Any, reasons: list[str]) -> list[str] | None:
    if not isinstance(value, list):
        reasons.append("tags must be a list of strings")
        return None
    if len(value) > TAGS_MAX:
        # Skip per-element checks so the reasons list stays bounded.
        reasons.append(f"tags must contain at most {TAGS_MAX} entries")
        return None
    tags: list[str] = []
    for index, tag in enumerate(value):
        if not isinstance(tag, str):
            reasons.append(f"tags[{index}] must be a string")
            continue
        tag = tag.strip().lower()
        if not tag:
            reasons.append(f"tags[{index}] must not be empty")
        elif len(tag) > TAG_MAX_LEN:
            reasons.append(f"tags[{index}] must be at most {TAG_MAX_LEN} characters")
        elif tag not in tags:  # dedupe, keeping first-seen order
            tags.append(tag)
    return tags


def parse_item(text: str | None) -> dict:
    """Parse and validate a create-item body; raise BadRequest on any problem."""
    data = parse_json(text)
    if not isinstance(data, dict):
        raise BadRequest("invalid request body", ["body must be a JSON object"])
    reasons: list[str] = []
    for field in sorted(set(data) - set(ALLOWED_FIELDS)):
        reasons.append(f"unknown field {field!r}")
    item: dict[str, Any] = {}
    for field in ("name", "price"):
        if field not in data:
            reasons.append(f"{field} is required")
    if "name" in data:
        item["name"] = _check_name(data["name"], reasons)
    if "price" in data:
        item["price"] = _check_price(data["price"], reasons)
    item["currency"] = (_check_currency(data["currency"], reasons)
                        if "currency" in data else DEFAULT_CURRENCY)
    item["tags"] = _check_tags(data["tags"], reasons) if "tags" in data else []
    if reasons:
        raise BadRequest("validation failed", reasons)
    return item
