"""The record dialog in a real browser, on a desktop-sized window with the keyboard:
start a timer with a tagged description, stop it, change its times with the RC-13 text
forms, delete it (with the confirm step), autocompletion of tags and presets, and the
unsaved-changes question of quirk 17."""

import pytest

from .helpers import (
    NOW,
    add_records,
    get_record,
    local,
    open_record_dialog,
    running,
    shot,
    visible_records,
)

pytestmark = pytest.mark.e2e


def dialog_title(page):
    return page.inner_text(".tt-record-dialog .tt-dialog-header h2")


def test_start_stop_edit_delete(desk):
    page = desk
    # Start: the description has focus on a desktop; type a tagged description.
    open_record_dialog(page, "start")
    assert dialog_title(page) == "Start record"
    assert page.evaluate("document.activeElement.classList.contains('tt-desc')")
    assert page.get_attribute(".tt-desc", "placeholder") == "What are you going to do?"
    page.keyboard.type("Write the docs #Client1 #code")
    assert page.inner_text(".tt-tagline") == "Tags: #client1 #code"
    page.keyboard.press("Escape")  # closes the tag suggestions, not the dialog
    assert page.is_visible(".tt-record-dialog")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    runs = running(page)
    assert len(runs) == 1
    rec = runs[0]
    assert rec["ds"] == "Write the docs #client1 #code"
    assert rec["t1"] == rec["t2"] == NOW
    key = rec["key"]

    # Stop it through the dialog: Edit running -> "Stopped" turns it into Stop mode.
    page.evaluate(f"dt.set_now({NOW + 5400})")
    open_record_dialog(page, "edit", key)
    assert dialog_title(page) == "Edit running record"
    assert page.is_disabled(".tt-submit"), "nothing changed yet"
    page.click(".tt-seg:has-text('Stopped')")
    assert dialog_title(page) == "Stop record"
    assert page.input_value(".tt-stop-time") == "16:30"
    assert page.input_value(".tt-duration") == "1h 30m"
    page.click(".tt-submit")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert (rec["t1"], rec["t2"]) == (NOW, NOW + 5400)
    assert running(page) == []

    # Change its times by typing: start "9:30", stop "1045" (packed digits), then
    # the duration "1h15m" moves the stop; "4:30 pm" for the stop afterwards.
    open_record_dialog(page, "edit", key)
    assert dialog_title(page) == "Edit record"
    assert (
        page.is_hidden(".tt-time-options")
        or page.query_selector(".tt-time-options") is None
    )
    page.fill(".tt-start-time", "9:30")
    page.press(".tt-start-time", "Tab")
    assert page.input_value(".tt-start-time") == "09:30"
    page.fill(".tt-stop-time", "1045")
    page.press(".tt-stop-time", "Tab")
    assert page.input_value(".tt-duration") == "1h 15m"
    page.fill(".tt-duration", "2h")
    page.press(".tt-duration", "Tab")
    assert page.input_value(".tt-stop-time") == "11:30"
    page.fill(".tt-stop-time", "4:30 pm")
    # Enter applies the field being typed in and saves.
    page.press(".tt-stop-time", "Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert (rec["t1"], rec["t2"]) == (
        local(2024, 3, 14, 9, 30),
        local(2024, 3, 14, 16, 30),
    )
    assert rec["ds"] == "Write the docs #client1 #code"

    # Delete: the first click only reveals the confirm button.
    open_record_dialog(page, "edit", key)
    page.click(".tt-delete")
    assert page.is_visible(".tt-confirm")
    assert get_record(page, key)["ds"].startswith("Write")
    page.click(".tt-confirm")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert rec["ds"] == "HIDDEN Write the docs #client1 #code"
    assert rec["t2"] > rec["t1"]  # not running (the store's mark_as_deleted)
    assert visible_records(page) == []


def test_time_text_forms_and_bad_input(desk):
    page = desk
    (key,) = add_records(
        page, [(local(2024, 3, 13, 8, 0), local(2024, 3, 13, 17, 0), "#p1")]
    )
    open_record_dialog(page, "edit", key)
    forms = {
        "9:30": "09:30",
        "0930": "09:30",
        "9h30m": "09:30",
        "9 30": "09:30",
        "4:34 pm": "16:34",
        "12am": "00:00",
        "13": "13:00",
    }
    for text, shown in forms.items():
        page.fill(".tt-start-time", text)
        page.press(".tt-start-time", "Tab")
        assert page.input_value(".tt-start-time") == shown, text
        assert page.input_value(".tt-start-date") == "2024-03-13", text
    # Live: the duration follows while typing, before the field is left.
    page.fill(".tt-start-time", "")
    page.type(".tt-start-time", "15:00")
    assert page.input_value(".tt-duration") == "2h 00m"
    page.press(".tt-start-time", "Tab")
    # Unreadable text: the previous value stays and a message says why (quirk 3).
    page.fill(".tt-duration", "-1h")
    page.press(".tt-duration", "Tab")
    assert page.input_value(".tt-duration") == "2h 00m"
    assert "cannot be negative" in page.inner_text(".tt-time-warnings")
    page.fill(".tt-start-time", "soon")
    assert page.get_attribute(".tt-start-time", "aria-invalid") == "true"
    page.press(".tt-start-time", "Tab")
    assert page.input_value(".tt-start-time") == "15:00"
    assert 'Cannot read "soon" as a start time' in page.inner_text(".tt-time-warnings")
    # Dates and +/- buttons.
    page.fill(".tt-start-date", "2024-03-11")
    assert page.input_value(".tt-stop-date") == "2024-03-11"
    page.click(".tt-stop-row [data-step='stop:1']")
    assert page.input_value(".tt-stop-time") == "17:05"
    page.click(".tt-start-row [data-step='start:-1']")
    assert page.input_value(".tt-start-time") == "14:55"
    # A big move warns but does not block.
    assert "moving start back 2d" in page.inner_text(
        ".tt-time-warnings"
    ) or "moving start back 4" in page.inner_text(".tt-time-warnings")
    page.click(".tt-submit")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert (rec["t1"], rec["t2"]) == (
        local(2024, 3, 11, 14, 55),
        local(2024, 3, 11, 17, 5),
    )


def test_start_earlier_and_already_done(desk):
    page = desk
    add_records(page, [(NOW - 3 * 3600, NOW - 1800, "#before")])
    open_record_dialog(page, "start")
    page.keyboard.type("catch up")
    # Keyboard: Tab to the option row and use the arrow keys like any radio group.
    page.click(".tt-seg:has-text('Started earlier')")
    assert page.is_visible(".tt-start-row") and page.is_hidden(".tt-stop-row")
    assert page.input_value(".tt-start-time") == "14:30"  # where the last record ended
    page.keyboard.press("ArrowRight")
    assert (
        page.evaluate("document.querySelector('.tt-seg input:checked').value") == "done"
    )
    assert dialog_title(page) == "New record"  # RC-09: no longer running
    assert page.inner_text(".tt-submit") == "Create"
    assert page.is_visible(".tt-stop-row")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    recs = [r for r in visible_records(page) if r["ds"] == "catch up"]
    assert len(recs) == 1 and (recs[0]["t1"], recs[0]["t2"]) == (NOW - 1800, NOW)


def test_one_timer_at_a_time_and_resume(desk):
    page = desk
    keys = add_records(
        page,
        [(NOW - 3600, NOW - 3600, "first #a"), (NOW - 7200, NOW - 5400, "done #b")],
    )
    open_record_dialog(page, "start")
    page.keyboard.type("second #b")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    runs = running(page)
    assert [r["ds"] for r in runs] == ["second #b"]
    assert get_record(page, keys[0])["t2"] == NOW  # stopped where the new one started
    # Resume a finished record: stops what runs, starts a new one with its text.
    open_record_dialog(page, "edit", keys[1])
    assert page.is_visible(".tt-resume")
    page.click(".tt-resume")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert [r["ds"] for r in running(page)] == ["done #b"]
    assert get_record(page, keys[1])["t2"] == NOW - 5400, "the original is unchanged"


def test_tag_autocompletion(desk):
    page = desk
    add_records(
        page,
        [
            (NOW - 7200, NOW - 3600, "report #client1 #code"),
            (NOW - 86400, NOW - 80000, "standup #client2 #meeting"),
        ],
    )
    page.evaluate(
        "settings.set('tag_presets', ['#client1 #meeting', '#internal #admin'])"
    )
    open_record_dialog(page, "start")
    page.keyboard.type("Review #cl")
    page.wait_for_selector(".tt-ac-item")
    items = page.eval_on_selector_all(
        ".tt-ac-item .tt-ac-value", "els => els.map(e => e.textContent)"
    )
    assert items == ["#client1", "#client2"]
    assert page.inner_text(".tt-ac-header") == "Matching tags"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # accepts, does not submit
    assert page.input_value(".tt-desc") == "Review #client2 "
    assert page.is_visible(".tt-record-dialog")
    # Tags containing the text (2+ characters).
    page.keyboard.type("#eet")
    assert page.eval_on_selector_all(
        ".tt-ac-item .tt-ac-value", "els => els.map(e => e.textContent)"
    ) == ["#meeting"]
    page.keyboard.press("Tab")
    assert page.input_value(".tt-desc") == "Review #client2 #meeting "
    # ## lists presets; # toggles back to tags.
    page.keyboard.type("##")
    assert "Presets" in page.inner_text(".tt-ac-header")
    page.keyboard.type("int")
    assert page.eval_on_selector_all(
        ".tt-ac-item .tt-ac-value", "els => els.map(e => e.textContent)"
    ) == ["#internal #admin"]
    page.keyboard.press("#")
    assert page.input_value(".tt-desc").endswith(" #int")
    assert page.inner_text(".tt-ac-header") == "No matching tags"
    page.keyboard.press("#")
    page.click(".tt-ac-item")  # the mouse works too
    assert page.input_value(".tt-desc") == "Review #client2 #meeting #internal #admin "
    # Moving the cursor into a tag shows its suggestions; accepting keeps the rest.
    page.fill(".tt-desc", "Review #cl and more")
    page.keyboard.press("Home")
    assert page.is_hidden(".tt-ac")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert page.inner_text(".tt-ac-header") == "Matching tags"
    page.keyboard.press("Tab")
    assert page.input_value(".tt-desc") == "Review #client1 and more"
    page.fill(".tt-desc", "Review #client2 #meeting #internal #admin")
    # Quirk 16: a tag first used in this session is offered at once.
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    open_record_dialog(page, "start")
    page.keyboard.type("#adm")
    assert page.eval_on_selector_all(
        ".tt-ac-item .tt-ac-value", "els => els.map(e => e.textContent)"
    ) == ["#admin"]


def test_recent_tags_presets_buttons(desk):
    page = desk
    add_records(page, [(NOW - 7200, NOW - 3600, "report #client1 #code")])
    page.evaluate("settings.set('tag_presets', ['#client1 #meeting'])")
    open_record_dialog(page, "start")
    page.click("[data-list='recent']")
    assert page.inner_text(".tt-ac-header") == "Recent descriptions"
    page.click(".tt-ac-item")
    assert page.input_value(".tt-desc") == "report #client1 #code"
    page.fill(".tt-desc", "writing")
    page.click("[data-list='tags']")
    notes = page.eval_on_selector_all(
        ".tt-ac-note", "els => els.map(e => e.textContent)"
    )
    assert notes and all(n.startswith("recent: ") for n in notes)
    page.click(".tt-ac-item:has-text('#code')")
    assert page.input_value(".tt-desc") == "writing #code "
    page.click("[data-list='presets']")
    page.click(".tt-ac-item")
    assert page.input_value(".tt-desc") == "writing #code #client1 #meeting "
    # The pencil opens the presets editor on top; closing it shows the record dialog.
    page.click(".tt-edit-presets")
    page.wait_for_selector(".tt-presets-dialog")
    assert page.is_hidden(".tt-record-dialog")
    page.fill(".tt-presets-text", "#Client1 #meeting\nJust words #Ops #ops")
    page.click(".tt-presets-dialog .tt-save")
    assert page.input_value(".tt-presets-text") == "#client1 #meeting\n#ops"
    assert (
        page.inner_text(".tt-presets-status") == "Saved 2 presets with 3 unique tags."
    )
    assert page.evaluate("settings.get('tag_presets')") == ["#client1 #meeting", "#ops"]
    page.keyboard.press("Escape")
    assert page.is_visible(".tt-record-dialog")
    page.click("[data-list='presets']")
    assert page.eval_on_selector_all(
        ".tt-ac-item .tt-ac-value", "els => els.map(e => e.textContent)"
    ) == [
        "#client1 #meeting",
        "#ops",
    ]


def test_description_limit_and_hints(desk):
    page = desk
    open_record_dialog(page, "start")
    assert "Tip: add tags" in page.inner_text(".tt-hints")
    page.fill(".tt-desc", "x" * 300)
    page.dispatch_event(".tt-desc", "input")
    assert len(page.input_value(".tt-desc")) == 255
    assert page.inner_text(".tt-max-note") == "(max 255 chars)"
    page.fill(".tt-desc", "see https://example.com/a #a #b #A")
    assert "Duplicate tags: #a" in page.inner_text(".tt-hints")
    assert page.get_attribute(".tt-hints a", "href") == "https://example.com/a"


def test_backdrop_asks_before_discarding(desk):
    page = desk
    (key,) = add_records(page, [(NOW - 7200, NOW - 3600, "report #p1")])
    # Without changes a click outside closes.
    open_record_dialog(page, "edit", key)
    page.mouse.click(5, 790)
    page.wait_for_selector(".tt-record-dialog", state="detached")
    # With changes it asks (quirk 17).
    open_record_dialog(page, "edit", key)
    page.fill(".tt-desc", "report #p2")
    page.dispatch_event(".tt-desc", "input")
    page.mouse.click(5, 790)
    assert page.is_visible(".tt-discard-bar")
    assert page.is_visible(".tt-record-dialog")
    shot(page, "dialogs-record-discard-1280x800")
    page.click(".tt-keep")
    assert page.is_hidden(".tt-discard-bar")
    assert page.input_value(".tt-desc") == "report #p2"
    # Browser Back asks too.
    page.go_back()
    page.wait_for_selector(".tt-discard-bar", state="visible")
    page.click(".tt-discard")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert get_record(page, key)["ds"] == "report #p1"


def test_record_dialog_screenshot_desktop(desk):
    page = desk
    add_records(
        page,
        [
            (NOW - 7200, NOW - 3600, "report #client1 #code"),
            (NOW - 86400, NOW - 80000, "standup #client2 #meeting"),
        ],
    )
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
    page.click(".tt-desc")
    page.keyboard.press("End")
    page.keyboard.type(" #c")
    page.wait_for_selector(".tt-ac-item")
    shot(page, "dialogs-record-edit-1280x800")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    open_record_dialog(page, "start")
    page.keyboard.type("Plan the sprint #client1")
    page.keyboard.press("Escape")
    page.click(".tt-seg:has-text('Started earlier')")
    shot(page, "dialogs-record-start-1280x800")


def test_keyboard_only(desk):
    """Everything in the record dialog is reachable with Tab, arrows and Enter."""
    page = desk
    open_record_dialog(page, "start")
    page.keyboard.type("Plan #ops")
    page.keyboard.press("Escape")

    def tab_to(selector, limit=15):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(".tt-seg input")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert (
        page.evaluate("document.querySelector('.tt-seg input:checked').value") == "done"
    )
    tab_to(".tt-start-time")
    page.keyboard.press("Control+A")
    page.keyboard.type("13")
    tab_to(".tt-stop-row [data-step='stop:-1']")
    page.keyboard.press("Enter")  # a focused button does its own job, no submit
    assert page.is_visible(".tt-record-dialog")
    assert page.input_value(".tt-stop-time") == "14:55"
    tab_to(".tt-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    recs = [r for r in visible_records(page) if r["ds"] == "Plan #ops"]
    assert [(r["t1"], r["t2"]) for r in recs] == [
        (local(2024, 3, 14, 13), local(2024, 3, 14, 14, 55))
    ]
