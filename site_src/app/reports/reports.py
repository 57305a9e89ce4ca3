"""Report data: which records a report covers, how they are grouped and rounded, the
rows of the report table, the CSV text and the file names (RP-01, RP-04 ... RP-09,
RP-12). The report dialog and the PDF export render from ``build_report``'s rows.

Decisions on the quirks of the original (client feature inventory, Appendix A):
grouping defaults to ``none`` (quirk 4); week periods use the ISO-style week-year
(quirk 5); running records count up to now, clipped to the range (quirk 6); every CSV
field that contains a separator, quote or line break is quoted (quirk 7).

Earnings: with the option ``rates`` (tag -> hourly rate or None, e.g.
``taginfo.get_tag_rate``) every record earns its (rounded) duration times the highest
rate among its tags (RATE_RULE); a record without a rated tag earns nothing. Amounts
are rounded to cents per record, then summed, like the durations.

Pure logic: records, the range and the options are passed in; no DOM, no store.
"""

from pscript import window

from ..core import dt, tagorder, tags
from . import csvtext

GROUPINGS = ["none", "tagz", "ds"]
PERIODS = ["none", "day", "week", "month", "quarter", "year"]
# [value, label] of the duration formats offered in the dialog (RP-07; "h4" also works).
FORMATS = [
    ["h0", "9"],
    ["hm", "9:07"],
    ["hms", "9:07:24"],
    ["h1", "9.1"],
    ["h2", "9.12"],
    ["h3", "9.123"],
]
CSV_HEADER = "subtotals,tag_groups,duration,date,start,stop,description,user,tags"
NO_DESCRIPTION = "(no description)"
GENERAL = "General"

RATE_RULE = (
    "A record earns at the highest hourly rate among its tags; records without a"
    " rated tag earn nothing."
)

_ROUNDING = {"h0": 3600, "h1": 360, "h2": 36, "h3": 3.6, "h4": 0.36, "hm": 60, "hms": 1}
_DECIMALS = {"h0": 0, "h1": 1, "h2": 2, "h3": 3, "h4": 4}
_GROUPING_ALIASES = {"tags": "tagz", "description": "ds"}


def _native_sort(arr, cmp):
    """Stable in-place sort with a JS comparator (PScript's list.sort takes a key)."""
    window.Array.prototype.sort.call(arr, cmp)
    return arr


def _is_function(x):
    return Object.prototype.toString.call(x) == "[object Function]"


# %% Options, ranges, durations


def normalize_options(options=None):
    """The report options with defaults filled in and unknown values replaced:

    ``grouping`` ("none" | "tagz" | "ds"; "tags"/"description" accepted; anything
    else, like the original's stored default "date", becomes "none"), ``groupperiod``
    (PERIODS), ``hidesecondary``, ``format`` (FORMATS, or "h4"), ``showrecords``,
    ``date_repr`` (ST-03), ``first_day_of_week`` (ST-01), ``tags`` (the filter tags),
    ``priorities`` (dict or function tag -> 1/2, TG-08), ``rates`` (dict or function
    tag -> hourly rate or None), ``currency`` (a short text for amounts), ``now`` (defaults to
    ``dt.now()``), ``username`` (for the CSV).
    """
    options = options or {}
    grouping = options.grouping or "none"
    if _GROUPING_ALIASES.hasOwnProperty(grouping):
        grouping = _GROUPING_ALIASES[grouping]
    if GROUPINGS.indexOf(grouping) < 0:
        grouping = "none"
    period = options.groupperiod or "none"
    if PERIODS.indexOf(period) < 0:
        period = "none"
    fmt = options.format or "hm"
    if not _ROUNDING.hasOwnProperty(fmt):
        fmt = "hm"
    date_repr = options.date_repr or "dd-mm-yyyy"
    if dt.DATE_REPRS.indexOf(date_repr) < 0:
        date_repr = "dd-mm-yyyy"
    fdow = options.first_day_of_week
    if fdow is undefined or fdow is None:
        fdow = 1
    filter_tags = []
    for tag in options.tags or []:
        tag = str(tag).toLowerCase()
        if tag and filter_tags.indexOf(tag) < 0:
            filter_tags.append(tag)
    now = options.now
    if now is undefined or now is None:
        now = dt.now()
    return {
        "grouping": grouping,
        "groupperiod": period,
        "hidesecondary": bool(options.hidesecondary),
        "format": fmt,
        "showrecords": options.showrecords is not False,
        "date_repr": date_repr,
        "first_day_of_week": int(fdow),
        "tags": filter_tags,
        "priorities": options.priorities or None,
        "rates": options.rates or None,
        "currency": clean_currency(options.currency),
        "now": now,
        "username": options.username or "",
    }


def clean_currency(text):
    """The currency as shown after amounts: the text trimmed, at most 8 characters
    (a code like EUR or a sign like $); anything that is not a text is none ("")."""
    if not isinstance(text, str):
        return ""
    return text.strip()[:8]


def format_amount(cents, currency=""):
    """An amount of money from whole cents: ``1234.50`` or ``1234.50 EUR``."""
    text = (cents / 100).toFixed(2)
    return text + " " + currency if currency else text


def rate_of(tag_list, rates):
    """The hourly rate of a record with these tags (RATE_RULE): the highest rate
    among them, or None when none has a rate. ``rates``: dict or function tag ->
    rate; only finite numbers >= 0 count."""
    if not rates:
        return None
    best = None
    for tag in tag_list:
        if _is_function(rates):
            rate = rates(tag)
        else:
            rate = rates[tag] if rates.hasOwnProperty(tag) else None
        if isinstance(rate, float) and window.isFinite(rate) and rate >= 0:
            if best is None or rate > best:
                best = rate
    return best


def range_to_dates(t1, t2):
    """The whole dates a timeline range stands for (RP-01): ``[first_day, last_day]``
    as local midnights. The first day is the one whose midnight is nearest to
    ``t1``; the last day (inclusive) is the day before the midnight nearest to
    ``t2``, but never before the first day."""
    first = dt.round_to_day(t1)
    end = dt.round_to_day(t2)
    if end > first:
        return [first, dt.add(end, "1D", -1)]
    return [first, first]


def dates_to_range(first_day, last_day):
    """The time range ``[first_day 00:00, last_day + 1 day 00:00)`` of whole dates
    (given as any time on those days); the dates are swapped when reversed."""
    a = dt.day_start(first_day)
    b = dt.day_start(last_day)
    if b < a:
        a, b = b, a
    return [a, dt.add(b, "1D")]


def round_duration(seconds, fmt="hm"):
    """A duration rounded to the precision of a report format (RP-07): whole hours
    (h0), tenths/hundredths/thousandths of hours (h1/h2/h3), minutes (hm) or seconds
    (hms)."""
    unit = _ROUNDING[fmt] if _ROUNDING.hasOwnProperty(fmt) else 60
    return Math.round(seconds / unit) * unit


def format_duration(seconds, fmt="hm"):
    """Duration text in a report format: ``9`` (h0), ``9.1``/``9.12``/``9.123`` (h1..h3),
    ``9:07`` (hm, rounded to minutes: below 30 s is ``0:00``) or ``9:07:24`` (hms)."""
    if _DECIMALS.hasOwnProperty(fmt):
        return (seconds / 3600).toFixed(_DECIMALS[fmt])
    if fmt == "hms":
        s = Math.round(seconds)
        return dt.duration_string(s, True, "colon")
    return dt.duration_string(round_duration(seconds, "hm"), False, "colon")


def record_duration(record, t1, t2, now):
    """Seconds of a record inside ``[t1, t2)``; a running record (t1 == t2) counts up
    to ``now`` (quirk 6 fixed). Never negative."""
    end = record.t2
    if record.t1 == record.t2:
        end = max(now, record.t1)
    return max(0, min(end, t2) - max(record.t1, t1))


def period_of(t, period, date_repr="dd-mm-yyyy", first_day_of_week=1):
    """``[label, period_start]`` of the report period containing ``t`` (RP-05):
    day -> formatted date, week -> ``2024W5`` (ISO-style week-year, quirk 5 fixed),
    month -> ``Feb 2024``, quarter -> ``2024Q1``, year -> ``2024``."""
    if period == "day":
        return [dt.format_date(t, date_repr), dt.floor(t, "1D")]
    elif period == "week":
        yw = dt.get_week(t, first_day_of_week)
        return [str(yw[0]) + "W" + str(yw[1]), dt.floor(t, "1W", first_day_of_week)]
    f = dt.fields(t)
    if period == "month":
        return [dt.MONTH_NAMES[f[1] - 1] + " " + str(f[0]), dt.floor(t, "1M")]
    elif period == "quarter":
        return [
            str(f[0]) + "Q" + str(Math.floor((f[1] - 1) / 3) + 1),
            dt.floor(t, "3M"),
        ]
    elif period == "year":
        return [str(f[0]), dt.floor(t, "1Y")]
    return ["", 0]


# %% Building the report


def _priority_of(priorities, tag):
    if not priorities:
        return 1
    if _is_function(priorities):
        return priorities(tag) or 1
    return priorities[tag] or 1


def select_records(records, t1, t2, options=None):
    """The records a report covers, as entries sorted by start time: not hidden,
    overlapping ``[t1, t2)`` (running records up to now, RC-01) and having all filter
    tags. Each entry: ``{record, tags, tagz_list, start, seconds, duration,
    running}`` where ``seconds`` is the clipped duration and ``duration`` the
    duration rounded per the format; ``rate`` (RATE_RULE, None when unrated) and
    ``cents`` (what the rounded duration earns, in whole cents)."""
    opts = normalize_options(options)
    now = opts.now
    entries = []
    for record in records or []:
        if not record:
            continue
        ds = record.ds or ""
        if ds.startswith("HIDDEN"):
            continue
        running = record.t1 == record.t2
        end = max(now, record.t1) if running else record.t2
        if not (record.t1 < t2 and end > t1):
            continue
        tagz_list = tags.get_tagz(ds).split(" ")
        if not tags.has_all_tags(tagz_list, opts.tags):
            continue
        seconds = record_duration(record, t1, t2, now)
        duration = round_duration(seconds, opts.format)
        rate = rate_of(tagz_list, opts.rates)
        cents = 0 if rate is None else Math.round(duration * rate / 36)
        entries.append(
            {
                "record": record,
                "tags": tags.get_tags(ds),
                "tagz_list": tagz_list,
                "start": max(record.t1, t1),
                "seconds": seconds,
                "duration": duration,
                "rate": rate,
                "cents": cents,
                "running": running,
            }
        )

    def cmp(a, b):
        if a.record.t1 != b.record.t1:
            return a.record.t1 - b.record.t1
        if a.record.key < b.record.key:
            return -1
        return 1 if a.record.key > b.record.key else 0

    return _native_sort(entries, cmp)


def _group_by_tags(entries, opts):
    """Groups per tag combination, titled in better tag order without the filter
    tags, ordered by the grouping sort (RP-04, RP-06, TG-13, TG-14). Ordering uses
    the exact (unrounded) durations, so the duration format does not reorder rows."""
    groups = {}
    stats = {}
    for entry in entries:
        group_tags = entry.tagz_list
        if opts.hidesecondary:
            group_tags = [
                tag
                for tag in group_tags
                if opts.tags.indexOf(tag) >= 0 or _priority_of(opts.priorities, tag) < 2
            ]
        key = " ".join(group_tags)
        if not groups[key]:
            groups[key] = {"key": key, "entries": [], "duration": 0}
            stats[key] = 0
        groups[key].entries.append(entry)
        groups[key].duration += entry.duration
        stats[key] += entry.seconds
    ordered = tagorder.better_tag_order(stats, opts.tags, True, opts.priorities)
    items = []
    for key in groups.keys():
        group = groups[key]
        group.tags = ordered[key] or []
        group.title = " ".join(group.tags) or GENERAL
        items.append({"tags": group.tags, "duration": stats[key], "group": group})
    return [item.group for item in tagorder.grouping_sort(items)]


def _group_by_description(entries):
    groups = {}
    for entry in entries:
        ds = tags.normalize_description(entry.record.ds)
        key = "d" + ds
        if not groups[key]:
            groups[key] = {
                "key": ds,
                "title": ds or NO_DESCRIPTION,
                "tags": [],
                "entries": [],
                "duration": 0,
            }
        groups[key].entries.append(entry)
        groups[key].duration += entry.duration
    result = groups.values()

    def cmp(a, b):
        ta = a.title.toLowerCase()
        tb = b.title.toLowerCase()
        if ta != tb:
            return -1 if ta < tb else 1
        if a.title != b.title:
            return -1 if a.title < b.title else 1
        return 0

    return _native_sort(result, cmp)


def _split_by_period(groups, opts):
    """Split every group by the period of its records' (clipped) start (RP-05);
    ordered by period, then by the group order."""
    result = []
    for gi in range(len(groups)):
        group = groups[gi]
        parts = {}
        for entry in group.entries:
            lp = period_of(
                entry.start, opts.groupperiod, opts.date_repr, opts.first_day_of_week
            )
            label = lp[0]
            if not parts["p" + label]:
                sub = {
                    "key": group.key,
                    "tags": group.tags,
                    "period": label,
                    "period_start": lp[1],
                    "order": gi,
                    "entries": [],
                    "duration": 0,
                }
                if opts.grouping == "none":
                    sub.title = label
                else:
                    sub.title = label + " / " + group.title
                sub.group_title = group.title
                parts["p" + label] = sub
                result.append(sub)
            parts["p" + label].entries.append(entry)
            parts["p" + label].duration += entry.duration

    def cmp(a, b):
        if a.period_start != b.period_start:
            return a.period_start - b.period_start
        return a.order - b.order

    return _native_sort(result, cmp)


def build_report(records, t1, t2, options=None):
    """The report of ``records`` in ``[t1, t2)`` (see ``normalize_options``).

    Returns ``{t1, t2, first_day, last_day, options, total, total_text, groups,
    rows}``. ``rows`` is the table (RP-08, RP-09), each row a dict with ``type``:

    * ``"total"``: ``duration``, ``duration_text``, ``title`` ("Total"); always first.
    * ``"spacer"``: an empty row before each group when records are shown.
    * ``"group"``: ``duration``, ``duration_text``, ``title`` (e.g. ``"#client1
      #code"``, ``"General"``, ``"2024W5 / #code"``), ``tags`` (ordered, for
      colouring), ``period`` (label or ""), ``group_title`` (title without the
      period), ``count`` (records). Absent for the untitled group of grouping "none".
    * ``"record"`` (when records are shown): ``duration``, ``duration_text``,
      ``date``, ``start``, ``stop`` (``HH:MM``; a running record stops at now),
      ``description`` (normalised, may be empty: show a dash), ``tags`` (sorted),
      ``key``, ``running``, ``record`` (the record object, for the edit dialog).

    Durations are rounded per record, then summed, so the group and total figures
    always equal the sum of the rows shown (RP-07).

    Earnings (option ``rates``): every row also has ``cents`` and ``amount_text``
    (record rows: ``rate``, and ``amount_text`` "" when unrated); the report has
    ``has_rates`` (some record is rated), ``cents`` and ``amount_text`` of the total.
    """
    opts = normalize_options(options)
    fmt = opts.format
    entries = select_records(records, t1, t2, opts)
    if opts.grouping == "tagz":
        groups = _group_by_tags(entries, opts)
    elif opts.grouping == "ds":
        groups = _group_by_description(entries)
    elif len(entries) > 0:
        groups = [
            {"key": "", "title": "", "tags": [], "entries": entries, "duration": 0}
        ]
        for entry in entries:
            groups[0].duration += entry.duration
    else:
        groups = []
    for group in groups:
        group.group_title = group.title
        group.period = ""
    if opts.groupperiod != "none":
        groups = _split_by_period(groups, opts)

    total = 0
    total_cents = 0
    has_rates = False
    for entry in entries:
        total += entry.duration
        total_cents += entry.cents
        if entry.rate is not None:
            has_rates = True
    for group in groups:
        group.cents = 0
        for entry in group.entries:
            group.cents += entry.cents
    currency = opts.currency
    rows = [
        {
            "type": "total",
            "duration": total,
            "duration_text": format_duration(total, fmt),
            "title": "Total",
            "cents": total_cents,
            "amount_text": format_amount(total_cents, currency),
        }
    ]
    for group in groups:
        if opts.showrecords:
            rows.append({"type": "spacer"})
        if group.title:
            rows.append(
                {
                    "type": "group",
                    "duration": group.duration,
                    "duration_text": format_duration(group.duration, fmt),
                    "title": group.title,
                    "group_title": group.group_title,
                    "period": group.period,
                    "tags": group.tags,
                    "count": len(group.entries),
                    "cents": group.cents,
                    "amount_text": format_amount(group.cents, currency),
                }
            )
        if opts.showrecords:
            for entry in group.entries:
                rows.append(_record_row(entry, opts))
    dates = [dt.day_start(t1), dt.day_start(max(t1, t2 - 1))]
    return {
        "t1": t1,
        "t2": t2,
        "first_day": dates[0],
        "last_day": dates[1],
        "options": opts,
        "total": total,
        "total_text": format_duration(total, fmt),
        "has_rates": has_rates,
        "cents": total_cents,
        "amount_text": format_amount(total_cents, currency),
        "groups": groups,
        "rows": rows,
    }


def _record_row(entry, opts):
    record = entry.record
    stop = opts.now if entry.running else record.t2
    return {
        "type": "record",
        "duration": entry.duration,
        "duration_text": format_duration(entry.duration, opts.format),
        "date": dt.format_date(record.t1, opts.date_repr),
        "start": dt.format_time(record.t1),
        "stop": dt.format_time(stop),
        "description": tags.normalize_description(record.ds),
        "tags": entry.tags,
        "key": record.key,
        "running": entry.running,
        "record": record,
        "rate": entry.rate,
        "cents": entry.cents,
        "amount_text": ""
        if entry.rate is None
        else format_amount(entry.cents, opts.currency),
    }


# %% CSV (RP-12) and file names


def csv_header(report):
    """The column names of the report's table: ``CSV_HEADER``, and when the report
    has rates a last column ``amount`` (``amount EUR`` with a currency)."""
    names = CSV_HEADER.split(",")
    if report.has_rates:
        currency = report.options.currency
        names.append("amount " + currency if currency else "amount")
    return names


def table_rows(report, username=""):
    """The report's rows as a table of 9 fields each, in the columns of
    ``CSV_HEADER`` (the copied table RP-11 and the CSV RP-12): spacer rows empty;
    total and group rows ``<duration>, <title>``; record rows ``"", ""``, duration,
    date, start, stop, the description, the user name and the record's tags (sorted,
    space-separated). When the report has rates, a 10th field: the amount as a plain
    number (``12.50``; empty for spacers and unrated records)."""
    table = []
    for row in report.rows:
        if row.type == "spacer":
            table.append(["", "", "", "", "", "", "", "", ""])
        elif row.type == "record":
            table.append(
                [
                    "",
                    "",
                    row.duration_text,
                    row.date,
                    row.start,
                    row.stop,
                    row.description,
                    username or "",
                    " ".join(row.tags),
                ]
            )
        else:
            table.append([row.duration_text, row.title, "", "", "", "", "", "", ""])
        if report.has_rates:
            if row.type == "spacer" or (row.type == "record" and row.rate is None):
                table[-1].append("")
            else:
                table[-1].append(format_amount(row.cents))
    return table


def to_csv(report, username=None):
    """The report as CSV text (RP-12): the header line, an empty line, then one line
    per row of ``table_rows``, joined with CRLF. Descriptions and group titles are
    always quoted; every field goes through ``csvtext.field`` (a text a spreadsheet
    would run as a formula gets a leading quote)."""
    if username is None or username is undefined:
        username = report.options.username or ""
    lines = [csvtext.csv_line(csv_header(report)), ""]
    table = table_rows(report, username)
    for i in range(len(table)):
        kind = report.rows[i].type
        if kind == "spacer":
            quoted = []
        elif kind == "record":
            quoted = [6]
        else:
            quoted = [1]
        lines.append(csvtext.csv_line(table[i], quoted))
    return "\r\n".join(lines)


def report_filename(first_day, last_day, ext="csv"):
    """``timetagger-YYYYMMDD.<ext>`` for one day, else
    ``timetagger-YYYYMMDD-YYYYMMDD.<ext>`` (first and inclusive last date)."""
    a = dt.format_isodate(first_day).replace("-", "")
    b = dt.format_isodate(last_day).replace("-", "")
    if a == b:
        return "timetagger-" + a + "." + ext
    return "timetagger-" + a + "-" + b + "." + ext
