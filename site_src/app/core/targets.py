"""Target maths (TP-03): work hours in a range given the workdays setting (ST-02), the
work hours of a target period, which of a tag's targets applies to the visible range
and how far the tracked time is along it. The overview renders ``target_progress``;
targets are stored in the tag info (TP-02, ``taginfo``). Pure logic: no DOM.

Quirk 14 (a day target assumes 24 work hours whatever the workdays setting): kept on
purpose, because it makes "day" mean "a working day": with Monday-Friday, a day
target of 8 h becomes 40 h in a week view and 0 h on a Saturday. A range without
work hours therefore has no target; ``target_progress`` then says so instead of
dividing by zero.
"""

from . import dt

PERIODS = ["day", "week", "month", "year"]
ESTIMATE_LOW = 0.93  # factors outside [0.93, 1.034] are estimates ("~ ")
ESTIMATE_HIGH = 1.034


def free_weekdays(workdays=0):
    """The free days of the week (0 = Sunday) for the workdays setting: 2 = Monday to
    Friday (Saturday and Sunday free), 1 = Monday to Saturday, 0 = every day."""
    if workdays == 2:
        return [6, 0]
    elif workdays == 1:
        return [0]
    return []


def free_seconds(t1, t2, workdays=0):
    """Seconds of ``[t1, t2)`` that fall on free days (local calendar days, so a
    daylight-saving day counts 23 or 25 hours)."""
    free = free_weekdays(workdays)
    if len(free) == 0 or t2 <= t1:
        return 0
    total = 0
    day = dt.day_start(t1)
    while day < t2:
        next_day = dt.add(day, "1D")
        if free.indexOf(dt.weekday(day)) >= 0:
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
