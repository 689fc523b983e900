"""Behaviour of runtime_handlers.items.handler against realistic REST proxy events.

Every test runs inside moto's ``mock_aws()`` with the items table created
(partition key ``id``, type S), ``TABLE_ITEMS`` set and the handler's cached
clients reset, so no test can reach real AWS or see another test's items.
"""
from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from runtime_handlers import _aws, _item_table, items

try:  # works whether or not tests/ is a package
    from tests.handler_events import FakeLambdaContext, json_body, log_lines, moto_items_table, rest_event
except ImportError:  # pragma: no cover - depends on how pytest was started
    from handler_events import FakeLambdaContext, json_body, log_lines, moto_items_table, rest_event

REGION = "eu-west-1"
TABLE = "app-items-test"
KNOWN_ID = "itm-ceramic-mug"
ITEM_ID_RE = re.compile(r"itm-[0-9a-f]{32}")
INVALID_NEXT = "next must be a token returned by a previous page"

# Prices are written the way DynamoDB returns numbers (canonical form: no
# trailing zeros), so reading them back proves the handler restores "24.90".
SEED = [
    ("itm-espresso-beans-1kg", "Espresso Beans 1 kg", "24.9", "EUR", ["coffee", "beans", "bestseller"]),
    ("itm-pour-over-kettle", "Gooseneck Pour-Over Kettle", "59", "EUR", ["coffee", "equipment"]),
    ("itm-ceramic-mug", "Ceramic Mug 350 ml", "12.5", "EUR", ["tableware"]),
    ("itm-green-tea-sencha", "Sencha Green Tea 100 g", "8.75", "EUR", ["tea", "bestseller"]),
    ("itm-burr-grinder", "Conical Burr Grinder", "149", "EUR", ["coffee", "equipment", "electric"]),
]


@pytest.fixture(autouse=True)
def table(monkeypatch):
    """A fresh moto DynamoDB table named by TABLE_ITEMS; yields a boto3 client for arranging/asserting."""
    with moto_items_table(monkeypatch, TABLE, REGION) as client:
        yield client


def store(client, item_id, name="Thing", price="1", currency="EUR", tags=()):
    client.put_item(TableName=TABLE, Item={
        "id": {"S": item_id}, "name": {"S": name}, "price": {"N": price},
        "currency": {"S": currency}, "tags": {"L": [{"S": t} for t in tags]}})


@pytest.fixture
def seeded(table):
    for row in SEED:
        store(table, *row)
    return table


def count_calls(operation):
    """Count the handler's DynamoDB calls of ``operation`` (e.g. "Scan") from now on."""
    calls = []
    _aws.client("dynamodb").meta.events.register(
        f"provide-client-params.dynamodb.{operation}",
        lambda params, **_: calls.append(dict(params)))
    return calls


def call(event, context=None):
    return items.handler(event, context or FakeLambdaContext())


def get_items(**query):
    return call(rest_event("GET", "/items", query=query or None))


def get_item(item_id):
    return call(rest_event("GET", f"/items/{item_id}", resource="/items/{id}",
                           path_parameters={"id": item_id}))


def post_items(body, **kwargs):
    return call(rest_event("POST", "/items", body=body, **kwargs))


def walk(**query):
    """Follow ``next`` from the first page to the last; return every page's body."""
    pages = [json_body(get_items(**query))]
    while "next" in pages[-1]:
        assert len(pages) <= 20, "pagination does not terminate"
        pages.append(json_body(get_items(**query, next=pages[-1]["next"])))
    return pages


def ids(page):
    return [item["id"] for item in page["items"]]


VALID_BODY = {"name": "  Travel Mug  ", "price": 19.9, "currency": "gbp",
              "tags": ["Coffee", "travel", "coffee", " TRAVEL "]}


# --- GET /items --------------------------------------------------------------

def test_list_items_returns_every_stored_item_with_two_decimal_prices(seeded):
    response = get_items()
    assert response["statusCode"] == 200
    body = json_body(response)
    assert list(body) == ["items"]  # no "next": nothing more to read
    assert sorted(ids(body)) == sorted(row[0] for row in SEED)
    prices = {item["id"]: item["price"] for item in body["items"]}
    assert prices == {"itm-espresso-beans-1kg": "24.90", "itm-pour-over-kettle": "59.00",
                      "itm-ceramic-mug": "12.50", "itm-green-tea-sencha": "8.75",
                      "itm-burr-grinder": "149.00"}


def test_list_items_on_an_empty_table_returns_an_empty_list_without_next():
    response = get_items()
    assert response["statusCode"] == 200
    assert json_body(response) == {"items": []}


def test_list_items_filters_by_tag_case_insensitively(seeded):
    body = json_body(get_items(tag=" Equipment "))
    assert sorted(ids(body)) == ["itm-burr-grinder", "itm-pour-over-kettle"]
    assert "next" not in body


def test_list_items_with_unmatched_tag_returns_an_empty_list(seeded):
    response = get_items(tag="nonexistent")
    assert response["statusCode"] == 200
    assert json_body(response) == {"items": []}


def test_list_items_honours_limit_after_filtering_and_the_next_page_holds_the_rest(seeded):
    first, second = walk(tag="coffee", limit="2")
    assert len(first["items"]) == 2 and "next" in first
    assert len(second["items"]) == 1 and "next" not in second
    assert sorted(ids(first) + ids(second)) == [
        "itm-burr-grinder", "itm-espresso-beans-1kg", "itm-pour-over-kettle"]


def test_repeated_limit_uses_the_last_value_like_api_gateway(seeded):
    body = json_body(get_items(limit=["100", "1"]))
    assert len(body["items"]) == 1


@pytest.mark.parametrize("limit", ["0", "101", "abc", "1.5", "-1", "", " 5", "99999999"])
def test_invalid_limit_returns_400_with_a_limit_reason(limit):
    response = get_items(limit=limit)
    assert response["statusCode"] == 400
    body = json_body(response)
    assert body["error"] == "invalid query parameters"
    assert body["reasons"] == ["limit must be an integer between 1 and 100"]


def test_bad_limit_empty_tag_and_bad_next_are_reported_together():
    body = json_body(get_items(limit="0", tag="  ", next="%%%"))
    assert body["reasons"] == ["limit must be an integer between 1 and 100",
                               "tag must not be empty", INVALID_NEXT]


# --- pagination ----------------------------------------------------------------

def test_listing_pages_through_seven_items_visiting_each_exactly_once(table):
    stored = [f"itm-{n:02d}" for n in range(7)]
    for item_id in stored:
        store(table, item_id)
    pages = walk(limit="3")
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    visited = [item_id for page in pages for item_id in ids(page)]
    assert sorted(visited) == stored and len(set(visited)) == 7
    assert all("next" in page for page in pages[:-1])
    assert "next" not in pages[-1]


def test_next_is_absent_when_the_last_page_is_exactly_full(table):
    for n in range(6):
        store(table, f"itm-{n}")
    pages = walk(limit="3")
    assert [len(page["items"]) for page in pages] == [3, 3]  # no trailing empty page


@pytest.mark.parametrize("limit", ["1", "2", "3", "5"])
def test_filtered_pagination_spanning_several_scan_calls_skips_and_repeats_nothing(
        table, monkeypatch, limit):
    # Tiny scan pages force the "Limit applies before the filter" case: most
    # Scan calls return fewer matches than wanted, some none at all.
    monkeypatch.setattr(_item_table, "FILTERED_SCAN_PAGE", 2)
    tagged = set()
    for n in range(11):
        tags = ["sale"] if n % 3 != 1 else ["full-price"]
        store(table, f"itm-{n:02d}", tags=tags)
        if "sale" in tags:
            tagged.add(f"itm-{n:02d}")
    scans = count_calls("Scan")
    pages = walk(tag="sale", limit=limit)
    visited = [item_id for page in pages for item_id in ids(page)]
    assert sorted(visited) == sorted(tagged)  # each tagged item exactly once
    assert all(len(page["items"]) == int(limit) for page in pages[:-1])
    assert "next" not in pages[-1] and pages[-1]["items"]
    assert len(scans) > len(pages)  # the handler really kept scanning
    assert all(params["Limit"] == 2 for params in scans)


def _token(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2],                                   # truncated: JSON no longer closes
    lambda t: t + "A",                                  # not a whole number of base64 quanta
    lambda t: t.replace(t[3], "+" if t[3] != "+" else "/"),  # outside the URL-safe alphabet
    lambda t: t + "==",                                 # padding is never issued
    lambda t: "A" * 5000,                               # oversized
    lambda t: _token(b"not json"),
    lambda t: _token(b"\xff\xfe"),
    lambda t: _token([]),
    lambda t: _token({"id": {"N": "1"}}),
    lambda t: _token({"id": {"S": ""}}),
    lambda t: _token({"id": {"S": "x" * 2049}}),
    lambda t: _token({"id": {"S": "itm-00"}, "name": {"S": "x"}}),
    lambda t: _token({"id": "itm-00"}),
])
def test_a_tampered_next_token_is_a_400_naming_next(table, tamper):
    for n in range(3):
        store(table, f"itm-{n:02d}")
    genuine = json_body(get_items(limit="1"))["next"]
    assert get_items(limit="1", next=genuine)["statusCode"] == 200
    response = get_items(limit="1", next=tamper(genuine))
    assert response["statusCode"] == 400
    assert json_body(response) == {"error": "invalid query parameters", "reasons": [INVALID_NEXT]}


def test_next_token_is_url_safe_and_carries_no_padding(table):
    for n in range(2):
        store(table, f"itm-{n}??>>")  # bytes that standard base64 would encode as '+' or '/'
    token = json_body(get_items(limit="1"))["next"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    standard = base64.b64encode(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))).decode()
    assert set("+/") & set(standard)  # so the test really exercises the URL-safe alphabet


# --- GET /items/{id} -----------------------------------------------------------

def test_get_known_item_returns_200_with_the_item(seeded):
    response = get_item(KNOWN_ID)
    assert response["statusCode"] == 200
    assert json_body(response) == {"id": KNOWN_ID, "name": "Ceramic Mug 350 ml",
                                   "price": "12.50", "currency": "EUR", "tags": ["tableware"]}


def test_get_unknown_item_returns_404_with_json_error(seeded):
    response = get_item("itm-does-not-exist")
    assert response["statusCode"] == 404
    assert json_body(response) == {"error": "item 'itm-does-not-exist' not found"}


def test_get_of_an_id_too_long_to_be_a_dynamodb_key_is_404_not_500():
    response = get_item("x" * 2049)
    assert response["statusCode"] == 404


@pytest.mark.parametrize("path", [f"/items/{KNOWN_ID}", f"/items/{KNOWN_ID}/"])
def test_routing_falls_back_to_path_behind_a_greedy_proxy_resource(seeded, path):
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



# --- persistence ---------------------------------------------------------------

def test_post_then_get_returns_the_same_item():
    created = post_items(VALID_BODY)
    assert created["statusCode"] == 201
    item = json_body(created)
    fetched = call(rest_event("GET", f"/items/{item['id']}", resource="/{proxy+}"))
    assert fetched["statusCode"] == 200
    assert json_body(fetched) == item


@pytest.mark.parametrize("raw_price", ["0", "-0", "0.1", "1e2", "999999999.99", "12.30"])
def test_post_stores_the_validated_price_as_a_dynamodb_number_and_get_renders_it_identically(
        table, raw_price):
    created = json_body(post_items(f'{{"name": "Thing", "price": {raw_price}}}'))
    stored = table.get_item(TableName=TABLE, Key={"id": {"S": created["id"]}})["Item"]
    assert stored["price"] == {"N": created["price"]}  # a number, exactly as validated
    assert json_body(get_item(created["id"]))["price"] == created["price"]


def test_posted_items_appear_in_the_listing():
    posted = {json_body(post_items({"name": f"Thing {n}", "price": n}))["id"] for n in range(3)}
    assert set(ids(json_body(get_items()))) == posted


def test_a_duplicate_id_is_refused_with_409_and_the_stored_item_is_kept(table, monkeypatch):
    store(table, "itm-taken", name="Original", price="5")
    monkeypatch.setattr(items, "_new_id", lambda: "itm-taken")
    response = post_items({"name": "Intruder", "price": 1})
    assert response["statusCode"] == 409
    assert json_body(response) == {"error": "item already exists"}
    assert "Location" not in response["headers"]
    assert json_body(get_item("itm-taken"))["name"] == "Original"


# --- configuration -------------------------------------------------------------

@pytest.mark.parametrize("method, path, resource, body", [
    ("GET", "/items", "/items", None),
    ("GET", "/items/itm-x", "/items/{id}", None),
    ("POST", "/items", "/items", {"name": "Thing", "price": 1}),
])
def test_missing_table_items_is_a_generic_500_logged_as_a_configuration_error(
        monkeypatch, capsys, method, path, resource, body):
    monkeypatch.delenv("TABLE_ITEMS")
    event = rest_event(method, path, resource=resource, body=body,
                       path_parameters={"id": "itm-x"} if "{id}" in resource else None)
    capsys.readouterr()
    response = call(event)
    assert response["statusCode"] == 500
    assert json_body(response) == {"error": "internal server error"}
    [record] = log_lines(capsys.readouterr().out)
    assert (record["level"], record["status"]) == ("ERROR", 500)
    assert record["error_type"] == "ConfigurationError"
    assert "TABLE_ITEMS" in record["traceback"]


def test_an_invalid_request_is_still_a_400_when_table_items_is_missing(monkeypatch):
    monkeypatch.delenv("TABLE_ITEMS")
    assert post_items({"price": 1})["statusCode"] == 400
    assert get_items(limit="0")["statusCode"] == 400


def test_one_dynamodb_client_is_created_per_container_in_aws_region(monkeypatch):
    # AWS_REGION (set by Lambda) must win over the SDK's AWS_DEFAULT_REGION.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _aws.reset_clients()
    created = []
    real_client = _aws.boto3.client
    monkeypatch.setattr(_aws.boto3, "client",
                        lambda *args, **kwargs: created.append(args) or real_client(*args, **kwargs))
    post_items({"name": "Thing", "price": 1})
    get_items()
    get_item("itm-x")
    assert created == [("dynamodb",)]
    assert _aws.client("dynamodb").meta.region_name == REGION


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


def test_log_lines_never_contain_an_items_name_or_price(capsys):
    name, price = "Zanzibar Velvet Kettle", "4321.98"
    capsys.readouterr()
    item_id = json_body(post_items(f'{{"name": "{name}", "price": {price}}}'))["id"]
    get_item(item_id)
    get_items()
    out = capsys.readouterr().out
    assert [r["status"] for r in log_lines(out)] == [201, 200, 200]
    assert name not in out and "Zanzibar" not in out
    assert price not in out and "4321" not in out


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


def test_a_dynamodb_failure_is_a_generic_500_without_aws_details(monkeypatch, capsys):
    monkeypatch.setenv("TABLE_ITEMS", "no-such-table")
    capsys.readouterr()
    response = get_items()
    assert response["statusCode"] == 500
    assert json_body(response) == {"error": "internal server error"}
    [record] = log_lines(capsys.readouterr().out)
    assert record["error_type"] == "ResourceNotFoundException"


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


# The autouse table fixture is created once for all examples, which is harmless
# here: each example only adds an item under a fresh id and reads nothing back.
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(json_values, item_like))
def test_any_json_body_yields_201_or_400_with_a_json_body(payload):
    response = post_items(json.dumps(payload))
    assert response["statusCode"] in (201, 400)
    body = json_body(response)
    if response["statusCode"] == 201:
        assert set(body) == {"id", "name", "price", "currency", "tags"}
    else:
        assert body["error"] and body["reasons"]
