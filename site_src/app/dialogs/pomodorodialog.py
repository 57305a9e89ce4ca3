"""The pomodoro of the page (TP-04 ... TP-07): the running cycle and its dialog.

``get(app)`` gives the page's one ``Pomodoro`` (made on first use, kept as
``app.pomodoro``): it holds the state of ``pomodoro`` (the pure state machine), saves
it in localStorage (a reload keeps the cycle), checks four times a second and when the
page becomes visible whether a period ran out (also while the dialog is closed; a
pomodoro switched off in the settings goes back to the start),
plays the sounds, prefixes the tab's title ("Working | "), and on an alarm opens the
dialog and shows a notification with buttons (TP-07). ``press()``, ``start(period)``
("work" / "break") and ``reset()`` are what the dialog's button, a started record or a
notification's button, and stopping records do (TP-06).

``PomodoroDialog(app).open()``: the large time label, the one button, and what the
pomodoro is (a collapsible explanation).
"""

from pscript import window

from ..core import dt, pomodoro, settings
from . import basedialog, notify

STORAGE_KEY = "timetagger_pomodoro"
CHECK_INTERVAL = 250  # ms


def get(app):
    """The page's pomodoro (made on first use)."""
    if not app.pomodoro:
        app.pomodoro = Pomodoro(app)
    return app.pomodoro


def _load():
    try:
        return pomodoro.from_json(window.localStorage.getItem(STORAGE_KEY))
    except Exception:
        return pomodoro.fresh()


class Pomodoro:
    """The running pomodoro of a page (see the module docstring)."""

    def __init__(self, app):
        self.app = app
        self.state = _load()
        self._listeners = []
        self._base_title = window.document.title
        self._timer = window.setInterval(self.check, CHECK_INTERVAL)
        window.document.addEventListener("visibilitychange", self.check)
        self.check()
        self._show_title()

    def on_change(self, callback):
        self._listeners.append(callback)

        def unsubscribe():
            i = self._listeners.indexOf(callback)
            if i >= 0:
                self._listeners.splice(i, 1)

        return unsubscribe

    def status_text(self):
        """The time left under the record buttons (TL-25), "" when nothing runs."""
        return pomodoro.status_text(self.state, dt.now(), self.app.duration_repr())

    def press(self):
        self._apply(pomodoro.press(self.state, dt.now()))

    def start(self, period):
        """Start work or a break now; it follows a click, so ask to notify (TP-06)."""
        notify.ask_permission()
        self._apply(pomodoro.start(self.state, period, dt.now()))

    def reset(self):
        if self.state.state != "pre-work":
            self._apply(pomodoro.reset())

    def check(self, *args):
        if not settings.get("pomodoro_enabled"):
            self.reset()  # switched off in the settings: no alarm any more
            return
        result = pomodoro.tick(self.state, dt.now())
        if result[1]:
            self._apply(result)

    def _apply(self, result):
        self.state = result[0]
        event = result[1]
        try:
            window.localStorage.setItem(STORAGE_KEY, pomodoro.to_json(self.state))
        except Exception:
            pass  # storage full or refused: the cycle still runs in this page
        if event == "alarm":
            if not (basedialog.top_dialog() or {}).is_pomodoro:
                PomodoroDialog(self.app).open()
            notify.play("alarm")
            notify.pomodoro_alarm(pomodoro.alarm_message(self.state))
        elif event:
            notify.play(event)
        self._show_title()
        for callback in list(self._listeners):
            callback()
        self.app.request_redraw()

    def _show_title(self):
        title = window.document.title
        for prefix in ["Working | ", "Break | "]:
            if title.startswith(prefix):
                title = title[len(prefix) :]
        window.document.title = pomodoro.title_prefix(self.state) + title


BaseDialog = basedialog.BaseDialog

EXPLANATION = (
    "<p>The pomodoro technique: work for 25 minutes, then take a 5 minute break, "
    "and repeat. A sound and a notification tell you when a period is over.</p>"
    "<p>Starting a record starts a work period; stopping the records resets the "
    "pomodoro. The pomodoro is experimental: switch it off in the settings.</p>"
    "<p>The sounds are made for TimeTagger from sine tones.</p>"
)


class PomodoroDialog(BaseDialog):
    """The pomodoro's dialog: time label, one button, an explanation (TP-05)."""

    css_class = "tt-pomodoro-dialog"
    is_pomodoro = True

    def open(self, callback=None):
        self._pomodoro = get(self._app)
        self._build_frame("Pomodoro", "stopwatch")
        self.body.innerHTML = (
            '<div class="tt-pomo-label" role="timer" aria-live="off"></div>'
            + '<div class="tt-buttons tt-pomo-buttons"><button type="button"'
            + ' class="tt-btn tt-primary tt-pomo-button" data-autofocus></button></div>'
            + '<details class="tt-pomo-about"><summary>What is this?</summary>'
            + EXPLANATION
            + "</details>"
        )
        self._label = self.body.querySelector(".tt-pomo-label")
        self._button = self.body.querySelector(".tt-pomo-button")
        self._button.addEventListener("click", lambda e: self._pomodoro.press())
        self._unsubscribe = self._pomodoro.on_change(self._refresh)
        self._timer = window.setInterval(self._refresh, CHECK_INTERVAL)
        self._refresh()
        self._show(callback)
        return self

    def _refresh(self):
        state = self._pomodoro.state
        self._label.textContent = pomodoro.label(state, dt.now())
        text = pomodoro.button_label(state)
        if self._button.textContent != text:
            self._button.textContent = text
        self.node.classList.toggle("running", pomodoro.is_running(state))

    def _on_close(self):
        window.clearInterval(self._timer)
        self._unsubscribe()
