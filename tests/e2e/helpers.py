"""Helpers of the end-to-end tests (the fixtures built on them are in conftest.py).

* Time: ``NOW`` is a Thursday afternoon in ``ZONE`` (Europe/Amsterdam, the time zone
  of every context made here); ``local(y, mo, d, h, mi, s)`` is a local time there.
* Browsers: ``new_context(browser, width, height, touch=False, **options)`` (touch:
  a phone, with a coarse pointer and twice the pixels), ``new_page(context,
  clock=None)`` (collects ``page.js_errors``, ``page.requests`` and
  ``page.csp_violations``; with ``clock``, Playwright's fake clock stands at that
  time). ``DESKTOP`` and ``PHONE`` sizes.
* The Content-Security-Policy: every page made by ``new_page`` reports each violation
  (the ``securitypolicyviolation`` event, and the browser's console message) into
  ``page.csp_violations``; the autouse fixture ``no_csp_violations`` fails the test
  at teardown when any page of the test has one. ``take_csp_violations(page)``
  returns and clears them (for a test that provokes one on purpose).
* The app: ``open_app(page, site, path)`` opens an app page and waits for the app
  (``window.ttapp``); ``login(page, site, user)`` logs in through the login page,
  ``login_app`` then waits for the app too; ``wait_for_app(page, pin, dialogs)``. With
  ``pin`` the app's clock is pinned to ``NOW`` (``dt.set_now``) and the timeline shows
  that day; with ``dialogs`` (the default) the modules the app loads on first use
  (the dialogs, ``lazy``) are loaded too, so that tests can reach them by their
  globals (``menudialog.MenuDialog``); the first-use loading itself is tested in
  test_pages_loading.py.
  ``settled(page)``: the range has come to rest and is drawn; ``next_frames(page)``.
* The store on the page: ``add_records``, ``put_record``, ``get_record``, ``running``,
  ``visible_records``, ``set_range``, ``sync`` (one cycle), ``sync_until_idle``.
* The server: ``auth_info``/``token_of`` (the page's login), ``api_token_for`` (a
  token over HTTP, as another device), ``server_records``, ``server_settings``;
  ``wait_until``; ``start_static_site`` (the split deployment).
* Dialogs: ``open_dialog``, ``open_record_dialog``, ``dialog_count``, ``fits``;
  screenshots: ``save_screenshot`` (``test-artifacts/``), ``shot`` (after animations).
"""

import base64
import datetime
import json
import os
import re
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from conftest import ROOT

ARTIFACTS = os.path.join(ROOT, "test-artifacts")
USERS = {"alice": "alice-password", "bob": "bob-password"}

ZONE = "Europe/Amsterdam"
NOW = int(datetime.datetime(2024, 3, 14, 15, 0, tzinfo=ZoneInfo(ZONE)).timestamp())
DESKTOP = (1280, 800)
PHONE = (375, 740)


def local(y, mo, d, h=0, mi=0, s=0):
    """Unix time of a local (Amsterdam) date and time."""
    return int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(ZONE)).timestamp())


# %% Browser contexts and pages


def new_context(browser, width=DESKTOP[0], height=DESKTOP[1], touch=False, **options):
    """A context in ``ZONE`` of that size; ``touch`` makes it a phone."""
    return browser.new_context(
        viewport={"width": width, "height": height},
        screen={"width": width, "height": height},
        timezone_id=ZONE,
        locale="en-GB",
        has_touch=touch,
        is_mobile=touch,
        device_scale_factor=2 if touch else 1,
        **options,
    )


# Each Content-Security-Policy violation of a page, said in its console (the browser
# says it too, in its own words: both are collected).
_REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) => {
    console.error("securitypolicyviolation: " + e.effectiveDirective + " blocked "
        + (e.blockedURI || "(inline)") + " at " + e.sourceFile + ":" + e.lineNumber);
}, true);"""
_pages_of_test = []


def _on_console(page, msg):
    text = msg.text
    if text.startswith("securitypolicyviolation: ") or (
        "Content Security Policy" in text and msg.type in ("error", "warning")
    ):
        page.csp_violations.append(text)


_FUNCTION_TEXT = re.compile(r"^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)")


def _polled_without_eval(wait_for_function):
    """``page.wait_for_function`` that gives Playwright a function: a plain
    expression it polls with ``eval``, which the strict CSP forbids (as it should),
    so ``"window.x"`` becomes ``"() => (window.x)"``."""

    def wait(expression, **options):
        if not _FUNCTION_TEXT.match(expression):
            expression = f"() => ({expression})"
        return wait_for_function(expression, **options)

    return wait


def new_page(context, clock=None):
    """A page that collects its script errors (``page.js_errors``), the URLs it
    requests (``page.requests``) and its Content-Security-Policy violations
    (``page.csp_violations``); with ``clock``, Playwright's clock is fixed there."""
    page = context.new_page()
    page.set_default_timeout(10000)
    page.js_errors = []
    page.requests = []
    page.csp_violations = []
    page.on("pageerror", lambda err: page.js_errors.append(str(err)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda msg: _on_console(page, msg))
    page.add_init_script(_REPORT_CSP)
    page.wait_for_function = _polled_without_eval(page.wait_for_function)
    _pages_of_test.append(page)
    if clock is not None:
        page.clock.set_fixed_time(clock)
    return page


def take_csp_violations(page):
    """The page's Content-Security-Policy violations so far (cleared)."""
    found = list(page.csp_violations)
    page.csp_violations.clear()
    return found


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fail the test when a page it made violated the Content-Security-Policy."""
    _pages_of_test.clear()
    yield
    found = [v for page in _pages_of_test for v in page.csp_violations]
    _pages_of_test.clear()
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


# %% The app on a page

_PIN = """(now) => {
    dt.set_now(now);
    const day = dt.day_start(now);
    window.ttapp.set_range(day, dt.add(day, "1D"));
}"""


def wait_for_app(page, pin=False, dialogs=True):
    """Wait until the app of the page is ready: ``window.ttapp`` with its timeline,
    its store loaded from the cache, the welcome note of the demo or sandbox closed
    (and its history entry gone). With ``pin``, ``dt`` is pinned to ``NOW`` and the
    timeline shows that day; with ``dialogs``, the modules loaded on first use are
    loaded. Returns the store's user name."""
    page.wait_for_function("window.ttapp && window.ttapp.timeline")
    page.evaluate("window.ttapp.store._loading")
    if dialogs:
        page.evaluate("lazy.load()")
    if page.evaluate("window.ttapp.kind") != "app":
        page.wait_for_selector(".tt-notification")  # the welcome note, after 0.2 s
        page.evaluate("basedialog.close_all()")
        page.wait_for_function("!basedialog.is_open() && history.state === null")
    if pin:
        page.evaluate(_PIN, NOW)
    return page.evaluate("window.ttapp.store.username")


def open_app(page, site, path="app/sandbox/", pin=True, dialogs=True):
    """Open an app page of ``site`` (the server, or a static site) and wait for the
    app (``wait_for_app``). Returns the store's user name."""
    page.goto(site.url(path))
    return wait_for_app(page, pin, dialogs)


def login(page, site, user="alice", password=None):
    """Log in with the login page; ends on the app page."""
    page.goto(site.url("login/"))
    page.fill("#login-username", user)
    page.fill("#login-password", USERS[user] if password is None else password)
    page.click("#login-submit")
    page.wait_for_url("**/app/")


def login_app(page, site, user="alice", pin=True, dialogs=True):
    """Log in through the login page and wait for the app with the connected store.
    Returns the user name the store has."""
    login(page, site, user)
    return wait_for_app(page, pin, dialogs)


def set_range(page, t1, t2):
    page.evaluate("([t1, t2]) => window.ttapp.set_range(t1, t2)", [t1, t2])


def next_frames(page, n=2):
    """Wait until the page has drawn ``n`` more animation frames."""
    page.evaluate(
        """(n) => new Promise((resolve) => {
            const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
            step();
        })""",
        n,
    )


def settled(page):
    """Wait until the timeline's range has come to rest (no animation, no drag, not
    set in the last quarter second) and the frames after it are drawn."""
    page.wait_for_function("!window.ttapp.is_animating() && !window.ttapp.is_moving()")
    next_frames(page)


# %% The store on the page


def add_records(page, records):
    """Put records ``[(t1, t2, ds), ...]`` into the app's store; returns their keys."""
    return page.evaluate(
        """(records) => records.map(([t1, t2, ds]) => {
            const rs = window.ttapp.store.records;
            const r = rs.create(t1, t2, ds);
            rs.put(r);
            return r.key;
        })""",
        [list(r) for r in records],
    )


def put_record(page, ds, t1, t2, key=None):
    """Create (or, with ``key``, change) a record through the store. Returns its key."""
    return page.evaluate(
        """([ds, t1, t2, key]) => {
            const rs = window.ttapp.store.records;
            const r = key ? rs.get_by_key(key) : rs.create(t1, t2, ds);
            r.ds = ds; r.t1 = t1; r.t2 = t2;
            rs.put(r);
            return r.key;
        }""",
        [ds, t1, t2, key],
    )


def get_record(page, key):
    return page.evaluate("(key) => window.ttapp.store.records.get_by_key(key)", key)


def running(page):
    return page.evaluate("window.ttapp.store.records.get_running_records()")


def visible_records(page):
    """The records of the 40 days before ``NOW`` and the day after."""
    return page.evaluate(
        "(now) => window.ttapp.store.records.get_records(now - 40 * 86400, now + 86400)",
        NOW,
    )


def sync(page):
    """One sync cycle of the page's store, and any cycle that starts meanwhile (a
    scheduled one); once no cycle runs (at most 15 s) returns ``[outcome,
    last_error]``: the store's state, except that a cycle that went well counts as
    "ok" also when it had nothing new (state "sync" on its way to idle, or idle)."""
    return page.evaluate(
        """async () => {
            const s = window.ttapp.store;
            await s.sync();
            const deadline = performance.now() + 15000;
            while (s._running_sync && performance.now() < deadline) {
                await s._running_sync.catch(() => null);
            }
            const done = s.state === "sync" || s.state === "";
            return [done ? "ok" : s.state, s.last_error];
        }"""
    )


def sync_until_idle(page):
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


# %% Logins and the server


def auth_info(page):
    """The login stored on the page (``{username, token, expires, seed}``) or None."""
    text = page.evaluate("localStorage.getItem('timetagger_auth_info')")
    return json.loads(text) if text else None


def token_of(page):
    info = auth_info(page)
    return info["token"] if info else None


def api_token_for(server, user="alice", password=None):
    """A web token obtained over HTTP, as another device would."""
    password = USERS[user] if password is None else password
    body = base64.b64encode(
        json.dumps(
            {"method": "usernamepassword", "username": user, "password": password}
        ).encode()
    )
    r = httpx.post(
        server.url("api/v2/bootstrap_authentication"), content=body, timeout=10
    )
    r.raise_for_status()
    return r.json()["token"]


def server_records(server, token, t1=0, t2=4000000000):
    """The user's records as the server has them: ``{key: record}``."""
    r = httpx.get(
        server.url(f"api/v2/records?timerange={t1}-{t2}"),
        headers={"authtoken": token},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return {x["key"]: x for x in r.json()["records"]}


def server_settings(server, token):
    """The user's synced settings as the server has them: ``{key: value}``."""
    r = httpx.get(
        server.url("api/v2/settings"), headers={"authtoken": token}, timeout=30
    )
    assert r.status_code == 200, r.text
    return {x["key"]: x["value"] for x in r.json()["settings"]}


def wait_until(func, timeout=15, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = func()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class StaticSite:
    """``dist/`` built for an API on another origin, served by ``python -m http.server``
    under a path prefix; ``url(path)`` is a page of the site, ``api`` the API server."""

    def __init__(self, proc, port, prefix, api):
        self.proc = proc
        self.port = port
        self.prefix = prefix
        self.api = api
        self.origin = f"http://127.0.0.1:{port}"

    def url(self, path=""):
        return self.origin + self.prefix + path.lstrip("/")


def start_static_site(tmp_path, run_server, credentials, prefix="/some/prefix/"):
    """Build with ``--api-url`` pointing at an API on its own port (with that origin in
    its CORS setting) and serve the build with a plain static server."""
    import subprocess
    import sys

    import build
    from conftest import SITE_SRC, free_port

    static_port = free_port()
    origin = f"http://127.0.0.1:{static_port}"
    api = run_server(credentials=credentials, cors_origins=origin)
    root = tmp_path / "static-root"
    out = root / prefix.strip("/")
    build.build(SITE_SRC, str(out), api_url=api.url("api/v2/"))
    log = open(tmp_path / "http-server.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(static_port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(root),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")},
    )
    site = StaticSite(proc, static_port, prefix, api)
    wait_until(lambda: _answers(site.url("")), timeout=10, interval=0.05)
    return site


def _answers(url):
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


# %% Dialogs


def open_dialog(page, module, cls, *args):
    """Open one of our dialogs the way the menu or the app does."""
    page.evaluate(
        "([m, c, args]) => new window[m][c](window.ttapp).open(...args)",
        [module, cls, list(args)],
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


# Every control of the dialog within the screen width, big enough to tap (32 px;
# check boxes, radio buttons and file inputs are drawn by their labels), and no
# sideways scrolling of its body.
_FITS = """(sel) => {
    const box = document.querySelector(sel).getBoundingClientRect();
    const out = [];
    if (box.left < 0 || box.right > window.innerWidth) out.push("dialog " + box.left + ".." + box.right);
    const controls = ["button", "input", "select", ".tt-seg span"].map((c) => sel + " " + c).join(", ");
    for (const el of document.querySelectorAll(controls)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || el.type === "checkbox" || el.type === "radio" || el.type === "file") continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) out.push((el.className || el.tagName) + " " + r.left + ".." + r.right);
        if (r.height < 32) out.push((el.className || el.tagName) + " height " + r.height);
    }
    const body = document.querySelector(sel + " .tt-dialog-body");
    if (body.scrollWidth > body.clientWidth + 1) out.push("horizontal scroll " + body.scrollWidth + " > " + body.clientWidth);
    return out;
}"""


def fits(page, selector):
    """What does not fit of the dialog ``selector`` (a list of texts; [] is good)."""
    return page.evaluate(_FITS, selector)


# %% Screenshots


def save_screenshot(page, name):
    """A screenshot of the page's window into ``test-artifacts/``. Returns its path."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name if name.endswith(".png") else name + ".png")
    page.screenshot(path=path, full_page=False)
    return path


def shot(page, name):
    """A screenshot once the fade-in animations are over."""
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )
    return save_screenshot(page, name)


# %% Accessibility (axe-core)

AXE_JS = os.path.join(
    os.path.dirname(__file__), "axe", "node_modules", "axe-core", "axe.min.js"
)
_AXE_RUN = """async (selector) => {
    const context = selector ? document.querySelector(selector) : document;
    const result = await axe.run(context, {resultTypes: ["violations"]});
    return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + " (" + v.impact + "): " + v.help + "\\n    "
            + v.nodes.slice(0, 6).map((n) => n.target.join(" ") + " | "
                + n.failureSummary.split("\\n").slice(1).join(" ")).join("\\n    "));
}"""


def axe_violations(page, selector=None):
    """The serious and critical axe-core violations of the page (or of the element
    ``selector``), as texts. axe is put into the page through the test driver, not
    by the page: the page's Content-Security-Policy stays as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if not os.path.exists(AXE_JS):
            pytest.fail("axe-core is missing: make axe (npm ci in tests/e2e/axe)")
        with open(AXE_JS, encoding="utf-8") as f:
            page.evaluate(f.read() + "\n;undefined")
    return page.evaluate(_AXE_RUN, selector)
