"""The timeline app in headless Chromium: keys, buttons, the record dialog round trip,
drag to create, dragging a record, navigation, the overview filter, themes, the
``#date=`` hash, touch on a phone and the logged-out view.

The clock is pinned (Playwright's fake ``Date``) to a Thursday afternoon in
Europe/Amsterdam, so ranges and texts are known.
"""

import pytest

from . import helpers
from .helpers import NOW, PHONE, add_records, local, running, save_screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def make_page(make_page):
    """Pages with Playwright's clock fixed at ``NOW`` (``dt.now()`` reads it)."""

    def make(*args, **kwargs):
        kwargs.setdefault("color_scheme", "light")
        return make_page(*args, clock=NOW, **kwargs)

    return make


def open_app(page, site_server, path="app/sandbox/"):
    """Open an app page with the app's own range (not pinned), its welcome note
    closed, and wait until the timeline is idle."""
    helpers.open_app(page, site_server, path, pin=False)
    idle(page)
    return page


def idle(page):
    helpers.settled(page)


def range_changed(page, before):
    """Wait until the app's range has left ``before`` and come to rest (a wheel
    event can take a while to arrive on a busy machine)."""
    page.wait_for_function(
        "(r) => ttapp.get_range().map(Math.round).join() !== r.join()", arg=before
    )
    idle(page)


def header(page):
    return page.inner_text(".tt-header").replace("\n", " ").strip()


def app_range(page):
    return page.evaluate("ttapp.get_range().map(Math.round)")


def column_point(page, t):
    """Page coordinates of time ``t`` in the middle of the timeline column."""
    return page.evaluate(
        """(t) => {
            const tl = ttapp.timeline;
            const r = tl.node.getBoundingClientRect();
            return [r.left + tl.col_x + tl.col_w / 2, r.top + tl.t2y(t)];
        }""",
        t,
    )


def test_initial_view_is_today(make_page, site_server):
    page = open_app(make_page(), site_server)
    assert app_range(page) == [local(2024, 3, 14), local(2024, 3, 15)]
    assert header(page) == "Thu 14 Mar 2024"
    assert page.is_visible(".tt-record")
    assert not page.is_visible(".tt-stop")
    assert page.js_errors == []


def test_start_a_tagged_timer_and_stop_it_with_keys(make_page, site_server):
    page = open_app(make_page(), site_server)
    page.keyboard.press("s")
    page.wait_for_selector(".tt-record-dialog")
    assert "Start" in page.inner_text(".tt-record-dialog h2")
    page.fill(".tt-desc", "Write the report #client1 #docs")
    page.keyboard.press("Enter")
    page.wait_for_function("!basedialog.is_open()")
    recs = running(page)
    assert len(recs) == 1
    assert recs[0]["ds"] == "Write the report #client1 #docs"
    assert recs[0]["t1"] == recs[0]["t2"] == NOW
    # The top bar shows the stop button and the stopwatch; the overview the tags.
    page.wait_for_selector(".tt-stop", state="visible")
    assert page.inner_text(".tt-stopwatch") == "0m00s"
    page.wait_for_selector('.tt-ov-row[data-key="#client1 #docs"]')
    # x stops it: at least 2 s long (RC-05).
    page.keyboard.press("x")
    page.wait_for_function("ttapp.store.records.get_running_records().length === 0")
    rec = page.evaluate(f"ttapp.store.records.get_by_key({recs[0]['key']!r})")
    assert rec["t1"] == NOW and rec["t2"] == NOW + 2
    page.wait_for_selector(".tt-record", state="visible")
    assert page.inner_text(".tt-stopwatch") == ""
    assert page.js_errors == []


def test_record_button_and_stop_button_stop_all(make_page, site_server):
    page = open_app(make_page(), site_server)
    # Two timers running (e.g. started on two devices): the stop button stops both.
    add_records(
        page,
        [
            [NOW - 3600, NOW - 3600, "one #a"],
            [NOW - 600, NOW - 600, "two #b"],
        ],
    )
    page.wait_for_selector(".tt-stop", state="visible")
    assert page.inner_text(".tt-stopwatch") == "Timers running"
    page.click(".tt-stop")
    page.wait_for_function("ttapp.store.records.get_running_records().length === 0")
    stopped = page.evaluate(
        "ttapp.store.records.get_records(0, 2e9).map(r => r.t2 - r.t1).sort((a, b) => a - b)"
    )
    assert stopped == [600, 3600]
    # The Record button opens the Start dialog.
    page.click(".tt-record")
    page.wait_for_selector(".tt-record-dialog")
    page.keyboard.press("Escape")
    assert page.js_errors == []


def test_resume_with_shift_s(make_page, site_server):
    page = open_app(make_page(), site_server)
    add_records(page, [[NOW - 7200, NOW - 3600, "earlier work #proj"]])
    page.keyboard.press("Shift+S")
    page.wait_for_selector(".tt-record-dialog")
    assert page.input_value(".tt-desc") == "earlier work #proj"
    page.keyboard.press("Enter")
    page.wait_for_function("ttapp.store.records.get_running_records().length === 1")
    assert running(page)[0]["ds"] == "earlier work #proj"


def test_drag_to_create_a_record(make_page, site_server):
    page = open_app(make_page(), site_server)
    # Click an empty spot of the column: drag-create mode; then drag 10:00 - 11:30.
    x, y = column_point(page, local(2024, 3, 14, 6))
    page.mouse.click(x, y)
    assert page.evaluate("ttapp.timeline.create_mode") is True
    x1, y1 = column_point(page, local(2024, 3, 14, 10))
    x2, y2 = column_point(page, local(2024, 3, 14, 11, 30))
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x1, y1 + (y2 - y1) * i / 10)
    page.mouse.up()
    page.wait_for_selector(".tt-record-dialog")
    assert "New" in page.inner_text(".tt-record-dialog h2")
    page.fill(".tt-desc", "Planning #team")
    page.keyboard.press("Enter")
    page.wait_for_function("!basedialog.is_open()")
    recs = page.evaluate("ttapp.store.records.get_records(0, 2e9)")
    assert len(recs) == 1
    # Rounded to 5 minutes at this zoom (a day on the screen).
    assert recs[0]["t1"] == local(2024, 3, 14, 10)
    assert recs[0]["t2"] == local(2024, 3, 14, 11, 30)
    assert recs[0]["ds"] == "Planning #team"
    assert page.evaluate("ttapp.timeline.create_mode") is False
    assert page.js_errors == []


def test_drag_the_start_of_a_selected_record(make_page, site_server):
    page = open_app(make_page(), site_server)
    keys = add_records(
        page,
        [
            [local(2024, 3, 14, 9), local(2024, 3, 14, 10, 2), "first #a"],
            [local(2024, 3, 14, 11), local(2024, 3, 14, 12), "second #b"],
        ],
    )
    puts = page.evaluate("ttapp.store.put_count")
    # Click the bar of the second record: it gets its flaps.
    x, y = column_point(page, local(2024, 3, 14, 11, 30))
    page.mouse.click(x, y)
    assert page.evaluate("ttapp.timeline.selected_key") == keys[1]
    # Drag the top flap up to 10:03: it snaps to the end of the first record.
    flap_x, flap_y = column_point(page, local(2024, 3, 14, 11))
    flap_y -= 10
    target_y = column_point(page, local(2024, 3, 14, 10, 3))[1] - 10
    page.mouse.move(flap_x, flap_y)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(flap_x, flap_y + (target_y - flap_y) * i / 20)
    # While dragging nothing is stored yet (quirk 19: one put on release).
    assert page.evaluate("ttapp.store.put_count") == puts
    page.mouse.up()
    rec = page.evaluate(f"ttapp.store.records.get_by_key({keys[1]!r})")
    assert rec["t1"] == local(2024, 3, 14, 10, 2)
    assert rec["t2"] == local(2024, 3, 14, 12)
    assert page.evaluate("ttapp.store.put_count") == puts + 1
    # Dragging the body moves the whole record, rounded to 5 minutes.
    bx, by = column_point(page, local(2024, 3, 14, 11))
    ty = column_point(page, local(2024, 3, 14, 13, 1))[1]
    page.mouse.move(bx, by)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(bx, by + (ty - by) * i / 20)
    page.mouse.up()
    rec = page.evaluate(f"ttapp.store.records.get_by_key({keys[1]!r})")
    assert rec["t2"] - rec["t1"] == local(2024, 3, 14, 12) - local(2024, 3, 14, 10, 2)
    assert abs(rec["t1"] - local(2024, 3, 14, 12, 4)) <= 300
    # Clicking the label opens the record in the Edit dialog.
    label = page.evaluate(
        """(t) => {
            const tl = ttapp.timeline;
            const r = tl.node.getBoundingClientRect();
            const hit = tl._hits.find((h) => h[0] === "label" && h[5].ds === "first #a");
            return [r.left + hit[1] + 40, r.top + hit[2] + 20];
        }""",
        0,
    )
    page.mouse.click(label[0], label[1])
    page.wait_for_selector(".tt-record-dialog")
    assert page.input_value(".tt-desc") == "first #a"
    page.keyboard.press("Escape")
    assert page.js_errors == []


def test_go_to_last_week_and_back(make_page, site_server):
    page = open_app(make_page(), site_server)
    page.keyboard.press("w")
    idle(page)
    assert header(page) == "Week 11 11-17 Mar 2024"
    assert app_range(page) == [local(2024, 3, 11), local(2024, 3, 18)]
    page.click(".tt-up")  # step back: last week
    idle(page)
    assert header(page) == "Week 10 4-10 Mar 2024"
    page.keyboard.press("ArrowDown")  # and forward again
    idle(page)
    assert header(page) == "Week 11 11-17 Mar 2024"
    # Zoom out to the month, in to a week of it, and back to today with d.
    page.keyboard.press("ArrowLeft")
    idle(page)
    assert header(page) == "Mar 2024"
    page.keyboard.press("d")
    idle(page)
    assert header(page) == "Thu 14 Mar 2024"
    page.keyboard.press("y")
    idle(page)
    assert header(page) == "2024"
    page.keyboard.press("n")
    idle(page)
    assert header(page) == "2024"
    assert page.js_errors == []


def test_wheel_pans_and_snaps(make_page, site_server):
    page = open_app(make_page(), site_server)
    x, y = column_point(page, local(2024, 3, 14, 12))
    page.mouse.move(x, y)
    before = app_range(page)
    page.mouse.wheel(0, 48 * 3)  # 3 x 15 % of a day forward
    range_changed(page, before)
    r = app_range(page)
    assert r[1] - r[0] == 86400
    assert r[0] > local(2024, 3, 14) and r[0] % 3600 == local(2024, 3, 14) % 3600
    # Shift + wheel zooms out one scale.
    page.keyboard.down("Shift")
    page.mouse.wheel(0, 100)
    page.keyboard.up("Shift")
    range_changed(page, r)
    r = app_range(page)
    assert r[1] - r[0] == 7 * 86400


def test_overview_filter_and_stats_blocks(make_page, site_server):
    page = open_app(make_page(), site_server)
    add_records(
        page,
        [
            [local(2024, 3, 14, 9), local(2024, 3, 14, 10), "a #client1 #code"],
            [local(2024, 3, 14, 10), local(2024, 3, 14, 12), "b #client1 #meeting"],
            [local(2024, 3, 14, 13), local(2024, 3, 14, 13, 30), "c #admin"],
        ],
    )
    page.wait_for_selector(".tt-ov-row")
    assert page.inner_text(".tt-ov-total .tt-ov-dur") == "3h30m"
    assert page.locator(".tt-ov-row:not(.tt-ov-leaving)").count() == 3
    # Click the #client1 tag: drill down; the filter header shows the filtered total.
    page.locator('.tt-ov-row[data-key="#client1 #code"] [data-tag="#client1"]').click()
    assert page.evaluate("ttapp.selected_tags") == ["#client1"]
    page.wait_for_selector(".tt-ov-filter")
    assert page.inner_text(".tt-ov-filter .tt-ov-dur") == "3h00m"
    assert page.locator(".tt-ov-row:not(.tt-ov-leaving)").count() == 2
    # Backspace clears it.
    page.keyboard.press("Backspace")
    page.wait_for_selector(".tt-ov-total")
    assert page.evaluate("ttapp.selected_tags") == []
    # The week view shows blocks; clicking one zooms to that day.
    page.keyboard.press("w")
    idle(page)
    assert (
        page.evaluate("ttapp.timeline._hits.filter(h => h[0] === 'block').length") >= 7
    )
    x, y = column_point(page, local(2024, 3, 14, 12))
    page.mouse.click(x + 150, y)
    idle(page)
    assert app_range(page) == [local(2024, 3, 14), local(2024, 3, 15)]
    assert page.js_errors == []


def test_dark_theme(make_page, site_server):
    page = open_app(make_page(), site_server)
    assert page.evaluate("document.body.classList.contains('darkmode')") is False
    page.evaluate("settings.set('darkmode', 2)")
    assert page.evaluate("document.body.classList.contains('darkmode')") is True
    bg = page.evaluate(
        "getComputedStyle(document.querySelector('.tt-panel')).backgroundColor"
    )
    assert bg == "rgb(30, 36, 41)"
    # The canvas draws with the dark palette too (a pixel of the column).
    helpers.next_frames(page)
    pixel = page.evaluate(
        """() => {
            const tl = ttapp.timeline;
            const ctx = tl.node.getContext("2d");
            const x = Math.round((tl.col_x + tl.col_w / 2) * tl.ratio);
            const y = Math.round(tl.t2y(tl.y2t(40)) * tl.ratio);
            return Array.from(ctx.getImageData(x, y, 1, 1).data);
        }"""
    )
    assert sum(pixel[:3]) < 3 * 80
    # Auto (0) follows the operating system.
    page.evaluate("settings.set('darkmode', 0)")
    assert page.evaluate("document.body.classList.contains('darkmode')") is False
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("document.body.classList.contains('darkmode')")
    page.evaluate("settings.set('darkmode', 1)")
    assert page.evaluate("document.body.classList.contains('darkmode')") is False


def test_date_hash_goes_to_that_day(make_page, site_server):
    page = make_page()
    page.goto(site_server.url("app/sandbox/#date=2024-02-05"))
    page.wait_for_function("window.ttapp")
    page.wait_for_function(
        f"ttapp.get_range()[0] === {local(2024, 2, 5)} && !ttapp.is_animating()"
    )
    assert app_range(page) == [local(2024, 2, 5), local(2024, 2, 6)]
    assert page.evaluate("location.hash") == ""


def test_phone_touch_pan_pinch_and_panels(make_page, site_server):
    page = open_app(make_page(*PHONE, touch=True), site_server)
    # One panel at a time; the tab shows the other.
    assert page.is_visible(".tt-panel-timeline")
    assert not page.is_visible(".tt-panel-overview")
    page.tap(".tt-tab-right")
    assert page.is_visible(".tt-panel-overview")
    page.tap(".tt-tab-left")
    assert page.is_visible(".tt-panel-timeline")
    # Everything in the button row fits.
    assert page.evaluate(
        "document.querySelector('.tt-row').scrollWidth <= document.querySelector('.tt-row').clientWidth"
    )
    assert page.is_visible(".tt-record") and page.is_visible(".tt-today")
    # A one-finger swipe down pans to earlier times, then snaps to whole hours.
    swipe = """([pts, id0]) => {
        const node = ttapp.timeline.node;
        const ev = (type, id, x, y) => node.dispatchEvent(new PointerEvent(type, {
            pointerId: id, pointerType: "touch", isPrimary: id === id0, clientX: x, clientY: y,
            bubbles: true, cancelable: true, buttons: type === "pointerup" ? 0 : 1}));
        for (const [type, id, x, y] of pts) { ev(type, id, x, y); }
    }"""
    box = page.evaluate(
        "(() => { const r = ttapp.timeline.node.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
    )
    cx = box[0] + box[2] / 2
    y0 = box[1] + 200
    moves = [["pointerdown", 1, cx, y0]]
    moves += [["pointermove", 1, cx, y0 + 15 * i] for i in range(1, 11)]
    moves += [["pointerup", 1, cx, y0 + 150]]
    page.evaluate(swipe, [moves, 1])
    idle(page)
    r = app_range(page)
    assert r[1] - r[0] == 86400 and r[0] < local(2024, 3, 14)
    # Two fingers spreading apart zoom in.
    before = r[1] - r[0]
    pinch = [["pointerdown", 1, cx, y0], ["pointerdown", 2, cx, y0 + 100]]
    for i in range(1, 11):
        pinch += [
            ["pointermove", 1, cx, y0 - 10 * i],
            ["pointermove", 2, cx, y0 + 100 + 10 * i],
        ]
    pinch += [["pointerup", 1, cx, y0 - 100], ["pointerup", 2, cx, y0 + 200]]
    page.evaluate(swipe, [pinch, 1])
    idle(page)
    r = app_range(page)
    assert r[1] - r[0] < before
    assert page.js_errors == []


def test_logged_out_app_page(make_page, site_server):
    page = make_page()
    page.goto(site_server.url("app/"))
    page.wait_for_selector(".tt-loggedout-box")
    assert "logged out" in page.inner_text(".tt-loggedout-box").lower()
    href = page.get_attribute(".tt-login", "href")
    assert href.endswith("login/")
    assert not page.is_visible(".tt-panels")
    assert page.is_visible(".tt-menu-btn")
    save_screenshot(page, "timeline-logged-out-1280x800")
    assert page.js_errors == []


def test_real_app_page_tracks_and_syncs(make_page, site_server):
    """On the real app page (logged in), a timer started and stopped with the keys
    reaches the server."""
    page = make_page()
    helpers.login_app(page, site_server, pin=False)
    page.wait_for_function("window.ttapp && window.ttapp.store.can_use()")
    page.wait_for_selector(".tt-record", state="visible")
    page.keyboard.press("s")
    page.wait_for_selector(".tt-record-dialog")
    page.fill(".tt-desc", "Synced work #sync")
    page.keyboard.press("Enter")
    page.wait_for_function("ttapp.store.records.get_running_records().length === 1")
    page.keyboard.press("x")
    page.wait_for_function("ttapp.store.records.get_running_records().length === 0")
    token = helpers.token_of(page)

    def synced():
        # A sync already under way when the record stopped pushes it next round.
        page.evaluate("ttapp.store.sync()")
        on_server = helpers.server_records(site_server, token)
        return [x for x in on_server.values() if x.get("ds") == "Synced work #sync"]

    records = helpers.wait_until(synced)
    assert len(records) == 1
    assert records[0]["t2"] - records[0]["t1"] == 2
    assert page.js_errors == []


def test_buttons_and_keys_open_their_dialogs(make_page, site_server):
    page = open_app(make_page(), site_server)
    cases = [
        (lambda: page.click(".tt-menu-btn"), ".tt-menu"),
        (lambda: page.click(".tt-cal"), ".tt-timerange"),
        (lambda: page.keyboard.press("t"), ".tt-timerange"),
        (lambda: page.click(".tt-sync"), ".tt-notification"),
        (lambda: page.keyboard.press("?"), ".tt-dialog"),
        (lambda: page.click(".tt-help"), ".tt-dialog"),
        (lambda: page.click(".tt-report"), ".tt-dialog"),
        (lambda: page.keyboard.press("r"), ".tt-dialog"),
    ]
    for action, selector in cases:
        action()
        page.wait_for_selector(selector)
        assert page.evaluate("basedialog.is_open()")
        page.evaluate("basedialog.close_all()")
        page.wait_for_function("!basedialog.is_open()")
    # While a dialog is open, the app's keys stay out of the way.
    page.keyboard.press("s")
    page.wait_for_selector(".tt-record-dialog")
    before = app_range(page)
    page.keyboard.press("w")
    page.keyboard.press("ArrowUp")
    assert app_range(page) == before
    assert page.input_value(".tt-desc") == "w"
    page.evaluate("basedialog.close_all()")
    assert page.js_errors == []
