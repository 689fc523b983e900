"""CORS headers on real responses of the endpoint-wrapped handlers (items, health).

The CORS variables are cleared before every test, so each test states the
configuration it needs. Items routes that touch storage run against a moto
DynamoDB table (the ``table`` fixture, same set-up as test_handlers_items).
"""
from __future__ import annotations

import pytest

from runtime_handlers import _cors, health, items
from runtime_handlers._http import endpoint, json_response

try:  # works whether or not tests/ is a package
    from tests.handler_events import FakeLambdaContext, json_body, log_lines, moto_items_table, rest_event
except ImportError:  # pragma: no cover - depends on how pytest was started
    from handler_events import FakeLambdaContext, json_body, log_lines, moto_items_table, rest_event

REGION = "eu-west-1"
TABLE = "app-items-cors-test"
APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
BOTH = f"{APP},{ADMIN}"
CORS_HEADERS = {"access-control-allow-origin", "access-control-allow-credentials",
                "access-control-expose-headers", "vary"}


@pytest.fixture(autouse=True)
def no_cors(monkeypatch):
    for name in (_cors.ORIGINS_ENV, _cors.CREDENTIALS_ENV, _cors.EXPOSE_ENV):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def configure(monkeypatch, origins, credentials="false", expose=""):
    monkeypatch.setenv(_cors.ORIGINS_ENV, origins)
    monkeypatch.setenv(_cors.CREDENTIALS_ENV, credentials)
    monkeypatch.setenv(_cors.EXPOSE_ENV, expose)


@pytest.fixture
def table(monkeypatch):
    """A fresh moto DynamoDB table named by TABLE_ITEMS (as in test_handlers_items)."""
    with moto_items_table(monkeypatch, TABLE, REGION) as client:
        yield client


def health_get(origin=None, method="GET", **event_changes):
    event = rest_event(method, "/health", headers={"Origin": origin} if origin else None)
    event.update(event_changes)
    return health.handler(event, FakeLambdaContext(function_name="app-health"))


def items_call(method, path, origin=None, body=None):
    event = rest_event(method, path, body=body, headers={"Origin": origin} if origin else None)
    return items.handler(event, FakeLambdaContext())


def cors_part(response):
    return {k: v for k, v in response["headers"].items() if k.lower() in CORS_HEADERS}


# --- CORS off ------------------------------------------------------------------

@pytest.mark.parametrize("origins", [None, "", " , "])
def test_without_allowed_origins_responses_carry_exactly_the_handlers_headers(
        table, no_cors, origins):
    if origins is not None:
        configure(no_cors, origins, credentials="true", expose="Location")
    assert health_get(APP)["headers"] == {"Content-Type": "application/json",
                                          "Cache-Control": "no-store"}
    assert health_get(APP, method="DELETE")["headers"] == {"Content-Type": "application/json",
                                                           "Allow": "GET, HEAD"}
    assert items_call("GET", "/items", APP)["headers"] == {"Content-Type": "application/json"}
    created = items_call("POST", "/items", APP, body={"name": "Mug", "price": 3})
    assert set(created["headers"]) == {"Content-Type", "Location"}


def test_with_cors_off_the_endpoint_returns_the_handlers_response_object_itself():
    built = json_response(200, {"ok": True})
    assert endpoint(lambda event, context: built)(rest_event("GET", "/x"), None) is built


# --- an origin list ------------------------------------------------------------

@pytest.mark.parametrize("origin", [APP, ADMIN])
def test_a_listed_origin_is_echoed_with_vary_origin(no_cors, origin):
    configure(no_cors, BOTH)
    response = health_get(origin)
    assert cors_part(response) == {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    assert response["headers"]["Cache-Control"] == "no-store"


@pytest.mark.parametrize("origin", [
    "https://evil.example.com",
    "https://app.example.com.evil.example.com",  # prefix match would allow this
    "https://evil.example.com?https://app.example.com",  # substring match would allow this
    "http://app.example.com",                    # other scheme
    "https://app.example.com:8443",              # other port
    "https://app.example.com/",                  # not an origin serialisation
    "https://APP.example.com",                   # matching is exact, as browsers send lower case
    "null",
    "*",
])
def test_an_unlisted_origin_gets_no_allow_origin_but_the_normal_body(no_cors, origin):
    configure(no_cors, BOTH, credentials="true", expose="Location")
    response = health_get(origin)
    assert response["statusCode"] == 200
    assert json_body(response)["status"] == "ok"
    assert cors_part(response) == {"Vary": "Origin"}  # the answer still depends on Origin


def test_a_request_without_origin_gets_vary_but_no_allow_origin(no_cors):
    configure(no_cors, APP)
    assert cors_part(health_get()) == {"Vary": "Origin"}


def test_spaces_around_listed_origins_are_ignored(no_cors):
    configure(no_cors, f" {APP} , ,{ADMIN} ")
    assert health_get(ADMIN)["headers"]["Access-Control-Allow-Origin"] == ADMIN


def test_a_star_inside_a_list_allows_no_extra_origin(no_cors):
    configure(no_cors, f"{APP},*")
    assert "Access-Control-Allow-Origin" not in health_get("https://evil.example.com")["headers"]
    assert health_get(APP)["headers"]["Access-Control-Allow-Origin"] == APP


# --- any origin ----------------------------------------------------------------

@pytest.mark.parametrize("origin", [APP, "https://anyone.example.net", None])
def test_star_without_credentials_gives_star_and_no_vary(no_cors, origin):
    configure(no_cors, "*")
    assert cors_part(health_get(origin)) == {"Access-Control-Allow-Origin": "*"}


def test_star_with_credentials_never_allows_credentials_nor_reflects_the_origin(no_cors):
    configure(no_cors, "*", credentials="true")  # the validator refuses this; fail closed anyway
    assert cors_part(health_get(APP)) == {"Access-Control-Allow-Origin": "*"}


# --- credentials and exposed headers -------------------------------------------

def test_credentials_true_echoes_the_origin_and_allows_credentials(no_cors):
    configure(no_cors, BOTH, credentials="true")
    assert cors_part(health_get(APP)) == {"Access-Control-Allow-Origin": APP, "Vary": "Origin",
                                          "Access-Control-Allow-Credentials": "true"}


@pytest.mark.parametrize("credentials", ["false", "", "yes", "1", "tru"])
def test_any_credentials_value_but_true_allows_no_credentials(no_cors, credentials):
    configure(no_cors, APP, credentials=credentials)
    response = health_get(APP)
    assert response["headers"]["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Credentials" not in response["headers"]


@pytest.mark.parametrize("expose, header", [
    ("Location", "Location"),
    ("Location,X-Request-Id", "Location, X-Request-Id"),
    (" Location , , X-Request-Id ,location", "Location, X-Request-Id"),
])
def test_expose_headers_are_listed_with_an_allowed_origin(no_cors, expose, header):
    configure(no_cors, APP, expose=expose)
    assert health_get(APP)["headers"]["Access-Control-Expose-Headers"] == header
    configure(no_cors, "*", expose=expose)
    assert health_get(APP)["headers"]["Access-Control-Expose-Headers"] == header


def test_an_empty_expose_list_sends_no_expose_header(no_cors):
    configure(no_cors, APP, expose="")
    assert "Access-Control-Expose-Headers" not in health_get(APP)["headers"]


# --- reading the Origin header -------------------------------------------------

def test_a_lower_case_origin_header_is_recognised(no_cors):
    configure(no_cors, APP)
    event = rest_event("GET", "/health", headers={"origin": APP})
    response = health.handler(event, FakeLambdaContext())
    assert response["headers"]["Access-Control-Allow-Origin"] == APP


@pytest.mark.parametrize("name", ["Origin", "origin", "ORIGIN"])
def test_an_event_with_only_multi_value_headers_is_recognised(no_cors, name):
    configure(no_cors, APP)
    response = health_get(headers=None, multiValueHeaders={name: [APP]})
    assert response["headers"]["Access-Control-Allow-Origin"] == APP


def test_the_last_of_repeated_origin_values_counts_like_api_gateway(no_cors):
    configure(no_cors, APP)
    allowed_last = health_get(headers=None, multiValueHeaders={"Origin": ["https://evil.example.com", APP]})
    allowed_first = health_get(headers=None, multiValueHeaders={"Origin": [APP, "https://evil.example.com"]})
    assert allowed_last["headers"]["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Origin" not in allowed_first["headers"]


@pytest.mark.parametrize("changes", [
    {"headers": None, "multiValueHeaders": None},
    {"headers": {}, "multiValueHeaders": {}},
    {"headers": {"Origin": None}, "multiValueHeaders": {"Origin": []}},
    {"headers": ["Origin"], "multiValueHeaders": {"Origin": APP}},
])
def test_absent_or_malformed_header_maps_mean_no_origin(no_cors, changes):
    configure(no_cors, APP)
    response = health_get(**changes)
    assert response["statusCode"] == 200
    assert cors_part(response) == {"Vary": "Origin"}


# --- every response path -------------------------------------------------------

def test_a_405_carries_the_cors_headers(no_cors):
    configure(no_cors, APP, credentials="true", expose="Location")
    for response in (health_get(APP, method="DELETE"), items_call("PUT", "/items", APP)):
        assert response["statusCode"] == 405
        assert cors_part(response) == {"Access-Control-Allow-Origin": APP, "Vary": "Origin",
                                       "Access-Control-Allow-Credentials": "true",
                                       "Access-Control-Expose-Headers": "Location"}
        assert "Allow" in response["headers"]


def test_the_generic_500_carries_the_cors_headers_and_its_log_line_is_unchanged(
        no_cors, capsys):
    def explode(event, item_id):
        raise KeyError("secret-internal-detail")

    no_cors.setitem(items.ROUTES["/items"], "GET", explode)
    capsys.readouterr()
    plain = items_call("GET", "/items", APP)
    configure(no_cors, APP)
    response = items_call("GET", "/items", APP)
    assert response["statusCode"] == 500
    assert json_body(response) == {"error": "internal server error"}
    assert cors_part(response) == {"Access-Control-Allow-Origin": APP, "Vary": "Origin"}
    assert response["body"] == plain["body"]
    without, with_cors = log_lines(capsys.readouterr().out)
    assert set(with_cors) == set(without)
    assert (with_cors["status"], with_cors["error_type"]) == (500, "KeyError")


def test_a_404_and_a_400_carry_the_cors_headers(no_cors):
    configure(no_cors, "*")
    not_found = items_call("GET", "/orders", APP)
    bad = items.handler(rest_event("GET", "/items", query={"limit": "0"},
                                   headers={"Origin": APP}), FakeLambdaContext())
    assert (not_found["statusCode"], bad["statusCode"]) == (404, 400)
    assert not_found["headers"]["Access-Control-Allow-Origin"] == "*"
    assert bad["headers"]["Access-Control-Allow-Origin"] == "*"


def test_post_items_exposes_location_to_the_allowed_origin(table, no_cors):
    configure(no_cors, BOTH, expose="Location")
    response = items_call("POST", "/items", ADMIN, body={"name": "Travel Mug", "price": 19.9})
    assert response["statusCode"] == 201
    item_id = json_body(response)["id"]
    assert response["headers"]["Location"] == f"/prod/items/{item_id}"
    assert cors_part(response) == {"Access-Control-Allow-Origin": ADMIN, "Vary": "Origin",
                                   "Access-Control-Expose-Headers": "Location"}


def test_each_request_still_logs_one_line_with_the_same_fields(table, no_cors, capsys):
    capsys.readouterr()
    items_call("GET", "/items", APP)
    configure(no_cors, APP, credentials="true", expose="Location")
    items_call("GET", "/items", APP)
    without, with_cors = log_lines(capsys.readouterr().out)
    assert set(with_cors) == set(without)
    assert "cors" not in with_cors


# --- merging with what a handler set -------------------------------------------

def _handler_with(headers):
    return endpoint(lambda event, context: json_response(200, {}, headers))


@pytest.mark.parametrize("vary, merged", [
    ({"Vary": "Accept-Encoding"}, {"Vary": "Accept-Encoding, Origin"}),
    ({"vary": "accept-encoding"}, {"vary": "accept-encoding, Origin"}),
    ({"Vary": "Accept-Encoding, origin"}, {"Vary": "Accept-Encoding, origin"}),
    ({"Vary": "*"}, {"Vary": "*"}),
])
def test_vary_origin_merges_into_a_vary_the_handler_set(no_cors, vary, merged):
    configure(no_cors, APP)
    response = _handler_with(vary)(rest_event("GET", "/x"), None)
    assert {k: v for k, v in response["headers"].items() if k.lower() == "vary"} == merged


def test_cors_headers_a_handler_set_are_replaced_by_the_configured_policy(no_cors):
    configure(no_cors, APP)
    handler = _handler_with({"access-control-allow-origin": "*",
                             "Access-Control-Allow-Credentials": "true",
                             "Access-Control-Expose-Headers": "X-Secret"})
    assert cors_part(handler(rest_event("GET", "/x", headers={"Origin": "https://evil.example.com"}),
                             None)) == {"Vary": "Origin"}
    assert cors_part(handler(rest_event("GET", "/x", headers={"Origin": APP}), None)) == {
        "Access-Control-Allow-Origin": APP, "Vary": "Origin"}


# --- configuration is read per request -----------------------------------------

def test_a_changed_environment_takes_effect_on_the_next_request(no_cors):
    configure(no_cors, APP)
    assert health_get(ADMIN)["headers"].get("Access-Control-Allow-Origin") is None
    configure(no_cors, ADMIN)
    assert health_get(ADMIN)["headers"]["Access-Control-Allow-Origin"] == ADMIN
    no_cors.delenv(_cors.ORIGINS_ENV)
    assert cors_part(health_get(ADMIN)) == {}
