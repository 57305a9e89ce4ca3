"""Target maths (TP-03): work hours in a range given the workdays setting (ST-02), the
work hours of a target period, which of a tag's targets applies to the visible range
and how far the tracked time is along it. The overview renders ``target_progress``;
targets are stored in the tag info (TP-02, ``taginfo``). Pure logic: no DOM.

Quirk 14 (a day target assumes 24 work hours whatever the workdays setting): kept on
purpose, because it makes "day" mean "a working day": with Monday-Friday, a day
target of 8 h becomes 40 h in a week view and 0 h on a Saturday. A range without
work hours therefore has no target; ``target_progress`` then says so instead of
dividing by zero.

Work weeks and days off: wherever a ``workdays`` value is taken, a *work calendar*
(``calendar(...)``: ``{free, off}``) works too: ``free`` the free weekdays (0 = Sunday)
from the user's own work week (synced setting ``work_week``: the working weekdays;
empty follows ``workdays``), ``off`` the days off (synced setting ``days_off``:
``YYYY-MM-DD`` texts). A day off counts as a free day, so it lowers the targets of the
week and month it is in (``targetglance.period_target``). What only the targets
panel needs lives in ``targetglance`` (loaded with the dialogs, not on first load).
"""

from pscript import window

from . import dt

PERIODS = ["day", "week", "month", "year"]
MAX_DAYS_OFF = 1000  # keep the synced list (and the lookups) small
ESTIMATE_LOW = 0.93  # factors outside [0.93, 1.034] are estimates ("~ ")
ESTIMATE_HIGH = 1.034


def clean_work_week(value):
    """The working weekdays of the ``work_week`` setting as sorted numbers 0..6, or
    [] (follow ``workdays``) for anything that is not a list of such numbers."""
    if not isinstance(value, list):
        return []
    days = []
    for v in value:
        if not isinstance(v, float) or v != Math.floor(v) or v < 0 or v > 6:
            return []
        if days.indexOf(v) < 0:
            days.append(v)
    return [d for d in [0, 1, 2, 3, 4, 5, 6] if days.indexOf(d) >= 0]


def clean_days_off(value):
    """The ``days_off`` setting as a list of ``YYYY-MM-DD`` texts (valid dates only,
    sorted, unique, at most MAX_DAYS_OFF of the latest); anything else is left out."""
    days = []
    if not isinstance(value, list):
        return days
    for v in value:
        if not isinstance(v, str) or not RegExp("^[0-9]{4}-[0-9]{2}-[0-9]{2}$").test(v):
            continue
        parts = v.split("-")
        t = dt.make_time(int(parts[0]), int(parts[1]), int(parts[2]))
        if dt.format_isodate(t) != v:
            continue  # e.g. 2024-02-30
        if days.indexOf(v) < 0:
            days.append(v)
    days.sort()
    return days[-MAX_DAYS_OFF:] if len(days) > MAX_DAYS_OFF else days


def calendar(workdays=0, work_week=None, days_off=None):
    """The work calendar ``{free, off}`` from the settings ``workdays`` (ST-02),
    ``work_week`` and ``days_off`` (see the module docstring)."""
    week = clean_work_week(work_week)
    if len(week):
        free = [d for d in [0, 1, 2, 3, 4, 5, 6] if week.indexOf(d) < 0]
    else:
        free = free_weekdays(workdays)
    off = {}
    for day in clean_days_off(days_off):
        off[day] = True
    return {"free": free, "off": off}


_last_calendar = {"key": None, "value": None}


def user_calendar(get):
    """The user's work calendar from the settings (``get(key)``, e.g. settings.peek);
    the last one is kept, as the overview asks on every update."""
    workdays = get("workdays") or 0
    work_week = get("work_week")
    days_off = get("days_off")
    key = window.JSON.stringify([workdays, work_week, days_off])
    if key != _last_calendar.key:
        _last_calendar.value = calendar(workdays, work_week, days_off)
        _last_calendar.key = key
    return _last_calendar.value


def days_off_of(workdays):
    """The days off of a work calendar (``{YYYY-MM-DD: True}``), or None."""
    if isinstance(workdays, dict) and workdays.off:
        return workdays.off
    return None


def is_free_day(t, workdays=0):
    """Whether the local day of ``t`` is free: a free weekday, or a day off."""
    if free_weekdays(workdays).indexOf(dt.weekday(t)) >= 0:
        return True
    off = days_off_of(workdays)
    return bool(off and off[dt.format_isodate(t)])


def free_weekdays(workdays=0):
    """The free days of the week (0 = Sunday) for the workdays setting: 2 = Monday to
    Friday (Saturday and Sunday free), 1 = Monday to Saturday, 0 = every day; for a
    work calendar its ``free`` days."""
    if isinstance(workdays, dict):
        return workdays.free or []
    if workdays == 2:
        return [6, 0]
    elif workdays == 1:
        return [0]
    return []


def free_seconds(t1, t2, workdays=0):
    """Seconds of ``[t1, t2)`` that fall on free days (local calendar days, so a
    daylight-saving day counts 23 or 25 hours); with a work calendar days off too."""
    free = free_weekdays(workdays)
    off = days_off_of(workdays)
    if (len(free) == 0 and not off) or t2 <= t1:
        return 0
    total = 0
    day = dt.day_start(t1)
    while day < t2:
        next_day = dt.add(day, "1D")
        is_free = free.indexOf(dt.weekday(day)) >= 0
        if not is_free and off:
            is_free = off[dt.format_isodate(day)] is True
        if is_free:
            total += max(0, min(next_day, t2) - max(day, t1))
        day = next_day
    return total


def work_hours(t1, t2, workdays=0):
    """Hours of ``[t1, t2)`` that are on workdays."""
    return max(0, t2 - t1 - free_seconds(t1, t2, workdays)) / 3600


def period_work_hours(period, workdays=0):
    """Work hours in a target period: day 24; week 168 - 24 per free day; month
    720 - 24 x 4.33 per free day; year 8760 - 24 x 52 per free day."""
    n = len(free_weekdays(workdays))
    if period == "day":
        return 24
    elif period == "week":
        return 168 - 24 * n
    elif period == "month":
        return 720 - 24 * 4.33 * n
    elif period == "year":
        return 8760 - 24 * 52 * n
    raise ValueError("targets: unknown period " + repr(period))


def choose_target(targets, t1, t2, workdays=0):
    """Which target applies to the range: ``[period, hours, factor]`` or ``None``.

    ``targets`` is ``{period: hours}`` (TP-02). Periods are tried in the order day,
    week, month, year (those with a target): the factor is the range's work hours
    over the period's; a period is taken when it is the first one or its factor is
    above 0.93, and the search ends at the first factor of 0.93 or less after one
    was taken. So a week view uses a week target when there is one, else the day
    target times the number of workdays.
    """
    if not targets:
        return None
    range_hours = work_hours(t1, t2, workdays)
    chosen = None
    for period in PERIODS:
        hours = targets[period]
        if not hours or hours <= 0:
            continue
        factor = range_hours / period_work_hours(period, workdays)
        if chosen is None or factor > ESTIMATE_LOW:
            chosen = [period, hours, factor]
        else:
            break
    return chosen


def target_progress(targets, t1, t2, tracked, workdays=0, duration_repr="hms"):
    """Progress towards the applicable target, or ``None`` ("No target").

    Returns ``{period, hours, factor, target, estimate, percent, left, over, text,
    right_text}``: ``target`` is the target for the range in seconds (hours x factor),
    ``percent`` the tracked share of it (rounded; ``None`` when the target is 0),
    ``left``/``over`` seconds, ``text`` like ``"week target at 75%"`` (``"~ "`` in
    front for estimates) and ``right_text`` ``"left: 10h00m"`` / ``"over: 5h00m"``
    (durations per ``duration_repr``, ST-05).
    """
    chosen = choose_target(targets, t1, t2, workdays)
    if chosen is None:
        return None
    period = chosen[0]
    hours = chosen[1]
    factor = chosen[2]
    target = hours * factor * 3600
    estimate = factor < ESTIMATE_LOW or factor > ESTIMATE_HIGH
    left = max(0, target - tracked)
    over = max(0, tracked - target)
    res = {
        "period": period,
        "hours": hours,
        "factor": factor,
        "target": target,
        "estimate": estimate,
        "percent": None,
        "left": left,
        "over": over,
        "text": "",
        "right_text": "",
    }
    if target <= 0:
        res.text = "No target on free days"
    else:
        res.percent = Math.round(100 * tracked / target)
        res.text = (
            ("~ " if estimate else "") + period + " target at " + str(res.percent) + "%"
        )
    if over > 0:
        res.right_text = "over: " + dt.duration_string(over, False, duration_repr)
    elif target > 0:
        res.right_text = "left: " + dt.duration_string(left, False, duration_repr)
    return res
