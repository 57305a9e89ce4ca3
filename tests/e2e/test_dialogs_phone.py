"""The dialogs on a 375x740 touch phone: everything fits the width, every control is
reachable by tapping, the keyboard does not pop up on its own, and a record can be
started, corrected and deleted with taps and typing only."""

import pytest

from .dialogs_harness import (
    NOW,
    add_records,
    get_record,
    local,
    new_context,
    new_page,
    open_app,
    open_record_dialog,
    running,
    shot,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser, site_server, built_site):
    context = new_context(browser, 375, 740, touch=True)
    page = new_page(context)
    open_app(page, site_server, built_site)
    yield page
    assert page.js_errors == []
    context.close()


FITS = """(sel) => {
    const box = document.querySelector(sel).getBoundingClientRect();
    const out = [];
    if (box.left < 0 || box.right > window.innerWidth) out.push("dialog " + box.left + ".." + box.right);
    for (const el of document.querySelectorAll(sel + " button, " + sel + " input, " + sel + " .tt-seg span")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || el.type === "radio") continue;  // hidden, or drawn by its label
        if (r.left < box.left - 1 || r.right > box.right + 1) out.push((el.className || el.tagName) + " " + r.left + ".." + r.right);
        if (r.height < 32) out.push((el.className || el.tagName) + " height " + r.height);
    }
    const body = document.querySelector(sel + " .tt-dialog-body");
    if (body.scrollWidth > body.clientWidth + 1) out.push("horizontal scroll " + body.scrollWidth + " > " + body.clientWidth);
    return out;
}"""


def test_start_with_taps(phone):
    page = phone
    add_records(page, [(NOW - 7200, NOW - 3600, "report #client1 #code")])
    open_record_dialog(page, "start")
    # No automatic focus on a phone: the on-screen keyboard stays away.
    assert not page.evaluate("document.activeElement.classList.contains('tt-desc')")
    assert page.evaluate(FITS, ".tt-record-dialog") == []
    page.tap(".tt-desc")
    page.keyboard.type("Call with #cl")
    page.tap(".tt-ac-item:has-text('#client1')")
    assert page.input_value(".tt-desc") == "Call with #client1 "
    page.tap(".tt-seg:has-text('Started earlier')")
    assert page.evaluate(FITS, ".tt-record-dialog") == []
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
    assert page.evaluate(FITS, ".tt-record-dialog") == []
    shot(page, "dialogs-record-edit-375x740")
    page.tap(".tt-stop-time")
    page.fill(".tt-stop-time", "1:15 pm")
    page.tap(".tt-duration")  # leaving the field applies it
    assert page.input_value(".tt-duration") == "4h 00m"
    page.tap("[data-list='tags']")
    page.wait_for_selector(".tt-ac-item")
    assert page.evaluate(FITS, ".tt-record-dialog") == []
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
    page.evaluate("new dialogs.MenuDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-menu")
    assert page.evaluate(FITS, ".tt-menu") == []
    shot(page, "dialogs-menu-375x740")
    page.tap(".tt-menu-item:has-text('Keyboard shortcuts')")
    page.wait_for_selector(".tt-help-dialog")
    assert page.evaluate(FITS, ".tt-help-dialog") == []
    page.tap(".tt-help-dialog .tt-close")
    page.evaluate("new dialogs.TimeRangeDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-timerange")
    assert page.evaluate(FITS, ".tt-timerange") == []
    shot(page, "dialogs-timerange-375x740")
    page.tap("[data-preset='last_month']")
    page.wait_for_selector(".tt-timerange", state="detached")
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 2, 1),
        local(2024, 3, 1),
    ]
    page.evaluate("new presetsdialog.PresetsDialog(window.ttapp).open()")
    assert page.evaluate(FITS, ".tt-presets-dialog") == []
    page.tap(".tt-presets-dialog .tt-close")
