"""The built site in a real browser: every page loads without script errors, and the
app page resolves its API beside the site root."""

import pytest

from .helpers import save_screenshot

pytestmark = pytest.mark.e2e

PAGES = ["", "login", "logout", "account", "cred", "app/", "app/demo/", "app/sandbox/"]


def test_pages_load_without_errors(page, site_server):
    for path in PAGES:
        response = page.goto(site_server.url(path))
        assert response.status == 200, path
        if path == "logout":
            # The logout page clears this device's data, then leaves for the root.
            page.wait_for_url(site_server.url(""))
            page.wait_for_load_state()
        assert page.title(), path
    assert page.js_errors == []


def test_app_page_finds_api(page, site_server):
    page.goto(site_server.url("app/"))
    api = page.evaluate("env.api_base_url()")
    assert api == site_server.url("api/v2/")
    page.goto(site_server.url("app/demo"))  # no trailing slash: same answer
    assert page.evaluate("env.api_base_url()") == site_server.url("api/v2/")
    save_screenshot(page, "smoke-demo")


def test_service_worker_registers_on_the_single_process_server(page, site_server):
    page.goto(site_server.url("app/"))
    scope = page.evaluate(
        "() => navigator.serviceWorker.ready.then((reg) => reg.scope)"
    )
    assert scope == site_server.url("app/")
    caches = page.evaluate("() => caches.keys()")
    assert any(name.startswith("timetagger_v") for name in caches)
