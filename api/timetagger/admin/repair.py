"""``python -m timetagger repair USER``: salvage what is readable of a user's database
into a new file, and keep the damaged one aside.

The rows are read page by page (``salvage``), without SQLite's b-tree code, so a
damaged page costs only the rows on it. They go into a new file with itemdb's layout;
then the damaged file (and its ``-wal``/``-shm``) is renamed to
``<name>.db.damaged-<UTC time>`` in the same folder (never deleted), and the new file
takes its place. The server must be stopped: a server with the file open is detected
and the repair refused (it would keep writing into the damaged file).
"""

import json
import os
import sqlite3

from . import (
    EXIT_OK,
    EXIT_PROBLEM,
    Progress,
    Refused,
    find_user_file,
    fsync_path,
    refuse_if_in_use,
    say,
    timestamp,
    user_of,
)
from .check import check_file
from .salvage import TABLES, salvage

EPILOG = """\
USER is the user name (or the file name that 'check' prints). Stop the server first.
Exit code 0 when a new file was written (losses are reported), 1 when nothing could
be read, 2 for a usage error, 3 when refused (the file is open in a running server).
"""

# itemdb's indices per table, as the original and the server create them.
INDICES = {
    "userinfo": ("!key", "st"),
    "records": ("!key", "st", "t1", "t2"),
    "settings": ("!key", "st"),
}


def add_arguments(parser):
    parser.add_argument("user", metavar="USER", help="the user whose file to repair")
    parser.add_argument(
        "--force",
        action="store_true",
        help="rewrite the file even when the integrity check finds nothing wrong",
    )


def write_new_file(filename, rows):
    """A fresh database with itemdb's layout holding ``rows[table]`` (key -> JSON)."""
    import itemdb

    db = itemdb.ItemDB(filename)
    try:
        for table, indices in INDICES.items():
            db.ensure_table(table, *indices)
    finally:
        db.close()
    conn = sqlite3.connect(filename, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for table in TABLES:
            fields = [name.lstrip("!") for name in INDICES[table]]
            marks = ", ".join("?" * (len(fields) + 1))
            sql = f"INSERT OR REPLACE INTO {table} (_ob, {', '.join(fields)}) VALUES ({marks})"
            values = []
            for text in rows[table].values():
                ob = json.loads(text)
                values.append((text, *[ob.get(name) for name in fields]))
            conn.executemany(sql, values)
        conn.execute("COMMIT")
    finally:
        conn.close()
    fsync_path(filename)


def main(args):
    filename = find_user_file(args.user)
    user = user_of(filename)
    label = repr(user) if user is not None else os.path.basename(filename)
    refuse_if_in_use([filename], "repair it")
    if not args.force:
        problems, _ = check_file(filename)
        if not problems:
            say(f"{label} {filename}: the integrity check finds nothing wrong")
            say("nothing repaired (use --force to rewrite the file all the same)")
            return EXIT_OK
        say(f"{label} {filename}: {problems[0]}")
    say(f"reading {filename} page by page ...")
    progress = Progress()
    found = salvage(
        filename, lambda table, n: progress.update(f"{table}: {n:,} rows read")
    )
    progress.done()
    for note in found.notes:
        say(f"  note: {note}")
    if found.damaged_pages or found.bad_cells:
        say(
            f"  {found.damaged_pages} damaged page(s), {found.bad_cells} unreadable cell(s)"
        )
    saved = {table: len(found.rows[table]) for table in TABLES}
    if not any(saved.values()):
        say(f"nothing could be read from {filename}; the file is left as it is")
        return EXIT_PROBLEM
    folder = os.path.dirname(filename)
    tmp = os.path.join(folder, "." + os.path.basename(filename) + ".repair-tmp")
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)  # our own leftover from an interrupted repair
    write_new_file(tmp, found.rows)
    problems, counts = check_file(tmp)
    if problems:  # cannot happen unless the disk fails under us
        os.remove(tmp)
        raise Refused(f"the new file did not pass the check: {problems[0]}")
    # Set the damaged file aside, then move the new one in.
    aside = f"{filename}.damaged-{timestamp()}"
    refuse_if_in_use([filename], "repair it")
    os.rename(filename, aside)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(filename + suffix):
            os.rename(filename + suffix, aside + suffix)
    os.rename(tmp, filename)
    fsync_path(folder)
    say(f"repaired {label}: {filename}")
    say(f"  the damaged file is kept as {aside}")
    for table, label_plural in (("records", "records"), ("settings", "settings")):
        lost = found.lost(table)
        orphans = found.from_orphans[table]
        text = f"  {label_plural}: {saved[table]:,} saved"
        if orphans:
            text += f" ({orphans:,} found outside the damaged tree)"
        if lost is None:
            text += ", lost: unknown (the index that lists them is unreadable)"
        else:
            at_least = "" if found.expected_complete[table] else "at least "
            text += f", {at_least}{len(lost):,} lost"
            if lost:
                shown = ", ".join(repr(k) for k in lost[:10])
                text += f" ({shown}{', ...' if len(lost) > 10 else ''})"
        say(text)
    lost_info = found.lost("userinfo")
    if lost_info:
        say(
            f"  account data lost: {', '.join(lost_info)} "
            "(the user logs in again; tokens are re-issued)"
        )
    return EXIT_OK
