"""Screenshots of the main views of the app, kept as test artifacts (test-artifacts/):
the demo at 1280x800 and at 375x740 (a phone, with touch), in the light and the dark
theme: today with records and a running timer, a week, a year, the overview with a tag
filter, a selected record, drag-create mode, and the sandbox with its first-use hint.

Each view is also checked: no script errors, the header names the range, nothing in
the button row overflows, labels are inside the canvas.
"""

import pytest

from .helpers import DESKTOP, PHONE, local, save_screenshot, settled

pytestmark = pytest.mark.e2e

NOW = local(2024, 3, 14, 15, 20)
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def open_page(make_page, size, theme):
    """A page of that size with Playwright's clock at ``NOW`` and the theme set."""
    page = make_page(*SIZES[size], touch=size == "phone", clock=NOW)
    darkmode = 2 if theme == "dark" else 1
    page.add_init_script(
        "localStorage.setItem('timetagger_local_settings', "
        f"JSON.stringify({{darkmode: {darkmode}}}))"
    )
    return page


def settle(page):
    settled(page)


# What the timeline drew that can be clicked (record labels, record bars, statistics
# blocks; see TimelineView.hit_test), as boxes outside the canvas.
_OUTSIDE = """() => {
    const tl = ttapp.timeline;
    const out = [];
    for (const [kind, x, y, w, h] of tl._hits) {
        if (kind !== "label" && kind !== "block") continue;
        if (x < 0 || x + w > tl.w + 0.5 || (kind === "label" && (y < 0 || y + h > tl.h + 0.5))) {
            out.push([kind, Math.round(x), Math.round(y), Math.round(w), Math.round(h)]);
        }
    }
    return out;
}"""


def check_view(page, expected_header, drawn="label"):
    """The header, the button row, no script errors, labels and blocks inside the
    canvas, and some ``drawn`` (``"label"`` or ``"block"``) among them."""
    assert page.inner_text(".tt-header").replace("\n", " ").strip() == expected_header
    assert page.evaluate(
        "[...document.querySelectorAll('.tt-row, .tt-row > div')].every("
        "(n) => getComputedStyle(n).display === 'contents' || n.scrollWidth <= n.clientWidth + 1)"
    ), "the button row overflows"
    if page.evaluate("ttapp.root.classList.contains('show-overview')"):
        drawn = None  # a phone showing the overview: the timeline is hidden
    if drawn:
        kinds = page.evaluate("ttapp.timeline._hits.map((h) => h[0])")
        assert drawn in kinds, f"no {drawn} drawn: {sorted(set(kinds))}"
    if drawn:
        outside = page.evaluate(_OUTSIDE)
        assert outside == [], f"outside the canvas: {outside}"
    assert page.js_errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_main_views(make_page, site_server, size, theme):
    page = open_page(make_page, size, theme)
    name = f"timeline-{size}-{theme}"
    page.goto(site_server.url("app/demo/"))
    page.wait_for_function("window.ttapp && window.ttapp.timeline")
    page.wait_for_selector(".tt-notification")
    save_screenshot(page, f"{name}-welcome")
    page.evaluate("basedialog.close_all()")
    assert page.evaluate("document.body.classList.contains('darkmode')") == (
        theme == "dark"
    )
    # Today, with a timer running since 14:45.
    page.evaluate(
        """(t) => { const rs = ttapp.store.records;
            rs.put(rs.create(t, t, "Reviewing the plan #client2 #meeting")); }""",
        NOW - 35 * 60,
    )
    settle(page)
    check_view(page, "Thu 14 Mar 2024")
    assert page.inner_text(".tt-stopwatch") == "35m00s"
    save_screenshot(page, f"{name}-day")
    # A selected record with its flaps.
    hit = page.evaluate(
        """() => { const tl = ttapp.timeline;
            const h = tl._hits.find((h) => h[0] === "bar" && h[4] > 20);
            const r = tl.node.getBoundingClientRect();
            return [r.left + h[1] + h[3] / 2, r.top + h[2] + h[4] / 2]; }"""
    )
    page.mouse.click(hit[0], hit[1])
    settle(page)
    assert page.evaluate("ttapp.timeline.selected_key") is not None
    save_screenshot(page, f"{name}-selected")
    page.keyboard.press("Escape")
    # Drag-create mode (click an empty spot of the column, early morning).
    spot = page.evaluate(
        """(t) => { const tl = ttapp.timeline; const r = tl.node.getBoundingClientRect();
            return [r.left + tl.col_x + tl.col_w / 2, r.top + tl.t2y(t)]; }""",
        local(2024, 3, 14, 4),
    )
    page.mouse.click(spot[0], spot[1])
    assert page.evaluate("ttapp.timeline.create_mode") is True
    save_screenshot(page, f"{name}-create-mode")
    page.keyboard.press("Escape")
    # A week and a year of statistics.
    page.keyboard.press("w")
    settle(page)
    check_view(page, "Week 11 11-17 Mar 2024", "block")
    save_screenshot(page, f"{name}-week")
    page.keyboard.press("y")
    settle(page)
    check_view(page, "2024", "block")
    save_screenshot(page, f"{name}-year")
    # The overview with a tag filter (on a phone, after switching panels).
    page.keyboard.press("m")
    settle(page)
    if size == "phone":
        page.tap(".tt-tab-right")
    page.locator(".tt-ov-row [data-tag]").first.click()
    settle(page)
    assert len(page.evaluate("ttapp.selected_tags")) == 1
    check_view(page, "Mar 2024", "block")
    save_screenshot(page, f"{name}-overview-filter")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_sandbox_first_use_hint(make_page, site_server, size):
    page = open_page(make_page, size, "light")
    page.goto(site_server.url("app/sandbox/"))
    page.wait_for_function("window.ttapp && window.ttapp.timeline")
    page.wait_for_selector(".tt-notification")
    page.evaluate("basedialog.close_all()")
    # After 3 s without any record: a balloon points at the Record button.
    page.wait_for_selector(".tt-hint.visible", timeout=6000)
    page.wait_for_function(  # the fade-in is over
        "document.getAnimations().every((a) => a.playState !== 'running')"
    )
    assert "Record" in page.inner_text(".tt-hint")
    check_view(page, "Thu 14 Mar 2024", None)  # an empty sandbox: nothing to check
    save_screenshot(page, f"timeline-{size}-sandbox-hint")
    page.click(".tt-hint")
    assert not page.is_visible(".tt-hint")
