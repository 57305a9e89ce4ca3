"""The dialogs on a 375x740 touch phone: everything fits the width, every control is
reachable by tapping, the keyboard does not pop up on its own, and a record can be
started, corrected and deleted with taps and typing only."""

import pytest

from .helpers import (
    NOW,
    add_records,
    fits,
    get_record,
    local,
    open_record_dialog,
    running,
    shot,
)

pytestmark = pytest.mark.e2e


def test_start_with_taps(phone):
    page = phone
    add_records(page, [(NOW - 7200, NOW - 3600, "report #client1 #code")])
    open_record_dialog(page, "start")
    # No automatic focus on a phone: the on-screen keyboard stays away.
    assert not page.evaluate("document.activeElement.classList.contains('tt-desc')")
    assert fits(page, ".tt-record-dialog") == []
    page.tap(".tt-desc")
    page.keyboard.type("Call with #cl")
    page.tap(".tt-ac-item:has-text('#client1')")
    assert page.input_value(".tt-desc") == "Call with #client1 "
    page.tap(".tt-seg:has-text('Started earlier')")
    assert fits(page, ".tt-record-dialog") == []
    page.tap(".tt-start-row [data-step='start:-1']")
    assert page.input_value(".tt-start-time") == "13:55"
    shot(page, "dialogs-record-start-375x740")
    page.tap(".tt-submit")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    runs = running(page)
    assert [(r["ds"], r["t1"]) for r in runs] == [
        ("Call with #client1", local(2024, 3, 14, 13, 55))
    ]


def test_edit_and_delete_with_taps(phone):
    page = phone
    add_records(page, [(NOW - 86400, NOW - 80000, "standup #client2 #meeting")])
    (key,) = add_records(
        page,
        [
            (
                local(2024, 3, 14, 9, 15),
                local(2024, 3, 14, 12, 40),
                "Design review #client1 #meeting",
            )
        ],
    )
    open_record_dialog(page, "edit", key)
    assert fits(page, ".tt-record-dialog") == []
    shot(page, "dialogs-record-edit-375x740")
    page.tap(".tt-stop-time")
    page.fill(".tt-stop-time", "1:15 pm")
    page.tap(".tt-duration")  # leaving the field applies it
    assert page.input_value(".tt-duration") == "4h 00m"
    page.tap("[data-list='tags']")
    page.wait_for_selector(".tt-ac-item")
    assert fits(page, ".tt-record-dialog") == []
    shot(page, "dialogs-record-tags-375x740")
    page.tap(".tt-ac-item:has-text('#client2')")
    assert "#client2" in page.input_value(".tt-desc")
    page.tap(".tt-submit")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert rec["t2"] == local(2024, 3, 14, 13, 15)
    assert "#client2" in rec["ds"]
    # Delete with its confirm step.
    open_record_dialog(page, "edit", key)
    page.tap(".tt-delete")
    page.tap(".tt-confirm")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert get_record(page, key)["ds"].startswith("HIDDEN ")


def test_popups_fit_the_phone(phone):
    page = phone
    page.evaluate("new menudialog.MenuDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-menu")
    assert fits(page, ".tt-menu") == []
    shot(page, "dialogs-menu-375x740")
    page.tap(".tt-menu-item:has-text('Keyboard shortcuts')")
    page.wait_for_selector(".tt-help-dialog")
    assert fits(page, ".tt-help-dialog") == []
    page.tap(".tt-help-dialog .tt-close")
    page.evaluate("new timerangedialog.TimeRangeDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-timerange")
    assert fits(page, ".tt-timerange") == []
    shot(page, "dialogs-timerange-375x740")
    page.tap("[data-preset='last_month']")
    page.wait_for_selector(".tt-timerange", state="detached")
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 2, 1),
        local(2024, 3, 1),
    ]
    page.evaluate("new presetsdialog.PresetsDialog(window.ttapp).open()")
    assert fits(page, ".tt-presets-dialog") == []
    page.tap(".tt-presets-dialog .tt-close")
