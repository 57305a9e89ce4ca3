"""Dialog mechanics in a real browser (SK-06, SK-08, TL-15): the stack, Escape, browser
Back, the backdrop, Tab staying inside, focus returning; and the small dialogs: the
time-range popup with its presets and dates (TL-12), the main menu (TL-29), the sync
status and error dialogs (TL-24) and the shortcut overlay (SK-05)."""

import pytest

from .helpers import NOW, dialog_count, local, open_record_dialog, shot

pytestmark = pytest.mark.e2e


def focus_canvas(page):
    page.evaluate("window.ttapp.canvas.focus()")


def active_class(page):
    return page.evaluate(
        "document.activeElement.className || document.activeElement.tagName"
    )


def test_escape_closes_the_top_dialog_and_focus_returns(desk):
    page = desk
    focus_canvas(page)
    open_record_dialog(page, "start")
    page.click(".tt-edit-presets")
    page.wait_for_selector(".tt-presets-dialog")
    assert dialog_count(page) == 2
    assert page.is_hidden(".tt-record-dialog"), "the child hides its parent"
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-presets-dialog", state="detached")
    assert page.is_visible(".tt-record-dialog")
    assert page.evaluate("basedialog.is_open()")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert page.evaluate("basedialog.is_open()") is False
    assert page.evaluate("document.activeElement === window.ttapp.canvas")


def test_back_button_closes_the_top_dialog(desk):
    page = desk
    length = page.evaluate("history.length")
    open_record_dialog(page, "start")
    page.click(".tt-edit-presets")
    page.wait_for_selector(".tt-presets-dialog")
    page.go_back()
    page.wait_for_selector(".tt-presets-dialog", state="detached")
    assert page.is_visible(".tt-record-dialog")
    page.go_back()
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert page.url.endswith("/app/sandbox/")
    # Closing by other means takes our history entry away again.
    open_record_dialog(page, "start")
    page.keyboard.press("Escape")
    page.wait_for_function("history.state === null || !history.state.tt_dialog")
    # Open and close quickly in a row: the history stays consistent.
    for _ in range(3):
        page.evaluate(
            "new notificationdialog.NotificationDialog(window.ttapp).open('Hi', 'there')"
        )
        page.keyboard.press("Escape")
    page.evaluate(
        "new notificationdialog.NotificationDialog(window.ttapp).open('Hi', 'there')"
    )
    page.wait_for_function("history.state !== null && history.state.tt_dialog")
    page.go_back()
    page.wait_for_selector(".tt-notification", state="detached")
    assert page.url.endswith("/app/sandbox/")
    assert page.evaluate("history.length") >= length


def test_backdrop_and_close_button(desk):
    page = desk
    page.evaluate(
        "new notificationdialog.NotificationDialog(window.ttapp).open('Title', '<p>Body</p>')"
    )
    page.mouse.click(10, 700)
    page.wait_for_selector(".tt-notification", state="detached")
    page.evaluate(
        "new notificationdialog.NotificationDialog(window.ttapp).open('Title', '<p>Body</p>')"
    )
    page.click(".tt-notification .tt-close")
    page.wait_for_selector(".tt-notification", state="detached")
    # A text selection dragged out of the dialog onto the backdrop does not close it.
    open_record_dialog(page, "start")
    box = page.eval_on_selector(
        ".tt-desc",
        "e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }",
    )
    page.mouse.move(box[0] + 10, box[1] + box[3] / 2)
    page.mouse.down()
    page.mouse.move(5, 790)
    page.mouse.up()
    assert page.is_visible(".tt-record-dialog")


def test_tab_stays_inside(desk):
    page = desk
    page.evaluate(
        "new notificationdialog.NotificationDialog(window.ttapp).open('Title', '<p>Body <a href=\"#x\">link</a></p>')"
    )
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.querySelector('.tt-notification').contains(document.activeElement)"
        )
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(
        "document.querySelector('.tt-notification').contains(document.activeElement)"
    )


def test_time_range_presets_and_dates(desk):
    page = desk
    page.evaluate(
        "window.closed_with = null; new timerangedialog.TimeRangeDialog(window.ttapp).open(v => window.closed_with = 'closed')"
    )
    page.wait_for_selector(".tt-timerange")
    assert page.input_value(".tt-from") == "2024-03-14"
    assert page.input_value(".tt-to") == "2024-03-14"
    labels = page.eval_on_selector_all(
        ".tt-preset", "els => els.map(e => e.textContent)"
    )
    assert labels[:5] == [
        "today d",
        "this week w",
        "this month m",
        "this quarter q",
        "this year y",
    ]
    assert labels[5:] == [
        "yesterday",
        "last week",
        "last month",
        "last quarter",
        "last year",
    ]
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('.tt-timerange-layer')).backgroundColor"
        )
        == "rgba(0, 0, 0, 0)"
    )
    shot(page, "dialogs-timerange-1280x800")
    page.click("[data-preset='last_week']")
    page.wait_for_selector(".tt-timerange", state="detached")
    assert page.evaluate("window.closed_with") == "closed"
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 3, 4),
        local(2024, 3, 11),
    ]
    # Dates: applied at once, without snapping; reversed dates are swapped.
    page.evaluate("new timerangedialog.TimeRangeDialog(window.ttapp).open()")
    assert page.input_value(".tt-from") == "2024-03-04"
    assert page.input_value(".tt-to") == "2024-03-10"
    page.fill(".tt-to", "2024-02-20")
    # 14 days is no time scale: snapping would have changed it.
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 2, 20),
        local(2024, 3, 5),
    ]
    page.fill(".tt-from", "2024-02-01")
    page.fill(".tt-to", "2024-02-29")
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 2, 1),
        local(2024, 3, 1),
    ]
    page.click(".tt-done")
    page.wait_for_selector(".tt-timerange", state="detached")
    # Every preset.
    expected = {
        "today": (local(2024, 3, 14), local(2024, 3, 15)),
        "this_week": (local(2024, 3, 11), local(2024, 3, 18)),
        "this_month": (local(2024, 3, 1), local(2024, 4, 1)),
        "this_quarter": (local(2024, 1, 1), local(2024, 4, 1)),
        "this_year": (local(2024, 1, 1), local(2025, 1, 1)),
        "yesterday": (local(2024, 3, 13), local(2024, 3, 14)),
        "last_month": (local(2024, 2, 1), local(2024, 3, 1)),
        "last_quarter": (local(2023, 10, 1), local(2024, 1, 1)),
        "last_year": (local(2023, 1, 1), local(2024, 1, 1)),
    }
    for name, (t1, t2) in expected.items():
        page.evaluate("new timerangedialog.TimeRangeDialog(window.ttapp).open()")
        page.click(f"[data-preset='{name}']")
        assert page.evaluate("window.ttapp.get_range()") == [t1, t2], name
    # A popup closes when the window loses focus, and on a click outside.
    page.evaluate("new timerangedialog.TimeRangeDialog(window.ttapp).open()")
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    page.wait_for_selector(".tt-timerange", state="detached")
    page.evaluate("new timerangedialog.TimeRangeDialog(window.ttapp).open()")
    page.mouse.click(1200, 700)
    page.wait_for_selector(".tt-timerange", state="detached")


def test_menu(desk):
    page = desk
    page.evaluate("new menudialog.MenuDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-menu")
    assert "sandbox" in page.inner_text(".tt-menu-intro")
    entries = page.eval_on_selector_all(
        ".tt-menu-item", "els => els.map(e => e.dataset.entry)"
    )
    assert entries[:5] == ["home", "guide", "tips", "shortcuts", "changes"]
    assert "login" in entries and "logout" not in entries
    home = page.get_attribute("[data-entry='home']", "href")
    assert home.endswith("/timetagger/")
    assert page.get_attribute("[data-entry='login']", "href").endswith(
        "/timetagger/login"
    )
    shot(page, "dialogs-menu-1280x800")
    # The entries open their dialogs (the menu imports them).
    page.keyboard.press("Escape")
    page.evaluate("new menudialog.MenuDialog(window.ttapp).open()")
    page.click("[data-entry='settings']")
    page.wait_for_selector(".tt-menu", state="detached")
    page.wait_for_selector(".tt-settings-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-settings-dialog", state="detached")
    page.evaluate("new menudialog.MenuDialog(window.ttapp).open()")
    page.click("[data-entry='shortcuts']")
    page.wait_for_selector(".tt-help-dialog")
    assert "Start a record" in page.inner_text(".tt-help-dialog")
    shot(page, "dialogs-help-1280x800")
    page.keyboard.press("Escape")


def test_sync_status_and_error(desk):
    page = desk
    page.evaluate("notificationdialog.show_sync_status(window.ttapp)")
    assert page.inner_text(".tt-notification h2") == "Sync status"
    page.click(".tt-notification .tt-btn")
    page.wait_for_selector(".tt-notification", state="detached")
    page.evaluate(
        """() => {
            const app = window.ttapp;
            window.fake = {state: "error", last_error: "Could not reach the server", sync_soon() {}};
            notificationdialog.show_sync_status({store: window.fake});
        }"""
    )
    assert page.inner_text(".tt-notification h2") == "Sync error"
    assert "Could not reach the server" in page.inner_text(".tt-notification")


def test_dark_mode(desk):
    page = desk
    page.evaluate("document.body.classList.add('darkmode')")
    open_record_dialog(page, "start")
    bg = page.evaluate(
        "getComputedStyle(document.querySelector('.tt-record-dialog')).backgroundColor"
    )
    assert bg == "rgb(30, 44, 53)"
    shot(page, "dialogs-record-dark-1280x800")
    assert NOW  # the clock is pinned for the screenshot
