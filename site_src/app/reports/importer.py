"""Import of records from CSV/TSV text (IE-03 ... IE-08, IE-12): separator detection,
field splitting, header mapping, row parsing, tags from tag/project/client columns,
keys and de-duplication against the records already in the store.

Understands our own export (IE-10), the CSV exports of Toggl Track (detailed report)
and Clockify (detailed report), Yast-style exports with a project path, and any table
with recognisable headers. ``analyse(text, options)`` returns the records to put
plus per-row errors and log lines; nothing is written (the import dialog shows the
result as a preview and puts the records itself). Pure logic: no DOM, no store.

Quirk 9 of the original (only the first doubled quote unescaped) is fixed.
"""

from ..core import dt, tags
from . import csvtext

SEPARATORS = [["\t", "tab"], [",", "comma"], [";", "semicolon"]]

# Header names (lower case, "-" and "_" as spaces) -> meaning (IE-05, IE-12).
HEADERS = {
    "key": "key",
    "id": "key",
    "identifier": "key",
    "t1": "start",
    "start": "start",
    "begin": "start",
    "start time": "start",
    "begin time": "start",
    "t2": "stop",
    "stop": "stop",
    "end": "stop",
    "stop time": "stop",
    "end time": "stop",
    "duration": "duration",
    "duration h:m": "duration",
    "duration h:m:s": "duration",
    "duration hh:mm": "duration",
    "duration hh:mm:ss": "duration",
    "duration (h)": "duration",  # Clockify: h:mm:ss
    "duration (decimal)": "duration_hours",  # Clockify: decimal hours
    "date": "date",
    "start date": "date",
    "begin date": "date",
    "end date": "end_date",
    "stop date": "end_date",
    "tags": "tags",
    "tag": "tags",
    "description": "description",
    "summary": "description",
    "comment": "description",
    "title": "description",
    "ds": "description",
    "projectname": "project",
    "project": "project",
    "pr": "project",
    "proj": "project",
    "project name": "project",
    "projectkey": "project_key",
    "project key": "project_key",
    "project id": "project_key",
    "projectpath": "project_path",
    "project path": "project_path",
    "client": "client",
    "client name": "client",
    "customer": "client",
}

FORMAT_NAMES = {
    "timetagger": "TimeTagger export",
    "toggl": "Toggl Track CSV export",
    "clockify": "Clockify CSV export",
    "generic": "table",
}

_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MIN_TIMESTAMP = 31536000  # one year after the epoch (IE-07)
# Characters compared with "is" (plain === in JS) in the splitter's loop.
_NL = "\n"
_CR = "\r"
_TAB = "\t"
_QUOTE = '"'
_SPACE = " "
# Patterns, compiled once (none has the g flag, so they keep no state).
_RE_YMD = RegExp("^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$")
_RE_DMY = RegExp("^([0-9]{1,2})([-/.])([0-9]{1,2})[-/.]([0-9]{4})$")
_RE_NUMBER = RegExp("^[0-9]+(\\.[0-9]+)?$")
_RE_ISO_START = RegExp("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[T ]")
_RE_DATE_TIME = RegExp("^(\\S+)(?:\\s+|T)(.+)$")
_RE_YEAR = RegExp("[0-9]{4}")
_RE_WORD = RegExp("[a-z]{3}", "i")
_RE_DECIMAL = RegExp("^[0-9]+([.,][0-9]+)?$")
_RE_HMS = RegExp("^([0-9]+):([0-9]{1,2})(?::([0-9]{1,2}))?$")
_RE_SLASHED = RegExp("^([0-9]{1,2})/([0-9]{1,2})/[0-9]{4}")
_RE_TIME_OF_DAY = RegExp(
    "^([0-9]{1,2})[:.]([0-9]{2})(?:[:.]([0-9]{2})(?:[.,][0-9]+)?)?"
    "(?:\\s*([ap])\\.?\\s*m\\.?)?$",
    "i",
)


# %% Splitting text into rows and fields (IE-03, IE-04)


def detect_separator(header_line):
    """The separator of a header line: whichever of tab, comma, semicolon occurs
    most often (ties in that order), or ``""`` when none occurs."""
    best = ""
    best_count = 0
    for sep_name in SEPARATORS:
        count = len(header_line.split(sep_name[0])) - 1
        if count > best_count:
            best = sep_name[0]
            best_count = count
    return best


def split_rows(text, sep):
    """Split CSV/TSV text into rows: ``[[line_number, [fields]], ...]``.

    Fields are separated by ``sep``; whitespace before a field is skipped; a field
    that starts with a double quote runs to the closing quote and may contain
    separators and line breaks; every doubled quote inside it is one quote (quirk 9
    fixed). Fields are trimmed, and a quote that neutralised a formula (our CSV and
    TSV export, ``csvtext.neutralise``) is taken off again. Rows whose fields are all empty are left out;
    line numbers are 1-based and count the row's first line.
    """
    rows = []
    fields = []
    field = ""
    line = 1
    row_line = 1
    i = 0
    n = len(text)
    tab_is_space = sep is not _TAB
    at_field_start = True
    while i <= n:
        c = text[i] if i < n else "\n"
        if at_field_start and (c is _SPACE or (c is _TAB and tab_is_space)):
            i += 1
            continue
        if at_field_start and c is _QUOTE:
            # Quoted field: read to the closing quote.
            i += 1
            while i < n:
                j = text.indexOf('"', i)
                if j < 0:
                    j = n
                chunk = text.slice(i, j)
                field += chunk
                line += len(chunk.split("\n")) - 1
                i = j
                if i < n:
                    if i + 1 < n and text[i + 1] is _QUOTE:
                        field += '"'
                        i += 2
                        continue
                    i += 1
                    break
            at_field_start = False
            continue
        if c is sep:
            fields.append(csvtext.restore(field.trim()))
            field = ""
            at_field_start = True
            i += 1
            continue
        if c is _NL or c is _CR:
            fields.append(csvtext.restore(field.trim()))
            field = ""
            at_field_start = True
            nonempty = False
            for f in fields:
                if f:
                    nonempty = True
                    break
            if nonempty:
                rows.append([row_line, fields])
            fields = []
            if c is _CR and i + 1 < n and text[i + 1] is _NL:
                i += 1
            i += 1
            line += 1
            row_line = line
            continue
        # Plain text up to the next separator or line break.
        j = i + 1
        while j < n:
            d = text[j]
            if d is sep or d is _NL or d is _CR:
                break
            j += 1
        field += text.slice(i, j)
        at_field_start = False
        i = j
    return rows


def normalize_header(name):
    """Header text as looked up in HEADERS: lower case, ``-``/``_`` as spaces, single
    spaces, trimmed."""
    s = str(name or "").toLowerCase().replace("-", " ").replace("_", " ")
    s = s.replace("\ufeff", "").strip()
    while s.indexOf("  ") >= 0:
        s = s.replace("  ", " ")
    return s


def detect_format(meanings, names):
    """Which known export a header row is: "clockify", "toggl", "timetagger" or
    "generic" (``meanings``: per column; ``names``: normalised header names)."""
    has = {}
    for m in meanings:
        has[m] = True
    if names.indexOf("duration (h)") >= 0 or names.indexOf("duration (decimal)") >= 0:
        return "clockify"
    if (
        names.indexOf("start date") >= 0
        and names.indexOf("start time") >= 0
        and (has.client or has.project)
    ):
        return "toggl"
    if has.key and has.start and has.stop and has.tags and has.description:
        return "timetagger"
    return "generic"


# %% Reading values (IE-07)


def _int(s):
    return window.parseInt(s, 10)


def parse_date(text, slash_order="mdy"):
    """``[year, month, day]`` from ``2024-03-17``, ``2024/3/17``, ``17.03.2024``,
    ``17-03-2024`` or a slashed date (``03/17/2024`` when ``slash_order`` is "mdy",
    ``17/03/2024`` when "dmy"); ``None`` otherwise."""
    text = str(text or "").strip()
    m = _RE_YMD.exec(text)
    if m:
        ymd = [_int(m[1]), _int(m[2]), _int(m[3])]
    else:
        m = _RE_DMY.exec(text)
        if not m:
            return None
        a = _int(m[1])
        b = _int(m[3])
        if m[2] == "/" and slash_order != "dmy":
            ymd = [_int(m[4]), a, b]
        else:
            ymd = [_int(m[4]), b, a]
    if ymd[1] < 1 or ymd[1] > 12 or ymd[2] < 1:
        return None
    if ymd[2] > dt.days_in_month(ymd[0], ymd[1]):
        return None
    return ymd


def parse_time_of_day(text):
    """``[h, m, s]`` from ``9:05``, ``09:05:30``, ``9.05`` or ``9:05 PM``
    (1-2 colons or dots); ``None`` otherwise."""
    text = str(text or "").strip()
    m = _RE_TIME_OF_DAY.exec(text)
    if not m:
        return None
    h = _int(m[1])
    mi = _int(m[2])
    s = _int(m[3] or "0")
    if m[4]:
        if h < 1 or h > 12:
            return None
        ampm = m[4].toLowerCase()
        if ampm == "a" and h == 12:
            h = 0
        elif ampm == "p" and h < 12:
            h += 12
    if h > 24 or mi > 59 or s > 60:
        return None
    return [h, mi, s]


def parse_moment(text, ymd=None, slash_order="mdy"):
    """A point in time from a table cell, or ``None``: a Unix timestamp (a number
    above one year after the epoch), a date-time string (ISO 8601 with or without
    zone, ``2024-03-17 09:05:00``, ``17.03.2024 09:05``, ``03/17/2024 9:05 PM``, ...),
    a date (its local midnight), or a time of day on the date ``ymd``."""
    v = str(text or "").strip()
    if not v:
        return None
    hms = parse_time_of_day(v)  # first: "23.30" is a time, not a number
    if hms:
        if not ymd:
            return None
        return dt.make_time(ymd[0], ymd[1], ymd[2], hms[0], hms[1], hms[2])
    if _RE_NUMBER.test(v):
        n = float(v)
        if n > _MIN_TIMESTAMP:
            return n
        return None
    d = parse_date(v, slash_order)
    if d:
        return dt.make_time(d[0], d[1], d[2])
    if _RE_ISO_START.test(v):
        t = dt.parse_datetime(v)
        if t is not None:
            return t
    m = _RE_DATE_TIME.exec(v)
    if m:
        d = parse_date(m[1], slash_order)
        hms = parse_time_of_day(m[2])
        if d and hms:
            return dt.make_time(d[0], d[1], d[2], hms[0], hms[1], hms[2])
    # Other date texts with a year and a month name, e.g. RFC 2822.
    if _RE_YEAR.test(v) and _RE_WORD.test(v):
        ms = window.Date.parse(v)
        if not window.isNaN(ms):
            return ms / 1000
    return None


def parse_duration(text, decimal_hours=False):
    """Seconds from ``5400`` (seconds, or hours when ``decimal_hours``), ``1.5``,
    ``1:30`` (h:m) or ``1:30:00`` (h:m:s); ``None`` otherwise."""
    v = str(text or "").strip()
    if _RE_DECIMAL.test(v):
        n = float(v.replace(",", "."))
        return n * 3600 if decimal_hours else n
    m = _RE_HMS.exec(v)
    if m:
        return _int(m[1]) * 3600 + _int(m[2]) * 60 + _int(m[3] or "0")
    return None


def _slash_order(rows, columns):
    """Whether slashed dates in these columns are month/day ("mdy", the default) or
    day/month ("dmy"): decided by any first part above 12."""
    first_big = False
    second_big = False
    for row in rows:
        for j in columns:
            v = row[1][j] or ""
            m = _RE_SLASHED.exec(v)
            if m:
                if _int(m[1]) > 12:
                    first_big = True
                if _int(m[2]) > 12:
                    second_big = True
    if first_big and not second_big:
        return "dmy"
    return "mdy"


def _tags_from_words(text):
    """Tags from a tags cell of our own or a generic table: commas become spaces,
    every word becomes a tag (TG-05); words too short for a tag are dropped."""
    result = []
    for word in str(text).replace(",", " ").split(" "):
        tag = tags.text_to_tag(word)
        if tag and result.indexOf(tag) < 0:
            result.append(tag)
    return result


def _tags_from_list(text):
    """Tags from a comma-separated list of tag names (Toggl, Clockify): each name,
    spaces included, becomes one tag (``Deep work`` -> ``#Deep-work``)."""
    result = []
    for name in str(text).split(","):
        tag = tags.text_to_tag(name.strip())
        if tag and result.indexOf(tag) < 0:
            result.append(tag)
    return result


def random_key():
    """A new record key: 8 letters a-z/A-Z from the crypto RNG (DM0-5)."""
    values = window.Uint32Array(8)
    window.crypto.getRandomValues(values)
    key = ""
    for i in range(8):
        key += _KEY_CHARS[values[i] % 52]
    return key


# %% The analysis


def analyse(text, options=None):
    """Analyse import text. ``options``: ``existing`` (the store's records, to reuse
    keys of records with the same start and stop and to count new ones), ``now``
    (for ``mt``; default ``dt.now()``), ``make_key`` (default ``random_key``).

    Returns ``{ok, format, format_name, separator, columns, records, new_count,
    errors, log}``: ``columns`` is the meaning of each column ("" if ignored);
    ``records`` are ``{key, t1, t2, ds, mt, st}`` ready to put; ``errors`` lists
    ``{row, message}`` for skipped rows (``row`` is the 1-based line number);
    ``ok`` is false when the text cannot be imported at all (no data, no separator,
    missing columns), with the reason in the log.

    The steps: find the separator (IE-03), split the rows (IE-04), map the header
    (IE-05), check the required columns (IE-06), read each row (IE-07), and match
    the records with the store's (IE-08).
    """
    options = options or {}
    now = options.now
    if now is None or now is undefined:
        now = dt.now()
    result = {
        "ok": False,
        "format": "",
        "format_name": "",
        "separator": "",
        "columns": [],
        "records": [],
        "new_count": 0,
        "errors": [],
        "log": [],
    }
    text = str(text or "")
    if text.startswith("\ufeff"):
        text = text[1:]
    sep = _find_separator(text, result.log)
    if not sep:
        return result
    result.separator = sep
    rows = split_rows(text, sep)
    header = _map_header(rows[0][1], result)
    col = header.col
    if not _has_required_columns(col, result.log):
        return result
    result.ok = True

    date_cols = []
    for meaning in ["date", "end_date", "start", "stop"]:
        if col[meaning] is not undefined:
            date_cols.append(col[meaning])
    data_rows = rows[1:]
    slash_order = _slash_order(data_rows, date_cols)
    if slash_order == "dmy":
        result.log.append("Dates like 17/03/2024 read as day/month/year.")
    third_party = result.format == "toggl" or result.format == "clockify"

    def parse(fields):
        return _parse_row(fields, col, header.ncols, slash_order, third_party)

    records = _read_records(data_rows, parse, options, now, result.errors)
    result.records = records
    result.new_count = _count_new(records, options.existing)
    if len(result.errors) > 0:
        result.log.append(
            str(len(result.errors)) + " row(s) with problems, see the list."
        )
    result.log.append(
        "Found " + str(len(records)) + " (" + str(result.new_count) + " new)."
    )
    return result


def _find_separator(text, log):
    """The separator of the header line (IE-03), or "" (with the reason logged)."""
    header_line = ""
    for line in text.split("\n"):
        if line.strip():
            header_line = line
            break
    if not header_line:
        log.append("No data.")
        return ""
    sep = detect_separator(header_line)
    if not sep:
        log.append("No separator found in the header (tried tab, comma and semicolon).")
        return ""
    for sep_name in SEPARATORS:
        if sep_name[0] == sep:
            log.append("Separator: " + sep_name[1] + ".")
    return sep


def _map_header(header, result):
    """The meaning of each column (IE-05): sets ``result.columns``, ``format`` and
    ``format_name``, logs what was recognised. Returns ``{col: {meaning: index},
    ncols}``."""
    log = result.log
    names = [normalize_header(h) for h in header]
    while len(names) > 0 and names[-1] == "":
        names.pop(-1)  # trailing unnamed columns
    meanings = []
    col = {}
    ignored = []
    for j in range(len(names)):
        meaning = HEADERS[names[j]] if HEADERS.hasOwnProperty(names[j]) else ""
        if meaning and col[meaning] is undefined:
            col[meaning] = j
        elif names[j]:
            ignored.append(header[j])
            meaning = ""
        meanings.append(meaning)
    result.columns = meanings
    fmt = detect_format(meanings, names)
    result.format = fmt
    result.format_name = FORMAT_NAMES[fmt]
    if fmt != "generic":
        log.append("Recognised a " + FORMAT_NAMES[fmt] + ".")
    if len(ignored) > 0:
        log.append("Ignored columns: " + ", ".join(ignored) + ".")
    else:
        log.append("All columns recognised.")
    return {"col": col, "ncols": len(names)}


def _has_required_columns(col, log):
    """A start, and a stop or a duration (IE-06); else the reason is logged."""
    if col.start is undefined:
        log.append("Missing a start column (start, begin, start time or t1).")
        return False
    if (
        col.stop is undefined
        and col.duration is undefined
        and col.duration_hours is undefined
    ):
        log.append("Missing a stop or duration column (stop, end, t2 or duration).")
        return False
    return True


def _read_records(rows, parse, options, now, errors):
    """The records of the data rows (IE-07, IE-08): a row that cannot be read goes to
    ``errors``; a record without key gets the key of a visible stored record with the
    same start and stop, else a new one; a key seen again replaces the earlier row."""
    make_key = options.make_key or random_key
    by_times = {}
    for record in options.existing or []:
        if not (record.ds or "").startswith("HIDDEN"):
            by_times[str(record.t1) + "-" + str(record.t2)] = record.key
    seen_keys = {}
    records = []
    for row in rows:
        line = row[0]
        try:
            record = parse(row[1])
        except Exception as err:
            message = err.message or str(err)
            if message.startswith("ValueError: "):
                message = message[12:]
            errors.append({"row": line, "message": message})
            continue
        if not record.key:
            record.key = by_times[str(record.t1) + "-" + str(record.t2)] or ""
        if not record.key:
            record.key = make_key()
        record.mt = Math.floor(now)
        record.st = 0
        previous = seen_keys["k" + record.key]
        if previous is not undefined:
            errors.append(
                {
                    "row": previous.line,
                    "message": "key "
                    + record.key
                    + " appears again in row "
                    + str(line)
                    + "; the later row is used",
                }
            )
            records[previous.index] = record
            seen_keys["k" + record.key] = {"index": previous.index, "line": line}
            continue
        seen_keys["k" + record.key] = {"index": len(records), "line": line}
        records.append(record)
    return records


def _count_new(records, existing):
    """How many of the records have a key the store does not have yet."""
    known = {}
    for record in existing or []:
        known["k" + record.key] = True
    count = 0
    for record in records:
        if not known["k" + record.key]:
            count += 1
    return count


def _fail(message):
    raise ValueError(message)


def _parse_row(fields, col, ncols, slash_order, third_party):
    """One record (without mt/st) from a row's fields; raises ValueError with the
    reason when the row cannot be used."""

    def get(meaning):
        j = col[meaning]
        if j is undefined:
            return ""
        return fields[j] or ""

    ymd = None
    date_text = get("date")
    if date_text:
        ymd = parse_date(date_text, slash_order)
        if not ymd:
            _fail("cannot read the date " + repr(date_text))
    end_ymd = ymd
    end_date_text = get("end_date")
    if end_date_text:
        end_ymd = parse_date(end_date_text, slash_order)
        if not end_ymd:
            _fail("cannot read the end date " + repr(end_date_text))

    start_text = get("start")
    if not start_text:
        _fail("no start time")
    t1 = parse_moment(start_text, ymd, slash_order)
    if t1 is None:
        if parse_time_of_day(start_text) and not ymd:
            _fail(
                "start " + repr(start_text) + " is a time of day but there is no date"
            )
        _fail("cannot read the start time " + repr(start_text))
    t1 = Math.floor(t1)

    t2 = None
    stop_text = get("stop")
    if stop_text:
        t2 = parse_moment(stop_text, end_ymd, slash_order)
        if t2 is not None and not end_date_text and parse_time_of_day(stop_text):
            # A stop time of day on the start's date: past midnight when earlier.
            while t2 < t1:
                t2 = dt.add(t2, "1D")
    if t2 is None:
        dur = None
        dur_text = get("duration")
        if dur_text:
            dur = parse_duration(dur_text)
        if dur is None and get("duration_hours"):
            dur = parse_duration(get("duration_hours"), True)
        if dur is None:
            if stop_text:
                _fail("cannot read the stop time " + repr(stop_text))
            if dur_text:
                _fail("cannot read the duration " + repr(dur_text))
            _fail("no stop time or duration")
        t2 = t1 + dur
    t2 = Math.ceil(t2)
    if t2 < t1 and stop_text:
        # A local stop time in the repeated autumn hour reads as its first occurrence;
        # when that is before the start, the second one is meant.
        later = t2 + 3600
        if dt.format_datetime(later) == dt.format_datetime(t2):
            t2 = later
    if t1 <= 0 or t2 <= 0:
        _fail("invalid start/stop times (before 1970)")
    if t2 < t1:
        _fail("the stop time is before the start time")
    t2 = max(t2, t1 + 1)  # imported records are never running

    # Tags (IE-07, IE-12)
    record_tags = []
    tags_text = get("tags")
    if tags_text:
        if third_party:
            record_tags = _tags_from_list(tags_text)
        else:
            record_tags = _tags_from_words(tags_text)
    if third_party or len(record_tags) == 0:
        project_tags = _project_tags(fields, col, ncols, get)
        if third_party:
            client_tag = tags.text_to_tag(get("client"))
            if client_tag:
                project_tags.insert(0, client_tag)
        for tag in reversed(project_tags):
            if record_tags.indexOf(tag) < 0:
                record_tags.insert(0, tag)
    elif get("client"):
        client_tag = tags.text_to_tag(get("client"))
        if client_tag and record_tags.indexOf(client_tag) < 0:
            record_tags.insert(0, client_tag)

    description = tags.to_str(get("description"))
    present = tags.get_tags(description)
    extra = [tag for tag in record_tags if present.indexOf(tag.toLowerCase()) < 0]
    ds = " ".join(extra)
    if description:
        ds = (ds + " " + description) if ds else description
    ds = tags.to_str(ds).strip()  # as typed: tags keep their case (IE-04)

    key = get("key")
    if len(key) > 255:
        _fail("the key is longer than 255 characters")
    return {"key": key, "t1": t1, "t2": t2, "ds": ds}


def _project_tags(fields, col, ncols, get):
    """The tag derived from the project columns: the project path (with any
    non-empty extra fields beyond the header, Yast style) and the project name
    joined by ``/``; or the project name or key alone."""
    name = get("project") or get("project_key")
    path = get("project_path")
    if col.project_path is not undefined:
        parts = []
        if path:
            parts.append(path)
        for j in range(ncols, len(fields)):
            if fields[j]:
                parts.append(fields[j])
        if name:
            parts.append(name)
        if len(parts) > 0:
            tag = tags.text_to_tag("/".join([p.replace("/", " | ") for p in parts]))
            return [tag] if tag else []
    tag = tags.text_to_tag(name)
    return [tag] if tag else []
