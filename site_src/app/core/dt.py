"""Dates and times on the local clock: the pinnable "now", parsing and formatting of
timestamps, calendar flooring and stepping (days, weeks, months, ... honouring the
first day of the week and daylight-saving changes), week numbers and duration texts.

Times are Unix seconds (numbers). "Local" means the browser's time zone, as JS ``Date``
sees it. Pure logic: no DOM. Feature IDs refer to the client feature inventory:
TS-01/TS-02 (parse/format), TL-05/TL-08/TL-09/TL-11 (calendar units), TL-03 (week
numbers), TS-04/TS-05/ST-05 (durations), ST-03 (date formats).

Calendar units are written ``<n><u>`` with ``u`` one of ``s`` (second), ``m``
(minute), ``h`` (hour), ``D`` (day), ``W`` (week), ``M`` (month), ``Y`` (year), e.g.
``"15m"``, ``"1D"``, ``"3M"``. Flooring aligns to multiples of ``n`` on the local
clock: ``6h`` to 00/06/12/18 h, ``3M`` to quarters, ``5Y`` to years divisible by 5,
``nD`` and ``nW`` (n > 1) to multiples of n days/weeks counted from 1970-01-01.
"""

from pscript import window

WEEKDAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
MONTH_NAMES = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
DATE_REPRS = ["yyyy-mm-dd", "dd-mm-yyyy", "mm/dd/yyyy"]

_date_utc = window.Date.UTC  # called through a lower-case name: no "new"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_unit_cache = {}
_pinned_now = None


# %% The clock


def now():
    """The current Unix time in seconds (a float), or the pinned time."""
    if _pinned_now is None:
        return window.Date.now() / 1000
    return _pinned_now


def set_now(t):
    """Pin the clock to ``t`` (seconds) for tests and screenshots; ``None`` unpins."""
    global _pinned_now
    if t == None:  # noqa: E711 - also true for undefined
        _pinned_now = None
    else:
        _pinned_now = float(t)


# %% Small helpers


def _pad2(n):
    s = str(n)
    if len(s) < 2:
        s = "0" + s
    return s


def _mod(a, b):
    """Modulo with the sign of the divisor (JS % keeps the sign of the dividend)."""
    r = a % b
    if r < 0:
        r += b
    return r


def _date(t):
    return window.Date(t * 1000)


def _local(y, month0, day, h=0, mi=0, s=0):
    """Unix seconds of a local date and time (month is 0-based; overflow rolls over)."""
    d = window.Date(2000, 0, 1)
    d.setFullYear(y, month0, day)  # also right for years below 100
    d.setHours(h, mi, s, 0)
    return d.getTime() / 1000


def _utc(y, month0, day, h=0, mi=0, s=0):
    """Unix seconds of a UTC date and time (month is 0-based)."""
    d = window.Date(0)
    d.setUTCFullYear(y, month0, day)
    d.setUTCHours(h, mi, s, 0)
    return d.getTime() / 1000


def _epoch_day(y, month0, day):
    """Days since 1970-01-01 of a calendar date (time-zone independent)."""
    return Math.round(_date_utc(y, month0, day) / 86400000)


def _parse_unit(unit):
    """``"15m"`` -> ``[15, "m"]``; raises on an unknown unit."""
    hit = _unit_cache["u" + unit]
    if hit:
        return hit
    m = RegExp("^([0-9]+)([smhDWMY])$").exec(str(unit))
    if not m or int(m[1]) < 1:
        raise ValueError("dt: unknown time unit " + repr(unit))
    res = [int(m[1]), m[2]]
    _unit_cache["u" + unit] = res
    return res


def utc_offset(t):
    """The local clock's offset from UTC at time ``t``, in seconds (east positive)."""
    return -_date(t).getTimezoneOffset() * 60


def format_utc_offset(t):
    """``"UTC+01:00"`` for the local offset at ``t`` (the settings dialog, ST-21)."""
    off = utc_offset(t)
    sign = "-" if off < 0 else "+"
    off = abs(off)
    return "UTC" + sign + _pad2(Math.floor(off / 3600)) + ":" + _pad2((off % 3600) / 60)


def make_time(y, month, day, h=0, mi=0, s=0):
    """Unix seconds of a local date and time; ``month`` is 1-based (1 = January)."""
    return _local(y, month - 1, day, h, mi, s)


def fields(t):
    """Local fields of ``t``: ``[year, month (1-12), day, hour, minute, second,
    weekday (0 = Sunday)]``."""
    d = _date(t)
    return [
        d.getFullYear(),
        d.getMonth() + 1,
        d.getDate(),
        d.getHours(),
        d.getMinutes(),
        d.getSeconds(),
        d.getDay(),
    ]


def weekday(t):
    """Day of the week of ``t`` on the local clock, 0 = Sunday ... 6 = Saturday."""
    return _date(t).getDay()


def days_in_month(y, month):
    """Number of days of a month (``month`` 1-based)."""
    return window.Date(_date_utc(y, month, 0)).getUTCDate()


# %% Parsing and formatting timestamps (TS-01, TS-02)


def parse_ymd(text):
    """``YYYY-MM-DD`` (as a date input gives it) to ``[y, m, d]``; ``None`` when
    incomplete, not a real date, or the year is 1899 or earlier (still being typed)."""
    m = RegExp("^([0-9]{4,})-([0-9]{1,2})-([0-9]{1,2})$").exec(str(text or "").strip())
    if not m:
        return None
    y = int(m[1])
    mo = int(m[2])
    d = int(m[3])
    if y <= 1899 or mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo):
        return None
    return [y, mo, d]


_ISO_RE = (
    "^\\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    "(?:(?:T|\\s+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?"
    "\\s*(Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?\\s*$"
)

_ISO_REGEX = RegExp(_ISO_RE, "i")


def parse_datetime(text):
    """Parse a date-time string to Unix seconds (float), or ``None``.

    Accepts ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS[.fff]]`` with ``T`` or spaces
    between date and time, followed by nothing (local time), ``Z``/``UTC``, or an
    offset ``+HH``, ``+HHMM``, ``+HH:MM``. A date alone means local midnight. Other
    strings go to the JS date parser (e.g. RFC 2822 dates).
    """
    if text is None:
        return None
    text = str(text)
    m = _ISO_REGEX.exec(text)
    if m:
        y = int(m[1])
        mo = int(m[2])
        d = int(m[3])
        h = int(m[4] or "0")
        mi = int(m[5] or "0")
        s = int(m[6] or "0")
        frac = float("0." + m[7]) if m[7] else 0
        if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo):
            return None
        if h > 24 or mi > 59 or s > 60:
            return None
        zone = m[8]
        if zone:
            zone = zone.upper()
            offset = 0
            if zone[0] == "+" or zone[0] == "-":
                digits = zone[1:].replace(":", "")
                offset = int(digits[:2]) * 3600
                if len(digits) > 2:
                    offset += int(digits[2:]) * 60
                if zone[0] == "-":
                    offset = -offset
            return _utc(y, mo - 1, d, h, mi, s) - offset + frac
        return _local(y, mo - 1, d, h, mi, s) + frac
    ms = window.Date.parse(text)
    if window.isNaN(ms):
        return None
    return ms / 1000


def to_time_int(value):
    """Unix seconds (int) from a JS ``Date``, a date-time string (see
    ``parse_datetime``) or a number. Times before 1970 become 0 (DM0-6). Raises
    ``ValueError`` for anything else."""
    if value is None or value is undefined:
        raise ValueError("dt.to_time_int: no value")
    if isinstance(value, float):
        t = value
    elif isinstance(value, str):
        t = parse_datetime(value)
        if t is None:
            raise ValueError("dt.to_time_int: cannot parse " + repr(value))
    elif value.getTime:
        t = value.getTime() / 1000
    else:
        raise ValueError("dt.to_time_int: cannot convert " + repr(value))
    if window.isNaN(t):
        raise ValueError("dt.to_time_int: not a time: " + repr(value))
    t = Math.floor(t)
    if t < 0:
        t = 0
    return t


def time2localstr(t, utc_offset_seconds=None):
    """``'YYYY-MM-DDTHH:MM:SS'`` followed by ``'Z'`` (offset 0) or ``'+HHMM'``.

    ``utc_offset_seconds`` is the offset to show the time in (e.g. 7200 for +02:00);
    ``None`` or ``"local"`` means the local clock's offset at ``t`` (TS-02).
    """
    t = Math.floor(t)
    off = utc_offset_seconds
    if off is None or off is undefined or off == "local":
        off = utc_offset(t)
    d = _date(t + off)
    text = (
        str(d.getUTCFullYear())
        + "-"
        + _pad2(d.getUTCMonth() + 1)
        + "-"
        + _pad2(d.getUTCDate())
        + "T"
        + _pad2(d.getUTCHours())
        + ":"
        + _pad2(d.getUTCMinutes())
        + ":"
        + _pad2(d.getUTCSeconds())
    )
    if off == 0:
        return text + "Z"
    sign = "-" if off < 0 else "+"
    aoff = abs(off)
    return text + sign + _pad2(Math.floor(aoff / 3600)) + _pad2((aoff % 3600) / 60)


# %% Calendar units (TL-05, TL-08, TL-09, TL-11)


def floor(t, unit, first_day_of_week=1):
    """The start of the calendar unit (e.g. ``"1D"``, ``"1W"``, ``"3M"``) that
    contains ``t``, on the local clock. Weeks start on ``first_day_of_week``
    (0 = Sunday, 1 = Monday, 6 = Saturday; ST-01)."""
    nu = _parse_unit(unit)
    n = nu[0]
    u = nu[1]
    if u == "s" or u == "m" or (u == "h" and n == 1):
        # Absolute arithmetic on the local clock; each of two repeated hours in
        # autumn floors to its own start.
        step = n * _UNIT_SECONDS[u]
        off = utc_offset(t)
        lt = t + off
        return lt - _mod(lt, step) - off
    d = _date(t)
    y = d.getFullYear()
    mo = d.getMonth()
    day = d.getDate()
    if u == "h":
        h = d.getHours()
        return _local(y, mo, day, h - h % n)
    elif u == "D":
        if n > 1:
            dn = _epoch_day(y, mo, day)
            return _local(1970, 0, 1 + dn - _mod(dn, n))
        return _local(y, mo, day)
    elif u == "W":
        fdow = int(first_day_of_week or 0)
        dn = _epoch_day(y, mo, day)
        dn -= _mod(d.getDay() - fdow, 7)
        if n > 1:
            base = _mod(fdow - 4, 7)  # 1970-01-01 was a Thursday
            wi = Math.round((dn - base) / 7)
            dn = base + (wi - _mod(wi, n)) * 7
        return _local(1970, 0, 1 + dn)
    elif u == "M":
        mi = y * 12 + mo
        mi -= _mod(mi, n)
        return _local(Math.floor(mi / 12), _mod(mi, 12), 1)
    else:  # "Y"
        return _local(y - _mod(y, n), 0, 1)


def add(t, unit, count=1):
    """``t`` plus ``count`` times the calendar unit (``count`` may be negative).

    Seconds, minutes and single hours are exact amounts of time (so the repeated
    autumn hour gets its own steps); larger units keep the local time of day, so
    ``add(midnight, "1D")`` is the next midnight also across daylight-saving changes.
    Adding months keeps the day of the month, clipped to the month's length.
    """
    nu = _parse_unit(unit)
    n = nu[0] * count
    u = nu[1]
    if u == "s" or u == "m" or (u == "h" and nu[0] == 1):
        return t + n * _UNIT_SECONDS[u]
    d = _date(t)
    if u == "h":
        d.setHours(d.getHours() + n)
    elif u == "D":
        d.setDate(d.getDate() + n)
    elif u == "W":
        d.setDate(d.getDate() + 7 * n)
    else:
        months = n if u == "M" else 12 * n
        day = d.getDate()
        d.setDate(1)
        d.setMonth(d.getMonth() + months)
        d.setDate(min(day, days_in_month(d.getFullYear(), d.getMonth() + 1)))
    return d.getTime() / 1000


def ceil(t, unit, first_day_of_week=1):
    """The first unit boundary at or after ``t``."""
    f = floor(t, unit, first_day_of_week)
    if f == t:
        return f
    return add(f, unit)


def day_start(t):
    """Local midnight at the start of the day containing ``t``."""
    return floor(t, "1D")


def day_end(t):
    """Local midnight at the end of the day containing ``t`` (the next day's start;
    exclusive end)."""
    return add(floor(t, "1D"), "1D")


def round_to_day(t):
    """The local midnight nearest to ``t`` (RP-01)."""
    t1 = floor(t, "1D")
    t2 = add(t1, "1D")
    if t - t1 < t2 - t:
        return t1
    return t2


def get_week(t, first_day_of_week=1):
    """``[week_year, week_number]`` of ``t``, numbered as the original does (TL-03):
    a week (starting on the configured day) belongs to the year of its fourth day,
    and is numbered by the ISO week (Monday-based) it overlaps most, counted from
    the Monday of ISO week 1 of that year (the week with 4 January). With weeks
    starting on Monday this is ISO-8601; a Sunday week gets the number of the ISO
    week that starts the next day."""
    start = floor(t, "1W", first_day_of_week)
    d = _date(start)
    mid = window.Date(d.getFullYear(), d.getMonth(), d.getDate() + 3, 12)
    y = mid.getFullYear()
    jan4 = window.Date(y, 0, 4, 12)
    monday1 = _epoch_day(y, 0, 4) - (jan4.getDay() + 6) % 7
    days = _epoch_day(d.getFullYear(), d.getMonth(), d.getDate()) - monday1
    return [y, 1 + Math.round(days / 7)]


def get_weeknumber(t, first_day_of_week=1):
    """The week number of ``t`` (TL-03, RP-05); see ``get_week``."""
    return get_week(t, first_day_of_week)[1]


# %% Formatting dates and times (ST-03, ST-04)


def format_isodate(t):
    """``'YYYY-MM-DD'`` of ``t`` on the local clock."""
    d = _date(t)
    return (
        str(d.getFullYear()) + "-" + _pad2(d.getMonth() + 1) + "-" + _pad2(d.getDate())
    )


def format_date(t, date_repr="dd-mm-yyyy"):
    """The date of ``t`` per the date-format setting (ST-03): ``"yyyy-mm-dd"``,
    ``"dd-mm-yyyy"`` (default) or ``"mm/dd/yyyy"``."""
    d = _date(t)
    yyyy = str(d.getFullYear())
    mm = _pad2(d.getMonth() + 1)
    dd = _pad2(d.getDate())
    if date_repr == "yyyy-mm-dd":
        return yyyy + "-" + mm + "-" + dd
    elif date_repr == "mm/dd/yyyy":
        return mm + "/" + dd + "/" + yyyy
    return dd + "-" + mm + "-" + yyyy


def format_time(t, ampm=False, with_secs=False):
    """``'HH:MM'`` (24 h) or ``'h:MM am'`` / ``'h:MM pm'``; ``with_secs`` adds
    ``':SS'``."""
    d = _date(t)
    h = d.getHours()
    tail = ":" + _pad2(d.getMinutes())
    if with_secs:
        tail += ":" + _pad2(d.getSeconds())
    if ampm:
        suffix = " am" if h < 12 else " pm"
        h12 = h % 12
        if h12 == 0:
            h12 = 12
        return str(h12) + tail + suffix
    return _pad2(h) + tail


def format_datetime(t):
    """``'YYYY-MM-DD HH:MM:SS'`` on the local clock (the export's Local format)."""
    return format_isodate(t) + " " + format_time(t, False, True)


# %% Durations (TS-04, TS-05, ST-05)


def duration_string(seconds, with_secs=False, repr="hms"):
    """A duration as text in the style of the ``duration_repr`` setting (ST-05).

    * ``"hms"``: ``2h01m``, ``1m``, and ``42s`` below a minute; with seconds
      ``2h01m05s``, ``0m05s``. Without seconds the value is rounded to minutes.
    * ``"dhms"``: like hms with whole days split off: ``1d03h20m``.
    * ``"colon"``: ``2:01`` (rounded to minutes) or ``2:01:05``.

    Negative durations get a leading ``-``.
    """
    sign = "-" if seconds < 0 else ""
    secs = Math.round(abs(seconds))
    if repr == "colon":
        if with_secs:
            h = Math.floor(secs / 3600)
            return (
                sign
                + str(h)
                + ":"
                + _pad2(Math.floor(secs / 60) % 60)
                + ":"
                + _pad2(secs % 60)
            )
        mins = Math.round(abs(seconds) / 60)
        return sign + str(Math.floor(mins / 60)) + ":" + _pad2(mins % 60)
    if with_secs:
        total_mins = Math.floor(secs / 60)
        tail = _pad2(secs % 60) + "s"
    elif secs < 60:
        return sign + str(secs) + "s"
    else:
        total_mins = Math.round(abs(seconds) / 60)
        tail = ""
    h = Math.floor(total_mins / 60)
    m = total_mins % 60
    days = 0
    if repr == "dhms":
        days = Math.floor(h / 24)
        h = h % 24
    if days > 0:
        return sign + str(days) + "d" + _pad2(h) + "h" + _pad2(m) + "m" + tail
    elif h > 0:
        return sign + str(h) + "h" + _pad2(m) + "m" + tail
    elif with_secs:
        return sign + str(m) + "m" + tail
    return sign + str(m) + "m"
