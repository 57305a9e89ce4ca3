"""Helpers of the end-to-end tests of the report, settings, import/export, tag and
search dialogs (tests/e2e/test_reports_*.py, test_import_*.py, test_settings_*.py,
test_tags_*.py, test_search_*.py).

``open_app`` pins the clock (``NOW``, a Thursday afternoon in Europe/Amsterdam) and
gives the app object as ``window.ttapp``: the real app when the page has one (the
welcome dialog of the sandbox is closed), else a small stand-in with the contract of
docs/client.md around a store made here. ``login_app`` logs in through the login
page and does the same on the app page with the connected store.
"""

import json

import httpx

from .dialogs_harness import NOW, ZONE, local, new_context, new_page  # noqa: F401

# The app object as window.ttapp: the page's own, or a stand-in around a new store of
# the given kind. Resolves to "real" or "harness".
_GET_APP = """async ([now, kind]) => {
    dt.set_now(now);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const real = () => (window.ttapp && window.ttapp.store && window.ttapp.get_range) ? window.ttapp
        : (window.app && window.app.store && window.app.get_range) ? window.app : null;
    for (let i = 0; i < 40 && !real(); i++) { await sleep(25); }
    let app = real();
    let what = "real";
    if (!app) {
        const store = kind === "connected" ? new stores.ConnectedDataStore() : new stores.SandboxDataStore();
        const day = dt.day_start(now);
        app = {
            store: store,
            range: [day, dt.add(day, "1D")],
            selected_tags: [],
            get_range() { return this.range.slice(); },
            animate_range(t1, t2, snap) { this.range = [t1, t2]; },
            set_range(t1, t2) { this.range = [t1, t2]; },
            request_redraw() {},
        };
        what = "harness";
    }
    window.ttapp = app;
    if (app.store._loading) { await app.store._loading; }
    await sleep(300);  // the sandbox's welcome dialog opens after 200 ms: close it
    dialogs.close_all();
    return what;
}"""


def open_app(page, site_server, built_site=None, path="app/sandbox/"):
    """Open a page of the app and get its app object as ``window.ttapp``."""
    page.goto(site_server.url(path))
    page.wait_for_function(
        "window.stores && window.dt && window.dialogs && window.reportdialog"
    )
    page.kind = page.evaluate(_GET_APP, [NOW, "sandbox"])
    return "window.ttapp"


def login_app(page, server, user="alice", password=None):
    """Log in through the login page and get the app object of the connected store
    as ``window.ttapp``. Returns the user name the store has."""
    from .conftest import USERS

    page.goto(server.url("login/"))
    page.fill("#login-username", user)
    page.fill("#login-password", USERS[user] if password is None else password)
    page.click("#login-submit")
    page.wait_for_url("**/app/")
    page.wait_for_function(
        "window.stores && window.dt && window.dialogs && window.reportdialog"
    )
    page.kind = page.evaluate(_GET_APP, [NOW, "connected"])
    return page.evaluate("window.ttapp.store.username")


def token_of(page):
    info = page.evaluate("localStorage.getItem('timetagger_auth_info')")
    return json.loads(info)["token"] if info else None


def server_records(server, token, t1=0, t2=2**31):
    """The user's records as the server has them (GET records)."""
    r = httpx.get(
        server.url(f"api/v2/records?timerange={t1}-{t2}"),
        headers={"authtoken": token},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()["records"]


def server_settings(server, token):
    r = httpx.get(
        server.url("api/v2/settings"), headers={"authtoken": token}, timeout=30
    )
    assert r.status_code == 200, r.text
    return {s["key"]: s["value"] for s in r.json()["settings"]}


def add_records(page, records):
    """Put records ``[(t1, t2, ds), ...]`` into the app's store; returns their keys."""
    return page.evaluate(
        """(records) => {
            const rs = window.ttapp.store.records;
            const keys = [];
            for (const [t1, t2, ds] of records) {
                const r = rs.create(t1, t2, ds);
                rs.put(r);
                keys.push(r.key);
            }
            return keys;
        }""",
        [list(r) for r in records],
    )


def set_range(page, t1, t2):
    page.evaluate(
        "([t1, t2]) => window.ttapp.set_range ? window.ttapp.set_range(t1, t2)"
        " : window.ttapp.animate_range(t1, t2, false)",
        [t1, t2],
    )


def open_dialog(page, module, cls, *args):
    """Open one of our dialogs the way the menu or the app does."""
    page.evaluate(
        "([m, c, args]) => new window[m][c](window.ttapp).open(...args)",
        [module, cls, list(args)],
    )


# Every control of the open dialog within the screen width, big enough to tap, and
# no sideways scrolling of its body.
FITS = """(sel) => {
    const box = document.querySelector(sel).getBoundingClientRect();
    const out = [];
    if (box.left < 0 || box.right > window.innerWidth) out.push("dialog " + box.left + ".." + box.right);
    for (const el of document.querySelectorAll(sel + " button, " + sel + " input, " + sel + " select")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || el.type === "checkbox" || el.type === "radio" || el.type === "file") continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) out.push((el.className || el.tagName) + " " + r.left + ".." + r.right);
        if (r.height < 32) out.push((el.className || el.tagName) + " height " + r.height);
    }
    const body = document.querySelector(sel + " .tt-dialog-body");
    if (body.scrollWidth > body.clientWidth + 1) out.push("horizontal scroll " + body.scrollWidth + " > " + body.clientWidth);
    return out;
}"""


def sync_now(page):
    """Sync the page's store until nothing is left to push; returns "done", or the
    state and last error when the sync does not succeed."""
    return page.evaluate(
        """async () => {
            const s = window.ttapp.store;
            for (let i = 0; i < 60; i++) {
                await s.sync();
                const idle = !s._running_sync && s.records.queue_size() === 0 && s.settings.queue_size() === 0;
                if (idle && s.state !== "error" && s.state !== "warning") { return "done"; }
                await new Promise((r) => setTimeout(r, 100));
            }
            return s.state + ": " + s.last_error;
        }"""
    )
