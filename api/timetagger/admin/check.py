"""``python -m timetagger check``: an integrity check of every user database.

For each ``<datadir>/users/*.db``: SQLite's ``PRAGMA integrity_check``, then that the
tables itemdb lays out (``records``, ``settings``, ``userinfo``, keyed by ``key``)
exist, and that every row's ``_ob`` is a JSON object whose ``key`` and indexed fields
agree with the row's columns. One line per file, then a summary. The files are
opened only to read: the check writes nothing, and it can run while the server runs.
"""

import json
import os
import sqlite3
import time

from . import (
    EXIT_OK,
    EXIT_PROBLEM,
    Progress,
    find_user_file,
    human_size,
    require_datadir,
    say,
    user_files,
    user_of,
)

EPILOG = """\
One line per file: "ok" or "DAMAGED", the user, the file and what is wrong.
Exit code 0 when every file is sound, 1 when any is damaged, 2 for a usage error.
A damaged file can be salvaged with: python -m timetagger repair USER
"""

COLUMNS = {
    "records": ("_ob", "key", "st", "t1", "t2"),
    "settings": ("_ob", "key", "st"),
    "userinfo": ("_ob", "key", "st"),
}
MAX_PROBLEMS = 5  # listed per file; the rest are counted


def add_arguments(parser):
    parser.add_argument(
        "users",
        nargs="*",
        metavar="USER",
        help="check only these users (default: every file in <datadir>/users)",
    )


def connect_readonly(filename):
    """A connection that only reads. With a WAL beside the file (a server has it open,
    or stopped without folding it in), read-only mode; without one, a plain
    connection, because a read-only one would leave an empty WAL and its index
    behind, while a plain one removes them on close (and writes nothing: there is
    nothing to fold in)."""
    if not os.path.exists(filename + "-wal"):
        return sqlite3.connect(filename, timeout=30, isolation_level=None)
    uri = "file:" + _quote(os.path.abspath(filename)) + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)


def _quote(path):
    from urllib.parse import quote

    return quote(path, safe="/")


def check_file(filename, progress=None):
    """(problems, counts): a list of texts (empty when sound), rows per table."""
    problems = []
    counts = {}
    try:
        conn = connect_readonly(filename)
    except sqlite3.Error as err:
        return [f"cannot open: {err}"], counts
    try:
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as err:
            return [f"integrity check failed: {err}"], counts
        if result != ["ok"]:
            problems.extend(f"integrity: {line}" for line in result)
        try:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
        except sqlite3.DatabaseError as err:
            return problems + [f"schema unreadable: {err}"], counts
        for table, columns in COLUMNS.items():
            if table not in tables:
                problems.append(f"table {table!r} is missing")
                continue
            try:
                found = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            except sqlite3.DatabaseError as err:
                problems.append(f"table {table!r}: {err}")
                continue
            if found[: len(columns)] != list(columns):
                problems.append(
                    f"table {table!r} has columns {found}, expected {list(columns)}"
                )
                continue
            counts[table], row_problems = check_rows(conn, table, columns, progress)
            problems.extend(row_problems)
    finally:
        conn.close()
    return problems, counts


def check_rows(conn, table, columns, progress):
    """(rows, problems) after decoding every row of ``table``."""
    problems = []
    bad = 0
    n = 0
    try:
        cursor = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
        for row in cursor:
            n += 1
            if progress and n % 5000 == 0:
                progress(f"{table}: {n:,} rows")
            problem = row_problem(row, columns)
            if problem:
                bad += 1
                if bad <= MAX_PROBLEMS:
                    problems.append(f"{table}: {problem}")
    except sqlite3.DatabaseError as err:
        problems.append(f"{table}: reading stopped after {n:,} rows: {err}")
    if bad > MAX_PROBLEMS:
        problems.append(f"{table}: {bad - MAX_PROBLEMS} more rows with problems")
    return n, problems


def row_problem(row, columns):
    text, key = row[0], row[1]
    try:
        ob = json.loads(text)
    except (TypeError, ValueError):
        return f"row {key!r}: _ob is not JSON"
    if not isinstance(ob, dict):
        return f"row {key!r}: _ob is not a JSON object"
    for name, value in zip(columns[1:], row[1:], strict=True):
        if ob.get(name) != value:
            return f"row {key!r}: column {name} is {value!r} but the item says {ob.get(name)!r}"
    return None


def main(args):
    if args.users:
        files = [find_user_file(user) for user in args.users]
    else:
        require_datadir()
        files = user_files()  # none yet when no user has logged in
    progress = Progress()
    damaged = 0
    total = {"records": 0, "settings": 0}
    t0 = time.monotonic()
    for i, filename in enumerate(files, 1):
        user = user_of(filename)
        label = repr(user) if user is not None else "(not a user file name)"

        def show(text, i=i, label=label):
            progress.update(f"[{i}/{len(files)}] {label}: {text}")

        show("integrity check ...")
        problems, counts = check_file(filename, show)
        progress.done()
        size = human_size(os.path.getsize(filename))
        if problems:
            damaged += 1
            say(f"DAMAGED {label} {filename}: {problems[0]}")
            for problem in problems[1:]:
                say(f"        {problem}")
        else:
            say(
                f"ok      {label} {filename} ({size}, {counts['records']:,} records, "
                f"{counts['settings']:,} settings)"
            )
        for table in total:
            total[table] += counts.get(table, 0)
    elapsed = time.monotonic() - t0
    say(
        f"checked {len(files)} user file{'s' if len(files) != 1 else ''} in "
        f"{elapsed:.1f} s: {len(files) - damaged} ok, {damaged} damaged "
        f"({total['records']:,} records, {total['settings']:,} settings)"
    )
    if damaged:
        say("salvage a damaged file with: python -m timetagger repair USER")
    return EXIT_PROBLEM if damaged else EXIT_OK
