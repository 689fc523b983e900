"""``/items`` API: Lambda handler behind API Gateway REST (v1) proxy integration.

Routes (``event["resource"]`` + ``event["httpMethod"]``, falling back to
``event["path"]`` when the resource is not one of ours, e.g. ``/{proxy+}``):

* ``GET /items``       -> 200 ``{"items": [...]}``; query ``limit`` (1..100,
  default 50) and ``tag``; invalid query -> 400 ``{"error", "reasons"}``.
* ``GET /items/{id}``  -> 200 item, or 404 ``{"error"}``.
* ``POST /items``      -> 201 normalised item + ``Location``; 400
  ``{"error", "reasons"}`` listing every problem (see :mod:`.validation`).
  NOTHING IS STORED YET: persistence arrives later, so the created item is
  echoed back but will not appear in later GETs.
* other method on a known resource -> 405 with ``Allow``; unknown path -> 404.

Items are served from the read-only catalogue in :mod:`.catalogue`.
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Callable, Mapping

from . import catalogue
from ._http import (BadRequest, body_text, endpoint, error_response, json_response,
                    method_not_allowed, method_of, path_params, query_params)
from .validation import parse_item

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_LIMIT_RE = re.compile(r"[0-9]{1,4}")  # bounded so int() never sees huge input
_ITEM_PATH_RE = re.compile(r"/items/([^/]+)")

Route = Callable[[Mapping[str, Any], str | None], dict]


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
    if reasons:
        return error_response(400, "invalid query parameters", reasons)
    items = [item for item in catalogue.ITEMS if tag is None or tag in item["tags"]]
    return json_response(200, {"items": items[:limit]})


def get_item(_event: Mapping[str, Any], item_id: str | None) -> dict:
    item = catalogue.BY_ID.get(item_id) if item_id else None
    if item is None:
        return error_response(404, f"item {item_id!r} not found")
    return json_response(200, item)


def create_item(event: Mapping[str, Any], _item_id: str | None) -> dict:
    try:
        fields = parse_item(body_text(event))
    except BadRequest as exc:
        return error_response(400, exc.message, exc.reasons)
    item = {"id": f"itm-{uuid.uuid4().hex}", **fields}
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
