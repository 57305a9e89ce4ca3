"""Accessibility (issue 12, point 7): axe-core (from the npm registry, ``make axe``)
finds no serious or critical violation on any page or dialog, in the light and the
dark theme, at 1280x800 and 375x740; every control of the app page is reachable
with Tab and shows where the focus is; icon buttons have names for screen readers."""

import pytest

from .helpers import (
    DESKTOP,
    PHONE,
    add_records,
    axe_violations,
    local,
    open_app,
    open_dialog,
)

pytestmark = pytest.mark.e2e

PAGES = ["", "login/", "account/", "cred/", "logout/"]

DIALOGS = [
    ("menudialog", "MenuDialog", []),
    ("timerangedialog", "TimeRangeDialog", []),
    ("searchdialog", "SearchDialog", []),
    ("settingsdialog", "SettingsDialog", []),
    ("reportdialog", "ReportDialog", []),
    ("helpdialog", "HelpDialog", []),
    ("importdialog", "ImportDialog", []),
    ("exportdialog", "ExportDialog", []),
    ("tagdialogs", "TagDialog", ["#work"]),
    ("tagdialogs", "TagComboDialog", ["#work #client"]),
    ("tagdialogs", "RenameDialog", ["#work"]),
    ("presetsdialog", "PresetsDialog", []),
]

SIZES = [DESKTOP, PHONE]
SIZE_IDS = ["desktop", "phone"]


def check(page, where, found=None):
    """No serious or critical axe violation, once the page's animations are over (a
    row fading out is not a contrast problem)."""
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')"
    )
    found = axe_violations(page)
    assert found == [], where + ":\n" + "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_pages_have_no_serious_axe_violation(make_page, site_server, scheme, size):
    page = make_page(*size, touch=size == PHONE, color_scheme=scheme)
    for path in PAGES:
        page.goto(site_server.url(path))
        page.wait_for_load_state("load")
        if path == "logout/":
            page.wait_for_load_state("networkidle")
        check(page, path or "landing page")


@pytest.mark.parametrize("theme", [1, 2], ids=["light", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_app_and_dialogs_have_no_serious_axe_violation(
    make_page, site_server, theme, size
):
    page = make_page(*size, touch=size == PHONE)
    open_app(page, site_server)
    page.evaluate("(v) => settings.set('darkmode', v)", theme)
    if size == PHONE:
        check(page, "app, timeline")
        page.evaluate("window.ttapp.show_panel('overview')")
    add_records(
        page,
        [
            (local(2024, 3, 14, 9), local(2024, 3, 14, 11), "#work #client plan"),
            (local(2024, 3, 13, 9), local(2024, 3, 13, 10), "#work review"),
        ],
    )
    page.wait_for_selector(".tt-ov-row")
    check(page, "app")
    page.click('.tt-ov-row[data-key="#client #work"] [data-tag="#work"]') if (
        size == DESKTOP
    ) else page.evaluate("window.ttapp.select_tags(['#work'])")
    page.wait_for_selector(".tt-ov-sel")
    check(page, "app with a tag filter")
    for module, cls, args in DIALOGS:
        open_dialog(page, module, cls, *args)
        page.wait_for_selector(".tt-dialog")
        page.wait_for_function(
            "document.getAnimations().every(a => a.playState !== 'running')"
        )
        check(page, cls)
        page.evaluate("basedialog.close_all()")
    page.evaluate("recorddialog.start_record(window.ttapp)")
    page.wait_for_selector(".tt-record-dialog")
    check(page, "record dialog")
    page.evaluate("basedialog.close_all()")
    page.click(".tt-sync")
    page.wait_for_selector(".tt-notification")
    check(page, "sync status")
    assert page.js_errors == []


def test_every_control_is_reachable_by_tab_with_a_visible_focus(desk):
    page = desk
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 11), "#work")])
    page.wait_for_selector(".tt-ov-row")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    wanted = page.evaluate(
        """() => [...document.querySelectorAll("button, a[href], input, select, [tabindex]")]
            .filter((e) => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0)
            .map((e) => e.outerHTML.slice(0, 80))"""
    )
    assert len(wanted) >= 8
    reached = set()
    invisible = []
    for _ in range(len(wanted) + 10):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e || e === document.body) return null;
                const s = getComputedStyle(e);
                const ring = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
                return [e.outerHTML.slice(0, 80), ring, e.matches(":focus-visible")];
            }"""
        )
        if info is None:
            continue
        reached.add(info[0])
        if not (info[1] and info[2]):
            invisible.append(info[0])
    missing = [w for w in wanted if w not in reached]
    assert missing == [], missing
    assert invisible == [], invisible


# The focused element shows it: an outline of 2 px or more; text fields a coloured
# border with a ring around; a radio button of a segmented control on its label.
_FOCUS_RING = """() => {
    const e = document.activeElement;
    const outlined = (el) => {
        const s = getComputedStyle(el);
        return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
    };
    let ring = outlined(e);
    if (e.matches("textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=color])")) {
        ring = ring || getComputedStyle(e).boxShadow !== "none";
    }
    if (e.matches(".tt-seg input")) ring = outlined(e.nextElementSibling);
    // The calendar button inside a date field belongs to the browser (which draws
    // its focus): the field itself is then not :focus.
    if (e.matches("input[type=date]") && !e.matches(":focus")) return [e.outerHTML, true];
    return [e.outerHTML.slice(0, 80), ring && e.matches(":focus-visible")];
}"""


@pytest.mark.parametrize(
    "module, cls, args",
    [
        ("menudialog", "MenuDialog", []),
        ("settingsdialog", "SettingsDialog", []),
        ("reportdialog", "ReportDialog", []),
        ("tagdialogs", "TagDialog", ["#work"]),
        ("timerangedialog", "TimeRangeDialog", []),
        ("searchdialog", "SearchDialog", []),
        ("exportdialog", "ExportDialog", []),
    ],
)
def test_dialog_controls_show_the_keyboard_focus(desk, module, cls, args):
    page = desk
    open_dialog(page, module, cls, *args)
    page.wait_for_selector(".tt-dialog")
    count = page.evaluate(
        "document.querySelectorAll('.tt-dialog button, .tt-dialog input, "
        ".tt-dialog select, .tt-dialog a[href]').length"
    )
    invisible = set()
    for _ in range(min(count, 60)):
        page.keyboard.press("Tab")
        where, ring = page.evaluate(_FOCUS_RING)
        if not ring:
            invisible.add(where)
    assert invisible == set()


def test_icon_buttons_have_names(desk):
    page = desk
    add_records(page, [(local(2024, 3, 14, 9), local(2024, 3, 14, 11), "#work")])
    page.click('.tt-ov-row [data-tag="#work"]')
    page.wait_for_selector(".tt-ov-sel")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll("button")]
            .filter((b) => b.offsetParent !== null)
            .filter((b) => !(b.getAttribute("aria-label") || b.textContent.trim()
                || b.getAttribute("title")))
            .map((b) => b.outerHTML.slice(0, 100))"""
    )
    assert unnamed == []
