"""The pomodoro (TP-04 ... TP-07), notifications (TP-08 ... TP-10) and sounds (TP-11)
in a real browser: a whole work/break cycle with Playwright's clock driven by the
test, its coupling to records, the running-timer notification shown through the
service worker, and a click on its Stop button relayed back to the page."""

import httpx
import pytest

from .helpers import (
    DESKTOP,
    NOW,
    PHONE,
    login_app,
    open_app,
    open_record_dialog,
    running,
    shot,
    wait_until,
)

pytestmark = pytest.mark.e2e


def pomodoro_label(page):
    return page.inner_text(".tt-pomo-label")


def played(page):
    return page.evaluate("Array.from(notify.played)")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_pomodoro_cycle_with_the_clock_driven_by_the_test(
    make_page, site_server, size
):
    name = "desktop" if size == DESKTOP else "phone"
    page = make_page(*size, touch=size == PHONE)
    page.clock.install(time=NOW)
    open_app(page, site_server, "app/sandbox/", pin=False)
    assert page.is_hidden(".tt-pomodoro")  # off by default (ST-12)
    page.evaluate("settings.set('pomodoro_enabled', true)")
    page.wait_for_selector(".tt-pomodoro", state="visible")

    page.click(".tt-pomodoro")
    page.wait_for_selector(".tt-pomodoro-dialog")
    assert pomodoro_label(page) == "Work (25:00)"
    assert page.inner_text(".tt-pomo-button") == "Start working"
    page.click(".tt-pomo-button")
    page.wait_for_function(
        "document.querySelector('.tt-pomo-label').textContent === 'Working: 25:00'"
    )
    assert page.inner_text(".tt-pomo-button") == "Stop"
    assert page.title().startswith("Working | ")
    assert played(page) == ["windup"]
    shot(page, f"pomodoro-work-{name}")
    page.keyboard.press("Escape")
    page.wait_for_selector(".tt-pomodoro-dialog", state="detached")

    # Ten minutes on: the time left is under the record button.
    page.clock.fast_forward("10:00")
    page.wait_for_function(
        "document.querySelector('.tt-stopwatch').textContent === 'work: 15m00s'"
    )
    # The work period runs out while the dialog is closed: the alarm opens it.
    page.clock.fast_forward("15:00")
    page.wait_for_selector(".tt-pomodoro-dialog")
    page.wait_for_function(
        "document.querySelector('.tt-pomo-label').textContent === 'Break (5:00)'"
    )
    assert played(page) == ["windup", "alarm"]
    assert not page.title().startswith("Working")
    assert page.inner_text(".tt-stopwatch") == ""
    shot(page, f"pomodoro-alarm-{name}")

    page.click(".tt-pomo-button")  # start the break
    page.wait_for_function(
        "document.querySelector('.tt-pomo-label').textContent === 'Break: 5:00'"
    )
    assert page.title().startswith("Break | ")
    # A reload keeps the cycle going (saved in localStorage).
    page.reload()
    page.wait_for_function("window.ttapp && window.ttapp.pomodoro")
    page.wait_for_function(
        "document.querySelector('.tt-stopwatch').textContent.startsWith('break: ')"
    )
    page.clock.fast_forward("05:00")
    page.wait_for_selector(".tt-pomodoro-dialog")
    page.wait_for_function(
        "document.querySelector('.tt-pomo-label').textContent === 'Work (25:00)'"
    )
    assert page.evaluate("ttapp.pomodoro.state.state") == "pre-work"
    assert played(page) == ["alarm"]  # (the reload started a new list)
    assert page.js_errors == []


def test_records_start_work_and_stopping_resets(make_page, site_server):
    page = make_page(*DESKTOP)
    page.clock.install(time=NOW)
    open_app(page, site_server, "app/sandbox/", pin=False)
    page.evaluate("settings.set('pomodoro_enabled', true)")
    open_record_dialog(page, "start")
    page.keyboard.type("focus #deep")
    page.keyboard.press("Escape")  # the tag suggestions
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    page.wait_for_function(
        "window.ttapp.pomodoro && ttapp.pomodoro.state.state === 'work'"
    )
    page.wait_for_function(
        "document.querySelector('.tt-stopwatch').textContent.startsWith('work: 25m00s | ')"
    )
    assert played(page) == ["windup"]
    page.keyboard.press("x")  # stop all (RC-05): the pomodoro goes back
    page.wait_for_function("ttapp.pomodoro.state.state === 'pre-work'")
    assert running(page) == []
    assert page.title() == "TimeTagger sandbox"  # no "Working | " any more

    # Switched off while it runs: it stops (no alarm later), and a record starts none.
    page.evaluate("ttapp.pomodoro.start('work')")
    assert page.title().startswith("Working | ")
    page.evaluate("settings.set('pomodoro_enabled', false)")
    page.wait_for_function("ttapp.pomodoro.state.state === 'pre-work'")
    assert page.title() == "TimeTagger sandbox"
    page.wait_for_selector(".tt-pomodoro", state="hidden")
    page.keyboard.press("s")
    page.wait_for_selector(".tt-record-dialog")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert len(running(page)) == 1
    assert page.evaluate("ttapp.pomodoro.state.state") == "pre-work"
    assert page.js_errors == []


def test_the_sounds_are_served_with_the_site(make_page, site_server):
    page = make_page(*DESKTOP)
    open_app(page, site_server, "app/sandbox/")
    for name in ["windup", "alarm", "manual"]:
        url = page.evaluate("(n) => notify.sound_url(n)", name)
        r = httpx.get(url, timeout=10)
        assert r.status_code == 200, url
        assert (
            r.headers["content-type"] == "audio/x-wav"
            or "wav" in r.headers["content-type"]
        )
        assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE"
        # The page can play it (decodes; duration known).
        duration = page.evaluate(
            """(url) => new Promise((resolve, reject) => {
                const a = new Audio(url);
                a.addEventListener("loadedmetadata", () => resolve(a.duration));
                a.addEventListener("error", () => reject(new Error("cannot load " + url)));
            })""",
            url,
        )
        assert 0.2 < duration < 2


GET_NOTES = """async (tag) => {
    const reg = await navigator.serviceWorker.ready;
    const notes = await reg.getNotifications({tag});
    return notes.map((n) => [n.title, n.body, n.actions.map((a) => a.action)]);
}"""


def notifications(page, tag):
    return page.evaluate(GET_NOTES, tag)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_started_record_is_notified_and_its_stop_button_stops_it(
    make_page, site_server, size
):
    page = make_page(*size, touch=size == PHONE, permissions=["notifications"])
    login_app(page, site_server, pin=False)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    page.evaluate("ttapp.actions.stop_all()")  # (in case another test left one)
    page.evaluate("settings.set('notifications', true)")
    open_record_dialog(page, "start")
    page.click(".tt-desc")  # (a phone does not focus it by itself)
    page.keyboard.type("notified <b>text</b> #work")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tt-record-dialog", state="detached")
    assert len(running(page)) == 1
    wait_until(lambda: notifications(page, "timetagger-running"))
    assert notifications(page, "timetagger-running") == [
        ["TimeTagger is tracking time", "notified <b>text</b> #work", ["stop"]]
    ]

    # Its Stop button (TP-09): the worker's click handler runs, in the worker, and
    # the page stops the record.
    [worker] = page.context.service_workers
    worker.evaluate(
        """async () => {
            const [note] = await self.registration.getNotifications({tag: "timetagger-running"});
            self.dispatchEvent(new NotificationEvent("notificationclick", {notification: note, action: "stop"}));
        }"""
    )
    page.wait_for_function(
        "window.ttapp.store.records.get_running_records().length === 0"
    )
    assert notifications(page, "timetagger-running") == []  # closed by the click

    # Stopping the records in the app (key x) takes the notification away too.
    page.evaluate(
        "(() => { const rs = ttapp.store.records; const r = rs.create(dt.now(), dt.now(), 'again'); rs.put(r); notify.record_started(r); })()"
    )
    wait_until(lambda: notifications(page, "timetagger-running"))
    page.keyboard.press("x")
    wait_until(lambda: notifications(page, "timetagger-running") == [])
    assert running(page) == []

    # The pomodoro's alarm is a notification too, with its buttons (TP-07); its
    # "break" button starts the break in the page.
    page.evaluate("settings.set('pomodoro_enabled', true)")
    page.evaluate("pomodorodialog.get(ttapp).start('work')")
    page.evaluate("ttapp.pomodoro.state.until = 0; ttapp.pomodoro.check()")
    wait_until(lambda: notifications(page, "timetagger-pomodoro"))
    [[title, body, actions]] = notifications(page, "timetagger-pomodoro")
    assert (title, actions) == ("Time for a break", ["break", "close"])
    worker.evaluate(
        """async () => {
            const [note] = await self.registration.getNotifications({tag: "timetagger-pomodoro"});
            self.dispatchEvent(new NotificationEvent("notificationclick", {notification: note, action: "break"}));
        }"""
    )
    page.wait_for_function("ttapp.pomodoro.state.state === 'break'")
    page.evaluate("ttapp.pomodoro.reset()")
    assert page.js_errors == []


def test_no_notification_without_the_setting(make_page, site_server):
    page = make_page(*DESKTOP, permissions=["notifications"])
    login_app(page, site_server, pin=False)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    assert page.evaluate("settings.get('notifications')") is False
    shown = page.evaluate("notify.record_started({ds: 'x'})")
    assert shown is False
    assert notifications(page, "timetagger-running") == []
