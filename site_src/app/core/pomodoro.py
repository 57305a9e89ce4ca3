"""The pomodoro's state machine (TP-05 ... TP-07): pure, no DOM, tested in node.

A pomodoro is a plain object ``{state, until}``: ``state`` is one of ``STATES``,
``until`` the end (Unix seconds) of the running work or break period (0 otherwise).
The cycle: "pre-work" -> "work" (25 min) -> "pre-break" -> "break" (5 min) ->
"pre-work". Every function returns a new object and never changes the one it gets.

* ``press(p, now)``: the dialog's one button (start working, stop, start break, stop).
* ``start(p, period, now)``: start "work" or "break" now (a record started, a
  notification's action).
* ``reset()``: back to "pre-work" (records stopped).
* ``tick(p, now)``: a period that is over moves on (work -> pre-break, break ->
  pre-work) and says so with an alarm.

Each of these returns ``[pomodoro, event]``; ``event`` names the sound to play:
"windup" (a period starts), "manual" (stopped by hand), "alarm" (a period ran out),
or "" (nothing). ``label``, ``button_label``, ``title_prefix`` and ``status_text``
are the texts the dialog, the tab title and the top bar show; ``alarm_message`` is
the notification of an alarm. ``from_json`` reads a saved pomodoro (data: anything
that is not a valid one reads as "pre-work").
"""

from pscript import window

from . import dt

WORK_SECONDS = 25 * 60
BREAK_SECONDS = 5 * 60
STATES = ["pre-work", "work", "pre-break", "break"]


def fresh():
    return {"state": "pre-work", "until": 0}


def is_running(p):
    """Whether a work or break period is counting down."""
    return p.state == "work" or p.state == "break"


def start(p, period, now):
    """Start a work or break period now (restarts one that runs)."""
    length = WORK_SECONDS if period == "work" else BREAK_SECONDS
    state = "work" if period == "work" else "break"
    return [{"state": state, "until": now + length}, "windup"]


def press(p, now):
    """The dialog's button: start the next period, or stop the running one."""
    state = p.state
    if state == "pre-work":
        return start(p, "work", now)
    elif state == "work":
        return [{"state": "pre-break", "until": 0}, "manual"]
    elif state == "pre-break":
        return start(p, "break", now)
    return [fresh(), "manual"]


def reset():
    return [fresh(), ""]


def tick(p, now):
    """Move on when the running period is over (with an alarm)."""
    if is_running(p) and now >= p.until:
        if p.state == "work":
            return [{"state": "pre-break", "until": 0}, "alarm"]
        return [fresh(), "alarm"]
    return [p, ""]


def time_left(p, now):
    """Seconds left of the running period (0 when none runs)."""
    if not is_running(p):
        return 0
    return max(0, p.until - now)


def clock_text(seconds):
    """ "25:00", "4:59": minutes and seconds, rounded up (a period never shows 0:00
    before it is over)."""
    seconds = Math.ceil(max(0, seconds))
    m = Math.floor(seconds / 60)
    s = seconds % 60
    return str(m) + ":" + ("0" + str(s) if s < 10 else str(s))


def label(p, now):
    state = p.state
    if state == "work":
        return "Working: " + clock_text(time_left(p, now))
    elif state == "pre-break":
        return "Break (" + clock_text(BREAK_SECONDS) + ")"
    elif state == "break":
        return "Break: " + clock_text(time_left(p, now))
    return "Work (" + clock_text(WORK_SECONDS) + ")"


def button_label(p):
    state = p.state
    if state == "pre-work":
        return "Start working"
    elif state == "pre-break":
        return "Start break"
    return "Stop"


def title_prefix(p):
    """What goes in front of the tab's title while a period runs."""
    if p.state == "work":
        return "Working | "
    elif p.state == "break":
        return "Break | "
    return ""


def status_text(p, now, duration_repr="hms"):
    """The time left under the record buttons (TL-25): "work: 12m03s"."""
    if not is_running(p):
        return ""
    left = dt.duration_string(Math.ceil(time_left(p, now)), True, duration_repr)
    return p.state + ": " + left


def alarm_message(p):
    """The notification of an alarm, for the state the alarm moved to (TP-07):
    ``{title, body, actions: [[action, title]]}``."""
    if p.state == "pre-break":
        return {
            "title": "Time for a break",
            "body": "The work period is over. Open TimeTagger to start your break.",
            "actions": [["break", "Start 5 min break"], ["close", "Close"]],
        }
    return {
        "title": "The break is over",
        "body": "Open TimeTagger to start the next work period.",
        "actions": [["work", "Start 25 min work"], ["close", "Close"]],
    }


def to_json(p):
    return window.JSON.stringify({"state": p.state, "until": p.until})


def from_json(text):
    """A saved pomodoro; anything else (missing, damaged, unknown state) reads as
    a fresh one."""
    try:
        ob = window.JSON.parse(text or "null")
    except Exception:
        return fresh()
    if not ob or STATES.indexOf(ob.state) < 0:
        return fresh()
    until = ob.until
    if not window.Number.isFinite(until):
        until = 0
    if not is_running(ob):
        until = 0
    elif until <= 0:
        return fresh()
    return {"state": ob.state, "until": until}
