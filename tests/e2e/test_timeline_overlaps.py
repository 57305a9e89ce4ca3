"""Overlapping records in a real browser: marked on the timeline (a warning stripe in
the canvas, ``overlap_keys``), named in the record dialog, and fixed with one click
(the earlier record ends where the later begins), for another record and for the
dialog's own one."""

import pytest

from .helpers import (
    add_records,
    get_record,
    local,
    open_record_dialog,
    save_screenshot,
    set_range,
    settled,
)

pytestmark = pytest.mark.e2e

DAY = (local(2024, 3, 12), local(2024, 3, 13))

# Pixels of the warning colour (theme NOTIFY, #ff4444) on the timeline canvas.
WARN_PIXELS = """() => {
    const c = ttapp.canvas;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
        if (d[i] === 255 && d[i + 1] === 68 && d[i + 2] === 68 && d[i + 3] === 255) n++;
    }
    return n;
}"""


def overlap_keys(page):
    return sorted(page.evaluate("Object.keys(ttapp.timeline.overlap_keys)"))


def redrawn(page):
    page.evaluate("ttapp.request_redraw()")
    settled(page)


def test_overlap_marked_and_fixed_from_the_later_record(desk):
    page = desk
    early, late, apart = add_records(
        page,
        [
            (
                local(2024, 3, 12, 9),
                local(2024, 3, 12, 11),
                "#client1 <b>early</b> work",
            ),
            (local(2024, 3, 12, 10), local(2024, 3, 12, 12), "#client2 late work"),
            (local(2024, 3, 12, 14), local(2024, 3, 12, 15), "#client2 apart"),
        ],
    )
    set_range(page, *DAY)
    redrawn(page)
    assert overlap_keys(page) == sorted([early, late])
    assert page.evaluate(WARN_PIXELS) > 100
    save_screenshot(page, "overlap-marked")

    open_record_dialog(page, "edit", late)
    note = page.locator(".tt-record-dialog .tt-overlap-note")
    assert note.is_visible()
    text = note.inner_text()
    assert "Overlaps another record" in text
    assert "09:00–11:00 2024-03-12" in text
    # the description is data: the markup shows as text
    assert "<b>early</b> work" in text
    assert "&lt;b&gt;early&lt;/b&gt;" in note.inner_html()
    fix = page.locator(".tt-overlap-note .tt-ov-fix")
    assert fix.inner_text() == "End the earlier record at 10:00"
    fix.click()
    # stored at once: the earlier record ends where the later begins
    page.wait_for_function(
        "([k, t]) => ttapp.store.records.get_by_key(k).t2 === t",
        arg=[early, local(2024, 3, 12, 10)],
    )
    assert get_record(page, early)["t1"] == local(2024, 3, 12, 9)
    assert get_record(page, late)["t1"] == local(2024, 3, 12, 10)
    assert note.is_hidden()
    page.click(".tt-record-dialog .tt-cancel")
    redrawn(page)
    assert overlap_keys(page) == []
    assert page.evaluate(WARN_PIXELS) == 0


def test_overlap_fixed_on_the_dialogs_own_record(desk):
    page = desk
    early, late = add_records(
        page,
        [
            (local(2024, 3, 12, 9), local(2024, 3, 12, 11), "#client1 mine"),
            (local(2024, 3, 12, 10, 30), local(2024, 3, 12, 12), "#client2 theirs"),
        ],
    )
    set_range(page, *DAY)
    redrawn(page)
    assert overlap_keys(page) == sorted([early, late])
    open_record_dialog(page, "edit", early)
    fix = page.locator(".tt-overlap-note .tt-ov-fix")
    assert fix.inner_text() == "End this record at 10:30"
    fix.click()
    # shown in the dialog's time editor, saved with the dialog
    assert page.locator(".tt-overlap-note").is_hidden()
    assert get_record(page, early)["t2"] == local(2024, 3, 12, 11)
    page.click(".tt-record-dialog .tt-submit")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert get_record(page, early)["t2"] == local(2024, 3, 12, 10, 30)
    redrawn(page)
    assert overlap_keys(page) == []
