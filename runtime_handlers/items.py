"""``/items`` API: Lambda handler behind API Gateway REST (v1) proxy integration.

Routes (``event["resource"]`` + ``event["httpMethod"]``, falling back to
``event["path"]`` when the resource is not one of ours, e.g. ``/{proxy+}``):

* ``GET /items``       -> 200 ``{"items": [...], "next"?: token}``; query
  ``limit`` (1..100, default 50), ``tag`` and ``next`` (the token from the
  previous page); ``next`` is in the response only when more items exist.
  Invalid query -> 400 ``{"error", "reasons"}``.
* ``GET /items/{id}``  -> 200 item, or 404 ``{"error"}``.
* ``POST /items``      -> 201 normalised item + ``Location``; 400
  ``{"error", "reasons"}`` listing every problem (see :mod:`.validation`);
  409 ``{"error": "item already exists"}`` if the generated id is taken.
* other method on a known resource -> 405 with ``Allow``; unknown path -> 404.

Items live in the DynamoDB table named by ``TABLE_ITEMS`` (see
:mod:`._item_table`). Without it every storage route is a generic 500
logged with ``error_type: ConfigurationError``; invalid requests are still
400s, since they are the client's to fix whatever the configuration.

Listing is a Scan in the table's (unspecified but stable) key order. With
``tag`` the Scan's Limit applies before its filter, so one request may make
several Scan calls until ``limit`` matches are found or the table ends; a
rare tag on a large table therefore costs a long scan (a tag index would be
the remedy once that matters).
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Callable, Mapping

from . import _item_table as table
from ._http import (BadRequest, body_text, endpoint, error_response, json_response,
                    method_not_allowed, method_of, path_params, query_params)
from .validation import parse_item

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_LIMIT_RE = re.compile(r"[0-9]{1,4}")  # bounded so int() never sees huge input
_ITEM_PATH_RE = re.compile(r"/items/([^/]+)")

Route = Callable[[Mapping[str, Any], str | None], dict]


def _new_id() -> str:
    return f"itm-{uuid.uuid4().hex}"


def list_items(event: Mapping[str, Any], _item_id: str | None) -> dict:
    params = query_params(event)
    reasons: list[str] = []
    limit = DEFAULT_LIMIT
    raw_limit = params.get("limit")
    if raw_limit is not None:
        if _LIMIT_RE.fullmatch(raw_limit) and 1 <= int(raw_limit) <= MAX_LIMIT:
            limit = int(raw_limit)
        else:
            reasons.append(f"limit must be an integer between 1 and {MAX_LIMIT}")
    tag = params.get("tag")
    if tag is not None:
        tag = tag.strip().lower()  # tags are stored lower-cased
        if not tag:
            reasons.append("tag must not be empty")
    start = None
    token = params.get("next")
    if token is not None:
        try:
            start = table.decode_token(token)
        except table.InvalidToken:
            reasons.append("next must be a token returned by a previous page")
    if reasons:
        return error_response(400, "invalid query parameters", reasons)
    found, next_token = table.list_page(limit, tag, start)
    payload: dict[str, Any] = {"items": found}
    if next_token is not None:
        payload["next"] = next_token
    return json_response(200, payload)


def get_item(_event: Mapping[str, Any], item_id: str | None) -> dict:
    item = table.get(item_id) if item_id else None
    if item is None:
        return error_response(404, f"item {item_id!r} not found")
    return json_response(200, item)


def create_item(event: Mapping[str, Any], _item_id: str | None) -> dict:
    try:
        fields = parse_item(body_text(event))
    except BadRequest as exc:
        return error_response(400, exc.message, exc.reasons)
    item = {"id": _new_id(), **fields}
    try:
        table.put_new(item)
    except table.AlreadyExists:
        # A uuid4 collision is practically impossible; reaching this means the
        # id source is broken, and overwriting someone's item would be worse.
        return error_response(409, "item already exists")
    return json_response(201, item, {"Location": _location(event, item["id"])})


def _location(event: Mapping[str, Any], item_id: str) -> str:
    # requestContext.path is the path as the client called it, including the
    # stage ("/prod/items"); event["path"] lacks the stage, so a Location built
    # from it would point outside the API on execute-api URLs.
    ctx = event.get("requestContext") or {}
    base = ctx.get("path") or event.get("path") or "/items"
    return f"{base.rstrip('/')}/{item_id}"


# Ordered so the Allow header lists methods predictably.
ROUTES: dict[str, dict[str, Route]] = {
    "/items": {"GET": list_items, "POST": create_item},
    "/items/{id}": {"GET": get_item},
}


def _resolve(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Return (resource template, item id) or (None, None) for unknown paths."""
    resource = event.get("resource")
    if resource in ROUTES:
        return resource, path_params(event).get("id")
    path = (event.get("path") or "").rstrip("/") or "/"
    if path == "/items":
        return "/items", None
    match = _ITEM_PATH_RE.fullmatch(path)
    if match:
        return "/items/{id}", match.group(1)
    return None, None


@endpoint
def handler(event: Mapping[str, Any], context: Any) -> dict:
    resource, item_id = _resolve(event)
    if resource is None:
        return error_response(404, "not found")
    method = method_of(event)
    route = ROUTES[resource].get(method)
    if route is None:
        return method_not_allowed(method, ROUTES[resource])
    return route(event, item_id)
