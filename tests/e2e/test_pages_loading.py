"""How the app page loads, in a real browser: one script and one stylesheet first, the
dialogs on first use (also offline, from the service worker; a failed load is told and
retried), and the Content-Security-Policy the served site sends, which blocks inline
and evaluated scripts (and the tests notice any violation)."""

import re

import pytest

from .helpers import (
    DESKTOP,
    login_app,
    open_app,
    take_csp_violations,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def static_requests(page):
    """The files of static/ the page asked for, by name without hash."""
    names = []
    for url in page.requests:
        m = re.search(r"/static/([\w.-]+)\.[0-9a-f]{10}\.(js|css)$", url)
        if m:
            names.append(m.group(1) + "." + m.group(2))
    return names


def dialog_layers(page):
    return page.evaluate("document.querySelectorAll('.tt-dialog-layer').length")


def test_first_load_is_one_script_and_dialogs_come_on_first_use(make_page, site_server):
    page = make_page(*DESKTOP)
    open_app(page, site_server, "app/sandbox/", dialogs=False)
    assert static_requests(page) == ["app.css", "app.js"]
    assert page.evaluate("[typeof menudialog, lazy.is_loaded()]") == [
        "undefined",
        False,
    ]

    page.keyboard.press("t")  # the time-range dialog: loads the dialogs first
    page.wait_for_selector(".tt-timerange")
    assert static_requests(page) == ["app.css", "app.js", "app.later.js"]
    assert page.evaluate("lazy.is_loaded()") is True
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-timerange", state="detached")

    # Once there, a dialog opens in the same event, as before; nothing more is loaded.
    assert page.evaluate(
        "ttapp.actions.open_menu(); document.querySelector('.tt-menu') !== null"
    )
    assert static_requests(page) == ["app.css", "app.js", "app.later.js"]
    assert page.js_errors == []


def test_dialogs_open_offline_from_the_service_worker(context, page, site_server):
    """The worker precaches the dialogs' bundle with the app shell: a page loaded
    offline opens its first dialog without the network."""
    login_app(page, site_server, pin=False, dialogs=False)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    cached = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const cache = await caches.open(names[0]);
            return (await cache.keys()).map((r) => r.url);
        }"""
    )
    assert any(re.search(r"/static/app\.later\.\w+\.js$", u) for u in cached)
    context.set_offline(True)
    page.reload()
    wait_for_app(page, dialogs=False)
    assert page.evaluate("lazy.is_loaded()") is False
    page.click(".tt-menu-btn")
    page.wait_for_selector(".tt-menu")
    assert page.evaluate("typeof reportdialog") == "object"
    context.set_offline(False)
    assert page.js_errors == []


def test_a_failed_first_load_is_told_and_tried_again(context, make_page, site_server):
    page = make_page(*DESKTOP)
    open_app(page, site_server, "app/sandbox/", dialogs=False)
    page.context.set_offline(True)
    page.keyboard.press("t")
    page.wait_for_selector(".tt-notification")
    assert "could not be loaded" in page.inner_text(".tt-notification")
    assert page.evaluate("lazy.is_loaded()") is False
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-notification", state="detached")
    page.context.set_offline(False)
    page.keyboard.press("t")
    page.wait_for_selector(".tt-timerange")
    assert dialog_layers(page) == 1
    assert page.js_errors == []


def test_policy_blocks_inline_and_evaluated_scripts(page, site_server):
    """The served pages carry the build's policy; a script injected into the page
    does not run, nor does eval, and the tests' CSP guard sees both."""
    response = page.goto(site_server.url("app/demo/"))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy
    wait_for_app(page, dialogs=False)
    with page.expect_console_message(lambda m: "securitypolicyviolation" in m.text):
        ran = page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.injected = 1";
                document.head.appendChild(s);
                return window.injected === 1;
            }"""
        )
    assert ran is False
    # (Code that Playwright evaluates may eval while it runs; a timer's callback is
    # the page's own code again.)
    with page.expect_console_message(lambda m: "securitypolicyviolation" in m.text):
        outcome = page.evaluate(
            """() => new Promise((resolve) => setTimeout(() => {
                try { resolve(eval("1 + 1")); } catch (e) { resolve(e.name); }
            }, 0))"""
        )
    assert outcome == "EvalError"
    violations = take_csp_violations(page)
    assert any("script-src-elem blocked inline" in v for v in violations), violations
    assert any("script-src blocked eval" in v for v in violations), violations
    assert page.js_errors == []
