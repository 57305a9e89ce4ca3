"""The store in a real browser against the real API: records created and changed on
the page reach the server; a second browser (another device) sees them within one
poll; a token revoked from another device ends on the logout page (SY-15)."""

import time

import pytest

from .helpers import (
    login,
    login_app,
    put_record,
    server_records,
    server_settings,
    sync,
    token_of,
    wait_until,
)

pytestmark = pytest.mark.e2e

T0 = 1700000000


def test_records_reach_the_server_and_another_device(browser, page, site_server):
    assert login_app(page, site_server, pin=False) == "alice"
    key, synced = page.evaluate(
        """([t1, t2]) => {
            const rs = window.ttapp.store.records;
            const r = rs.create(t1, t2, "Did a thing #e2e");
            rs.put(r);
            return [r.key, rs.is_synced(r.key)];
        }""",
        [T0, T0 + 3600],
    )
    assert synced is False  # queued, not yet confirmed by the server
    assert sync(page) == ["ok", ""]
    token = token_of(page)
    on_server = server_records(site_server, token)
    assert on_server[key]["ds"] == "Did a thing #e2e"
    assert on_server[key]["t2"] == T0 + 3600
    assert page.evaluate(f"window.ttapp.store.records.is_synced('{key}')")

    # change it
    put_record(page, "Did a thing #e2e #changed", T0, T0 + 7200, key=key)
    sync(page)
    on_server = server_records(site_server, token)
    assert on_server[key]["ds"] == "Did a thing #e2e #changed"
    assert on_server[key]["t2"] == T0 + 7200

    # a setting goes the same way
    page.evaluate("settings.set('first_day_of_week', 0)")
    sync(page)
    assert server_settings(site_server, token)["first_day_of_week"] == 0

    # Another device: its first sync brings everything.
    other = browser.new_context()
    try:
        page2 = other.new_page()
        login_app(page2, site_server, pin=False)
        wait_until(
            lambda: page2.evaluate(f"!!window.ttapp.store.records.get_by_key('{key}')"),
            timeout=15,
        )
        assert page2.evaluate(f"window.ttapp.store.records.get_by_key('{key}').ds") == (
            "Did a thing #e2e #changed"
        )
        # The settings of that pull are applied by their own store: wait for them too.
        wait_until(
            lambda: page2.evaluate("settings.get('first_day_of_week')") == 0,
            timeout=15,
        )

        # A change on the first device shows on the second within one poll (10 s).
        put_record(page, "Changed again #e2e", T0, T0 + 60, key=key)
        sync(page)
        t = time.monotonic()
        wait_until(
            lambda: page2.evaluate(
                f"window.ttapp.store.records.get_by_key('{key}').ds === 'Changed again #e2e'"
            ),
            timeout=12,
        )
        assert time.monotonic() - t < 12
        # and a record deleted there disappears here
        page2.evaluate(
            f"""() => {{
                const rs = window.ttapp.store.records;
                rs.put(rs.mark_as_deleted(rs.get_by_key('{key}')));
                return window.ttapp.store.sync();
            }}"""
        )
        sync(page)
        assert (
            page.evaluate("window.ttapp.store.records.get_records(0, 4e9).length") == 0
        )
        assert server_records(site_server, token)[key]["ds"].startswith("HIDDEN")
    finally:
        other.close()
    assert page.js_errors == []


def test_revoked_token_ends_on_the_logout_page(browser, page, site_server):
    login_app(page, site_server, pin=False)
    put_record(page, "#before-revoke", T0, T0 + 60)
    sync(page)
    old_token = token_of(page)

    # On another device, "Log out all other devices" on the account page.
    other = browser.new_context()
    try:
        page2 = other.new_page()
        login(page2, site_server)
        page2.goto(site_server.url("account/"))
        page2.wait_for_selector("#account-logout-others:not([disabled])")
        page2.click("#account-logout-others")
        page2.wait_for_selector("#account-logout-others:text('Done')")
        # that device stays logged in, with a fresh token
        assert token_of(page2) != old_token
    finally:
        other.close()

    # The first device's next sync is refused as revoked: off to the logout page,
    # which clears the token and the local data, then to the home page.
    page.evaluate("window.ttapp.store.sync_soon(0)")
    page.wait_for_url(site_server.url(""), timeout=15000)
    assert page.evaluate("localStorage.getItem('timetagger_auth_info')") == ""
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('timetagger_unsynced'))"
        )
        == []
    )
    cache = page.evaluate(
        """() => new Promise((resolve) => {
            const req = indexedDB.open("timetagger", 1);
            req.onsuccess = () => {
                const tx = req.result.transaction(["items"], "readonly");
                const get = tx.objectStore("items").count();
                get.onsuccess = () => resolve(get.result);
            };
        })"""
    )
    assert cache == 0


def test_server_notice_and_read_only_account(page, site_server):
    """SY-06: a push answered with 402 shows its message once, in a notification; the
    ``readonly`` kind marks the page, greys out the dialogs' actions and stops edits."""
    login_app(page, site_server, pin=False)
    sync(page)

    def read_only(route):
        if route.request.method == "PUT":
            route.fulfill(status=402, body="readonly|This account is read-only now.")
        else:
            route.continue_()

    page.route("**/api/v2/records", read_only)
    put_record(page, "#refused", T0, T0 + 60)
    assert sync(page)[0] == "error"
    note = page.wait_for_selector(".tt-notification")
    assert "read-only now" in note.inner_text()
    assert page.evaluate("document.body.classList.contains('is_read_only')")
    page.click(".tt-notification .tt-btn")
    assert sync(page)[0] == "error"  # the same notice again: not shown twice
    page.wait_for_function("ttapp._notices_shown === ttapp.store.notices.length")
    assert page.evaluate("document.querySelectorAll('.tt-notification').length") == 0
    # no new records from the app's actions; the record dialog's actions are inert
    before = page.evaluate("window.ttapp.store.records.get_running_records().length")
    page.evaluate("window.ttapp.actions.start_record()")  # refused at once
    assert (
        page.evaluate("window.ttapp.store.records.get_running_records().length")
        == before
    )
    page.keyboard.press("Escape")
    key = page.evaluate("window.ttapp.store.records.get_records(0, 4e9)[0].key")
    page.evaluate(
        """(key) => new recorddialog.RecordDialog(window.ttapp).open(
            'edit', window.ttapp.store.records.get_by_key(key))""",
        key,
    )
    dialog = page.wait_for_selector(".tt-record-dialog")
    for button in dialog.query_selector_all(".tt-dialog-footer .tt-btn"):
        style = button.evaluate("(b) => getComputedStyle(b).pointerEvents")
        assert style == "none" or button.is_disabled()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelectorAll('.tt-dialog-layer').length === 0")
