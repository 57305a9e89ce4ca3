"""The split, shown (issue 4, point 6): ``dist/`` built with ``--api-url`` pointing at
the API's origin is served by a plain static server (``python -m http.server``, under
a path prefix) on one port; the API runs on another port with the site's origin in
``cors_origins``. Logging in, the account page and sync work across the origins."""

import httpx
import pytest

from ._store_helpers import (
    open_store,
    put_record,
    server_records,
    start_static_site,
    sync,
    token_of,
    wait_until,
)
from .conftest import USERS

pytestmark = pytest.mark.e2e


@pytest.fixture
def static_site(tmp_path, run_server, credentials):
    site = start_static_site(tmp_path, run_server, credentials)
    yield site
    site.proc.terminate()
    site.proc.wait(10)


def test_split_deployment_login_and_sync(browser, page, static_site):
    api = static_site.api
    assert static_site.origin != api.base
    # the build talks to the API's origin
    page.goto(static_site.url("login"))  # pretty URL without slash: redirected
    assert page.evaluate("env.is_cross_origin()") is True
    assert page.evaluate("env.api_base_url()") == api.url("api/v2/")

    page.fill("#login-username", "alice")
    page.fill("#login-password", USERS["alice"])
    page.click("#login-submit")
    page.wait_for_url(static_site.url("app/"))
    assert open_store(page) == "alice"

    key = put_record(page, "#split", 1700000000, 1700003600)
    assert sync(page) == ["ok", ""]
    token = token_of(page)
    assert server_records(api, token)[key]["ds"] == "#split"

    # a second device on the same static site gets it
    other = browser.new_context()
    try:
        page2 = other.new_page()
        page2.goto(static_site.url("login/"))
        page2.fill("#login-username", "alice")
        page2.fill("#login-password", USERS["alice"])
        page2.click("#login-submit")
        page2.wait_for_url(static_site.url("app/"))
        open_store(page2)
        wait_until(
            lambda: page2.evaluate(f"!!window.__store.records.get_by_key('{key}')"),
            timeout=5,
        )
    finally:
        other.close()

    # the account page works across origins too
    page.goto(static_site.url("account/"))
    page.wait_for_selector("#account-status:text('Logged in as alice.')")
    page.wait_for_function(
        "document.getElementById('account-apitoken').textContent.split('.').length === 3"
    )
    assert page.js_errors == []


def test_api_refuses_other_origins(static_site):
    api = static_site.api
    ok = httpx.options(
        api.url("api/v2/updates"),
        headers={
            "origin": static_site.origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authtoken",
        },
    )
    assert ok.headers.get("access-control-allow-origin") == static_site.origin
    assert "authtoken" in ok.headers.get("access-control-allow-headers", "").lower()
    other = httpx.options(
        api.url("api/v2/updates"),
        headers={
            "origin": "http://evil.example",
            "access-control-request-method": "GET",
        },
    )
    assert "access-control-allow-origin" not in other.headers


def test_split_deployment_last_push_on_close(context, page, static_site):
    """The keepalive push on closing also works across origins (with a preflight)."""
    page.goto(static_site.url("login/"))
    page.fill("#login-username", "bob")
    page.fill("#login-password", USERS["bob"])
    page.click("#login-submit")
    page.wait_for_url(static_site.url("app/"))
    open_store(page)
    sync(page)
    token = token_of(page)
    key = put_record(page, "#closed-at-once", 1700000000, 1700000000)
    page.close()
    record = wait_until(lambda: server_records(static_site.api, token).get(key))
    assert record["ds"] == "#closed-at-once"
