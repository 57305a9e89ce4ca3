"""Offline and back, in a real browser: changes made offline survive closing the page
and reach the server when it is opened again (SY-12, SY-16); a record put just
before the page goes away is not lost (the original's issue #439): it leaves with a
keepalive push, or, offline, with the next start. The app shell loads offline from
the service worker's cache (SY-18)."""

import pytest

from .helpers import (
    login_app,
    put_record,
    server_records,
    server_settings,
    sync,
    token_of,
    wait_for_app,
    wait_until,
)

pytestmark = pytest.mark.e2e


T0 = 1700000000


def test_offline_changes_reach_the_server_after_reopening(context, page, site_server):
    login_app(page, site_server, pin=False)
    kept = put_record(page, "#kept", T0, T0 + 600)
    edited = put_record(page, "#to-edit", T0 + 1000, T0 + 1600)
    deleted = put_record(page, "#to-delete", T0 + 2000, T0 + 2600)
    assert sync(page)[0] == "ok"
    token = token_of(page)

    context.set_offline(True)
    new = put_record(page, "#made-offline", T0 + 3000, T0 + 3600)
    put_record(page, "#edited-offline", T0 + 1000, T0 + 1900, key=edited)
    page.evaluate(
        f"""() => {{
            const rs = window.ttapp.store.records;
            rs.put(rs.mark_as_deleted(rs.get_by_key('{deleted}')));
            settings.set('date_repr', 'yyyy-mm-dd');
        }}"""
    )
    state, error = sync(page)
    assert state == "error"
    assert error.startswith("0 (network error)")
    page.close()  # the user closes the tab while offline

    context.set_offline(False)
    page = context.new_page()
    page.goto(site_server.url("app/"))
    wait_for_app(page)
    # the next start finds the edits in the cache and pushes them
    wait_until(lambda: page.evaluate("window.ttapp.store.records.queue_size() === 0"))

    def pushed():
        records = server_records(site_server, token)
        return records if records.get(new, {}).get("ds") == "#made-offline" else None

    on_server = wait_until(pushed)
    assert on_server[edited]["ds"] == "#edited-offline"
    assert on_server[edited]["t2"] == T0 + 1900
    assert on_server[deleted]["ds"] == "HIDDEN #to-delete"
    assert on_server[kept]["ds"] == "#kept"
    assert server_settings(site_server, token)["date_repr"] == "yyyy-mm-dd"


def test_record_put_just_before_closing_reaches_the_server(context, page, site_server):
    """Beyond the original (#439): no time for the scheduled sync, the page goes away
    right after the put; the keepalive push on pagehide delivers it."""
    login_app(page, site_server, pin=False)
    sync(page)
    token = token_of(page)
    key = put_record(page, "#started-and-closed", 1700000000, 1700000000)
    page.close()
    record = wait_until(lambda: server_records(site_server, token).get(key), timeout=10)
    assert record["ds"] == "#started-and-closed"


def test_record_put_offline_just_before_closing_is_pushed_next_time(
    context, page, site_server
):
    """Offline, the last push cannot go out: the synchronous localStorage copy (and
    IndexedDB) keep the record, and the next start pushes it. (Chromium lets the
    keepalive request of a closing page through even in emulated offline mode, so the
    page's fetch fails the way it does on a real dead network.)"""
    login_app(page, site_server, pin=False)
    sync(page)
    token = token_of(page)
    context.set_offline(True)
    page.evaluate(
        "() => { window.fetch = () => Promise.reject(new TypeError('offline')); }"
    )
    key = put_record(page, "#offline-and-closed", 1700000100, 1700000200)
    page.close()
    context.set_offline(False)
    assert key not in server_records(site_server, token)
    page = context.new_page()
    page.goto(site_server.url("app/"))
    wait_for_app(page)
    record = wait_until(lambda: server_records(site_server, token).get(key), timeout=10)
    assert record["ds"] == "#offline-and-closed"


def test_app_shell_loads_offline_from_the_service_worker(context, page, static_site):
    """On a static host (the worker's home; the API on another origin)."""
    login_app(page, static_site, pin=False)
    assert page.url == static_site.url("app/")
    page.evaluate("pwa.register_service_worker()")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    names, urls = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const cache = await caches.open(names[0]);
            return [names, (await cache.keys()).map((r) => r.url)];
        }"""
    )
    assert len(names) == 1 and names[0].startswith("timetagger_v")
    assert static_site.url("app/") in urls
    assert static_site.url("app/demo/") in urls
    assert any("/static/app." in u for u in urls)  # the bundle of the app modules
    assert any("/static/app.later." in u for u in urls)  # of the dialogs
    assert any("/static/icon-512." in u for u in urls)
    assert not any("/api/" in u for u in urls)

    wait_for_app(page)
    key = put_record(page, "#before-offline", T0, T0 + 60)
    assert sync(page)[0] == "ok"
    context.set_offline(True)
    page.reload()  # served by the worker: no network at all
    assert page.evaluate("typeof stores") == "object"
    wait_for_app(page)
    # the data comes from IndexedDB, and the store keeps working
    assert page.evaluate(f"window.ttapp.store.records.get_by_key('{key}').ds") == (
        "#before-offline"
    )
    put_record(page, "#while-offline", T0 + 100, T0 + 160)
    assert sync(page)[0] == "error"
    page.goto(static_site.url("app/demo"))  # pretty URL without the slash, offline too
    assert page.evaluate("typeof stores") == "object"
    # back online: the offline edit goes out
    context.set_offline(False)
    page.goto(static_site.url("app/"))
    wait_for_app(page)
    token = token_of(page)
    wait_until(
        lambda: any(
            r["ds"] == "#while-offline"
            for r in server_records(static_site.api, token).values()
        )
    )


def test_a_new_version_is_announced(context, page, static_site, tmp_path):
    """SY-19: a new deploy's worker takes over; a page open for a while shows a
    banner with a refresh link (a page just loaded would reload by itself)."""
    page.goto(static_site.url("app/sandbox/"))
    page.evaluate("pwa.register_service_worker()")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    page.goto(static_site.url("app/sandbox/"))
    loaded = page.evaluate("pwa.register_service_worker().then(() => Date.now())")
    # no longer "just loaded" (a new version would reload the page silently)
    page.wait_for_function(
        "(t) => Date.now() > t + pwa.RELOAD_WINDOW * 1000 + 200", arg=loaded
    )
    # a new deploy: the worker script changes (new cache name)
    sw = tmp_path / "static-root" / "some" / "prefix" / "app" / "sw.js"
    text = sw.read_text()
    sw.write_text(text.replace('"timetagger_v', '"timetagger_vnext', 1))
    page.evaluate("pwa.check_for_update()")
    page.wait_for_selector("#tt-update-banner", timeout=15000)
    assert "new version" in page.inner_text("#tt-update-banner")
    # the old version's cache goes (when the new worker has finished activating)
    wait_until(
        lambda: page.evaluate(
            "caches.keys().then((n) => n.length === 1 && n[0].startsWith('timetagger_vnext'))"
        ),
        timeout=10,
    )
    with page.expect_navigation():
        page.click("#tt-update-banner a")
    assert page.evaluate("typeof stores") == "object"
