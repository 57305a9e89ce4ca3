"""The overview panel (TL-22): "+ N" bubbles for rows out of sight, and rows that
shrink out as well as grow in; at 1280x800 and 375x740."""

import pytest

from .helpers import add_records, local, save_screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["desk", "phone"], ids=["desktop", "phone"])
def ov_page(request):
    page = request.getfixturevalue(request.param)
    page.evaluate("window.ttapp.show_panel('overview')")
    page.name = request.param
    return page


def calm(page):
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )


# Rows of the list entirely above and below its visible part.
_OUT_OF_SIGHT = """() => {
    const list = document.querySelector(".tt-ov-list").getBoundingClientRect();
    let above = 0, below = 0;
    for (const row of document.querySelectorAll(".tt-ov-row:not(.tt-ov-leaving)")) {
        const r = row.getBoundingClientRect();
        if (r.bottom <= list.top + 8) above++;  // less than 8 px in sight: hidden
        else if (r.top >= list.bottom - 8) below++;
    }
    return [above, below];
}"""


def bubble(page, which):
    node = page.locator(".tt-ov-more-" + which)
    return node.inner_text().strip() if node.is_visible() else ""


def test_plus_n_bubbles_count_the_rows_out_of_sight(ov_page):
    page = ov_page
    day = local(2024, 3, 14)
    add_records(
        page,
        [
            (day + 600 * i, day + 600 * i + 300 + 10 * i, f"#tag{i:02d}")
            for i in range(40)
        ],
    )
    page.wait_for_function("document.querySelectorAll('.tt-ov-row').length === 40")
    calm(page)
    above, below = page.evaluate(_OUT_OF_SIGHT)
    assert above == 0 and below > 5
    page.wait_for_function("document.querySelector('.tt-ov-more-below').textContent")
    assert bubble(page, "below") == f"+ {below}", page.evaluate(
        "[ttapp.overview._positions, document.querySelector('.tt-ov-list').scrollTop,"
        " document.querySelector('.tt-ov-list').clientHeight]"
    )
    assert bubble(page, "above") == ""
    save_screenshot(page, f"overview-more-below-{page.name}")
    page.evaluate("document.querySelector('.tt-ov-list').scrollTop = 1e6")
    page.wait_for_function("document.querySelector('.tt-ov-more-above').textContent")
    calm(page)
    above, below = page.evaluate(_OUT_OF_SIGHT)
    assert above > 5 and below == 0
    assert bubble(page, "above") == f"+ {above}"
    assert bubble(page, "below") == ""
    save_screenshot(page, f"overview-more-above-{page.name}")


def test_rows_grow_in_and_shrink_out(ov_page):
    page = ov_page
    keys = add_records(
        page,
        [
            (local(2024, 3, 14, 9), local(2024, 3, 14, 10), "#stay"),
            (local(2024, 3, 14, 10), local(2024, 3, 14, 11), "#go"),
        ],
    )
    page.wait_for_selector('.tt-ov-row[data-key="#go"]')
    calm(page)
    # Watch the row from the moment it is told to go.
    page.evaluate(
        """(key) => {
            const row = document.querySelector('.tt-ov-row[data-key="#go"]');
            window._went = null;
            new MutationObserver(() => {
                if (!row.isConnected && window._went === null) {
                    window._went = performance.now();
                }
            }).observe(row.parentNode, {childList: true});
            window._told = performance.now();
            window._shrinking = false;
            const check = () => {
                if (row.classList.contains("tt-ov-leaving")
                    && row.getAnimations().some(a => a.animationName === "tt-shrink")) {
                    window._shrinking = true;
                }
                if (row.isConnected) requestAnimationFrame(check);
            };
            check();
            const rs = window.ttapp.store.records;
            const r = rs.get_by_key(key);
            rs.mark_as_deleted(r);
            rs.put(r);
        }""",
        keys[1],
    )
    page.wait_for_function("window._went !== null")
    assert page.evaluate("window._shrinking") is True
    assert page.evaluate("window._went - window._told") >= 150
    assert page.locator('.tt-ov-row[data-key="#stay"]').is_visible()
    # A new row grows in.
    add_records(page, [(local(2024, 3, 14, 12), local(2024, 3, 14, 13), "#new")])
    page.wait_for_function(
        """() => {
            const row = document.querySelector('.tt-ov-row[data-key="#new"]');
            return row && row.getAnimations().some(a => a.animationName === "tt-grow");
        }"""
    )
