"""Helpers for the store and pages end-to-end tests: log in through the login page,
get the app's store on the page, and read what the server holds over HTTP."""

import json
import time

import httpx

from .conftest import USERS

# The app's store: the one the app created, else one made here (until app.py exists).
GET_STORE = """async () => {
    for (let i = 0; i < 20 && !(window.ttapp && window.ttapp.store); i++) {
        await new Promise((r) => setTimeout(r, 25));
    }
    if (!window.__store) {
        window.__store = (window.ttapp && window.ttapp.store) || new stores.ConnectedDataStore();
    }
    return window.__store.username;
}"""


def login(page, server_url, user="alice", password=None):
    """Log in with the login page; ends on the app page."""
    page.goto(server_url("login/"))
    page.fill("#login-username", user)
    page.fill("#login-password", USERS[user] if password is None else password)
    page.click("#login-submit")
    page.wait_for_url("**/app/")


def open_store(page):
    """The store of the app on the page (``window.__store``). Returns its user name."""
    username = page.evaluate(GET_STORE)
    assert page.evaluate("!window.ttapp || window.__store === window.ttapp.store")
    page.wait_for_function("window.__store._loading !== undefined")
    page.evaluate("window.__store._loading")
    return username


def put_record(page, ds, t1, t2, key=None):
    """Create (or, with ``key``, change) a record through the store. Returns its key."""
    return page.evaluate(
        """([ds, t1, t2, key]) => {
            const rs = window.__store.records;
            const r = key ? rs.get_by_key(key) : rs.create(t1, t2, ds);
            r.ds = ds; r.t1 = t1; r.t2 = t2;
            rs.put(r);
            return r.key;
        }""",
        [ds, t1, t2, key],
    )


def sync(page):
    page.evaluate("window.__store.sync()")
    return page.evaluate("[window.__store.state, window.__store.last_error]")


def token_of(page):
    info = page.evaluate("localStorage.getItem('timetagger_auth_info')")
    return json.loads(info)["token"] if info else None


def server_records(server, token, timerange="0-4000000000"):
    r = httpx.get(
        server.url(f"api/v2/records?timerange={timerange}"),
        headers={"authtoken": token},
        timeout=10,
    )
    r.raise_for_status()
    return {x["key"]: x for x in r.json()["records"]}


def server_settings(server, token):
    r = httpx.get(
        server.url("api/v2/settings"), headers={"authtoken": token}, timeout=10
    )
    r.raise_for_status()
    return {x["key"]: x for x in r.json()["settings"]}


def api_token_for(server, user="alice"):
    """A web token obtained over HTTP, as another device would."""
    import base64

    body = base64.b64encode(
        json.dumps(
            {"method": "usernamepassword", "username": user, "password": USERS[user]}
        ).encode()
    )
    r = httpx.post(
        server.url("api/v2/bootstrap_authentication"), content=body, timeout=10
    )
    r.raise_for_status()
    return r.json()["token"]


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
    import os
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
