"""Helpers of the dialog end-to-end tests (tests/e2e/test_dialogs_*.py).

``open_app(page, site_server, built_site)`` opens the sandbox page with a pinned clock
(``NOW``, a Thursday afternoon in Europe/Amsterdam) showing that day, and returns the
JS expression of the app object the dialogs get: the real app (``window.ttapp``, made
by ``app.start``) once its welcome note is closed. On a page without the app the
dialog modules are added and a small app object is made around a
``stores.SandboxDataStore`` (the contract of docs/client.md: store, get_range,
animate_range, request_redraw, selected_tags, actions).
"""

import datetime
import os
import re
from zoneinfo import ZoneInfo

ZONE = "Europe/Amsterdam"
NOW_DT = datetime.datetime(2024, 3, 14, 15, 0, 0, tzinfo=ZoneInfo(ZONE))
NOW = int(NOW_DT.timestamp())
MODULES = [
    "dt",
    "tags",
    "timeparse",
    "dialogs",
    "autocomplete",
    "timeeditor",
    "presetsdialog",
    "recorddialog",
    "helpdialog",
]

APP = "window.ttapp"

_MAKE_APP = """
(now) => {
    dt.set_now(now);
    if (window.ttapp && window.ttapp.store && window.ttapp.set_range) {
        const day = dt.day_start(now);
        window.ttapp.set_range(day, dt.add(day, "1D"));
        return "real";
    }
    const store = new stores.SandboxDataStore();
    const day = dt.day_start(now);
    const app = {
        store: store,
        range: [day, dt.add(day, "1D")],
        animations: [],
        redraws: 0,
        started: [],
        selected_tags: [],
        canvas: document.querySelector("canvas"),
        get_range() { return this.range.slice(); },
        animate_range(t1, t2, snap) { this.range = [t1, t2]; this.animations.push([t1, t2, snap !== false]); },
        request_redraw() { this.redraws += 1; },
    };
    app.actions = {
        start_record: () => recorddialog.start_record(app),
        resume_record: () => recorddialog.resume_record(app),
        show_today: () => app.animate_range(dt.day_start(dt.now()), dt.day_end(dt.now())),
        record_started: (r) => app.started.push(r.key),
    };
    // A focusable stand-in for the canvas, so focus return can be checked.
    if (!app.canvas) {
        const c = document.createElement("canvas");
        c.tabIndex = 0;
        c.width = 300; c.height = 150;
        document.body.appendChild(c);
        app.canvas = c;
    }
    window.ttapp = app;
    return "harness";
}
"""


def local(y, mo, d, h=0, mi=0, s=0):
    """Unix time of a local (Amsterdam) date and time."""
    return int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(ZONE)).timestamp())


def static_file(built_site, name):
    """The hashed file name of a client module in the built site."""
    static = os.path.join(built_site, "static")
    for fname in sorted(os.listdir(static)):
        if re.fullmatch(re.escape(name) + r"\.[0-9a-f]+\.js", fname):
            return fname
    raise AssertionError(f"no {name}.js in the built site")


def open_app(page, site_server, built_site, path="app/sandbox/"):
    page.goto(site_server.url(path))
    page.wait_for_function("window.stores && window.dt")
    if page.evaluate("!!(window.app && window.app.start)"):
        # The real app: its sandbox welcome note comes after 0.2 s; close it.
        page.wait_for_function("window.ttapp && window.ttapp.store")
        page.wait_for_selector(".tt-notification")
        page.evaluate("dialogs.close_all()")
        page.wait_for_function("!dialogs.is_open() && history.state === null")
    for name in MODULES:
        if page.evaluate(f"typeof window.{name}") == "undefined":
            page.add_script_tag(
                url=site_server.url("static/" + static_file(built_site, name))
            )
    kind = page.evaluate(_MAKE_APP, NOW)
    page.kind = kind
    return APP


def new_context(browser, width, height, touch=False):
    return browser.new_context(
        viewport={"width": width, "height": height},
        screen={"width": width, "height": height},
        timezone_id=ZONE,
        has_touch=touch,
        is_mobile=touch,
        device_scale_factor=2 if touch else 1,
        locale="en-GB",
    )


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.js_errors = errors
    return page


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


def get_record(page, key):
    return page.evaluate("(key) => window.ttapp.store.records.get_by_key(key)", key)


def running(page):
    return page.evaluate("window.ttapp.store.records.get_running_records()")


def visible_records(page):
    return page.evaluate(
        "(now) => window.ttapp.store.records.get_records(now - 40 * 86400, now + 86400)",
        NOW,
    )


def open_record_dialog(page, mode, key=None):
    """Open the record dialog like the app does: Start (key s), or Edit of a record."""
    if mode == "start":
        page.evaluate("recorddialog.start_record(window.ttapp)")
    else:
        page.evaluate(
            """([mode, key]) => {
                const r = window.ttapp.store.records.get_by_key(key);
                new recorddialog.RecordDialog(window.ttapp).open(mode, r);
            }""",
            [mode, key],
        )
    page.wait_for_selector(".tt-record-dialog")


def dialog_count(page):
    return page.evaluate("document.querySelectorAll('.tt-dialog-layer').length")


def shot(page, name):
    """A screenshot (test-artifacts/) once the fade-in animations are over."""
    from .conftest import save_screenshot

    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )
    return save_screenshot(page, name)
