"""The shared-report page (shared/#<token>) in a fresh browser context, without an
account: it shows only the shared tags' records (text as data), with the charts; after
the owner revokes the link it says so and shows nothing. Also on the split deployment
(the page on a static server, the API on another origin), and the owner's side in the
report dialog (Share..., Revoke)."""

import json

import httpx
import pytest

from .helpers import (
    add_records,
    api_token_for,
    axe_violations,
    local,
    login_app,
    open_app,
    open_dialog,
    save_screenshot,
    set_range,
    sync,
)

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
    assert axe_violations(page) == []
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


def test_the_owner_shares_and_revokes_from_the_report_dialog(make_page, site_server):
    owner = make_page()
    login_app(owner, site_server)
    t = local(2024, 3, 12, 9)
    add_records(
        owner,
        [
            (t, t + 3600, "design #client"),
            (t + DAY, t + DAY + 1800, '<img src=x data-bad="1"> call #client #phone'),
            (t, t + 7200, "secret dentist #home"),
        ],
    )
    assert sync(owner)[0] == "ok"
    set_range(owner, local(2024, 3, 11), local(2024, 3, 18))
    owner.evaluate("window.ttapp.selected_tags = ['#client']")
    open_dialog(owner, "reportdialog", "ReportDialog")
    owner.wait_for_selector(".tt-report-dialog .tt-rp-table")
    owner.click(".tt-rp-share summary")
    owner.click(".tt-rp-share-make")
    owner.wait_for_selector(".tt-rp-share-link:not([hidden])")
    link = owner.input_value(".tt-rp-share-link")
    assert link.startswith(site_server.url("shared/#"))
    owner.wait_for_selector(".tt-rp-share-list li")
    listed = owner.inner_text(".tt-rp-share-list")
    assert "#client" in listed and "11-03-2024" in listed

    viewer = make_page()
    viewer.goto(link)
    viewer.wait_for_selector("body[data-state]", state="attached")
    check_shown(viewer)

    owner.click(".tt-rp-share-list [data-revoke]")
    owner.wait_for_selector(".tt-rp-share-status:text('Revoked')")
    assert owner.locator(".tt-rp-share-list li").count() == 0
    viewer.reload()
    viewer.wait_for_selector("body[data-state='failed']", state="attached")
    assert "revoked" in viewer.inner_text("#shared-status")
    assert owner.js_errors == [] and viewer.js_errors == []


def test_no_sharing_without_an_account(make_page, site_server):
    page = make_page()
    open_app(page, site_server)  # the sandbox: nothing on a server to share
    open_dialog(page, "reportdialog", "ReportDialog")
    page.wait_for_selector(".tt-report-dialog .tt-rp-table")
    assert page.locator(".tt-rp-share").count() == 0
