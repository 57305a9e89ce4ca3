"""Generated data for the demo (DM-02): several years of plausible working days.

* ``DEMO_YEARS`` calendar years: the current one and the ones before it (quirk 11
  fixed: the number the demo's text can quote is the number generated).
* Per month a pool of activities: one "personal" group (one tag each) plus two of four
  client groups (the same group may be drawn twice).
* Weekdays only (Monday to Friday): from 08:00, 3 to 8 records, each after a pause of
  0, 10 or 20 minutes and lasting 60 to 179 minutes; a day stops at a record that would
  end within the last minute before now, in the future, or after 22:00. Descriptions
  read "Did some <work|stuff|things|administration> <activity>".
* Today (also at weekends) has a fixed schedule instead, up to now.

Functions return ``[t1, t2, description]`` lists; the demo store makes the records.
Local time throughout. Pure logic, no DOM.
"""

from pscript import window

DEMO_YEARS = 5

TAG_COLORS = [["#admin", "#ED8CC7"], ["#client1", "#607FE0"], ["#client2", "#429270"]]

PERSONAL_GROUPS = [["#admin", "#reading"], ["#admin", "#traveling"]]
CLIENT_GROUPS = [
    ["#client1 #meeting", "#client1 #code", "#client1 #design"],
    ["#client2 #code #writing", "#client2 #design", "#client2 #meeting"],
    ["#client3 #code", "#client3 #meeting", "#client3 #support"],
    ["#client4 #design", "#client4 #writing"],
]
WORDS = ["work", "stuff", "things", "administration"]

TODAY = [
    ["08:51", "09:11", "#admin"],
    ["09:11", "10:27", "#client1 #meeting"],
    ["10:29", "11:52", "#client1 #code"],
    ["12:51", "13:32", "#client1 #code"],
    ["13:32", "14:28", "#client2 #meeting"],
    ["14:34", "16:11", "#client2 #design"],
]


def _randint(a, b):
    """A random integer with a <= n <= b."""
    return a + window.Math.floor(window.Math.random() * (b - a + 1))


def _choice(items):
    return items[_randint(0, len(items) - 1)]


def _local_time(year, month, day, hour=0, minute=0):
    """Unix seconds of a local wall-clock time (month 0-11), or None when the date
    does not exist (e.g. 30 February)."""
    d = window.Date(year, month, day, hour, minute, 0)
    if d.getMonth() != month or d.getDate() != day:
        return None
    return d.getTime() / 1000


def _today(now):
    d = window.Date(now * 1000)
    return [d.getFullYear(), d.getMonth(), d.getDate()]


def month_pool():
    """The activities of one month."""
    pool = list(_choice(PERSONAL_GROUPS))
    for i in range(2):
        pool = pool.concat(_choice(CLIENT_GROUPS))
    return pool


def generate_day(year, month, day, pool, now):
    """Random records of one working day (none at weekends)."""
    start = _local_time(year, month, day, 8, 0)
    if start is None:
        return []
    weekday = window.Date(start * 1000).getDay()
    if weekday == 0 or weekday == 6:
        return []
    day_end = _local_time(year, month, day, 22, 0)
    records = []
    t = start
    for i in range(_randint(3, 8)):
        t += _choice([0, 10, 20]) * 60
        t2 = t + _randint(60, 179) * 60
        if t2 > now - 60 or t2 > day_end:
            break
        ds = "Did some " + _choice(WORDS) + " " + _choice(pool)
        records.push([t, t2, ds])
        t = t2
    return records


def generate_year(year, now, skip_today=True):
    """Random records of a calendar year, only days before today."""
    today = _today(now)
    records = []
    for month in range(12):
        pool = month_pool()
        for day in range(1, 32):
            if (
                skip_today
                and year == today[0]
                and month == today[1]
                and day == today[2]
            ):
                continue
            start = _local_time(year, month, day)
            if start is None:
                continue
            if start > now:
                return records
            records = records.concat(generate_day(year, month, day, pool, now))
    return records


def generate_today(now):
    """Today's fixed schedule, the parts already finished."""
    y, m, d = _today(now)
    records = []
    for start, end, tagz in TODAY:
        h1, m1 = start.split(":")
        h2, m2 = end.split(":")
        t1 = _local_time(y, m, d, int(h1), int(m1))
        t2 = _local_time(y, m, d, int(h2), int(m2))
        if t2 <= now:
            records.push([t1, t2, "Did some work " + tagz])
    return records


def generate_current_year(now):
    """This year up to yesterday, plus today's schedule."""
    year = _today(now)[0]
    return generate_year(year, now).concat(generate_today(now))


def earlier_years(now):
    """The years generated later, newest first."""
    year = _today(now)[0]
    return [year - i for i in range(1, DEMO_YEARS)]
