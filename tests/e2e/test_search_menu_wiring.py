"""The issue-6 dialogs as the real app opens them: keys r and f, the menu's Search,
Import, Export and Settings entries, and the overview's tag configuration."""

import pytest

from .helpers import add_records, local, set_range

pytestmark = pytest.mark.e2e


def test_keys_and_menu_open_our_dialogs(desk):
    page = desk
    assert page.evaluate("window.ttapp instanceof app.App"), "the sandbox runs the app"
    add_records(
        page, [(local(2024, 3, 13, 9), local(2024, 3, 13, 10), "#client1 work")]
    )
    set_range(page, local(2024, 3, 11), local(2024, 3, 18))
    page.evaluate("window.ttapp.canvas && window.ttapp.canvas.focus()")
    page.keyboard.press("r")
    page.wait_for_selector(".tt-report-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-report-dialog", state="detached")
    page.evaluate("window.ttapp.canvas && window.ttapp.canvas.focus()")
    page.keyboard.press("f")
    page.wait_for_selector(".tt-search-dialog")
    page.keyboard.press("Escape")
    for entry, selector in [
        ("search", ".tt-search-dialog"),
        ("import", ".tt-import-dialog"),
        ("export", ".tt-export-dialog"),
        ("settings", ".tt-settings-dialog"),
    ]:
        page.evaluate("new menudialog.MenuDialog(window.ttapp).open()")
        page.click(f".tt-menu-item[data-entry='{entry}']")
        page.wait_for_selector(selector)
        page.keyboard.press("Escape")
        page.wait_for_selector(selector, state="detached")
    # the overview's configure action: one tag, then a combination
    page.evaluate("window.ttapp.actions.configure_tags(['#client1'])")
    page.wait_for_selector(".tt-tag-dialog")
    page.keyboard.press("Escape")
    page.evaluate("window.ttapp.actions.configure_tags(['#client1', '#code'])")
    page.wait_for_selector(".tt-combo-dialog")
    page.keyboard.press("Escape")
    assert page.js_errors == []
