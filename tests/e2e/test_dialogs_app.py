"""The dialogs through the real app, as a user drives them: the s and x keys, the
Record and menu buttons, a click on a record's label in the timeline, t for the time
range, ? for the shortcuts, and Escape giving the keyboard back to the timeline."""

import pytest

from .helpers import NOW, get_record, local, next_frames, running, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["desk", "phone"], ids=["desktop", "phone"])
def app_page(request):
    page = request.getfixturevalue(request.param)
    assert page.evaluate("window.ttapp instanceof app.App"), "the page runs the app"
    page.touch = request.param == "phone"
    return page


def press_or_tap(page, key, selector):
    """A key on a desktop, a tap on the matching button on a phone."""
    if page.touch:
        page.tap(selector)
    else:
        page.focus("canvas") if page.query_selector("canvas") else None
        page.keyboard.press(key)


def click_label(page, key):
    """Click (or tap) the label box of a record on the timeline canvas."""
    page.evaluate("window.ttapp.request_redraw()")
    next_frames(page)
    xy = page.evaluate(
        """(key) => {
            const tl = window.ttapp.timeline;
            const box = tl.node.getBoundingClientRect();
            for (const h of tl._hits) {
                if (h[0] === "label" && h[5].key === key) {
                    return [box.left + h[1] + h[3] / 2, box.top + h[2] + h[4] / 2];
                }
            }
            return null;
        }""",
        key,
    )
    assert xy, "the record's label is not on the timeline"
    if page.touch:
        page.touchscreen.tap(xy[0], xy[1])
    else:
        page.mouse.click(xy[0], xy[1])
    page.wait_for_selector(".tt-record-dialog")


def test_track_a_record_through_the_app(app_page):
    page = app_page
    # Start with s (or the Record button) and a tagged description.
    press_or_tap(page, "s", ".tt-record")
    page.wait_for_selector(".tt-record-dialog")
    if page.touch:
        page.tap(".tt-desc")
    page.keyboard.type("Write the docs #client1 #docs")
    page.keyboard.press("Escape")  # the suggestions
    if page.touch:
        page.tap(".tt-submit")
    else:
        page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    (rec,) = running(page)
    assert rec["ds"] == "Write the docs #client1 #docs"
    key = rec["key"]
    if not page.touch:
        assert page.evaluate("document.activeElement === window.ttapp.canvas")

    # An hour later: stop with x (or the stop button).
    page.evaluate(f"dt.set_now({NOW + 3600})")
    press_or_tap(page, "x", ".tt-stop")
    assert running(page) == []
    assert get_record(page, key)["t2"] == NOW + 3600

    # Click its label: the Edit dialog; fix the start time by typing.
    click_label(page, key)
    assert page.inner_text(".tt-record-dialog h2") == "Edit record"
    page.fill(".tt-start-time", "14:30")
    page.fill(".tt-duration", "1h15m")
    if page.touch:
        page.tap(".tt-desc")
        page.tap(".tt-submit")
    else:
        page.press(".tt-duration", "Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    rec = get_record(page, key)
    assert (rec["t1"], rec["t2"]) == (
        local(2024, 3, 14, 14, 30),
        local(2024, 3, 14, 15, 45),
    )

    # Delete it from the timeline too.
    click_label(page, key)
    page.click(".tt-delete") if not page.touch else page.tap(".tt-delete")
    page.click(".tt-confirm") if not page.touch else page.tap(".tt-confirm")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert get_record(page, key)["ds"].startswith("HIDDEN ")


def test_menu_time_range_and_help_through_the_app(app_page):
    page = app_page
    tap = page.tap if page.touch else page.click
    tap(".tt-menu-btn")
    page.wait_for_selector(".tt-menu")
    shot(page, "dialogs-app-menu-" + ("375x740" if page.touch else "1280x800"))
    tap(".tt-menu-item[data-entry='shortcuts']")
    page.wait_for_selector(".tt-help-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-help-dialog", state="detached")
    if not page.touch:
        page.keyboard.press("?")
        page.wait_for_selector(".tt-help-dialog")
        page.keyboard.press("?")
        page.wait_for_selector(".tt-help-dialog", state="detached")
        page.keyboard.press("t")
    else:
        tap(".tt-cal")
    page.wait_for_selector(".tt-timerange")
    tap("[data-preset='last_week']")
    page.wait_for_selector(".tt-timerange", state="detached")
    assert page.evaluate("window.ttapp.get_range()") == [
        local(2024, 3, 4),
        local(2024, 3, 11),
    ]
    # The sync indicator explains itself.
    tap(".tt-sync")
    page.wait_for_selector(".tt-notification")
    assert page.inner_text(".tt-notification h2") in ("Sync status", "Sync error")
    page.go_back()
    page.wait_for_selector(".tt-notification", state="detached")
    assert page.url.endswith("/app/sandbox/")
