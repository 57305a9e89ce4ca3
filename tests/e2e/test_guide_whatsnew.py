"""Help for new users and what is new, in a real browser: the guide (SK-09) behind
`i`, the help button and the menu (with its tips, SK-10), the first-run hints
(TL-27) and the drag hint (TL-21) on desktop and phone, the release notes of this
version (SY-23), and a new deploy announced: banner, red dot, menu entry, then after
the reload "Updated to version X" with its notes."""

import pytest

from .helpers import (
    DESKTOP,
    PHONE,
    login_app,
    next_frames,
    open_app,
    shot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def size_name(size):
    return "desktop" if size == DESKTOP else "phone"


def in_view(page, selector):
    """Whether the element is within its scrolling dialog body's visible part."""
    return page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            const box = el.closest('.tt-dialog-body').getBoundingClientRect();
            const r = el.getBoundingClientRect();
            return r.top >= box.top - 1 && r.top < box.bottom;
        }""",
        selector,
    )


@SIZES
def test_the_guide_opens_with_i_the_help_button_and_the_menu(
    make_page, site_server, size
):
    phone = size == PHONE
    page = make_page(*size, touch=phone)
    open_app(page, site_server, "app/sandbox/")
    tap = page.tap if phone else page.click
    if phone:
        tap(".tt-help")
    else:
        page.keyboard.press("i")
    page.wait_for_selector(".tt-guide-dialog .tt-guide-text h2")
    headings = page.eval_on_selector_all(
        ".tt-guide-text h2", "els => els.map(e => e.textContent)"
    )
    assert headings[0] == "Start recording" and "Tips" in headings
    assert page.query_selector(".tt-guide-dialog .tt-keys") is None  # not the keys
    assert page.evaluate("ttapp.help_opened") is True
    shot(page, f"guide-{size_name(size)}")
    # The page it shows is a page of the site, also readable on its own.
    href = page.get_attribute(".tt-guide-page", "href")
    assert href.endswith("/app/help/guide/")
    # Its button leads to the keyboard shortcuts (the `?` list).
    tap(".tt-guide-keys")
    page.wait_for_selector(".tt-help-dialog .tt-keys")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-help-dialog", state="detached")

    # The menu: guide, tips (scrolled to them), shortcuts, what's new.
    tap(".tt-menu-btn")
    page.wait_for_selector(".tt-menu")
    entries = page.eval_on_selector_all(
        ".tt-menu-item", "els => els.map(e => e.dataset.entry)"
    )
    assert entries[:5] == ["home", "guide", "tips", "shortcuts", "changes"]
    version = page.evaluate("env.get_version()")
    assert page.inner_text("[data-entry='changes']") == (
        f"What's new in version {version}"
    )
    tap("[data-entry='tips']")
    page.wait_for_selector(".tt-guide-text h2")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.tt-guide-text h2')).some(h => h.textContent === 'Tips')"
    )
    assert in_view(page, ".tt-guide-text h2:last-of-type")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-guide-dialog", state="detached")

    tap(".tt-menu-btn")
    tap("[data-entry='changes']")
    page.wait_for_selector(".tt-guide-changes .tt-this-version")
    assert page.inner_text(".tt-this-version") == f"{version} (this version)"
    shot(page, f"whatsnew-{size_name(size)}")
    assert page.js_errors == []
    # The guide as a page of its own (the dialog's link), with the site's style.
    page.goto(href)
    assert page.inner_text("main h1") == "Guide"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
        != "none"
    )
    shot(page, f"guide-page-{size_name(size)}")


def test_the_guide_is_in_the_cache_of_the_app_offline(context, page, site_server):
    """The worker precaches the guide and the notes with the app (SK-09 offline)."""
    login_app(page, site_server, pin=False, dialogs=False)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    context.set_offline(True)
    page.reload()
    wait_for_app(page)
    page.keyboard.press("i")
    page.wait_for_selector(".tt-guide-text h2")
    page.keyboard.press("Escape")
    page.evaluate("ttapp.actions.open_changes()")
    page.wait_for_selector(".tt-guide-changes .tt-this-version")
    context.set_offline(False)
    assert page.js_errors == []


@SIZES
def test_first_run_hints_and_the_drag_hint(make_page, site_server, size):
    phone = size == PHONE
    page = make_page(*size, touch=phone)
    open_app(page, site_server, "app/sandbox/")
    # An empty store, some seconds after load: "press Record" under the button.
    page.wait_for_selector(".tt-hint.visible", timeout=15000)
    assert page.inner_text(".tt-hint") == "Press Record to start tracking your time"
    hint = page.locator(".tt-hint").bounding_box()
    record = page.locator(".tt-record").bounding_box()
    assert hint["y"] >= record["y"] + record["height"]  # below it
    arrow_x = hint["x"] + page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tt-hint')).getPropertyValue('--arrow-x'))"
    )
    assert record["x"] <= arrow_x <= record["x"] + record["width"]  # pointing at it
    assert hint["x"] >= 0 and hint["x"] + hint["width"] <= size[0] - 4
    shot(page, f"hint-record-{size_name(size)}")
    # Once the user has started, the next hint points at the guide; a tap on it
    # opens the guide, and no hint comes back.
    page.evaluate(
        "(() => { const rs = ttapp.store.records; rs.put(rs.create(dt.now() - 60, dt.now() - 10, 'x')); })()"
    )
    page.wait_for_function(
        "document.querySelector('.tt-hint.visible')?.textContent === 'New here? Press here for the guide'"
    )
    hint = page.locator(".tt-hint").bounding_box()
    helpb = page.locator(".tt-help").bounding_box()
    arrow_x = hint["x"] + page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tt-hint')).getPropertyValue('--arrow-x'))"
    )
    assert helpb["x"] <= arrow_x <= helpb["x"] + helpb["width"]
    assert hint["x"] >= 0 and hint["x"] + hint["width"] <= size[0] - 4
    shot(page, f"hint-guide-{size_name(size)}")
    (page.tap if phone else page.click)(".tt-hint")
    page.wait_for_selector(".tt-guide-dialog .tt-guide-text h2")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-guide-dialog", state="detached")
    page.wait_for_selector(".tt-hint", state="hidden")
    next_frames(page, 5)
    assert page.is_hidden(".tt-hint")

    # TL-21: the drag hint is invisible, and shows while the timeline is hovered or
    # touched.
    opacity = (
        "parseFloat(getComputedStyle(document.querySelector('.tt-drag-hint')).opacity)"
    )
    assert page.evaluate(opacity) == 0
    box = page.locator(".tt-canvas-box").bounding_box()
    if phone:
        page.touchscreen.tap(box["x"] + 20, box["y"] + box["height"] / 2)
    else:
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.wait_for_function(f"{opacity} > 0.1")
    hint_box = page.locator(".tt-drag-hint").bounding_box()
    column_right = page.evaluate("ttapp.timeline.col_x + ttapp.timeline.col_w")
    assert hint_box["x"] >= box["x"] + column_right  # right of the column
    shot(page, f"drag-hint-{size_name(size)}")
    assert page.js_errors == []


def test_a_new_version_is_announced_with_its_notes(
    page, static_site, tmp_path, monkeypatch
):
    """SY-23: a new deploy's worker takes over: the page shows a banner, a red dot on
    the menu button and a menu entry naming both versions; after the reload, a note
    "Updated to version X" whose link opens that version's notes."""
    import build
    from conftest import SITE_SRC

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    login_app(page, static_site, pin=False, dialogs=False)
    loaded = page.evaluate("Date.now()")
    old = page.evaluate("env.get_version()")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    # The first visit: nothing to announce.
    assert page.query_selector("#tt-update-banner") is None
    assert page.evaluate("localStorage.getItem('timetagger_seen_version')") == old
    # No longer "just loaded" (a new version would reload the page silently).
    page.wait_for_function(
        "(t) => Date.now() > t + pwa.RELOAD_WINDOW * 1000 + 200", arg=loaded
    )

    # A new version is deployed, with its notes.
    notes = tmp_path / "CHANGELOG.md"
    notes.write_text(
        "% What's new\n% Release notes.\n\n# What's new\n\n## 99.1.0\n\n"
        "* Something <b>new</b>.\n\n## " + old + "\n\n* The old notes.\n"
    )
    monkeypatch.setattr(build, "CHANGELOG", str(notes))
    monkeypatch.setattr(build, "__version__", "99.1.0")
    out = tmp_path / "static-root" / "some" / "prefix"
    build.build(SITE_SRC, str(out), api_url=static_site.api.url("api/v2/"))

    page.evaluate("pwa.check_for_update()")
    page.wait_for_selector("#tt-update-banner", timeout=15000)
    assert "new version" in page.inner_text("#tt-update-banner")
    page.wait_for_function("ttapp.new_version === '99.1.0'")
    page.wait_for_selector(".tt-menu-btn.has-update")
    dot = page.evaluate(
        "getComputedStyle(document.querySelector('.tt-menu-btn.has-update'), '::after').backgroundColor"
    )
    assert dot == "rgb(255, 68, 68)"
    page.click(".tt-menu-btn")
    page.wait_for_selector(".tt-menu [data-entry='update']")
    assert page.inner_text("[data-entry='update']") == (
        f"New version available: {old} \u2192 99.1.0"
    )
    shot(page, "whatsnew-update-menu-desktop")
    with page.expect_navigation():
        page.click("[data-entry='update']")
    wait_for_app(page, dialogs=False)
    assert page.evaluate("env.get_version()") == "99.1.0"
    page.wait_for_selector("#tt-update-banner")
    assert page.inner_text("#tt-update-banner") == (
        "Updated to version 99.1.0. What's new"
    )
    page.click("#tt-update-banner a")
    page.wait_for_selector(".tt-guide-changes .tt-this-version")
    assert page.inner_text(".tt-this-version") == "99.1.0 (this version)"
    assert page.query_selector(".tt-guide-text b").inner_text() == "new"
    assert page.query_selector("#tt-update-banner") is None
    shot(page, "whatsnew-after-update-desktop")
    # Seen: the next load announces nothing.
    page.reload()
    wait_for_app(page, dialogs=False)
    assert page.query_selector("#tt-update-banner") is None
    assert page.js_errors == []
