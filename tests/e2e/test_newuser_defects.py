"""What a new user tripped over (issue 12, point 6), one regression test each: tag
colours and renames reaching the overview, the month view's current week, the
sync popup offline, the wrong-password text, drag-to-create rounding, the tag
suggestion list, the time-range dialog's contrast, long tag combinations on a phone,
the filtered week view, search then save, and the landing page.

The app's clock is pinned to ``NOW`` (Thursday 14 March 2024, 15:00 Amsterdam).
"""

import re

import pytest

from .helpers import (
    NOW,
    PHONE,
    add_records,
    axe_violations,
    local,
    next_frames,
    open_app,
    open_dialog,
    save_screenshot,
    set_range,
    settled,
)

pytestmark = pytest.mark.e2e

# Records every fillText/fillRect of the timeline canvas from now on (cleared by
# the test), with the fill style in force.
_SPY = """() => {
    const proto = CanvasRenderingContext2D.prototype;
    if (proto._spied) return;
    proto._spied = true;
    window._texts = [];
    window._rects = [];
    const fillText = proto.fillText, fillRect = proto.fillRect;
    proto.fillText = function (text, x, y) {
        window._texts.push([String(text), x, y]);
        return fillText.apply(this, arguments);
    };
    proto.fillRect = function (x, y, w, h) {
        window._rects.push([String(this.fillStyle), x, y, w, h]);
        return fillRect.apply(this, arguments);
    };
}"""


def redraw(page):
    page.evaluate(
        "window._texts = []; window._rects = []; window.ttapp.request_redraw()"
    )
    next_frames(page, 3)


def color_of(page, selector):
    return page.evaluate(
        "(s) => getComputedStyle(document.querySelector(s)).backgroundColor", selector
    )


def hash_color(page, selector):
    return page.evaluate(
        "(s) => getComputedStyle(document.querySelector(s + ' .tt-hash')).color",
        selector,
    )


def test_tag_colour_reaches_overview_rows_and_filter_button(desk):
    page = desk
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 11), "#work a")])
    row = '.tt-ov-row[data-key="#work"]'
    page.wait_for_selector(row)
    page.evaluate(
        "taginfo.set_tag_info('#work', {color: '#ff0000', priority: 1, targets: {}})"
    )
    page.wait_for_function(
        "(s) => getComputedStyle(document.querySelector(s)).backgroundColor"
        " === 'rgb(255, 0, 0)'",
        arg=row + " .tt-ov-bands i",
    )
    assert hash_color(page, row + " .tt-tagbtn") == "rgb(255, 0, 0)"
    page.click(row + ' [data-tag="#work"]')
    page.wait_for_selector(".tt-ov-sel")
    assert hash_color(page, ".tt-ov-sel") == "rgb(255, 0, 0)"
    page.evaluate(
        "taginfo.set_tag_info('#work', {color: '#0000ff', priority: 1, targets: {}})"
    )
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.tt-ov-sel .tt-hash')).color"
        " === 'rgb(0, 0, 255)'"
    )


def test_rename_moves_the_overview_filter_to_the_new_tag(desk):
    page = desk
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 11), "#old x")])
    page.wait_for_selector('.tt-ov-row[data-key="#old"]')
    page.click('.tt-ov-row[data-key="#old"] [data-tag="#old"]')
    page.wait_for_selector(".tt-ov-sel")
    open_dialog(page, "tagdialogs", "RenameDialog", "#old")
    page.fill(".tt-rn-new", "#new")
    page.click(".tt-rn-prepare")
    page.click(".tt-rn-confirm")
    page.wait_for_selector(".tt-rename-dialog", state="detached")
    assert page.evaluate("window.ttapp.selected_tags") == ["#new"]
    page.wait_for_selector('.tt-ov-sel[data-tag="#new"]')
    assert page.inner_text(".tt-ov-filter .tt-ov-dur") == "2h00m"


def test_month_view_labels_the_current_week(desk):
    """Early in a month the current week starts before the month: its block is cut
    at the top, and its label and total must still show in the part that is seen."""
    page = desk
    page.evaluate(_SPY)
    page.evaluate("(t) => dt.set_now(t)", local(2024, 3, 2, 15))
    add_records(page, [(local(2024, 3, 1, 9), local(2024, 3, 1, 11), "#work")])
    set_range(page, local(2024, 3, 1), local(2024, 4, 1))
    settled(page)
    redraw(page)
    texts = page.evaluate("window._texts")
    top = page.evaluate("(t) => ttapp.timeline.t2y(t)", local(2024, 3, 1))
    labels = {t[0]: t[2] for t in texts if re.fullmatch(r"W\d\d", t[0])}
    assert "W09" in labels, labels
    y = labels["W09"]
    assert y >= top + 4, (y, top)  # in the visible part of the block
    assert any(t[0] == "2h00m" and abs(t[2] - y) < 1 for t in texts), texts
    save_screenshot(page, "month-view-current-week")


def test_sync_popup_says_offline_and_waiting_changes(desk):
    page = desk
    page.context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 10), "#offline")])
    page.click(".tt-sync")
    page.wait_for_selector(".tt-notification")
    text = page.inner_text(".tt-notification")
    assert "offline" in text.lower()
    assert "1 change" in text
    save_screenshot(page, "sync-popup-offline")
    page.context.set_offline(False)


def test_wrong_password_is_said_like_a_person(page, site_server):
    page.goto(site_server.url("login/"))
    page.fill("#login-username", "alice")
    page.fill("#login-password", "not-her-password")
    page.click("#login-submit")
    status = page.locator("#login-status")
    page.wait_for_function(
        "document.querySelector('.error') && document.querySelector('.error').textContent"
    )
    text = status.inner_text()
    assert "403" not in text and "forbidden" not in text.lower(), text
    assert "user name or password" in text.lower(), text


def test_drag_label_shows_the_times_the_dialog_gets(make_page, site_server):
    page = make_page(1280, 800, clock=NOW)
    open_app(page, site_server, pin=False)
    settled(page)
    page.evaluate(_SPY)

    def point(t):
        return page.evaluate(
            """(t) => {
                const tl = ttapp.timeline, r = tl.node.getBoundingClientRect();
                return [r.left + tl.col_x + tl.col_w / 2, r.top + tl.t2y(t)];
            }""",
            t,
        )

    x, y = point(local(2024, 3, 14, 6))
    page.mouse.click(x, y)
    x1, y1 = point(local(2024, 3, 14, 10, 2))
    x2, y2 = point(local(2024, 3, 14, 11, 57))
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 9):
        page.mouse.move(x1, y1 + (y2 - y1) * i / 8)
    redraw(page)
    labels = [
        t[0]
        for t in page.evaluate("window._texts")
        if re.match(r"\d\d:\d\d - \d\d:\d\d", t[0])
    ]
    page.mouse.up()
    page.wait_for_selector(".tt-record-dialog")
    assert labels, "no label while dragging"
    page.fill(".tt-desc", "drag")
    page.keyboard.press("Enter")
    page.wait_for_function("!basedialog.is_open()")
    rec = page.evaluate("ttapp.store.records.get_records(0, 2e9)")[0]
    times = page.evaluate(
        "(r) => dt.format_time(r.t1) + ' - ' + dt.format_time(r.t2)", rec
    )
    assert labels[-1].startswith(times + "  ("), (labels[-1], times)
    assert times == "10:00 - 11:55"


def test_tag_suggestions_leave_the_list_buttons_free(app_page):
    page = app_page
    add_records(page, [(local(2024, 3, 13, 9), local(2024, 3, 13, 10), "#alpha #beta")])
    page.evaluate("recorddialog.start_record(window.ttapp)")
    page.wait_for_selector(".tt-record-dialog")
    page.click(".tt-desc")
    page.keyboard.type("#")
    page.wait_for_selector(".tt-ac .tt-ac-item")
    overlap = page.evaluate(
        """() => {
            const list = document.querySelector(".tt-ac").getBoundingClientRect();
            const out = [];
            for (const b of document.querySelectorAll(".tt-record-dialog [data-list]")) {
                const r = b.getBoundingClientRect();
                const apart = r.bottom <= list.top || r.top >= list.bottom
                    || r.right <= list.left || r.left >= list.right;
                if (!apart) out.push(b.textContent.trim());
            }
            return out;
        }"""
    )
    save_screenshot(page, "tag-suggestions-" + ("phone" if page.touch else "desktop"))
    assert overlap == []


@pytest.fixture(params=["desk", "phone"], ids=["desktop", "phone"])
def app_page(request):
    page = request.getfixturevalue(request.param)
    page.touch = request.param == "phone"
    return page


@pytest.mark.parametrize("theme", [1, 2], ids=["light", "dark"])
def test_time_range_dialog_meets_contrast(desk, theme):
    page = desk
    page.evaluate("(v) => settings.set('darkmode', v)", theme)
    open_dialog(page, "timerangedialog", "TimeRangeDialog")
    page.wait_for_selector(".tt-done")
    found = axe_violations(page, ".tt-dialog")
    assert found == [], "\n".join(found)


def test_long_tag_combinations_wrap_on_a_phone(phone):
    page = phone
    ds = "#meetings-with-the-board #quarterly-planning #customer-onboarding"
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 11), ds)])
    page.evaluate("window.ttapp.show_panel('overview')")
    page.wait_for_selector(".tt-ov-row .tt-tagbtn")
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )
    cut = page.evaluate(
        """() => {
            const out = [];
            for (const b of document.querySelectorAll(".tt-ov-row .tt-tagbtn")) {
                const row = b.closest(".tt-ov-row").getBoundingClientRect();
                const r = b.getBoundingClientRect();
                if (b.scrollWidth > b.clientWidth + 1 || r.right > row.right + 0.5
                    || r.bottom > row.bottom + 0.5) out.push(b.textContent);
            }
            return out;
        }"""
    )
    save_screenshot(page, "overview-long-tags-phone")
    assert cut == []
    # Rows do not overlap each other.
    add_records(page, [(local(2024, 3, 14, 12), local(2024, 3, 14, 13), "#short")])
    page.wait_for_selector('.tt-ov-row[data-key="#short"]')
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )
    boxes = page.evaluate(
        "[...document.querySelectorAll('.tt-ov-row')].map(e => {"
        " const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })"
    )
    boxes.sort()
    assert boxes[0][1] <= boxes[1][0] + 0.5, boxes


def test_filtered_week_view_draws_the_filtered_share(desk):
    page = desk
    page.evaluate(
        """() => {
            taginfo.set_tag_info('#aa', {color: '#ff0000', priority: 1, targets: {}});
            taginfo.set_tag_info('#bb', {color: '#0000ff', priority: 1, targets: {}});
        }"""
    )
    add_records(
        page,
        [
            (local(2024, 3, 12, 9), local(2024, 3, 12, 11), "#aa"),
            (local(2024, 3, 12, 11), local(2024, 3, 12, 13), "#bb"),
        ],
    )
    page.evaluate(_SPY)
    set_range(page, local(2024, 3, 11), local(2024, 3, 18))
    settled(page)

    def widths():
        redraw(page)
        tl = page.evaluate(
            "(t) => [ttapp.timeline.label_x, ttapp.timeline.right, ttapp.timeline.t2y(t)]",
            local(2024, 3, 12, 12),
        )
        bw = tl[1] - tl[0]
        out = {}
        # (a frame may be drawn more than once while captured: count each rect once)
        rects = {tuple(r) for r in page.evaluate("window._rects")}
        for style, _x, y, w, h in rects:
            if y <= tl[2] <= y + h and style in ("#ff0000", "#0000ff"):
                out[style] = out.get(style, 0) + w
        return bw, out

    bw, out = widths()
    assert abs(out["#ff0000"] - bw / 2) < 2 and abs(out["#0000ff"] - bw / 2) < 2
    page.evaluate("window.ttapp.select_tags(['#aa'])")
    bw, out = widths()
    assert "#0000ff" not in out
    assert abs(out["#ff0000"] - bw / 2) < 2, (out, bw)


def test_saving_a_record_opened_from_search_closes_search(desk):
    page = desk
    add_records(page, [(local(2024, 3, 13, 9), local(2024, 3, 13, 10), "plan #work")])
    open_dialog(page, "searchdialog", "SearchDialog")
    page.fill(".tt-sr-input", "#work")
    page.press(".tt-sr-input", "Enter")
    page.click(".tt-sr-hit >> nth=0 >> .tt-sr-ds")
    page.wait_for_selector(".tt-record-dialog")
    page.fill(".tt-desc", "plan more #work")
    page.click(".tt-record-dialog .tt-submit")
    page.wait_for_function("!basedialog.is_open()")
    assert page.locator(".tt-search-dialog").count() == 0


@pytest.mark.parametrize("size", [(1280, 800), PHONE], ids=["desktop", "phone"])
def test_landing_page_shows_the_app_and_a_login_link(make_page, site_server, size):
    page = make_page(*size)
    page.goto(site_server.url(""))
    login = page.locator("nav a[href$='login/']")
    assert login.count() == 1 and login.is_visible()
    mark = page.locator("main img[alt], nav img[alt], nav svg[aria-label]")
    assert mark.count() >= 2
    shot = page.locator("main img.screenshot")
    assert shot.count() == 1 and shot.is_visible()
    assert page.evaluate(
        "[...document.images].every(i => i.complete && i.naturalWidth > 0)"
    )
    save_screenshot(page, "landing-" + ("phone" if size == PHONE else "desktop"))
    login.click()
    page.wait_for_url("**/login/")
