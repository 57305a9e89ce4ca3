"""Targets at a glance in a real browser: every target with its progress for the
current day, week and month, opened from the menu; a work week of the user's days and
days off changing the targets, kept as synced settings."""

import pytest

from .helpers import add_records, fits, local, save_screenshot

pytestmark = pytest.mark.e2e

# NOW is Thursday 14 March 2024, 15:00: the week is Mon 11 .. Sun 17 March.
RECORDS = [
    (local(2024, 3, 4, 9), local(2024, 3, 4, 17), "#client1 last week"),
    (local(2024, 3, 11, 9), local(2024, 3, 11, 13), "#client1 monday"),
    (local(2024, 3, 12, 9), local(2024, 3, 12, 12), "#client1 #code tuesday"),
    (local(2024, 3, 14, 9), local(2024, 3, 14, 10), "#client1 today"),
]


def open_targets(page):
    page.evaluate("ttapp.actions.open_menu()")
    page.click(".tt-menu [data-entry='targets']")
    page.wait_for_selector(".tt-targets-dialog .tt-tp-list")


def rows(page):
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.tt-tp-row')).map((li) =>
            li.closest('ul').previousElementSibling.textContent + ' | ' +
            li.querySelector('.tt-tp-tags').innerText + ' | ' +
            li.querySelector('.tt-tp-main').innerText + ' | ' +
            li.querySelector('.tt-tp-side').innerText)"""
    )


@pytest.fixture
def desk(desk):
    add_records(desk, RECORDS)
    desk.evaluate(
        """() => {
            taginfo.set_tag_info('#client1', {targets: {day: 6, week: 40}});
            taginfo.set_tag_info('#client1 #code', {targets: {month: 20}});
        }"""
    )
    return desk


def test_targets_at_a_glance_work_week_and_days_off(desk):
    page = desk
    open_targets(page)
    assert rows(page) == [
        "Today | #client1 | 1h00m of 6h00m (17%) | left: 5h00m",
        "This week | #client1 | 8h00m of 40h00m (20%) | left: 32h00m",
        "This month | #client1 #code | 3h00m of 20h00m (15%) | left: 17h00m",
    ]
    save_screenshot(page, "targets-dialog")

    # a work week of Monday to Thursday
    for day in ["5", "6", "0"]:
        page.uncheck(f".tt-tp-week input[data-day='{day}']")
    assert page.evaluate("settings.get('work_week')") == [1, 2, 3, 4]
    assert "Your own work week" in page.inner_text(".tt-tp-week-note")

    # Wednesday off: the week has 3 of its 4 working days, March 15 of 16
    page.fill(".tt-tp-date", "2024-03-13")
    page.click(".tt-tp-add-btn")
    assert page.evaluate("settings.get('days_off')") == ["2024-03-13"]
    assert rows(page) == [
        "Today | #client1 | 1h00m of 6h00m (17%) | left: 5h00m",
        "This week | #client1 | 8h00m of 30h00m (27%) · 1 day off | left: 22h00m",
        "This month | #client1 #code | 3h00m of 18h45m (16%) · 1 day off | left: 15h45m",
    ]
    # today off: no day target today
    page.fill(".tt-tp-date", "2024-03-14")
    page.click(".tt-tp-add-btn")
    assert rows(page)[0] == "Today | #client1 | 1h00m tracked | day off"
    assert page.locator(".tt-tp-off").count() == 2
    # a bad date is refused
    page.evaluate("document.querySelector('.tt-tp-date').value = ''")
    page.click(".tt-tp-add-btn")
    assert page.locator(".tt-tp-date.tt-invalid").count() == 1
    assert page.evaluate("settings.get('days_off')") == ["2024-03-13", "2024-03-14"]

    # removing the days off and the work week brings the first figures back
    page.click(".tt-tp-remove[data-day='2024-03-14']")
    page.click(".tt-tp-remove[data-day='2024-03-13']")
    for day in ["1", "2", "3"]:
        page.uncheck(f".tt-tp-week input[data-day='{day}']")
    assert page.evaluate("settings.get('work_week')") == [4]
    # the last working day cannot be unticked
    page.click(".tt-tp-week input[data-day='4']")
    assert page.is_checked(".tt-tp-week input[data-day='4']")
    assert page.evaluate("settings.get('work_week')") == [4]
    assert "at least one" in page.inner_text(".tt-tp-week-note")
    page.click(".tt-tp-week-reset")
    assert page.evaluate("settings.get('work_week')") == []
    assert page.locator(".tt-tp-week input:checked").count() == 7
    assert (
        rows(page)[1] == "This week | #client1 | 8h00m of 40h00m (20%) | left: 32h00m"
    )
    # they are synced settings of the store
    assert page.evaluate("ttapp.store.settings.get_by_key('days_off').value") == []


def test_targets_on_a_phone(phone):
    page = phone
    add_records(page, RECORDS)
    page.evaluate("taginfo.set_tag_info('#client1', {targets: {week: 40}})")
    open_targets(page)
    assert len(rows(page)) == 1
    assert fits(page, ".tt-targets-dialog") == []
    save_screenshot(page, "targets-phone")
