"""Export of all records as a table (IE-10): the rows in Local, Unix or ISO 8601 time
format, and the same table as tab-separated or CSV text (written by ``csvtext``, so
no description runs as a spreadsheet formula). The export reads back through
``importer.analyse`` unchanged (keys, times, tags and descriptions).

The export dialog renders ``export_rows`` (or ``export_row`` in chunks, to show
progress); pure logic: no DOM, no store.
"""

from ..core import dt, tags
from . import csvtext

# [value, label] of the date-time formats (Local is the default).
FORMATS = [["local", "Local"], ["unix", "Unix"], ["iso", "ISO 8601"]]
HEADER = ["key", "start", "stop", "tags", "description"]


def format_time_value(t, fmt="local"):
    """A time as exported: Local ``YYYY-MM-DD HH:MM:SS`` (local clock), Unix
    seconds, or ISO ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    t = Math.floor(t)
    if fmt == "unix":
        return str(t)
    elif fmt == "iso":
        return dt.time2localstr(t, 0)
    return dt.format_datetime(t)


def is_exported(record):
    """Whether a record belongs in the export: everything but hidden (deleted)
    records."""
    return bool(record) and not (record.ds or "").startswith("HIDDEN")


def export_row(record, fmt="local"):
    """``[key, start, stop, tags, description]`` of one record: tags lower-case,
    sorted, space-separated (empty if none); the description normalised (DM0-4)."""
    return [
        record.key,
        format_time_value(record.t1, fmt),
        format_time_value(record.t2, fmt),
        " ".join(tags.get_tags(record.ds)),
        tags.to_str(record.ds),
    ]


def export_rows(records, fmt="local"):
    """The export table: the header row, then one row per non-hidden record in the
    given (store) order."""
    rows = [HEADER.slice()]
    for record in records or []:
        if is_exported(record):
            rows.append(export_row(record, fmt))
    return rows


def to_tsv(rows):
    """Tab-separated text of a table (what pasting the copied table gives), lines
    joined with CRLF (``csvtext.tsv_text``)."""
    return csvtext.tsv_text(rows)


def to_csv(rows):
    """Comma-separated text of a table with fields quoted where needed, CRLF
    (``csvtext.csv_text``)."""
    return csvtext.csv_text(rows)


def export_filename(t=None, ext="csv"):
    """``timetagger-export-YYYYMMDD.<ext>`` for the day of ``t`` (default now)."""
    if t is None or t is undefined:
        t = dt.now()
    return "timetagger-export-" + dt.format_isodate(t).replace("-", "") + "." + ext
