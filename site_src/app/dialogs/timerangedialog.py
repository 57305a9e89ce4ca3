"""The time-range dialog (TL-12): pick the visible range from presets (today, this
week, ..., last year) or with From/To dates.

Pure helpers (``preset_range``, ``range_to_dates``, ``dates_to_range``) have no DOM
and are tested in node; the report dialog uses them too.
"""

from ..core import dt, markup, settings
from . import basedialog

BaseDialog = basedialog.BaseDialog


PRESETS = [
    ["today", "today", "d"],
    ["this_week", "this week", "w"],
    ["this_month", "this month", "m"],
    ["this_quarter", "this quarter", "q"],
    ["this_year", "this year", "y"],
    ["yesterday", "yesterday", ""],
    ["last_week", "last week", ""],
    ["last_month", "last month", ""],
    ["last_quarter", "last quarter", ""],
    ["last_year", "last year", ""],
]

_PRESET_UNITS = {
    "today": ["1D", 0],
    "this_week": ["1W", 0],
    "this_month": ["1M", 0],
    "this_quarter": ["3M", 0],
    "this_year": ["1Y", 0],
    "yesterday": ["1D", -1],
    "last_week": ["1W", -1],
    "last_month": ["1M", -1],
    "last_quarter": ["3M", -1],
    "last_year": ["1Y", -1],
}


def preset_range(name, now, first_day_of_week=1):
    """``[t1, t2]`` of a preset (``"today"``, ``"last_week"``, ...) around ``now``."""
    pair = _PRESET_UNITS[name]
    if not pair:
        raise ValueError("unknown time-range preset " + repr(name))
    unit = pair[0]
    t1 = dt.floor(now, unit, first_day_of_week)
    if pair[1] != 0:
        t1 = dt.add(t1, unit, pair[1])
    return [t1, dt.add(t1, unit)]


def range_to_dates(t1, t2):
    """The From/To date texts (``YYYY-MM-DD``, inclusive end) of a range."""
    end = max(t1, t2 - 1)
    return [dt.format_isodate(dt.day_start(t1)), dt.format_isodate(end)]


def dates_to_range(from_text, to_text):
    """``[t1, t2]`` from From/To date texts: From 00:00 to the day after To; swapped
    when reversed; ``None`` while either date is incomplete."""
    a = dt.parse_ymd(from_text)
    b = dt.parse_ymd(to_text)
    if a is None or b is None:
        return None
    t1 = dt.make_time(a[0], a[1], a[2])
    t2 = dt.make_time(b[0], b[1], b[2])
    if t2 < t1:
        t1, t2 = t2, t1
    return [t1, dt.add(t2, "1D")]


class TimeRangeDialog(BaseDialog):
    """Pick the visible range: presets, or From/To dates (TL-12)."""

    is_popup = True
    css_class = "tt-timerange"

    def open(self, callback=None):
        self._build_frame("Select time range")
        html = '<div class="tt-presets" role="group" aria-label="Presets">'
        show_keys = basedialog.is_desktop()
        for preset in PRESETS:
            html += (
                '<button type="button" class="tt-preset" data-preset="'
                + preset[0]
                + '">'
            )
            html += markup.escape(preset[1])
            if show_keys and preset[2]:
                html += " <kbd>" + preset[2] + "</kbd>"
            html += "</button>"
        html += "</div>"
        html += (
            '<div class="tt-daterange">'
            '<label><span>From</span><input type="date" class="tt-from"></label>'
            '<label><span>To</span><input type="date" class="tt-to"></label>'
            '<button type="button" class="tt-btn tt-primary tt-done">Done</button>'
            "</div>"
        )
        self.body.innerHTML = html
        self._from = self.body.querySelector(".tt-from")
        self._to = self.body.querySelector(".tt-to")
        r = self._app.get_range()
        dates = range_to_dates(r[0], r[1])
        self._from.value = dates[0]
        self._to.value = dates[1]
        for el in markup.query_all(self.body, "[data-preset]"):
            el.addEventListener("click", self._on_preset, False)
        self._from.addEventListener("input", self._on_date, False)
        self._to.addEventListener("input", self._on_date, False)
        self._from.addEventListener("change", self._on_date, False)
        self._to.addEventListener("change", self._on_date, False)
        self.body.querySelector(".tt-done").onclick = lambda e: self.close()
        self._show(callback)
        first = self.body.querySelector(".tt-preset")
        if first and basedialog.is_desktop():
            first.focus()
        return self

    def _on_key(self, e):
        if e.key == "Enter" and e.target and e.target.type == "date":
            e.preventDefault()
            self.close()

    def _on_preset(self, e):
        name = e.currentTarget.dataset.preset
        fdow = settings.get("first_day_of_week")
        r = preset_range(name, dt.now(), fdow)
        dates = range_to_dates(r[0], r[1])
        self._from.value = dates[0]
        self._to.value = dates[1]
        self._app.animate_range(r[0], r[1])
        self.close()

    def _on_date(self, e):
        r = dates_to_range(self._from.value, self._to.value)
        if r is None:
            return
        self._app.animate_range(r[0], r[1], False)
