"""The time editor of the record dialog (RC-14, RC-09): its rules and its widget.

The rules are pure functions on a record's times ``t1, t2`` (Unix seconds; running when
``t1 == t2``) and are tested in node: the timing options per dialog mode, the sensible
start for records started earlier, the effect of editing the start/stop date, the
start/stop time (text parsed by ``timeparse.parse_time``, RC-13), the ``+``/``-`` steps
and the duration, the warnings, and the dialog mode after a running record became
finished or the other way round (RC-09). Every edit returns ``[t1, t2, clipped]``:
whole seconds, never before 1970 (``clipped`` tells), a finished record at least 1 s
long.

``TimeEditor`` is the widget (DOM only inside its methods): the option row, start, stop
and duration rows, and the warnings line. Text that cannot be read as a time is not
silently dropped: the field is marked and a message says what was wrong (quirk 3: a
negative duration is explained rather than ignored).
"""

from pscript import window

from ..core import dt, icons, markup, settings, timeparse

OPTION_LABELS = {
    "now": "Start now",
    "earlier": "Started earlier",
    "done": "Already done",
    "running": "Still running",
    "stopped": "Stopped",
}

DAY = 86400
_date_utc = window.Date.UTC  # called through a lower-case name: no "new"
SENSIBLE_LOOKBACK = 8 * 3600  # RC-14: a record that ended within the last 8 hours
_ids = {"n": 0}


# %% The rules (pure)


def time_options(mode, running):
    """``[options, selected]`` of the option row for a dialog mode and whether the
    record is running; no options (row hidden) when editing a finished record."""
    if mode == "start":
        return [["now", "earlier", "done"], "now"]
    elif mode == "new":
        return [["now", "earlier", "done"], "done"]
    elif mode == "stop":
        return [["running", "stopped"], "stopped"]
    elif running:
        return [["running", "stopped"], "running"]
    return [[], ""]


def visible_rows(option):
    """Which rows show for an option: ``{start, stop, duration}``."""
    if option == "now":
        return {"start": False, "stop": False, "duration": False}
    elif option == "earlier" or option == "running":
        return {"start": True, "stop": False, "duration": True}
    return {"start": True, "stop": True, "duration": True}


def _int(t):
    return Math.floor(t)


def _result(t1, t2, running):
    """Whole seconds, clipped to 1970, running kept running, finished >= 1 s."""
    t1 = _int(t1)
    t2 = _int(t2)
    clipped = False
    if t1 < 0:
        t1 = 0
        clipped = True
    if t2 < 0:
        t2 = 0
        clipped = True
    if running:
        t2 = t1
    elif t2 <= t1:
        t2 = t1 + 1
    return [t1, t2, clipped]


def sensible_start(t1, now, others):
    """Where a record "started earlier" or "already done" starts (RC-14).

    Keep ``t1`` when it is at least 5 minutes ago. Otherwise: 5 minutes ago when
    another record is running; else the end of the most recent other record that
    ended within the last 8 hours (at most ``now - 1``); else one hour ago.
    ``others`` are the other records (``{t1, t2}``), hidden ones excluded.
    """
    now = _int(now)
    if t1 <= now - 300:
        return _int(t1)
    last_end = None
    for r in others:
        if r.t1 == r.t2:
            return now - 300
        if r.t2 >= now - SENSIBLE_LOOKBACK and r.t2 <= now:
            if last_end is None or r.t2 > last_end:
                last_end = r.t2
    if last_end is not None:
        return _int(min(last_end, now - 1))
    return now - 3600


def apply_option(option, t1, t2, now, others):
    """The times after choosing a timing option (RC-14 radio behaviour)."""
    now = _int(now)
    if option == "now":
        return _result(now, now, True)
    elif option == "earlier":
        s = sensible_start(t1, now, others)
        return _result(s, s, True)
    elif option == "done":
        s = sensible_start(t1, now, others)
        return _result(s, now, False)
    elif option == "running":
        s = min(t1, now)
        return _result(s, s, True)
    elif option == "stopped":
        if t1 != t2:
            return _result(t1, t2, False)
        return _result(t1, max(now, t1 + 1), False)
    return _result(t1, t2, t1 == t2)


def _day_number(t):
    f = dt.fields(t)
    return Math.round(_date_utc(f[0], f[1] - 1, f[2]) / 86400000)


def _with_date(t, ymd, extra_days=0):
    f = dt.fields(t)
    return dt.make_time(ymd[0], ymd[1], ymd[2] + extra_days, f[3], f[4], f[5])


def _with_hms(t, hms):
    f = dt.fields(t)
    return dt.make_time(f[0], f[1], f[2], hms[0], hms[1], hms[2])


def set_start_date(t1, t2, ymd, now):
    """Move the start to another date (``[y, m, d]``), keeping its time of day; the
    stop keeps its day offset from the start; a running record stays running (and
    does not start in the future)."""
    n1 = _with_date(t1, ymd)
    if t1 == t2:
        return _result(min(n1, _int(now)), 0, True)
    offset = _day_number(t2) - _day_number(t1)
    n2 = _with_date(t2, ymd, offset)
    return _result(n1, n2, False)


def set_stop_date(t1, t2, ymd):
    """Move the stop to another date keeping its time; a stop at or before the start
    becomes start + 1 minute. Running records stay running."""
    if t1 == t2:
        return _result(t1, t2, True)
    n2 = _with_date(t2, ymd)
    if n2 <= t1:
        n2 = t1 + 60
    return _result(t1, n2, False)


def set_start_time(t1, t2, hms, now):
    """Set the start's time of day (``[h, m, s]``, not clamped: 25 h is 1 h the next
    day). Running: capped at now, stays running. Finished: a start at or after the
    stop pushes the stop to start + 1 s."""
    n1 = _with_hms(t1, hms)
    if t1 == t2:
        return _result(min(n1, _int(now)), 0, True)
    return _result(n1, t2, False)


def set_stop_time(t1, t2, hms):
    """Set the stop's time of day. Running: unchanged. A stop at or before the start
    moves the start there and makes the record 1 s long."""
    if t1 == t2:
        return _result(t1, t2, True)
    n2 = _with_hms(t2, hms)
    if n2 <= t1:
        return _result(n2, n2 + 1, False)
    return _result(t1, n2, False)


def step5(t, direction):
    """The next (``direction`` 1) or previous (-1) multiple of 5 minutes on the
    local clock; a full step when ``t`` already is one."""
    f = dt.floor(t, "5m")
    if direction > 0:
        return f + 300
    if f == t:
        return f - 300
    return f


def step_start(t1, t2, direction, now):
    """The start's ``+``/``-`` buttons."""
    n1 = step5(t1, direction)
    if t1 == t2:
        return _result(min(n1, _int(now)), 0, True)
    return _result(n1, t2, False)


def step_stop(t1, t2, direction):
    """The stop's ``+``/``-`` buttons."""
    if t1 == t2:
        return _result(t1, t2, True)
    n2 = step5(t2, direction)
    if n2 <= t1:
        return _result(n2, n2 + 1, False)
    return _result(t1, n2, False)


def hms_seconds(hms):
    return hms[0] * 3600 + hms[1] * 60 + hms[2]


def set_duration(t1, t2, hms):
    """Set the duration (``[h, m, s]``): the stop moves. Running: unchanged. Zero
    gives a 1 s record."""
    if t1 == t2:
        return _result(t1, t2, True)
    return _result(t1, t1 + max(1, hms_seconds(hms)), False)


def mode_after_change(mode, was_running, is_running):
    """The dialog mode after time edits (RC-09): a running record that became
    finished turns Start into New, anything else into Stop; a finished record that
    became running turns New into Start, anything else into Edit."""
    if was_running and not is_running:
        return "new" if mode == "start" else "stop"
    if not was_running and is_running:
        return "start" if mode == "new" else "edit"
    return mode


def get_warnings(orig_t1, orig_t2, t1, t2, now, clipped=False, repr="hms"):
    """The warnings line (RC-14): clipped to 1970, start moved back or end moved
    forward by more than a day, duration over a day. They never block saving."""
    warnings = []
    if clipped:
        warnings.append("clipped to 1970-01-01")
    if orig_t1 - t1 > DAY:
        warnings.append(
            "moving start back " + dt.duration_string(orig_t1 - t1, False, repr)
        )
    orig_end = max(now, orig_t1) if orig_t1 == orig_t2 else orig_t2
    if t1 != t2 and t2 - orig_end > DAY:
        warnings.append(
            "moving end forward " + dt.duration_string(t2 - orig_end, False, repr)
        )
    duration = (now if t1 == t2 else t2) - t1
    if duration > DAY:
        warnings.append("duration is " + dt.duration_string(duration, False, repr))
    return warnings


def _pad2(n):
    s = str(n)
    return "0" + s if len(s) < 2 else s


def time_text(t):
    """What a time field shows: ``HH:MM`` (24 h)."""
    return dt.format_time(t)


def date_value(t):
    """What a date input holds: ``YYYY-MM-DD``."""
    return dt.format_isodate(t)


def duration_text(t1, t2, now):
    """What the duration field shows: ``Hh MMm SSs`` ticking for a running record,
    ``Hh MMm`` (rounded to minutes) for a finished one (seconds under a minute)."""
    if t1 == t2:
        secs = max(0, _int(now - t1))
        return (
            str(Math.floor(secs / 3600))
            + "h "
            + _pad2(Math.floor(secs / 60) % 60)
            + "m "
            + _pad2(secs % 60)
            + "s"
        )
    secs = max(0, t2 - t1)
    if secs < 60:
        return "0h 00m " + _pad2(secs) + "s"
    mins = Math.round(secs / 60)
    return str(Math.floor(mins / 60)) + "h " + _pad2(mins % 60) + "m"


def bad_time_message(text, kind):
    """A specific message for time text that cannot be read (``kind`` is
    ``"start"``, ``"stop"`` or ``"duration"``); ``""`` when it can."""
    text = str(text or "").strip()
    if timeparse.parse_time(text) is not None:
        return ""
    if kind == "duration":
        if text.startswith("-"):
            return "A duration cannot be negative: change the start or stop instead."
        return 'Cannot read "' + text + '" as a duration: try 1:30, 1h30m or 45m.'
    return (
        'Cannot read "' + text + '" as a ' + kind + " time: try 9:30, 930 or 4:30 pm."
    )


# %% The widget


class TimeEditor:
    """The time section of the record dialog.

    ``TimeEditor(container, on_change)``; ``open(mode, t1, t2, get_others)`` fills it
    (``get_others()`` returns the other records for the sensible start);
    ``on_change(t1, t2)`` is called after every change. ``commit()`` applies a
    time field that is being typed in (before submitting). ``close()`` stops the
    ticking duration.
    """

    def __init__(self, container, on_change):
        self._container = container
        self._on_change = on_change
        self._get_others = None
        self.t1 = 0
        self.t2 = 0
        self._base = [0, 0]  # the times before the text being typed
        self._orig = [0, 0]
        self._option = ""
        self._clipped = False
        self._error = ""
        self._error_field = None
        self._timer = None
        self._fields = {}
        self._last_text = {}

    def open(self, mode, t1, t2, get_others):
        self.t1 = t1
        self.t2 = t2
        self._base = [t1, t2]
        self._orig = [t1, t2]
        self._get_others = get_others
        opts = time_options(mode, t1 == t2)
        self._option = opts[1]
        self._build(opts[0])
        self._render()
        self._timer = window.setInterval(self._tick, 200)

    def close(self):
        if self._timer is not None:
            window.clearInterval(self._timer)
            self._timer = None

    def _build(self, options):
        _ids.n += 1
        uid = "tt-te" + str(_ids.n)
        html = ""
        if len(options) > 0:
            html += (
                '<div class="tt-time-options" role="radiogroup" aria-label="Timing">'
            )
            for opt in options:
                html += (
                    '<label class="tt-seg"><input type="radio" name="'
                    + uid
                    + '-opt" value="'
                    + opt
                    + '"><span>'
                    + OPTION_LABELS[opt]
                    + "</span></label>"
                )
            html += "</div>"
        html += '<div class="tt-time-grid">'
        for row in [["start", "play", "Start"], ["stop", "stop", "Stop"]]:
            name = row[0]
            html += (
                '<div class="tt-trow tt-'
                + name
                + '-row"><span class="tt-row-label">'
                + icons.icon(row[1])
                + "<span>"
                + row[2]
                + "</span></span>"
                + '<input type="date" class="tt-'
                + name
                + '-date" aria-label="'
                + row[2]
                + ' date" required>'
                + '<input type="text" class="tt-'
                + name
                + '-time tt-timefield" aria-label="'
                + row[2]
                + ' time" autocomplete="off" spellcheck="false" inputmode="text">'
                + '<button type="button" class="tt-step" data-step="'
                + name
                + ':-1" aria-label="'
                + row[2]
                + ' 5 minutes earlier" title="5 minutes earlier">&minus;</button>'
                + '<button type="button" class="tt-step" data-step="'
                + name
                + ':1" aria-label="'
                + row[2]
                + ' 5 minutes later" title="5 minutes later">+</button>'
                + "</div>"
            )
        html += (
            '<div class="tt-trow tt-duration-row"><span class="tt-row-label">'
            + icons.icon("hourglass")
            + "<span>Duration</span></span>"
            + '<input type="text" class="tt-duration tt-timefield" aria-label="Duration"'
            + ' autocomplete="off" spellcheck="false"></div>'
        )
        html += "</div>"
        html += '<div class="tt-time-warnings" role="status" aria-live="polite"></div>'
        self._container.innerHTML = html
        c = self._container
        self._fields = {
            "start_date": c.querySelector(".tt-start-date"),
            "start_time": c.querySelector(".tt-start-time"),
            "stop_date": c.querySelector(".tt-stop-date"),
            "stop_time": c.querySelector(".tt-stop-time"),
            "duration": c.querySelector(".tt-duration"),
            "warnings": c.querySelector(".tt-time-warnings"),
            "start_row": c.querySelector(".tt-start-row"),
            "stop_row": c.querySelector(".tt-stop-row"),
            "duration_row": c.querySelector(".tt-duration-row"),
        }
        for radio in window.Array.prototype.slice.call(
            c.querySelectorAll("input[type=radio]")
        ):
            radio.checked = radio.value == self._option
            radio.addEventListener("change", self._on_option, False)
        for btn in window.Array.prototype.slice.call(c.querySelectorAll(".tt-step")):
            btn.addEventListener("click", self._on_step, False)
        f = self._fields
        f.start_date.addEventListener("change", self._on_start_date, False)
        f.stop_date.addEventListener("change", self._on_stop_date, False)
        for key in ["start_time", "stop_time", "duration"]:
            f[key].addEventListener("input", self._on_time_input, False)
            f[key].addEventListener("change", self._on_time_change, False)

    # -- state changes

    def _set(self, res):
        """Apply an edit result ``[t1, t2, clipped]`` and notify."""
        self.t1 = res[0]
        self.t2 = res[1]
        self._base = [res[0], res[1]]
        self._clipped = res[2]
        self._render()
        self._on_change(self.t1, self.t2)

    def set_times(self, t1, t2):
        """Set the times from outside (no notification)."""
        self.t1 = t1
        self.t2 = t2
        self._base = [t1, t2]
        self._render()

    def _others(self):
        return self._get_others() if self._get_others else []

    def _on_option(self, e):
        self._option = e.target.value
        self._error = ""
        self._set(
            apply_option(self._option, self.t1, self.t2, dt.now(), self._others())
        )

    def _on_step(self, e):
        parts = e.currentTarget.dataset.step.split(":")
        direction = int(parts[1])
        self._error = ""
        if parts[0] == "start":
            self._set(step_start(self.t1, self.t2, direction, dt.now()))
        else:
            self._set(step_stop(self.t1, self.t2, direction))

    def _on_start_date(self, e):
        ymd = dt.parse_ymd(e.target.value)
        if ymd is None:
            return  # incomplete; the render on blur restores it
        self._set(set_start_date(self.t1, self.t2, ymd, dt.now()))

    def _on_stop_date(self, e):
        ymd = dt.parse_ymd(e.target.value)
        if ymd is None:
            return
        self._set(set_stop_date(self.t1, self.t2, ymd))

    def _field_kind(self, el):
        if el is self._fields.start_time:
            return "start"
        elif el is self._fields.stop_time:
            return "stop"
        return "duration"

    def _apply_text(self, kind, hms):
        """Apply typed text to the times from before the typing began."""
        t1 = self._base[0]
        t2 = self._base[1]
        if kind == "start":
            return set_start_time(t1, t2, hms, dt.now())
        elif kind == "stop":
            return set_stop_time(t1, t2, hms)
        return set_duration(t1, t2, hms)

    def _on_time_input(self, e):
        """Live: start and stop apply while typing whenever the text can be read."""
        el = e.target
        kind = self._field_kind(el)
        text = el.value
        msg = bad_time_message(text, kind) if text.strip() else ""
        el.classList.toggle("tt-invalid", bool(msg))
        el.setAttribute("aria-invalid", "true" if msg else "false")
        if msg or kind == "duration" or not text.strip():
            return
        res = self._apply_text(kind, timeparse.parse_time(text))
        self.t1 = res[0]
        self.t2 = res[1]
        self._clipped = res[2]
        self._render(el)
        self._on_change(self.t1, self.t2)

    def _on_time_change(self, e):
        self._commit_field(e.target)

    def _commit_field(self, el):
        kind = self._field_kind(el)
        text = el.value
        hms = timeparse.parse_time(text)
        el.classList.remove("tt-invalid")
        el.setAttribute("aria-invalid", "false")
        if hms is None:
            # Keep the previous value, and say why (quirk 3).
            self._error = bad_time_message(text, kind) if text.strip() else ""
            self.t1 = self._base[0]
            self.t2 = self._base[1]
            self._render()
            self._on_change(self.t1, self.t2)
            return
        self._error = ""
        self._set(self._apply_text(kind, hms))

    def commit(self):
        """Apply the time field being typed in, if any (before a submit)."""
        active = window.document.activeElement
        if not active:
            return
        for key in ["start_time", "stop_time", "duration"]:
            if active is self._fields[key] and active.value != self._last_text[key]:
                self._commit_field(active)
        for key in ["start_date", "stop_date"]:
            if active is self._fields[key]:
                active.dispatchEvent(window.Event("change"))

    # -- display

    def _render(self, skip=None):
        f = self._fields
        t1 = self.t1
        t2 = self.t2
        running = t1 == t2
        now = dt.now()
        rows = visible_rows(self._option)
        f.start_row.hidden = not rows.start
        f.stop_row.hidden = not rows.stop
        f.duration_row.hidden = not rows.duration
        self._put(f.start_date, date_value(t1), skip)
        self._put_text("start_time", time_text(t1), skip)
        if running:
            self._put(f.stop_date, date_value(max(now, t1)), skip)
            self._put_text("stop_time", "running", skip)
        else:
            self._put(f.stop_date, date_value(t2), skip)
            self._put_text("stop_time", time_text(t2), skip)
        f.stop_date.classList.toggle(
            "tt-same-day", not running and date_value(t1) == date_value(t2)
        )
        f.stop_date.disabled = running
        f.stop_time.disabled = running
        for btn in window.Array.prototype.slice.call(
            f.stop_row.querySelectorAll(".tt-step")
        ):
            btn.disabled = running
        f.duration.disabled = running
        self._put_text("duration", duration_text(t1, t2, now), skip)
        self._render_warnings()

    def _put(self, el, value, skip):
        if el is skip or el is window.document.activeElement:
            return
        if el.value != value:
            el.value = value

    def _put_text(self, key, value, skip):
        el = self._fields[key]
        if el is skip:
            return
        if el is window.document.activeElement and not el.disabled:
            return  # do not fight the user's typing
        self._last_text[key] = value
        if el.value != value:
            el.value = value
        el.classList.remove("tt-invalid")

    def _render_warnings(self):
        repr = settings.get("duration_repr")
        warnings = get_warnings(
            self._orig[0],
            self._orig[1],
            self.t1,
            self.t2,
            dt.now(),
            self._clipped,
            repr,
        )
        html = ""
        if self._error:
            html += (
                '<div class="tt-error">'
                + icons.icon("warning")
                + markup.escape(self._error)
                + "</div>"
            )
        if len(warnings) > 0:
            html += (
                '<div class="tt-warning">'
                + icons.icon("warning")
                + "Note: "
                + markup.escape(", ".join(warnings))
                + "</div>"
            )
        el = self._fields.warnings
        if el.innerHTML != html:
            el.innerHTML = html

    def _tick(self):
        if self.t1 == self.t2:
            self._put_text("duration", duration_text(self.t1, self.t2, dt.now()), None)
