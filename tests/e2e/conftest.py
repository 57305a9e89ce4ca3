"""Fixtures for end-to-end tests: Debian's headless Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches the system ``chromium`` (or the
binary named by ``$CHROMIUM``). ``browser`` lives for the session; ``context`` and
``page`` are fresh per test (a plain 1280x800 context). ``site_server`` serves a fresh
build of the site together with the API, with the users ``alice`` / ``alice-password``
and ``bob`` / ``bob-password``; ``static_site`` is the split deployment (the build on
a plain static server, the API on another origin).

``make_page(width, height, touch=False, clock=None, **options)`` makes pages in fresh
contexts of ``helpers.ZONE`` (closed after the test). ``desk`` (1280x800) and ``phone``
(375x740, touch) are the sandbox app ready to use, its clock pinned to
``helpers.NOW`` and showing that day; they fail the test on a script error. The
functions these build on (and screenshots, the store, the server) are in helpers.py.
"""

import os
import shutil

import bcrypt
import pytest

from .helpers import (
    DESKTOP,
    PHONE,
    USERS,
    new_context,
    new_page,
    no_csp_violations,  # noqa: F401 - autouse: no test may violate the CSP
    open_app,
    start_static_site,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
]


def chromium_path():
    path = (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is needed for the end-to-end tests: apt-get install chromium (or set CHROMIUM)"
        )
    return path


@pytest.fixture(scope="session")
def credentials():
    parts = []
    for user, password in USERS.items():
        pwhash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        parts.append(f"{user}:{pwhash}")
    return ",".join(parts)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def page(context):
    return new_page(context)


@pytest.fixture
def site_server(run_server, built_site, credentials):
    return run_server(site_dir=built_site, credentials=credentials)


@pytest.fixture
def static_site(tmp_path, run_server, credentials):
    site = start_static_site(tmp_path, run_server, credentials)
    yield site
    site.proc.terminate()
    site.proc.wait(10)


@pytest.fixture
def make_page(browser):
    contexts = []

    def make(width=DESKTOP[0], height=DESKTOP[1], touch=False, clock=None, **options):
        context = new_context(browser, width, height, touch=touch, **options)
        contexts.append(context)
        return new_page(context, clock)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desk(make_page, site_server):
    page = make_page(*DESKTOP)
    open_app(page, site_server)
    yield page
    assert page.js_errors == []


@pytest.fixture
def phone(make_page, site_server):
    page = make_page(*PHONE, touch=True)
    open_app(page, site_server)
    yield page
    assert page.js_errors == []
