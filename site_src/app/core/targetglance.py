"""Targets at a glance (the targets panel, loaded with the dialogs): every target of
every tag or combination (``all_targets``), its target for the current calendar day,
week, month or year with the user's work calendar (``period_target``: days off lower
the week's and month's targets), and the progress in that period (``glance``). Pure
but for ``all_targets``, which reads the settings; the maths of ranges and work
calendars is in ``targets``.
"""

from . import dt, settings, taginfo, targets

_UNITS = {"day": "1D", "week": "1W", "month": "1M", "year": "1Y"}


def period_range(period, now, first_day_of_week=1):
    """``[t1, t2)`` of the calendar period (day/week/month/year) containing ``now``."""
    unit = _UNITS[period]
    t1 = dt.floor(now, unit, first_day_of_week)
    return [t1, dt.add(t1, unit)]


def period_target(hours, period, t1, t2, workdays=0):
    """The target in seconds for the calendar period ``[t1, t2)`` of a target of
    ``hours`` per ``period``: the hours, lowered by the share of the period's working
    time that falls on days off (a week of 5 working days with one day off: 4/5). A
    day target is 0 on a free day or a day off."""
    if period == "day":
        return 0 if targets.is_free_day(t1, workdays) else hours * 3600
    without_off = workdays
    if isinstance(workdays, dict):
        without_off = {"free": workdays.free, "off": {}}
    base = targets.work_hours(t1, t2, without_off)
    if base <= 0:
        return 0
    return hours * 3600 * targets.work_hours(t1, t2, workdays) / base


def count_days_off(t1, t2, workdays=0):
    """How many days off (not free weekdays anyway) fall in ``[t1, t2)``."""
    off = targets.days_off_of(workdays)
    if not off:
        return 0
    free = targets.free_weekdays(workdays)
    n = 0
    day = dt.day_start(t1)
    while day < t2:
        if off[dt.format_isodate(day)] and free.indexOf(dt.weekday(day)) < 0:
            n += 1
        day = dt.add(day, "1D")
    return n


def tracked_for(stats, tag_list):
    """Seconds of ``stats`` ({tagz: seconds}) in records having all of ``tag_list``."""
    total = 0
    for tagz in stats.keys():
        combo = tagz.split(" ")
        ok = True
        for tag in tag_list:
            if combo.indexOf(tag) < 0:
                ok = False
                break
        if ok:
            total += stats[tagz]
    return total


def glance(target_list, get_stats, now, workdays=0, first_day_of_week=1):
    """Every target with its progress in the current period: a list of ``{tagz,
    tags, period, t1, t2, hours, target, tracked, percent, left, over, days_off}``
    (seconds; ``percent`` None when the target is 0), by period (day first), then
    by tags. ``target_list``: ``[[tagz, {period: hours}]]``; ``get_stats(t1, t2)``
    gives ``{tagz: seconds}`` (e.g. the store's ``get_stats``)."""
    rows = []
    stats_cache = {}
    for period in targets.PERIODS:
        r = period_range(period, now, first_day_of_week)
        for pair in target_list:
            tagz = pair[0]
            hours = pair[1][period] if pair[1] else None
            if not hours or hours <= 0:
                continue
            if not stats_cache[period]:
                stats_cache[period] = get_stats(r[0], r[1])
            tag_list = [t for t in tagz.split(" ") if t]
            tracked = tracked_for(stats_cache[period], tag_list)
            target = period_target(hours, period, r[0], r[1], workdays)
            rows.append(
                {
                    "tagz": tagz,
                    "tags": tag_list,
                    "period": period,
                    "t1": r[0],
                    "t2": r[1],
                    "hours": hours,
                    "target": target,
                    "tracked": tracked,
                    "percent": Math.round(100 * tracked / target)
                    if target > 0
                    else None,
                    "left": max(0, target - tracked),
                    "over": max(0, tracked - target),
                    "days_off": count_days_off(r[0], r[1], workdays),
                }
            )
    return rows


def all_targets():
    """``[[tagz, targets]]`` of every tag or combination with a target (its own
    tag info or the legacy ``tag_targets``), sorted by tagz."""
    names = []
    legacy = settings.get("tag_targets")
    if isinstance(legacy, dict):
        for tagz in legacy.keys():
            names.append(tagz)
    for key in settings.synced_keys():
        if key.startswith("taginfo "):
            names.append(key[8:])
    seen = {}
    result = []
    for name in names:
        tagz = taginfo.normalize_tagz(name)
        if not tagz or seen[tagz]:
            continue
        seen[tagz] = True
        found = taginfo.get_tag_info(tagz).targets
        if len(found.keys()) > 0:
            result.append([tagz, found])
    result.sort(key=lambda pair: pair[0])
    return result
