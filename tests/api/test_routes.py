"""Routing and the shape of answers: status, the API root, 404, 405, version, the
plain-text error format, JSON 200 bodies, HEAD, and malformed query strings."""

import httpx

from .conftest import assert_error, raw_request

AUTHENTICATED = [
    ("GET", "updates?since=0"),
    ("GET", "records?timerange=0-1"),
    ("PUT", "records"),
    ("GET", "settings"),
    ("PUT", "settings"),
    ("PUT", "forcereset"),
    ("GET", "version"),
    ("GET", "webtoken"),
    ("GET", "apitoken"),
]


def test_status_and_root(api):
    r = httpx.get(api.server.url("status"))
    assert r.status_code == 200 and r.text == "ok"
    r = httpx.get(api.url(""))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert "api" in r.text.lower()
    # Without the trailing slash too.
    assert httpx.get(api.server.url("api/v2")).status_code == 200


def test_unknown_paths_are_404(api):
    for path in ["nope", "records/", "records/x", "updates/1", "v3", "../status"]:
        assert_error(api.get(path), 404, "not found")
    assert_error(httpx.get(api.server.url("api/v3/records")), 404, "not found")
    assert_error(httpx.get(api.server.base + "/elsewhere"), 404, "not found")


def test_wrong_method_is_405(api):
    cases = [
        ("POST", "records"),
        ("DELETE", "records"),
        ("PUT", "updates"),
        ("POST", "settings"),
        ("GET", "forcereset"),
        ("PUT", "version"),
        ("POST", "webtoken"),
        ("PUT", "apitoken"),
        ("GET", "bootstrap_authentication"),
        ("PUT", ""),
    ]
    for method, path in cases:
        r = api.request(method, path)
        assert_error(r, 405, "method not allowed", method)
        assert r.headers["allow"]


def test_404_and_405_come_before_auth(api):
    assert_error(api.get("nope", token="x"), 404)
    assert_error(api.request("POST", "records", token="x"), 405)


def test_every_authenticated_endpoint_needs_a_token(api):
    for method, path in AUTHENTICATED:
        r = httpx.request(method, api.url(path), content=b"[]")
        assert_error(r, 401, "unauthorized", "authtoken")
        r = httpx.request(
            method, api.url(path), content=b"[]", headers={"authtoken": "nonsense"}
        )
        assert_error(r, 401, "unauthorized")


def test_version(api):
    from timetagger import __version__

    assert api.ok("GET", "version") == {"version": __version__}


def test_head_of_a_get_endpoint(api):
    r = api.request("HEAD", "version")
    assert r.status_code == 200 and r.content == b""


def test_bad_query_strings(api):
    assert_error(api.get("updates"), 400, "since")
    assert_error(api.get("updates?since="), 400, "since")
    assert_error(api.get("updates?since=abc"), 400, "since", "number")
    assert_error(api.get("updates?since=nan"), 400, "since")
    assert_error(api.get("updates?since=inf"), 400, "since")
    assert_error(api.get("updates?since=1e999"), 400, "since")
    assert_error(api.get("updates?since=%FF%FE"), 400, "UTF-8")
    # Raw bytes that are not ASCII in the query string.
    path = api.server.prefix + "api/v2/updates?since=\xff"
    status, body = raw_request(
        api.server,
        b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"authtoken: " + api.token.encode() + b"\r\nConnection: close\r\n\r\n",
    )
    assert status == 400, body
    assert b"Traceback" not in body
    # A well-formed one still works.
    assert api.get("updates?since=0&unknown=1").status_code == 200


def test_json_bodies_and_no_server_header(api):
    r = api.get("settings")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert isinstance(r.json(), dict)
    assert "server" not in r.headers


def test_status_takes_get_and_head_only(api):
    # Found by fuzzing from docs/openapi.yaml: status answered 200 to any method.
    url = api.server.url("status")
    assert httpx.head(url).status_code == 200
    for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE"]:
        r = httpx.request(method, url)
        assert_error(r, 405, "method not allowed", method)
        assert r.headers["allow"] == "GET"
        assert r.headers["cache-control"] == "no-store"


def test_options_lists_the_methods_of_the_path(api):
    # Found by fuzzing: OPTIONS said "GET, PUT, POST, OPTIONS" for every path.
    def allowed(path):
        r = httpx.options(api.server.url(path))
        assert r.status_code == 204, r.text
        return {m.strip() for m in r.headers["allow"].split(",")}

    assert allowed("status") == {"GET", "HEAD", "OPTIONS"}
    assert allowed("api/v2/") == {"GET", "HEAD", "OPTIONS"}
    assert allowed("api/v2") == {"GET", "HEAD", "OPTIONS"}
    assert allowed("api/v2/records") == {"GET", "HEAD", "PUT", "OPTIONS"}
    assert allowed("api/v2/forcereset") == {"PUT", "OPTIONS"}
    assert allowed("api/v2/bootstrap_authentication") == {"POST", "OPTIONS"}
    r = httpx.options(api.url("nope"))
    assert_error(r, 404, "not found")


def test_numbers_and_flags_in_query_strings_have_one_grammar(api):
    """Numbers: ASCII digits, an optional fraction and exponent, at most 30 digits
    on either side of the point and 2 in the exponent (so every one fits a float),
    spaces or tabs around. Flags: the true/false words, spaces or tabs around.
    docs/openapi.yaml describes the same grammar; fuzzing found the differences."""
    refused = [
        "updates?since=1_000",  # float() reads it
        "updates?since=%D9%A3",  # ARABIC-INDIC DIGIT THREE, float() reads it
        "updates?since=%EF%BC%95",  # FULLWIDTH DIGIT FIVE
        "updates?since=5%0A",  # other blanks than space and tab
        "updates?since=%1C5",
        "updates?since=1e100",  # three exponent digits
        "updates?since=" + "1" * 31,
        "updates?since=0." + "1" * 31,
        "records?timerange=%D9%A3-5",
        "records?timerange=1%0A-5",
        "records?timerange=0-1&running=%1Ctrue",
        "records?timerange=0-1&hidden=%C2%A0yes",
        "records?timerange=0-1&hidden=ye%C5%BF",  # LATIN SMALL LETTER LONG S
        "webtoken?reset=%0Byes",
    ]
    for query in refused:
        assert_error(api.get(query), 400, "must be")
    accepted = [
        "updates?since=%20%091.5e%2B9%09",
        "updates?since=" + "9" * 30 + "." + "9" * 30 + "e99",
        "updates?since=-.5E-07",
        "records?timerange=%09-1e2%20-%206e1%20",
        "records?timerange=0-1&running=%20TRUE%09&hidden=%09",
    ]
    for query in accepted:
        assert api.get(query).status_code == 200, query


def test_a_request_that_is_not_http_gets_a_plain_text_400(api):
    # uvicorn answered these itself: "Invalid HTTP request received." (not the
    # "meaning: explanation" every error of the API has, as docs/openapi.yaml says).
    path = api.server.prefix.encode() + b"api/v2/version"
    for request in [
        b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET " + path + b" HTTP/9.9\r\nHost: x\r\n\r\n",
        b"PUT " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\n",
    ]:
        status, body = raw_request(api.server, request)
        assert status == 400, body
        assert body.startswith(b"bad request: "), body
