"""runtime_handlers behaviour that mutation testing (bench/mutation.py) found unpinned.

Each docstring says what a test pins down and why; the expected values come from HTTP and AWS
documentation or the handlers' documented contract, never from running the code under test.
"""
from __future__ import annotations

import json

import pytest

from runtime_handlers import _cors, _item_table, items, secrets
from runtime_handlers._http import BadRequest
from runtime_handlers.validation import parse_json

try:  # works whether or not tests/ is a package
    from tests.handler_events import FakeLambdaContext, rest_event
except ImportError:  # pragma: no cover - depends on how pytest was started
    from handler_events import FakeLambdaContext, rest_event

APP = "https://app.example.com"
OTHER = "https://other.example.com"


# --- _cors.request_origin: the single-value `headers` map --------------------------------------

@pytest.mark.parametrize("name", ["Origin", "origin", "ORIGIN"])
def test_the_origin_is_read_from_the_single_value_headers_in_any_letter_case(name):
    """API Gateway's proxy event may carry `headers` without `multiValueHeaders` (None); HTTP
    header names are case-insensitive (RFC 9110, 5.1). Kills: `headers` not read (None, another
    key) and the name compared as upper case or with a different literal."""
    event = {"headers": {name: APP}, "multiValueHeaders": None}
    assert _cors.request_origin(event) == APP


def test_the_single_value_origin_wins_over_the_multi_value_one():
    """The documented choice: `headers` (the last value of a repeated header) wins."""
    event = {"headers": {"Origin": APP}, "multiValueHeaders": {"Origin": [OTHER]}}
    assert _cors.request_origin(event) == APP


# --- _cors.apply: merging into a Vary the handler set ------------------------------------------

def test_a_vary_list_without_spaces_that_already_names_origin_is_left_alone():
    """RFC 9110 list syntax: `Vary: Accept-Encoding,Origin` (no space after the comma) already
    names Origin, so no second Origin is appended. Kills splitting the list on whitespace."""
    policy = _cors.Policy(any_origin=False, origins=frozenset({APP}), credentials=False, expose="")
    response = {"statusCode": 200, "headers": {"Vary": "Accept-Encoding,Origin"}, "body": "{}"}
    out = _cors.apply(response, {"headers": {"Origin": APP}}, policy)
    assert out["headers"]["Vary"] == "Accept-Encoding,Origin"
    assert out["headers"]["Access-Control-Allow-Origin"] == APP


# --- _item_table and items: reading one item --------------------------------------------------

def test_get_item_reads_strongly_consistently(monkeypatch):
    """DynamoDB GetItem is eventually consistent unless ConsistentRead is true (DynamoDB API
    reference, GetItem); a client following POST's Location must see the item it just created."""
    calls = []

    class FakeDynamoDB:
        def get_item(self, **params):
            calls.append(params)
            return {}

    monkeypatch.setenv(_item_table.TABLE_ENV, "items-table")
    monkeypatch.setattr(_item_table, "client", lambda service: FakeDynamoDB())
    assert _item_table.get("itm-1") is None
    assert calls == [{"TableName": "items-table", "Key": {"id": {"S": "itm-1"}}, "ConsistentRead": True}]


def test_get_of_an_item_route_without_an_id_is_404_not_500(monkeypatch):
    """A direct invoke (console test event) of GET /items/{id} may carry no pathParameters; the
    documented answer for an item that cannot exist is 404, and storage is not asked."""
    monkeypatch.delenv(_item_table.TABLE_ENV, raising=False)
    monkeypatch.setattr(_item_table, "client", lambda service: pytest.fail("storage must not be called"))
    event = rest_event("GET", "/items/", resource="/items/{id}", path_parameters=None)
    event["pathParameters"] = None
    response = items.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 404
    assert "error" in json.loads(response["body"])


def _stored(n: int) -> dict:
    return {"id": {"S": f"itm-{n}"}, "name": {"S": f"thing {n}"}, "price": {"N": "1"},
            "currency": {"S": "EUR"}, "tags": {"L": []}}


class ScriptedScan:
    """A DynamoDB client whose Scan answers with the given pages in turn, recording each request."""

    def __init__(self, pages):
        self.pages, self.requests = list(pages), []

    def scan(self, **request):
        self.requests.append(dict(request))
        return self.pages.pop(0)


def _scripted(monkeypatch, pages) -> ScriptedScan:
    fake = ScriptedScan(pages)
    monkeypatch.setenv(_item_table.TABLE_ENV, "items-table")
    monkeypatch.setattr(_item_table, "client", lambda service: fake)
    return fake


def test_an_unfiltered_page_asks_for_one_item_more_than_the_limit(monkeypatch):
    """list_page's contract: "one match beyond limit is fetched to find out" whether a next page
    exists, no more (a Scan bills what it reads). Kills limit + 2 and the filtered page size
    used without a tag."""
    fake = _scripted(monkeypatch, [{"Items": [_stored(n) for n in range(4)], "LastEvaluatedKey": {"id": {"S": "itm-3"}}}])
    found, token = _item_table.list_page(3, None, None)
    assert [item["id"] for item in found] == ["itm-0", "itm-1", "itm-2"] and token is not None
    assert [request["Limit"] for request in fake.requests] == [4]


def test_a_scan_page_cut_short_asks_only_for_the_items_still_missing(monkeypatch):
    """A Scan page can end early at 1 MB with a LastEvaluatedKey (DynamoDB developer guide,
    "Paginating table scan results"); the next call asks for the rest: limit + 1 - already found."""
    fake = _scripted(monkeypatch, [
        {"Items": [_stored(0)], "LastEvaluatedKey": {"id": {"S": "itm-0"}}},
        {"Items": [_stored(1), _stored(2)]},
    ])
    found, token = _item_table.list_page(3, None, None)
    assert [item["id"] for item in found] == ["itm-0", "itm-1", "itm-2"] and token is None
    assert [request["Limit"] for request in fake.requests] == [4, 3]
    assert fake.requests[1]["ExclusiveStartKey"] == {"id": {"S": "itm-0"}}


@pytest.mark.parametrize("limit", ["1", "100"])
def test_the_documented_limit_bounds_are_both_accepted(monkeypatch, limit):
    """GET /items takes `limit` in 1..100 (the handler module's documented contract):
    both ends are valid and ask storage for one item more (kills `< 100`)."""
    fake = _scripted(monkeypatch, [{"Items": []}])
    response = items.handler(rest_event("GET", "/items", query={"limit": limit}), FakeLambdaContext())
    assert response["statusCode"] == 200, response["body"]
    assert [request["Limit"] for request in fake.requests] == [int(limit) + 1]


# --- secrets: cache lifetime and exceptions ----------------------------------------------------

@pytest.fixture
def one_secret(monkeypatch):
    """payment_api_key at an SSM location; fetches counted, the clock under the test's control."""
    fetches, now = [], [1000.0]
    monkeypatch.setenv("SECRET_PAYMENT_API_KEY", "/orders/payment-api-key")
    monkeypatch.setattr(secrets, "_now", lambda: now[0])
    monkeypatch.setattr(secrets, "_fetch", lambda name, location: fetches.append(location) or "v1")
    secrets.clear_cache()
    yield fetches, now
    secrets.clear_cache()


def test_a_one_second_ttl_still_caches_for_that_second(one_secret, monkeypatch):
    """SECRETS_CACHE_TTL_S is a number of seconds >= 0 and 0 alone disables the cache: 1 s (and
    0.5 s) keep the value for that long. Kills `ttl > 1`."""
    fetches, now = one_secret
    for ttl, later in (("1", 0.9), ("0.5", 0.4)):
        secrets.clear_cache()
        fetches.clear()
        monkeypatch.setenv(secrets.TTL_ENV, ttl)
        assert secrets.get_secret("payment_api_key") == "v1"
        now[0] += later
        assert secrets.get_secret("payment_api_key") == "v1"
        assert len(fetches) == 1, ttl
        now[0] += 1.0
        secrets.get_secret("payment_api_key")
        assert len(fetches) == 2, ttl


def test_unknown_secret_is_a_key_error_whose_key_is_the_secret_name(monkeypatch):
    """UnknownSecret subclasses KeyError, whose convention is args[0] == the missing key; callers
    catching KeyError see the secret's name."""
    monkeypatch.delenv("SECRET_PAYMENT_API_KEY", raising=False)
    with pytest.raises(KeyError) as caught:
        secrets.get_secret("payment_api_key")
    assert caught.value.args[0] == "payment_api_key"
    assert "SECRET_PAYMENT_API_KEY" in str(caught.value)


@pytest.mark.parametrize("location", ["arn:aws", "arn", "/orders/key"])
def test_a_location_too_short_for_an_arn_is_not_secrets_manager_and_does_not_raise(location):
    """An ARN is arn:partition:service:... (AWS General Reference, ARN format); a location with
    fewer than three fields names no service and is read as an SSM parameter name."""
    assert secrets.is_secrets_manager(location) is False


# --- validation: the reason given for NaN / Infinity -------------------------------------------

@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_json_constant_is_named_in_the_400_reason(constant):
    """RFC 8259 has no NaN or Infinity; the 400's reason tells the client which token it sent."""
    with pytest.raises(BadRequest) as caught:
        parse_json('{"price": %s}' % constant)
    assert caught.value.message == "invalid JSON"
    assert any(constant in reason for reason in caught.value.reasons), caught.value.reasons
