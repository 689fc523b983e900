"""Behaviour of runtime_handlers.items.handler against realistic REST proxy events."""
from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from runtime_handlers import catalogue, items

try:  # works whether or not tests/ is a package
    from tests.handler_events import FakeLambdaContext, json_body, log_lines, rest_event
except ImportError:  # pragma: no cover - depends on how pytest was started
    from handler_events import FakeLambdaContext, json_body, log_lines, rest_event

KNOWN_ID = "itm-ceramic-mug"
ITEM_ID_RE = re.compile(r"itm-[0-9a-f]{32}")


def call(event, context=None):
    return items.handler(event, context or FakeLambdaContext())


def get_items(**query):
    return call(rest_event("GET", "/items", query=query or None))


def get_item(item_id):
    return call(rest_event("GET", f"/items/{item_id}", resource="/items/{id}",
                           path_parameters={"id": item_id}))


def post_items(body, **kwargs):
    return call(rest_event("POST", "/items", body=body, **kwargs))


VALID_BODY = {"name": "  Travel Mug  ", "price": 19.9, "currency": "gbp",
              "tags": ["Coffee", "travel", "coffee", " TRAVEL "]}


# --- GET /items --------------------------------------------------------------

def test_list_items_returns_the_whole_catalogue_in_order():
    response = get_items()
    assert response["statusCode"] == 200
    body = json_body(response)
    assert [i["id"] for i in body["items"]] == [i["id"] for i in catalogue.ITEMS]
    assert len(body["items"]) == 5
    assert all(isinstance(i["price"], str) for i in body["items"])


def test_list_items_filters_by_tag_case_insensitively():
    body = json_body(get_items(tag=" Equipment "))
    assert [i["id"] for i in body["items"]] == ["itm-pour-over-kettle", "itm-burr-grinder"]


def test_list_items_with_unmatched_tag_returns_an_empty_list():
    response = get_items(tag="nonexistent")
    assert response["statusCode"] == 200
    assert json_body(response) == {"items": []}


def test_list_items_honours_limit_after_filtering():
    body = json_body(get_items(tag="coffee", limit="2"))
    assert [i["id"] for i in body["items"]] == ["itm-espresso-beans-1kg", "itm-pour-over-kettle"]


def test_repeated_limit_uses_the_last_value_like_api_gateway():
    body = json_body(get_items(limit=["100", "1"]))
    assert len(body["items"]) == 1


@pytest.mark.parametrize("limit", ["0", "101", "abc", "1.5", "-1", "", " 5", "99999999"])
def test_invalid_limit_returns_400_with_a_limit_reason(limit):
    response = get_items(limit=limit)
    assert response["statusCode"] == 400
    body = json_body(response)
    assert body["error"] == "invalid query parameters"
    assert body["reasons"] == ["limit must be an integer between 1 and 100"]


def test_bad_limit_and_empty_tag_are_reported_together():
    body = json_body(get_items(limit="0", tag="  "))
    assert body["reasons"] == ["limit must be an integer between 1 and 100",
                               "tag must not be empty"]


# --- GET /items/{id} -----------------------------------------------------------

def test_get_known_item_returns_200_with_the_item():
    response = get_item(KNOWN_ID)
    assert response["statusCode"] == 200
    assert json_body(response) == {"id": KNOWN_ID, "name": "Ceramic Mug 350 ml",
                                   "price": "12.50", "currency": "EUR", "tags": ["tableware"]}


def test_get_unknown_item_returns_404_with_json_error():
    response = get_item("itm-does-not-exist")
    assert response["statusCode"] == 404
    assert json_body(response) == {"error": "item 'itm-does-not-exist' not found"}


@pytest.mark.parametrize("path", [f"/items/{KNOWN_ID}", f"/items/{KNOWN_ID}/"])
def test_routing_falls_back_to_path_behind_a_greedy_proxy_resource(path):
    event = rest_event("GET", path, resource="/{proxy+}", path_parameters={"proxy": path[1:]})
    response = call(event)
    assert response["statusCode"] == 200
    assert json_body(response)["id"] == KNOWN_ID


# --- POST /items ---------------------------------------------------------------

def test_post_valid_item_returns_201_with_normalised_item_and_location():
    response = post_items(VALID_BODY)
    assert response["statusCode"] == 201
    body = json_body(response)
    assert ITEM_ID_RE.fullmatch(body.pop("id"))
    assert body == {"name": "Travel Mug", "price": "19.90", "currency": "GBP",
                    "tags": ["coffee", "travel"]}
    item_id = json_body(response)["id"]
    # Location carries the stage so it resolves on the execute-api URL.
    assert response["headers"]["Location"] == f"/prod/items/{item_id}"


def test_post_generates_a_fresh_id_each_time():
    ids = {json_body(post_items(VALID_BODY))["id"] for _ in range(3)}
    assert len(ids) == 3


def test_post_defaults_currency_to_usd_and_tags_to_empty():
    body = json_body(post_items({"name": "Filter Papers", "price": 4}))
    assert (body["price"], body["currency"], body["tags"]) == ("4.00", "USD", [])


@pytest.mark.parametrize("raw_price, expected", [
    ("0", "0.00"), ("-0", "0.00"), ("0.1", "0.10"), ("1.5", "1.50"),
    ("1.500", "1.50"), ("1e2", "100.00"), ("999999999.99", "999999999.99"),
])
def test_post_price_is_parsed_exactly_and_rendered_with_two_decimals(raw_price, expected):
    response = post_items(f'{{"name": "Thing", "price": {raw_price}}}')
    assert response["statusCode"] == 201
    assert json_body(response)["price"] == expected


@pytest.mark.parametrize("raw_price, reason", [
    ("1.005", "price must have at most 2 decimal places"),
    ("0.30000000000000004", "price must have at most 2 decimal places"),
    ("1e-999999", "price must have at most 2 decimal places"),
    ("-0.01", "price must be >= 0"),
    ("1e999999", "price must be <= 1000000000"),
    ('"12.50"', "price must be a number"),
    ("true", "price must be a number"),
    ("null", "price must be a number"),
])
def test_post_invalid_price_returns_400_naming_the_price_rule(raw_price, reason):
    response = post_items(f'{{"name": "Thing", "price": {raw_price}}}')
    assert response["statusCode"] == 400
    assert json_body(response) == {"error": "validation failed", "reasons": [reason]}


def test_post_with_multiple_errors_lists_every_reason():
    body = {"name": "   ", "price": -3, "currency": "dollars",
            "tags": ["ok", 7, "", "x" * 33], "colour": "red", "sku": 1}
    response = post_items(body)
    assert response["statusCode"] == 400
    assert json_body(response) == {"error": "validation failed", "reasons": [
        "unknown field 'colour'",
        "unknown field 'sku'",
        "name must not be empty",
        "price must be >= 0",
        "currency must be a 3-letter ISO 4217 code",
        "tags[1] must be a string",
        "tags[2] must not be empty",
        "tags[3] must be at most 32 characters",
    ]}


def test_post_missing_required_fields_reports_both():
    body = json_body(post_items({"tags": "coffee"}))
    assert body["reasons"] == ["name is required", "price is required",
                               "tags must be a list of strings"]


def test_post_rejects_overlong_name_and_unknown_currency_code():
    body = json_body(post_items({"name": "n" * 101, "price": 1, "currency": "XYZ"}))
    assert body["reasons"] == ["name must be at most 100 characters",
                               "currency must be a 3-letter ISO 4217 code"]


@pytest.mark.parametrize("raw", ['{"name": "x", "price": 1', "not json", '{"price": NaN}',
                                 '{"name": "a", "name": "b", "price": 1}'])
def test_post_invalid_json_returns_400(raw):
    response = post_items(raw)
    assert response["statusCode"] == 400
    body = json_body(response)
    assert body["error"] == "invalid JSON"
    assert len(body["reasons"]) == 1 and body["reasons"][0].startswith("body is not valid JSON")


@pytest.mark.parametrize("raw", ["[]", '"item"', "42", "null"])
def test_post_non_object_json_returns_400(raw):
    response = post_items(raw)
    assert response["statusCode"] == 400
    assert json_body(response) == {"error": "invalid request body",
                                   "reasons": ["body must be a JSON object"]}


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_post_without_body_returns_400(raw):
    response = call(rest_event("POST", "/items", body=raw))
    assert response["statusCode"] == 400
    assert json_body(response)["reasons"] == ["request body is required"]


def test_post_base64_encoded_body_is_decoded():
    raw = json.dumps({"name": "Café Crème", "price": 3.2}).encode("utf-8")
    response = post_items(raw, base64_body=True)
    assert response["statusCode"] == 201
    assert json_body(response)["name"] == "Café Crème"


@pytest.mark.parametrize("body, reason", [("%%%not-base64%%%", "body is not valid base64"),
                                          (base64.b64encode(b"\xff\xfe").decode(),
                                           "body is not valid UTF-8")])
def test_post_undecodable_base64_body_returns_400(body, reason):
    event = rest_event("POST", "/items", body=body)
    event["isBase64Encoded"] = True
    response = call(event)
    assert response["statusCode"] == 400
    assert json_body(response)["reasons"] == [reason]


def test_created_item_is_not_persisted_yet():
    item_id = json_body(post_items(VALID_BODY))["id"]
    assert get_item(item_id)["statusCode"] == 404


# --- method / path errors ------------------------------------------------------

@pytest.mark.parametrize("method, path, resource, allow", [
    ("DELETE", "/items", "/items", "GET, POST"),
    ("PUT", "/items", "/items", "GET, POST"),
    ("DELETE", f"/items/{KNOWN_ID}", "/items/{id}", "GET"),
    ("POST", f"/items/{KNOWN_ID}", "/items/{id}", "GET"),
])
def test_unsupported_method_on_known_resource_returns_405_with_allow(method, path, resource, allow):
    event = rest_event(method, path, resource=resource, path_parameters=(
        {"id": KNOWN_ID} if "{id}" in resource else None))
    response = call(event)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == allow
    assert json_body(response) == {"error": f"method {method} not allowed"}


@pytest.mark.parametrize("path", ["/", "/orders", "/items/a/b", "/itemsx"])
def test_unknown_path_returns_404(path):
    response = call(rest_event("GET", path, resource="/{proxy+}"))
    assert response["statusCode"] == 404
    assert json_body(response) == {"error": "not found"}


# --- logging and failure boundary ----------------------------------------------

def test_each_request_logs_exactly_one_json_line_with_required_fields(capsys):
    context = FakeLambdaContext(aws_request_id="req-123")
    capsys.readouterr()
    response = call(rest_event("GET", "/items/nope", resource="/items/{id}",
                               path_parameters={"id": "nope"}), context)
    [record] = log_lines(capsys.readouterr().out)
    assert record["level"] == "INFO"
    assert record["request_id"] == "req-123"
    assert (record["method"], record["path"]) == ("GET", "/items/nope")
    assert record["status"] == response["statusCode"] == 404
    assert isinstance(record["latency_ms"], float) and record["latency_ms"] >= 0
    assert "error_type" not in record


def test_log_uses_api_gateway_request_id_when_context_has_none(capsys):
    event = rest_event("GET", "/items", request_id="apigw-req-9")
    capsys.readouterr()
    items.handler(event, None)
    [record] = log_lines(capsys.readouterr().out)
    assert record["request_id"] == "apigw-req-9"


def test_unhandled_exception_returns_generic_500_and_logs_error(monkeypatch, capsys):
    def explode(event, item_id):
        raise KeyError("secret-internal-detail")

    monkeypatch.setitem(items.ROUTES["/items"], "GET", explode)
    capsys.readouterr()
    response = get_items()
    assert response["statusCode"] == 500
    assert json_body(response) == {"error": "internal server error"}
    assert "secret-internal-detail" not in response["body"]
    [record] = log_lines(capsys.readouterr().out)
    assert record["level"] == "ERROR"
    assert record["status"] == 500
    assert record["error_type"] == "KeyError"
    assert "secret-internal-detail" in record["traceback"]


# --- property ------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=20)
                | st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=8), children, max_size=4),
                           max_leaves=12)
# Objects with the real field names (required ones always present) so the
# 201 path is exercised, not just the many ways to get a 400.
item_like = st.fixed_dictionaries({
    "name": st.from_regex(r"[A-Za-z][A-Za-z ]{0,30}", fullmatch=True) | json_values,
    "price": st.decimals(min_value=0, max_value=10**6, places=2).map(float) | json_values,
}, optional={
    "currency": st.sampled_from(["usd", " EUR ", "GBP", "xyz"]),
    "tags": st.lists(st.text(max_size=40), max_size=5) | json_values,
})


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, item_like))
def test_any_json_body_yields_201_or_400_with_a_json_body(payload):
    response = post_items(json.dumps(payload))
    assert response["statusCode"] in (201, 400)
    body = json_body(response)
    if response["statusCode"] == 201:
        assert set(body) == {"id", "name", "price", "currency", "tags"}
    else:
        assert body["error"] and body["reasons"]
