"""Settings are data, never markup (issue 9.4): a tag colour that is not a colour,
written through the API by any holder of a token and synced to the app, runs no script
and adds no attribute anywhere tag colours are shown: the record dialog's
autocompletion, the tag dialogs, the search rules, the overview, the timeline and the
report; nor do a rate, a currency, a work week or days off that are not what they
should be (the report's earnings, the targets dialog)."""

import time

import httpx
import pytest

from .helpers import (
    api_token_for,
    local,
    login_app,
    set_range,
    sync,
    wait_until,
)

pytestmark = pytest.mark.e2e

# Each would run script if it reached a style attribute unescaped: the first through
# an animation (tt-spin is one of the app's), the second by closing the tag.
HOSTILE = {
    "taginfo #x": {
        "color": 'red;animation:tt-spin 1s" onanimationstart="window.__pwned=1" data-injected="',
        "priority": 0,
        "targets": {"week": 10},
        "rate": '5"><img src="x" onerror="window.__pwned=4">',
    },
    "taginfo #y": {
        "color": 'red"><img src="x" onerror="window.__pwned=2">',
        "priority": 0,
        "targets": {},
        "rate": 50,
    },
    "currency": "<b>€</b>",
    "work_week": '<img src="x" onerror="window.__pwned=5">',
    "days_off": ['<img src="x" onerror="window.__pwned=6">', "2024-03-13"],
    "color #z": '#fff" onmouseover="window.__pwned=3" data-injected="',  # the legacy setting
}

INJECTED = """() => {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
        for (const attr of el.getAttributeNames()) {
            if (attr.startsWith("on") || attr === "data-injected") found.push(el.tagName + " " + attr);
        }
    }
    return {pwned: window.__pwned === undefined ? null : window.__pwned, found};
}"""


def put_through_api(server, token, path, items):
    r = httpx.put(
        server.url("api/v2/" + path),
        json=items,
        headers={"authtoken": token},
        timeout=10,
    )
    assert r.status_code == 200 and not r.json()["failed"], r.text


def assert_clean(page, where):
    # Give an injected handler its chance: the animation starts on the next frames.
    page.evaluate(
        "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    result = page.evaluate(INJECTED)
    assert result == {"pwned": None, "found": []}, where


def test_hostile_tag_colours_from_the_server_run_nothing(page, site_server):
    token = api_token_for(site_server)
    mt = time.time()
    put_through_api(
        site_server,
        token,
        "settings",
        [{"key": k, "value": v, "mt": mt, "st": 0} for k, v in HOSTILE.items()],
    )
    t = local(2024, 3, 14, 9)
    put_through_api(
        site_server,
        token,
        "records",
        [
            {
                "key": "hostile1",
                "t1": t,
                "t2": t + 3600,
                "ds": "#x #y work",
                "mt": mt,
                "st": 0,
            },
            {
                "key": "hostile2",
                "t1": t + 3600,
                "t2": t + 5400,
                "ds": "#z more",
                "mt": mt,
                "st": 0,
            },
        ],
    )
    login_app(page, site_server)
    wait_until(lambda: page.evaluate("settings.get('taginfo #x') !== null"), timeout=10)
    wait_until(
        lambda: page.evaluate(
            "window.ttapp.store.records.get_by_key('hostile1') !== null"
        )
    )
    assert sync(page) == ["ok", ""]
    assert page.evaluate("taginfo.get_tag_color('#x')") == "#DEAA22"
    assert page.evaluate("taginfo.get_tag_color('#z')") == "#DEAA22"

    # the timeline and the overview
    set_range(page, local(2024, 3, 14), local(2024, 3, 15))
    page.wait_for_selector(".tt-ov-row")
    assert_clean(page, "overview")
    page.evaluate("window.ttapp.select_tags(['#x'])")
    page.wait_for_selector(".tt-ov-sel")
    assert_clean(page, "overview filter")
    page.evaluate("window.ttapp.clear_selection()")

    # the record dialog's autocompletion
    page.evaluate("recorddialog.start_record(window.ttapp)")
    page.wait_for_selector(".tt-record-dialog")
    page.keyboard.type("#")
    page.wait_for_selector(".tt-ac-value")
    assert_clean(page, "autocompletion")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-record-dialog", state="detached")

    # the tag dialogs and the search rules
    for module, cls, arg in [
        ("tagdialogs", "TagDialog", "#x"),
        ("tagdialogs", "TagComboDialog", "#x #y"),
        ("tagdialogs", "RenameDialog", ["#x", "#y"]),
        ("searchdialog", "SearchDialog", None),
    ]:
        args = [] if arg is None else [arg]
        page.evaluate(
            "([m, c, args]) => new window[m][c](window.ttapp).open(...args)",
            [module, cls, args],
        )
        if cls == "SearchDialog":
            page.fill(".tt-search-dialog .tt-sr-input", "#x #y #z")
            page.wait_for_selector(".tt-search-dialog .tt-tag")
        assert_clean(page, cls)
        page.evaluate("basedialog.close_all()")

    # the report, grouped by tags
    page.evaluate("settings.set('report_grouping', 'tagz')")
    page.evaluate("new reportdialog.ReportDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-report-dialog .tt-tag")
    assert_clean(page, "report")
    # the text rate is no rate; #y's 50 an hour is: 1 h of "#x #y work" earns 50
    assert page.evaluate("taginfo.get_tag_rate('#x')") is None
    earnings = page.inner_text(".tt-rp-earnings")
    assert "Earnings 50.00 <b>€</b>" in earnings, earnings
    page.evaluate("basedialog.close_all()")

    # the targets dialog: the hostile work week is ignored, the good day off kept
    page.evaluate("new targetsdialog.TargetsDialog(window.ttapp).open()")
    page.wait_for_selector(".tt-targets-dialog .tt-tp-row")
    assert_clean(page, "targets")
    assert page.locator(".tt-tp-week input:checked").count() == 7
    assert page.locator(".tt-tp-off").count() == 1
    assert page.js_errors == []
