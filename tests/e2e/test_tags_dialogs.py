"""The tag dialogs in a real browser: configure a tag (TG-07: palette, random, default,
priority, target), a tag combination (TG-09), and rename, merge and remove tags across
records, deleted ones included (TG-12); on a desktop and a phone."""

import re

import pytest

from .helpers import (
    add_records,
    fits,
    local,
    open_dialog,
    save_screenshot,
    set_range,
)

pytestmark = pytest.mark.e2e

WEEK = (local(2024, 3, 11), local(2024, 3, 18))
RECORDS = [
    (local(2024, 3, 11, 9), local(2024, 3, 11, 11), "#client1 #code parser"),
    (local(2024, 3, 12, 9), local(2024, 3, 12, 10), "#old review #client1"),
    (local(2024, 3, 13, 9), local(2024, 3, 13, 10), "call #OLD about #old things"),
    (local(2024, 3, 13, 11), local(2024, 3, 13, 12), "HIDDEN #old deleted one"),
    (local(2024, 3, 14, 9), local(2024, 3, 14, 10), "#tmp #client2 notes"),
    (local(2024, 3, 14, 11), local(2024, 3, 14, 12), "no tags at all"),
]


@pytest.fixture
def desk(desk):
    """The sandbox app with ``RECORDS`` (their keys: ``desk.keys``), showing ``WEEK``."""
    desk.keys = add_records(desk, RECORDS)
    set_range(desk, *WEEK)
    return desk


def ds_of(page, key):
    return page.evaluate("(k) => window.ttapp.store.records.get_by_key(k).ds", key)


def test_configure_tag(desk):
    page = desk
    open_dialog(page, "tagdialogs", "TagDialog", "#client1")
    page.wait_for_selector(".tt-tag-dialog")
    assert page.inner_text(".tt-dialog-header h2") == "Configure tag #client1"
    assert page.locator(".tt-swatch").count() == 40
    page.click(".tt-tg-random")
    assert re.fullmatch(r"#[0-9A-F]{6}", page.input_value(".tt-tg-color"))
    page.click(".tt-tg-default")
    assert page.input_value(".tt-tg-color") == ""
    page.click(".tt-swatch[data-color='#275A9A']")
    assert page.input_value(".tt-tg-color") == "#275A9A"
    assert page.locator(".tt-swatch.tt-selected").count() == 1
    page.select_option(".tt-tg-priority", "2")
    page.select_option(".tt-tg-period", "week")
    page.fill(".tt-tg-hours", "4")
    # the progress of the visible week: 3 h of #client1 (the deleted record does not count)
    assert (
        page.inner_text(".tt-tg-progress")
        == "In the visible range: week target at 75% (left: 1h00m)"
    )
    save_screenshot(page, "tag-desktop")
    page.click(".tt-tg-apply")
    assert page.locator(".tt-tag-dialog").count() == 0
    stored = page.evaluate("settings.get('taginfo #client1')")
    assert stored == {"color": "#275A9A", "priority": 2, "targets": {"week": 4}}
    assert page.evaluate("taginfo.get_tag_color('#client1')") == "#275A9A"
    assert page.evaluate("taginfo.get_tag_priority('#client1')") == 2
    # reopened, it shows what is stored; Enter applies; a bad colour is refused
    open_dialog(page, "tagdialogs", "TagDialog", "#client1")
    page.wait_for_selector(".tt-tag-dialog")
    assert page.input_value(".tt-tg-color") == "#275A9A"
    assert page.input_value(".tt-tg-priority") == "2"
    assert page.input_value(".tt-tg-period") == "week"
    assert page.input_value(".tt-tg-hours") == "4"
    page.fill(".tt-tg-color", "not a colour")
    page.press(".tt-tg-color", "Enter")
    assert page.locator(".tt-tag-dialog").count() == 1
    assert page.evaluate(
        "document.querySelector('.tt-tg-color').classList.contains('tt-invalid')"
    )
    page.fill(".tt-tg-color", "#abc")
    page.select_option(".tt-tg-period", "")
    page.press(".tt-tg-color", "Enter")
    assert page.locator(".tt-tag-dialog").count() == 0
    assert page.evaluate("settings.get('taginfo #client1')") == {
        "color": "#AABBCC",
        "priority": 2,
        "targets": {},
    }


def test_tag_combo(desk):
    page = desk
    open_dialog(page, "tagdialogs", "TagComboDialog", "#code #client1")
    page.wait_for_selector(".tt-combo-dialog")
    assert page.inner_text(".tt-dialog-header h2") == "Tag combo #client1 #code"
    assert page.locator(".tt-tg-one").all_inner_texts() == ["#client1", "#code"]
    # a tag's own dialog opens on top, and the combo comes back after it
    page.click(".tt-tg-one[data-tag='#code']")
    page.wait_for_selector(".tt-tag-dialog")
    page.click(".tt-swatch[data-color='#2E8C5D']")
    page.click(".tt-tag-dialog .tt-tg-apply")
    page.wait_for_selector(".tt-combo-dialog")
    assert page.evaluate("taginfo.get_tag_color('#code')") == "#2E8C5D"
    page.select_option(".tt-tg-period", "day")
    page.fill(".tt-tg-hours", "2")
    page.click(".tt-tg-apply")
    info = page.evaluate("settings.get('taginfo #client1 #code')")
    assert info["targets"] == {"day": 2}


def test_rename_merge_remove(desk):
    page = desk
    keys = page.keys
    page.evaluate(
        "taginfo.set_tag_info('#old', {color: '#D636B3', priority: 2, targets: {day: 3}, rate: 70})"
    )
    open_dialog(page, "tagdialogs", "RenameDialog", ["#old"])
    page.wait_for_selector(".tt-rename-dialog")
    assert page.inner_text(".tt-dialog-header h2") == "Rename tag"
    page.fill(".tt-rn-new", "Renamed")
    page.press(".tt-rn-new", "Enter")
    assert page.input_value(".tt-rn-new") == "#renamed"
    confirm = page.locator(".tt-rn-confirm")
    assert confirm.inner_text() == "Replace #old with #renamed in 3 records"
    assert "→" in page.inner_text(".tt-rn-example")
    # editing the field hides the confirmation again
    page.type(".tt-rn-new", "x")
    assert page.locator(".tt-rn-confirm").count() == 0
    page.fill(".tt-rn-new", "#renamed")
    page.click(".tt-rn-prepare")
    page.click(".tt-rn-confirm")
    page.wait_for_selector(".tt-rename-dialog", state="detached")
    assert ds_of(page, keys[1]) == "#renamed review #client1"
    assert ds_of(page, keys[2]) == "call #renamed about things"
    assert ds_of(page, keys[3]) == "HIDDEN #renamed deleted one"  # deleted records too
    # one tag to one tag: the colour, priority, target and rate moved along
    assert page.evaluate("taginfo.get_tag_info('#renamed')") == {
        "color": "#D636B3",
        "priority": 2,
        "targets": {"day": 3},
        "rate": 70,
    }
    assert page.evaluate("taginfo.get_tag_info('#old').color") == ""
    assert page.evaluate("taginfo.get_tag_rate('#old')") is None

    # merge #renamed into #client1
    open_dialog(page, "tagdialogs", "RenameDialog", "#renamed")
    page.fill(".tt-rn-new", "#client1")
    page.click(".tt-rn-prepare")
    assert (
        page.inner_text(".tt-rn-confirm")
        == "Replace #renamed with #client1 in 3 records"
    )
    page.click(".tt-rn-confirm")
    page.wait_for_selector(".tt-rename-dialog", state="detached")
    assert ds_of(page, keys[1]) == "#client1 review"

    # remove #tmp
    open_dialog(page, "tagdialogs", "RenameDialog", ["#tmp"])
    page.click(".tt-rn-prepare")
    assert page.inner_text(".tt-rn-confirm") == "Remove #tmp from 1 record"
    page.click(".tt-rn-confirm")
    page.wait_for_selector(".tt-rename-dialog", state="detached")
    assert ds_of(page, keys[4]) == "#client2 notes"

    # nothing to do
    open_dialog(page, "tagdialogs", "RenameDialog", ["#nowhere"])
    page.click(".tt-rn-prepare")
    assert page.is_disabled(".tt-rn-confirm")
    assert page.inner_text(".tt-rn-confirm") == "No records found"


def test_rename_from_the_tag_dialog(desk):
    page = desk
    open_dialog(page, "tagdialogs", "TagDialog", "#tmp")
    page.wait_for_selector(".tt-tag-dialog")
    page.click(".tt-tg-rename")
    page.wait_for_selector(".tt-rename-dialog")
    assert page.is_hidden(".tt-tag-dialog")
    page.fill(".tt-rn-new", "#temp")
    page.click(".tt-rn-prepare")
    page.click(".tt-rn-confirm")
    # the tag is gone: its dialog closes too
    page.wait_for_selector(".tt-tag-dialog", state="detached")
    assert ds_of(page, page.keys[4]) == "#temp #client2 notes"


def test_tag_dialog_on_a_phone(phone):
    page = phone
    open_dialog(page, "tagdialogs", "TagDialog", "#client1")
    page.wait_for_selector(".tt-tag-dialog")
    assert fits(page, ".tt-tag-dialog") == []
    save_screenshot(page, "tag-phone")
    assert page.js_errors == []
