"""The split, shown (issue 4, point 6): ``dist/`` built with ``--api-url`` pointing at
the API's origin is served by a plain static server (``python -m http.server``, under
a path prefix) on one port; the API runs on another port with the site's origin in
``cors_origins``. Logging in, the account page and sync work across the origins."""

import httpx
import pytest

from .helpers import (
    USERS,
    login_app,
    put_record,
    server_records,
    sync,
    token_of,
    wait_for_app,
    wait_until,
)

pytestmark = pytest.mark.e2e


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
    assert wait_for_app(page) == "alice"

    key = put_record(page, "#split", 1700000000, 1700003600)
    assert sync(page) == ["ok", ""]
    token = token_of(page)
    assert server_records(api, token)[key]["ds"] == "#split"

    # a second device on the same static site gets it
    other = browser.new_context()
    try:
        page2 = other.new_page()
        login_app(page2, static_site, pin=False)
        assert page2.url == static_site.url("app/")
        wait_until(
            lambda: page2.evaluate(f"!!window.ttapp.store.records.get_by_key('{key}')"),
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
    login_app(page, static_site, "bob", pin=False)
    assert page.url == static_site.url("app/")
    sync(page)
    token = token_of(page)
    key = put_record(page, "#closed-at-once", 1700000000, 1700000000)
    page.close()
    record = wait_until(lambda: server_records(static_site.api, token).get(key))
    assert record["ds"] == "#closed-at-once"
