"""Fixtures for end-to-end tests: Debian's headless Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches the system ``chromium`` (or the
binary named by ``$CHROMIUM``). ``browser`` lives for the session; ``context`` and
``page`` are fresh per test. ``site_server`` serves a fresh build of the site together
with the API, with one user ``alice`` / ``alice-password``. Screenshots go to
``test-artifacts/`` via ``save_screenshot(page, name)``.
"""

import os
import shutil

import bcrypt
import pytest

from conftest import ROOT

ARTIFACTS = os.path.join(ROOT, "test-artifacts")

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

USERS = {"alice": "alice-password", "bob": "bob-password"}


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
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.js_errors = errors
    yield page


@pytest.fixture
def site_server(run_server, built_site, credentials):
    return run_server(site_dir=built_site, credentials=credentials)


def save_screenshot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name if name.endswith(".png") else name + ".png")
    page.screenshot(path=path, full_page=False)
    return path
