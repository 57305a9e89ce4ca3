"""The search dialog in a real browser (SK-01 ... SK-04): tag completion, the live rules,
results newest first, a result's date moving the timeline, its description opening the
record dialog, Manage for the searched tags, and the query kept while the page lives."""

import pytest

from .helpers import add_records, fits, local, open_dialog, save_screenshot

pytestmark = pytest.mark.e2e

RECORDS = [
    (local(2024, 3, 4, 9), local(2024, 3, 4, 10), "#client1 #code refactor parser"),
    (
        local(2024, 3, 6, 9),
        local(2024, 3, 6, 11),
        "#client1 #code #paid refactor invoices",
    ),
    (local(2024, 3, 8, 14), local(2024, 3, 8, 15), "#client1 #meeting refactor plan"),
    (local(2024, 3, 12, 9), local(2024, 3, 12, 9, 30), "#client2 #code refactor draft"),
    (
        local(2024, 3, 13, 9),
        local(2024, 3, 13, 9, 30),
        "HIDDEN #client1 #code refactor gone",
    ),
    (local(2024, 3, 13, 10), local(2024, 3, 13, 11), "lunch without tags"),
]


@pytest.fixture
def desk(desk):
    """The sandbox app with ``RECORDS``."""
    add_records(desk, RECORDS)
    return desk


def hits(page):
    return [" ".join(t.split()) for t in page.locator(".tt-sr-hit").all_inner_texts()]


def test_search_rules_results_and_navigation(desk):
    page = desk
    open_dialog(page, "searchdialog", "SearchDialog")
    page.wait_for_selector(".tt-search-dialog")
    assert page.is_disabled(".tt-sr-go")
    page.click(".tt-sr-input")
    page.keyboard.type("#cl")
    page.wait_for_selector(".tt-ac-item")
    assert page.locator(".tt-ac-item").all_inner_texts()[0].startswith("#client")
    page.keyboard.press("Escape")
    page.fill(".tt-sr-input", "#client1 !#paid refactor !plan")
    rules = page.inner_text(".tt-sr-rules")
    assert "Including tag #client1" in rules
    assert "Excluding tag #paid" in rules
    assert "Including word refactor" in rules
    assert "Excluding word plan" in rules
    assert page.inner_text(".tt-sr-manage") == "Manage #client1"
    page.press(".tt-sr-input", "Enter")
    assert page.inner_text(".tt-sr-count") == "Found 1 record:"
    assert hits(page) == ["2024-03-04 1h00m #client1 #code refactor parser"]

    page.fill(".tt-sr-input", "refactor")
    page.click(".tt-sr-go")
    # newest first; the deleted record never shows
    assert hits(page) == [
        "2024-03-12 30m #client2 #code refactor draft",
        "2024-03-08 1h00m #client1 #meeting refactor plan",
        "2024-03-06 2h00m #client1 #code #paid refactor invoices",
        "2024-03-04 1h00m #client1 #code refactor parser",
    ]
    save_screenshot(page, "search-desktop")

    # the description opens the record dialog; the list is back after it closes
    page.click(".tt-sr-hit >> nth=1 >> .tt-sr-ds")
    page.wait_for_selector(".tt-record-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-search-dialog .tt-sr-hit")
    assert len(hits(page)) == 4

    # the date goes to that day in the timeline
    page.click(".tt-sr-hit >> nth=1 >> .tt-sr-date")
    assert page.locator(".tt-search-dialog").count() == 0
    page.wait_for_function(
        "([a, b]) => { const r = window.ttapp.get_range(); return r[0] === a && r[1] === b; }",
        arg=[local(2024, 3, 8), local(2024, 3, 9)],
    )

    # the query is kept for the next time
    open_dialog(page, "searchdialog", "SearchDialog")
    page.wait_for_selector(".tt-sr-hit")
    assert page.input_value(".tt-sr-input") == "refactor"
    assert len(hits(page)) == 4


def test_manage_tags_from_search(desk):
    page = desk
    open_dialog(page, "searchdialog", "SearchDialog")
    page.fill(".tt-sr-input", "#code #client1")
    assert page.inner_text(".tt-sr-manage") == "Manage #code #client1"
    page.click(".tt-sr-manage")
    page.wait_for_selector(".tt-combo-dialog")
    assert (
        page.inner_text(".tt-combo-dialog .tt-dialog-header h2")
        == "Tag combo #client1 #code"
    )
    page.click(".tt-tg-cancel")
    page.fill(".tt-sr-input", "#untagged")
    page.press(".tt-sr-input", "Enter")
    assert hits(page) == ["2024-03-13 1h00m lunch without tags"]
    page.click(".tt-sr-manage")
    page.wait_for_selector(".tt-tag-dialog")
    assert (
        page.inner_text(".tt-tag-dialog .tt-dialog-header h2")
        == "Configure tag #untagged"
    )


def test_search_on_a_phone(phone):
    page = phone
    add_records(page, RECORDS)
    open_dialog(page, "searchdialog", "SearchDialog")
    page.fill(".tt-sr-input", "refactor")
    page.click(".tt-sr-go")
    assert fits(page, ".tt-search-dialog") == []
    save_screenshot(page, "search-phone")
    assert page.js_errors == []
