"""Cross-origin use: the OPTIONS preflight for the ``authtoken`` header and the
``Access-Control-Allow-Origin`` header, for the configured origins only."""

import httpx
import pytest

from .conftest import USERS, Client, assert_error, credentials_for

ORIGIN = "https://app.example.com"


@pytest.fixture
def cors_api(run_server):
    server = run_server(
        credentials=credentials_for(USERS),
        cors_origins=f"{ORIGIN}, http://localhost:5000",
    )
    client = Client(server)
    client.login("alice", USERS["alice"])
    return client


def preflight(client, path, origin, method="PUT"):
    return httpx.options(
        client.url(path),
        headers={
            "origin": origin,
            "access-control-request-method": method,
            "access-control-request-headers": "authtoken, content-type",
        },
    )


def test_preflight(cors_api):
    for path in ["records", "updates", "bootstrap_authentication", "webtoken"]:
        r = preflight(cors_api, path, ORIGIN)
        assert r.status_code == 204, r.text
        assert r.headers["access-control-allow-origin"] == ORIGIN
        methods = {
            m.strip() for m in r.headers["access-control-allow-methods"].split(",")
        }
        assert {"GET", "PUT", "POST"} <= methods
        allowed = r.headers["access-control-allow-headers"].lower()
        assert "authtoken" in allowed and "content-type" in allowed
        assert "origin" in r.headers["vary"].lower()
    r = preflight(cors_api, "records", "http://localhost:5000")
    assert r.headers["access-control-allow-origin"] == "http://localhost:5000"


def test_answers_carry_the_origin(cors_api):
    headers = {"origin": ORIGIN}
    r = cors_api.get("updates?since=0", headers=headers)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ORIGIN
    # Errors too, so the page can read why.
    r = httpx.get(cors_api.url("updates?since=0"), headers=headers)
    assert r.status_code == 401
    assert r.headers["access-control-allow-origin"] == ORIGIN
    r = cors_api.put("records", "[]", headers=headers)
    assert r.headers["access-control-allow-origin"] == ORIGIN
    r = httpx.get(cors_api.server.url("status"), headers=headers)
    assert r.headers["access-control-allow-origin"] == ORIGIN
    # A gzipped answer varies on both.
    r = cors_api.get("updates?since=0", headers={**headers, "accept-encoding": "gzip"})
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_other_origins_get_nothing(cors_api):
    r = preflight(cors_api, "records", "https://evil.example.com")
    assert_error(r, 403, "forbidden", "evil.example.com")
    assert "access-control-allow-origin" not in r.headers
    r = cors_api.get("updates?since=0", headers={"origin": "https://evil.example.com"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    # The same origin (no Origin header) works as always.
    assert "access-control-allow-origin" not in cors_api.get("version").headers


def test_no_cors_by_default(api):
    r = preflight(api, "records", ORIGIN)
    assert_error(r, 403, "forbidden", "cors_origins")
    r = api.get("version", headers={"origin": ORIGIN})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
