"""The settings dialog in a real browser (ST-00, ST-21): a synced setting changed in one
browser context reaches the server and shows up in another context of the same user
(even in its open settings dialog); device settings stay on their device and apply at
once (dark mode, width); the dialog fits a phone."""

import pytest

from .helpers import (
    PHONE,
    fits,
    login_app,
    open_dialog,
    save_screenshot,
    server_settings,
    sync_until_idle,
    token_of,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_devices(make_page, site_server):
    desk = make_page()
    phone = make_page(*PHONE, touch=True)
    assert login_app(desk, site_server) == "alice"
    assert login_app(phone, site_server) == "alice"
    yield desk, phone
    assert desk.js_errors == []
    assert phone.js_errors == []


def test_synced_setting_reaches_another_device(two_devices, site_server):
    desk, phone = two_devices
    open_dialog(phone, "settingsdialog", "SettingsDialog")
    phone.wait_for_selector(".tt-settings-dialog")
    assert phone.input_value("#tt-st-date-repr") == "dd-mm-yyyy"
    assert phone.input_value("#tt-st-first-day-of-week") == "1"

    open_dialog(desk, "settingsdialog", "SettingsDialog")
    desk.wait_for_selector(".tt-settings-dialog")
    assert "Synced with your account" in desk.inner_text(
        "[data-section='user'] .tt-note"
    )
    desk.select_option("#tt-st-date-repr", "yyyy-mm-dd")
    desk.select_option("#tt-st-first-day-of-week", "0")
    desk.wait_for_selector(".tt-st-saved.tt-visible")
    assert desk.evaluate("settings.get('date_repr')") == "yyyy-mm-dd"
    assert desk.evaluate("settings.get('first_day_of_week')") == 0
    assert sync_until_idle(desk) == "done"

    on_server = server_settings(site_server, token_of(desk))
    assert on_server["date_repr"] == "yyyy-mm-dd"
    assert on_server["first_day_of_week"] == 0

    # The other device gets it with its next sync, and its open dialog shows it.
    assert sync_until_idle(phone) == "done"
    phone.wait_for_function(
        "document.querySelector('#tt-st-date-repr').value === 'yyyy-mm-dd'"
    )
    assert phone.input_value("#tt-st-first-day-of-week") == "0"
    assert phone.evaluate("settings.get('first_day_of_week')") == 0
    assert phone.evaluate("typeof settings.get('first_day_of_week')") == "number"
    save_screenshot(desk, "settings-desktop")
    assert fits(phone, ".tt-settings-dialog") == []
    save_screenshot(phone, "settings-phone")


def test_device_settings_stay_on_the_device(two_devices, site_server):
    desk, phone = two_devices
    open_dialog(desk, "settingsdialog", "SettingsDialog")
    desk.wait_for_selector(".tt-settings-dialog")
    assert "Kept in this browser only" in desk.inner_text(
        "[data-section='device'] .tt-note"
    )
    assert not desk.evaluate("document.body.classList.contains('darkmode')")
    desk.select_option("#tt-st-darkmode", "2")
    # dark mode applies at once
    desk.wait_for_function("document.body.classList.contains('darkmode')")
    desk.select_option("#tt-st-width-mode", "1000")
    desk.wait_for_function(
        "document.querySelector('#ttapp').classList.contains('width-1000')"
    )
    desk.check("#tt-st-pomodoro-enabled")
    stored = desk.evaluate(
        "JSON.parse(localStorage.getItem('timetagger_local_settings'))"
    )
    assert (
        stored["darkmode"] == 2
        and stored["width_mode"] == "1000"
        and stored["pomodoro_enabled"] is True
    )
    save_screenshot(desk, "settings-desktop-dark")
    assert sync_until_idle(desk) == "done"
    on_server = server_settings(site_server, token_of(desk))
    assert "darkmode" not in on_server and "width_mode" not in on_server
    assert sync_until_idle(phone) == "done"
    assert phone.evaluate("settings.get('darkmode')") == 1
    assert not phone.evaluate("document.body.classList.contains('darkmode')")
    # back to light
    desk.select_option("#tt-st-darkmode", "1")
    desk.wait_for_function("!document.body.classList.contains('darkmode')")


def test_static_info_and_shortcuts(two_devices):
    desk, _ = two_devices
    open_dialog(desk, "settingsdialog", "SettingsDialog")
    desk.wait_for_selector(".tt-settings-dialog")
    tz = desk.inner_text(".tt-st-tz")
    assert tz == "UTC+01:00 (Europe/Amsterdam)"
    keys = desk.inner_text("[data-section='static']")
    for text in ["Keyboard shortcuts", "PageUp", "Shift+S", "Backspace", "Esc"]:
        assert text in keys
    desk.click(".tt-st-done")
    assert desk.locator(".tt-settings-dialog").count() == 0
