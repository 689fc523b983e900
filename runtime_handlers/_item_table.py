"""DynamoDB access for ``/items``: the table named by ``TABLE_ITEMS``.

Table layout: partition key ``id`` (S), no sort key. Each item holds ``name``
(S), ``price`` (N), ``currency`` (S) and ``tags`` (L of S, lower-cased).

Prices never pass through float. The low-level client carries numbers as
decimal strings, so the price is written as exactly the string validation
produced (``"19.90"``). DynamoDB canonicalises numbers (it returns ``19.9``
and ``0``), so :func:`render` turns the stored number back into the API's
two-decimal string with :class:`~decimal.Decimal`.

Pagination tokens are opaque to clients: URL-safe base64 (unpadded) of the
JSON of a DynamoDB key, ``{"id": {"S": "..."}}``. :func:`decode_token`
accepts only that shape, so a tampered token is a client error rather than
a DynamoDB ValidationException (a 500).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from decimal import Decimal
from typing import Any, Mapping

from ._aws import client, require_env

TABLE_ENV = "TABLE_ITEMS"
# DynamoDB rejects partition keys over 2048 bytes, so such an id can't exist.
MAX_ID_BYTES = 2048
# Items a filtered Scan call evaluates. A Scan's Limit applies BEFORE its
# FilterExpression, so a small Limit on a rare tag means many round trips,
# while a large one reads (and bills) items past the last match we need.
FILTERED_SCAN_PAGE = 200
_MAX_TOKEN_CHARS = 4096  # bounds the work spent decoding a hostile token
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")


class InvalidToken(ValueError):
    """The ``next`` pagination token was not issued by this API."""


class AlreadyExists(Exception):
    """PutItem's condition failed: an item with this id is already stored."""


def _table() -> str:
    return require_env(TABLE_ENV)


def storable_id(item_id: str) -> bool:
    """True if ``item_id`` could be a key of the table (non-empty, UTF-8, <= 2048 bytes)."""
    try:
        size = len(item_id.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates, e.g. from a crafted "\ud800"
        return False
    return 0 < size <= MAX_ID_BYTES


def _to_attributes(item: Mapping[str, Any]) -> dict:
    return {
        "id": {"S": item["id"]},
        "name": {"S": item["name"]},
        "price": {"N": item["price"]},
        "currency": {"S": item["currency"]},
        "tags": {"L": [{"S": tag} for tag in item["tags"]]},
    }


def render(attrs: Mapping[str, Any]) -> dict:
    """Turn stored attributes into the API's item (fixed fields, fixed order)."""
    price = Decimal(attrs["price"]["N"])
    return {
        "id": attrs["id"]["S"],
        "name": attrs["name"]["S"],
        # Validation allows at most 2 decimals, so this only restores zeros.
        "price": f"{price:.2f}",
        "currency": attrs["currency"]["S"],
        "tags": [tag["S"] for tag in attrs["tags"]["L"]],
    }


def put_new(item: Mapping[str, Any]) -> None:
    """Store ``item``; raise AlreadyExists instead of overwriting an existing id."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.put_item(TableName=_table(), Item=_to_attributes(item),
                          ConditionExpression="attribute_not_exists(id)")
    except dynamodb.exceptions.ConditionalCheckFailedException:
        raise AlreadyExists(item["id"]) from None


def get(item_id: str) -> dict | None:
    """Return the rendered item or None when absent."""
    table = _table()  # configuration is checked even for ids that can't exist
    if not storable_id(item_id):
        return None
    # Strongly consistent: a client following POST's Location must see the item.
    found = client("dynamodb").get_item(TableName=table, Key={"id": {"S": item_id}},
                                        ConsistentRead=True)
    attrs = found.get("Item")
    return render(attrs) if attrs else None


def list_page(limit: int, tag: str | None,
              start: dict | None) -> tuple[list[dict], str | None]:
    """Return up to ``limit`` items (with ``tag`` if given) after key ``start``, and the next token.

    ``start`` is None for the first page, else a key from :func:`decode_token`.

    The next token is None exactly when no further matching item exists: one
    match beyond ``limit`` is fetched to find out, and the token is the key of
    the last item RETURNED (not DynamoDB's LastEvaluatedKey, which may lie
    past unreturned matches), so resuming neither skips nor repeats an item.
    """
    table = _table()
    wanted = limit + 1
    request: dict[str, Any] = {"TableName": table}
    if tag is not None:
        request.update(FilterExpression="contains(#tags, :tag)",
                       ExpressionAttributeNames={"#tags": "tags"},
                       ExpressionAttributeValues={":tag": {"S": tag}})
    found: list[dict] = []
    dynamodb = client("dynamodb")
    while True:
        if start is not None:
            request["ExclusiveStartKey"] = start
        request["Limit"] = FILTERED_SCAN_PAGE if tag is not None else wanted - len(found)
        page = dynamodb.scan(**request)
        found.extend(page.get("Items", []))
        # A page may also end early at 1 MB, so "fewer than asked" is no signal:
        # only a missing LastEvaluatedKey means the table has been read to the end.
        start = page.get("LastEvaluatedKey")
        if len(found) >= wanted or start is None:
            break
    more = len(found) > limit
    found = found[:limit]
    next_token = encode_token({"id": found[-1]["id"]}) if more else None
    return [render(attrs) for attrs in found], next_token


def encode_token(key: Mapping[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    # Padding stripped: '=' would need percent-encoding in a query string.
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str) -> dict:
    """Return the ExclusiveStartKey in ``token``; raise InvalidToken for anything else."""
    if len(token) > _MAX_TOKEN_CHARS or not _TOKEN_RE.fullmatch(token):
        raise InvalidToken()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise InvalidToken() from None
    if not (isinstance(key, dict) and list(key) == ["id"]
            and isinstance(key["id"], dict) and list(key["id"]) == ["S"]
            and isinstance(key["id"]["S"], str) and storable_id(key["id"]["S"])):
        raise InvalidToken()
    return {"id": {"S": key["id"]["S"]}}
