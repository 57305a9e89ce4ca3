"""The shared-report page (shared/#<token>) in a fresh browser context, without an
account: it shows only the shared tags' records (text as data), with the charts; after
the owner revokes the link it says so and shows nothing. Also on the split deployment
(the page on a static server, the API on another origin)."""

import json

import httpx
import pytest

from .helpers import api_token_for, local, save_screenshot

pytestmark = pytest.mark.e2e

DAY = 86400


def api(server, method, path, token, body=None, headers=None):
    all_headers = {"authtoken": token, **(headers or {})}
    content = None if body is None else json.dumps(body)
    r = httpx.request(
        method,
        server.url("api/v2/" + path),
        content=content,
        headers=all_headers,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


def fill_and_share(server):
    """Alice's records and a share of #client in March 2024; returns (token, key)."""
    owner = api_token_for(server, "alice")
    t = local(2024, 3, 12, 9)
    records = [
        {"key": "c1", "t1": t, "t2": t + 3600, "ds": "design #client", "mt": 1},
        {
            "key": "c2",
            "t1": t + DAY,
            "t2": t + DAY + 1800,
            "ds": '<img src=x data-bad="1"> call #client #phone',
            "mt": 1,
        },
        {"key": "h1", "t1": t, "t2": t + 7200, "ds": "secret dentist #home", "mt": 1},
    ]
    for ob in records:
        ob["st"] = 0
    api(server, "PUT", "records", owner, records)
    settings = [
        {"key": "taginfo #client", "value": {"color": "#0055aa"}, "mt": 1, "st": 0},
        {"key": "taginfo #home", "value": {"color": "#aa0000"}, "mt": 1, "st": 0},
    ]
    api(server, "PUT", "settings", owner, settings)
    made = api(
        server,
        "POST",
        "shares",
        owner,
        {
            "tags": ["#client"],
            "range": {"t1": local(2024, 3, 1), "t2": local(2024, 4, 1)},
        },
    )
    return owner, made["token"], made["share"]["key"]


def open_shared(make_page, url, token):
    page = make_page()  # a fresh context: no login, no stored token
    page.goto(url + "#" + token)
    page.wait_for_selector("body[data-state]", state="attached")
    return page


def check_shown(page):
    assert page.get_attribute("body", "data-state") == "shown", page.inner_text(
        "#shared-status"
    )
    table = page.inner_text("#shared-table")
    assert "design" in table and "call" in table
    assert "dentist" not in table and "home" not in table
    # A description is text, never markup.
    assert '<img src=x data-bad="1">' in table
    assert page.locator("#shared-table img").count() == 0
    assert "client" in page.inner_text("#shared-tags")
    label = page.get_attribute("#shared-chart-tags", "aria-label")
    assert label.startswith("Time per tag: ") and "home" not in label
    assert page.is_visible("#shared-chart-periods")
    # The shared page stored no login, and asked only the shared endpoint.
    assert page.evaluate("() => window.localStorage.length") == 0
    api_calls = [u for u in page.requests if "/api/v2/" in u]
    assert api_calls and all(u.split("?")[0].endswith("/shared") for u in api_calls)
    assert all("#" not in u for u in api_calls)  # the token never leaves the fragment


def test_shared_link_shows_only_its_tags_then_fails_after_revocation(
    make_page, site_server
):
    owner, token, key = fill_and_share(site_server)
    page = open_shared(make_page, site_server.url("shared/"), token)
    check_shown(page)
    save_screenshot(page, "shared-report")

    api(site_server, "PUT", "shares", owner, {"revoke": key})
    page.reload()
    page.wait_for_selector("body[data-state='failed']", state="attached")
    assert "revoked" in page.inner_text("#shared-status")
    assert page.is_hidden("#shared-report")
    assert "design" not in page.inner_text("body")
    assert page.js_errors == []


def test_a_link_without_a_token_or_with_a_wrong_one(make_page, site_server):
    page = make_page()
    page.goto(site_server.url("shared/"))
    page.wait_for_selector("body[data-state='failed']", state="attached")
    assert "missing" in page.inner_text("#shared-status")
    page.goto(site_server.url("shared/") + "#YWxpY2U.nokey.nosecret")
    page.wait_for_selector("#shared-status.shared-error")
    assert "does not work" in page.inner_text("#shared-status")
    assert page.js_errors == []


def test_shared_link_on_the_split_deployment(make_page, static_site):
    _, token, _ = fill_and_share(static_site.api)
    page = open_shared(make_page, static_site.url("shared/"), token)
    check_shown(page)
    assert page.js_errors == []
