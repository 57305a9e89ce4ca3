"""Time scales of the timeline and the pure geometry behind its drawing.

Owns, without touching the DOM (tested in node, ``tests/client/timescale.test.js``):

* the discrete scales and snapping of a range to them (TL-05), stepping (TL-08),
  zooming (TL-09), the "today" range with its offsets (TL-10) and the calendar
  periods containing now (TL-11);
* the choice of tick intervals and tick label texts (TL-16), the header text that
  describes a range (TL-03), records mode versus statistics mode and the period of the
  statistic blocks (TL-17, TL-19);
* range interpolation for animations (TL-06);
* the label layout of records mode (TL-18: labels closer than the spacing merge into
  clusters that spread evenly), and the rounding and snapping of dragged record edges
  (RC-18).

Times are Unix seconds on the local clock (``dt``); a range is ``[t1, t2]``.
"""

from ..core import dt

DAY = 86400

# TL-05: [range length, step resolution, used while the range is shorter than (s), name]
SCALES = [
    ["5m", "1m", 8 * 60, ""],
    ["20m", "1m", 35 * 60, ""],
    ["1h", "5m", 1.8 * 3600, ""],
    ["3h", "5m", 3.6 * 3600, ""],
    ["6h", "5m", 8.5 * 3600, ""],
    ["12h", "1h", 15 * 3600, ""],
    ["1D", "1h", 2 * DAY, "Day"],
    ["1W", "1D", 11.9 * DAY, "Week"],
    ["1M", "1M", 35 * DAY, "Month"],
    ["7W", "1W", 63 * DAY, "7x7"],
    ["3M", "1M", 200 * DAY, "Quarter"],
    ["1Y", "1M", 550 * DAY, "Year"],
    ["2Y", "1M", 1280 * DAY, ""],
    ["5Y", "1Y", 2737 * DAY, ""],
    ["10Y", "1Y", 5475 * DAY, ""],
    ["20Y", "1Y", 1e20, ""],
]

# TL-16: major tick intervals, each with its minor interval.
TICK_LEVELS = [
    ["1m", "10s"],
    ["2m", "30s"],
    ["5m", "1m"],
    ["10m", "1m"],
    ["30m", "5m"],
    ["1h", "10m"],
    ["2h", "15m"],
    ["6h", "1h"],
    ["12h", "1h"],
    ["1D", "3h"],
    ["2D", "6h"],
    ["4D", "1D"],
    ["8D", "1D"],
    ["1M", "1D"],
    ["3M", "1M"],
    ["1Y", "1M"],
    ["2Y", "3M"],
    ["5Y", "1Y"],
    ["10Y", "1Y"],
]

RECORDS_MODE_MAX = 2 * DAY  # TL-17: shorter ranges show individual records

_UNIT_NOMINAL = {
    "s": 1,
    "m": 60,
    "h": 3600,
    "D": DAY,
    "W": 7 * DAY,
    "M": 30.436875 * DAY,
    "Y": 365.2425 * DAY,
}


def unit_seconds(unit):
    """Nominal length of a calendar unit in seconds (a month is 1/12 year)."""
    m = RegExp("^([0-9]+)([smhDWMY])$").exec(str(unit))
    if not m:
        raise ValueError("timescale: unknown unit " + repr(unit))
    return int(m[1]) * _UNIT_NOMINAL[m[2]]


# %% Scales and snapping (TL-05)


def scale_index(length):
    """Index in SCALES of the scale for a range of ``length`` seconds: the first
    whose threshold exceeds the length."""
    for i in range(len(SCALES)):
        if length < SCALES[i][2]:
            return i
    return len(SCALES) - 1


def get_scale(t1, t2):
    """The scale row ``[length, step, threshold, name]`` of a range."""
    return SCALES[scale_index(t2 - t1)]


def round_to_unit(t, unit, first_day_of_week=1):
    """``t`` rounded to the nearest boundary of ``unit``."""
    a = dt.floor(t, unit, first_day_of_week)
    if a == t:
        return a
    b = dt.add(a, unit)
    if t - a < b - t:
        return a
    return b


def is_snapped(t1, t2, first_day_of_week=1):
    """Whether a range already has its scale's length and aligned start."""
    scale = get_scale(t1, t2)
    if dt.floor(t1, scale[1], first_day_of_week) != t1:
        return False
    return abs(dt.add(t1, scale[0]) - t2) < 0.5


def snap_range(t1, t2, first_day_of_week=1):
    """The snapped range (TL-05): the scale's length, centred on the current centre,
    the start rounded to the scale's step. An aligned range is returned as is."""
    if is_snapped(t1, t2, first_day_of_week):
        return [t1, t2]
    scale = get_scale(t1, t2)
    centre = 0.5 * (t1 + t2)
    guess = centre - 0.5 * unit_seconds(scale[0])
    n1 = round_to_unit(guess, scale[1], first_day_of_week)
    n2 = dt.add(n1, scale[0])
    # A calendar length may shift the centre; use the nearer of two neighbours.
    alt = dt.add(n1, scale[1], -1 if 0.5 * (n1 + n2) > centre else 1)
    alt2 = dt.add(alt, scale[0])
    if abs(0.5 * (alt + alt2) - centre) < abs(0.5 * (n1 + n2) - centre) - 1:
        return [alt, alt2]
    return [n1, n2]


# %% Stepping, zooming, periods (TL-08 .. TL-11)


def step_range(t1, t2, direction):
    """Step backward (``direction`` -1) or forward (+1) in time (TL-08): by the range
    length for ranges under 80000 s, else by the scale's calendar unit (ranges over
    180 days step by a year)."""
    length = t2 - t1
    if length < 80000:
        return [t1 + direction * length, t2 + direction * length]
    if length > 180 * DAY:
        unit = "1Y"
    else:
        unit = get_scale(t1, t2)[0]
    return [dt.add(t1, unit, direction), dt.add(t2, unit, direction)]


def zoom_range(t1, t2, direction, now, first_day_of_week=1):
    """Zoom in (``direction`` +1) or out (-1) one scale (TL-09): the new scale's
    calendar unit containing now (when now is in the range) or the range centre."""
    i = scale_index(t2 - t1)
    j = max(0, min(len(SCALES) - 1, i - direction))
    if t1 <= now < t2:
        ref = now
    else:
        ref = 0.5 * (t1 + t2)
    unit = SCALES[j][0]
    n1 = dt.floor(ref, unit, first_day_of_week)
    return [n1, dt.add(n1, unit)]


def zoom_around(t1, t2, factor, t_fixed):
    """Scale a range by ``factor`` keeping ``t_fixed`` at the same relative place."""
    return [t_fixed - (t_fixed - t1) * factor, t_fixed + (t2 - t_fixed) * factor]


def parse_offset(text):
    """An offset setting like ``"-3h"``, ``"9h"``, ``"30m"`` or ``""`` in seconds."""
    text = str(text or "").strip()
    if not text:
        return 0
    m = RegExp("^([+-]?)([0-9]+(?:\\.[0-9]+)?)([hm]?)$").exec(text)
    if not m:
        return 0
    value = float(m[2]) * (60 if m[3] == "m" else 3600)
    return -value if m[1] == "-" else value


def plain_day_range(now):
    """00:00 today to 00:00 tomorrow."""
    t1 = dt.floor(now, "1D")
    return [t1, dt.add(t1, "1D")]


def today_range(now, snap_offset="", end_offset=""):
    """The "today" range (TL-10): local midnight plus the start offset (the previous
    day when that start is still in the future), lasting a day plus the end offset."""
    t1 = dt.floor(now, "1D") + parse_offset(snap_offset)
    if t1 > now:
        t1 = dt.add(t1, "1D", -1)
    t2 = dt.add(t1, "1D") + parse_offset(end_offset)
    return [t1, t2]


def today_toggle(current, now, snap_offset="", end_offset=""):
    """Where the Today action goes from range ``current``: the custom today range,
    or the plain day when already showing exactly the custom one."""
    custom = today_range(now, snap_offset, end_offset)
    plain = plain_day_range(now)
    same = abs(current[0] - custom[0]) < 1 and abs(current[1] - custom[1]) < 1
    if same and (custom[0] != plain[0] or custom[1] != plain[1]):
        return plain
    return custom


def period_range(t, unit, first_day_of_week=1):
    """The calendar period of ``unit`` containing ``t`` (TL-11: w/m/q/y)."""
    t1 = dt.floor(t, unit, first_day_of_week)
    return [t1, dt.add(t1, unit)]


def current_period(t1, t2, now, first_day_of_week=1):
    """The period of the current scale that contains now (key ``n``, Home, End)."""
    return period_range(now, get_scale(t1, t2)[0], first_day_of_week)


# %% Animation (TL-06)


def animation_duration(old, target):
    """Seconds an animation from range ``old`` to ``target`` takes."""
    l0 = max(1, old[1] - old[0])
    l1 = max(1, target[1] - target[0])
    return 0.3 + 0.1 * abs(Math.log(l1 / l0))


def interpolate_range(old, target, f):
    """The range at fraction ``f`` (0..1) of an animation: the length changes
    geometrically, so zooming feels uniform, and a point that both ranges share at the
    same relative place stays put."""
    l0 = old[1] - old[0]
    l1 = target[1] - target[0]
    if abs(l1 - l0) < 1e-6 * max(l0, 1):
        w = f
    else:
        length = l0 * Math.pow(l1 / l0, f)
        w = (length - l0) / (l1 - l0)
    return [old[0] + (target[0] - old[0]) * w, old[1] + (target[1] - old[1]) * w]


def ease(f):
    """Ease-out for animations (fast start, gentle end)."""
    f = max(0, min(1, f))
    return 1 - Math.pow(1 - f, 3)


# %% Ticks (TL-16)


def choose_ticks(t1, t2, height):
    """``[major, minor]`` tick units for a range drawn over ``height`` pixels: the
    smallest major interval whose ticks are at least 4*sqrt(height/4) px apart.
    Ranges of one to nine weeks tick weekly instead of every 2, 4 or 8 days."""
    length = max(1, t2 - t1)
    min_px = 4 * Math.sqrt(max(height, 4) / 4)
    px_per_sec = height / length
    chosen = TICK_LEVELS[len(TICK_LEVELS) - 1]
    for level in TICK_LEVELS:
        if unit_seconds(level[0]) * px_per_sec >= min_px:
            chosen = level
            break
    major = chosen[0]
    minor = chosen[1]
    if major == "2D" or major == "4D" or major == "8D":
        if 6 * DAY < length < 64 * DAY and 7 * DAY * px_per_sec >= min_px:
            major = "1W"
            minor = "1D"
    # Minor ticks closer than 4 px are noise: use a coarser minor unit.
    while unit_seconds(minor) * px_per_sec < 4 and unit_seconds(minor) < unit_seconds(
        major
    ):
        minor = _coarser_minor(minor, major)
    return [major, minor]


def _coarser_minor(minor, major):
    steps = ["10s", "30s", "1m", "5m", "10m", "15m", "1h", "3h", "6h", "1D", "1M"]
    steps = steps + ["3M", "1Y"]
    i = steps.indexOf(minor)
    if i < 0 or i == len(steps) - 1:
        return major
    return steps[i + 1]


def tick_times(t1, t2, unit, first_day_of_week=1, limit=2000):
    """The boundaries of ``unit`` from just before ``t1`` up to ``t2``."""
    times = []
    t = dt.floor(t1, unit, first_day_of_week)
    while t <= t2 and len(times) < limit:
        times.append(t)
        t = dt.add(t, unit)
    return times


def tick_label(t, major, ampm=False):
    """The text of a major tick at ``t`` (TL-16). Midnight in the minute and hour
    granularities shows the day instead (``Mon 5``, ``Mon 5 Feb`` on the 1st)."""
    f = dt.fields(t)  # [y, month1, d, h, mi, s, weekday]
    unit = major[len(major) - 1]
    wkd = dt.WEEKDAY_NAMES[f[6]]
    mon = dt.MONTH_NAMES[f[1] - 1]
    if unit == "m" or unit == "h":
        if f[3] == 0 and f[4] == 0:
            text = wkd + " " + str(f[2])
            if f[2] == 1:
                text += " " + mon
            return text
        if unit == "m" or f[4] != 0:
            return dt.format_time(t, ampm)
        if ampm:
            h12 = f[3] % 12
            return str(12 if h12 == 0 else h12) + (" am" if f[3] < 12 else " pm")
        return str(f[3]) + "h"
    if major == "1D":
        text = wkd + " " + str(f[2])
        if f[2] == 1:
            text += " " + mon
        return text
    if unit == "D" or unit == "W":
        text = str(f[2]) + " " + mon
        if f[1] == 1 and f[2] <= 7 and unit == "W":
            text += " " + str(f[0])
        elif f[1] == 1 and f[2] == 1:
            text += " " + str(f[0])
        return text
    if unit == "M":
        if f[1] == 1:
            return mon + " " + str(f[0])
        return mon
    return str(f[0])


def is_day_boundary(t):
    """Whether ``t`` is a local midnight."""
    return dt.floor(t, "1D") == t


# %% Header text (TL-03)


def header_text(t1, t2, first_day_of_week=1):
    """``[first, second]`` parts describing a range, e.g. ``["Mon 5", "Feb 2024"]``,
    ``["Week 6", "5-11  Feb 2024"]``, ``["Q1", "2024"]``."""
    e = t2 - 1  # the last second in the range
    a = dt.fields(t1)
    b = dt.fields(e)
    mon_a = dt.MONTH_NAMES[a[1] - 1]
    mon_b = dt.MONTH_NAMES[b[1] - 1]
    wkd_a = dt.WEEKDAY_NAMES[a[6]]
    wkd_b = dt.WEEKDAY_NAMES[b[6]]
    days = (t2 - t1) / DAY
    is_week = _is_calendar_week(t1, t2, first_day_of_week)
    week = "Week " + str(dt.get_weeknumber(t1, first_day_of_week))
    if a[0] == b[0] and a[1] == b[1] and a[2] == b[2]:
        return [wkd_a + " " + str(a[2]), mon_a + " " + str(a[0])]
    if a[0] == b[0] and a[1] == b[1]:
        if is_week:
            return [week, str(a[2]) + "-" + str(b[2]) + "  " + mon_a + " " + str(a[0])]
        if days <= 3.05:
            return [
                wkd_a + " " + str(a[2]) + " - " + wkd_b + " " + str(b[2]),
                mon_a + " " + str(a[0]),
            ]
        if days <= 14.05:
            return [str(a[2]) + " - " + str(b[2]), mon_a + " " + str(a[0])]
        return [mon_a, str(a[0])]
    if a[0] == b[0]:
        if is_week:
            return [week, mon_a + " / " + mon_b + " " + str(a[0])]
        if days < 30:
            return [mon_a + " / " + mon_b, str(a[0])]
        if _is_aligned(t1, t2, "1Y"):
            return [str(a[0]), ""]
        if _is_aligned(t1, t2, "3M") and t2 == dt.add(t1, "3M"):
            return ["Q" + str(Math.floor((a[1] - 1) / 3) + 1), str(a[0])]
        return [mon_a + " - " + mon_b, str(a[0])]
    if is_week:
        return [week, mon_a + " " + str(a[0]) + " / " + mon_b + " " + str(b[0])]
    if days < 30:
        return [mon_a + " " + str(a[0]) + " / " + mon_b + " " + str(b[0]), ""]
    if days < 367:
        return [mon_a + " " + str(a[0]) + " - " + mon_b + " " + str(b[0]), ""]
    return [str(a[0]) + " - " + str(b[0]), ""]


def _is_calendar_week(t1, t2, first_day_of_week):
    """A range of one calendar week starting on the first day of the week (4000 s
    tolerance for daylight-saving changes)."""
    if abs(t2 - t1 - 7 * DAY) > 4000:
        return False
    return abs(dt.floor(t1 + 4000, "1W", first_day_of_week) - t1) <= 4000


def _is_aligned(t1, t2, unit):
    return dt.floor(t1, unit) == t1 and dt.floor(t2, unit) == t2


# %% Records mode and statistic blocks (TL-17, TL-19)


def is_records_mode(t1, t2):
    """Individual records for ranges under 2 days, statistic blocks otherwise."""
    return t2 - t1 < RECORDS_MODE_MAX


def stats_unit(t1, t2):
    """The period of one statistic block for a range: a day up to ~12 days, a week up
    to 63 days, a month up to 550 days, a quarter up to 1280 days, else a year."""
    length = t2 - t1
    if length < 11.9 * DAY:
        return "1D"
    elif length < 63 * DAY:
        return "1W"
    elif length < 550 * DAY:
        return "1M"
    elif length < 1280 * DAY:
        return "3M"
    return "1Y"


def block_label(t, unit, first_day_of_week=1):
    """The bold label of a statistic block: ``Mon 5``, ``W05``, ``Jan``, ``Q1``,
    ``2024``."""
    f = dt.fields(t)
    if unit == "1D":
        return dt.WEEKDAY_NAMES[f[6]] + " " + str(f[2])
    elif unit == "1W":
        n = dt.get_weeknumber(t, first_day_of_week)
        return "W" + ("0" + str(n) if n < 10 else str(n))
    elif unit == "1M":
        return dt.MONTH_NAMES[f[1] - 1]
    elif unit == "3M":
        return "Q" + str(Math.floor((f[1] - 1) / 3) + 1)
    return str(f[0])


def is_free_day(t, workdays):
    """Whether the day of ``t`` is free per the workdays setting (ST-02: the number of
    free days; 1 = Sunday, 2 = Saturday and Sunday)."""
    wd = dt.weekday(t)
    if workdays >= 1 and wd == 0:
        return True
    if workdays >= 2 and wd == 6:
        return True
    return False


# %% Label layout (TL-18)


def layout_labels(wanted, top, bottom, spacing, passes=5):
    """Place labels near their wanted centre positions (sorted ascending) so that
    neighbours are at least ``spacing`` apart: close labels merge into clusters that
    spread evenly around their mean, clusters stay within ``[top, bottom]`` and
    stack from an edge they touch. Large clusters that cannot fit shrink their
    spacing. Returns the centre positions, in the same order."""
    n = len(wanted)
    if n == 0:
        return []
    avail = max(0, bottom - top)
    if n > 1 and (n - 1) * spacing > avail:
        spacing = avail / (n - 1)
    clusters = []  # [first index, count, centre]
    for i in range(n):
        clusters.append([i, 1, wanted[i]])
    for _ in range(passes):
        merged = []
        changed = False
        for c in clusters:
            if len(merged) > 0:
                prev = merged[len(merged) - 1]
                prev_bottom = prev[2] + 0.5 * (prev[1] - 1) * spacing
                c_top = c[2] - 0.5 * (c[1] - 1) * spacing
                if c_top - prev_bottom < spacing:
                    count = prev[1] + c[1]
                    total = 0
                    for j in range(prev[0], prev[0] + count):
                        total += wanted[j]
                    merged[len(merged) - 1] = [prev[0], count, total / count]
                    changed = True
                    continue
            merged.append([c[0], c[1], c[2]])
        # Keep every cluster inside the bounds.
        for c in merged:
            half = 0.5 * (c[1] - 1) * spacing
            if c[2] - half < top:
                c[2] = top + half
            if c[2] + half > bottom:
                c[2] = bottom - half
        clusters = merged
        if not changed and _clusters_apart(clusters, spacing):
            break
    positions = []
    for c in clusters:
        y = c[2] - 0.5 * (c[1] - 1) * spacing
        for k in range(c[1]):
            positions.append(y + k * spacing)
    return positions


def _clusters_apart(clusters, spacing):
    for i in range(1, len(clusters)):
        a = clusters[i - 1]
        b = clusters[i]
        gap = (b[2] - 0.5 * (b[1] - 1) * spacing) - (a[2] + 0.5 * (a[1] - 1) * spacing)
        if gap < spacing - 0.01:
            return False
    return True


# %% Dragging record edges (RC-18)


def drag_step(seconds_per_pixel):
    """The rounding step while dragging a record: 5 minutes when 10 px span more than
    100 s, 1 minute when more than 60 s, else 1 second."""
    s10 = 10 * seconds_per_pixel
    if s10 > 100:
        return 300
    elif s10 > 60:
        return 60
    return 1


def round_time(t, step):
    """``t`` rounded to a multiple of ``step`` seconds on the local clock."""
    if step <= 1:
        return Math.round(t)
    off = dt.utc_offset(t)
    return Math.round((t + off) / step) * step - off


def create_times(t_press, t_now, seconds_per_pixel, now):
    """``[t1, t2]`` of a record dragged out from ``t_press`` to ``t_now`` (RC-06):
    both rounded to the drag step, at least a minute long, and not ending in the
    future when it started before now. The label while dragging and the new record
    both use this, so they show the same times."""
    step = drag_step(seconds_per_pixel)
    a = round_time(min(t_press, t_now), step)
    b = round_time(max(t_press, t_now), step)
    if b - a < 60:
        b = a + 60
    if b > now and a < now:
        b = Math.floor(now)  # never end in the future by dragging past now
    return [Math.round(a), Math.round(b)]


def snap_time(t, targets, seconds_per_pixel):
    """Snap a dragged time to the nearest target (another record's edge) lying up to
    2.5 x (seconds per 10 px) after ``t`` or half a rounding step before it; without
    a target, round to the drag step. Returns ``[time, snapped]``."""
    step = drag_step(seconds_per_pixel)
    before = 2.5 * 10 * seconds_per_pixel  # t is this much before the target
    after = 0.5 * step  # or this much after it
    best = None
    best_dist = 1e20
    for target in targets:
        d = target - t
        if -after <= d <= before and abs(d) < best_dist:
            best = target
            best_dist = abs(d)
    if best is not None:
        return [best, True]
    return [round_time(t, step), False]


def drag_edit(record, what, t_press, t_now, seconds_per_pixel, others, now):
    """The times of a record being dragged (RC-18). ``record`` has the original
    ``t1``/``t2`` (running when equal); ``what`` is "start", "end" or "move";
    ``t_press``/``t_now`` are the times under the pointer at press and now;
    ``others`` are the other visible records (``t1``/``t2``; running ones end at
    ``now``). Returns ``[t1, t2]``: at least 2 s long; a running record stays
    running and its start stays before now."""
    running = record.t1 == record.t2
    delta = t_now - t_press
    ends = []
    starts = []
    for r in others:
        starts.append(r.t1)
        ends.append(now if r.t1 == r.t2 else r.t2)
    t1 = record.t1
    t2 = record.t2
    if what == "start":
        t1 = snap_time(record.t1 + delta, ends, seconds_per_pixel)[0]
        if running:
            t1 = min(t1, Math.floor(now))
            return [t1, t1]
        t1 = min(t1, t2 - 2)
    elif what == "end":
        if running:
            return [t1, t2]
        t2 = snap_time(record.t2 + delta, starts, seconds_per_pixel)[0]
        t2 = max(t2, t1 + 2)
    else:
        if running:
            return [t1, t2]
        duration = record.t2 - record.t1
        snapped = snap_time(record.t1 + delta, ends, seconds_per_pixel)
        if snapped[1]:
            t1 = snapped[0]
        else:
            snapped2 = snap_time(record.t2 + delta, starts, seconds_per_pixel)
            if snapped2[1]:
                t1 = snapped2[0] - duration
            else:
                t1 = snapped[0]
        t2 = t1 + duration
    return [t1, t2]
