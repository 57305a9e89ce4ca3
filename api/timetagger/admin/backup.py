"""``python -m timetagger backup DEST``: a consistent copy of every user's data, taken
while the server runs and writes.

Each user database is copied with SQLite's online backup API from inside one read
transaction: the copy is the file as it was at one moment (a transaction committed
after that moment is not in it, one committed before is), and the server's writes go
on meanwhile (in WAL mode a reader does not block writers). Each copy is then put in
rollback-journal mode (a single self-contained file) and checked with
``PRAGMA quick_check``. ``jwt.key`` is copied too, so that tokens stay valid after a
restore, and ``backup.json`` lists what the backup holds.

The backup is built in ``DEST/.<name>.partial`` and renamed to ``DEST/<name>`` once
every file is written and flushed to disk: a folder with the final name is always
complete. ``<name>`` is ``timetagger-<UTC time>`` unless ``--name`` is given.
"""

import json
import os
import re
import shutil
import sqlite3
import time

from . import (
    EXIT_OK,
    EXIT_PROBLEM,
    Progress,
    UsageError,
    datadir,
    fsync_path,
    human_size,
    require_datadir,
    say,
    timestamp,
    user_files,
    user_of,
    users_dir,
)

EPILOG = """\
Each run writes a new folder DEST/timetagger-<UTC time> (or DEST/NAME with --name),
visible under that name only once complete. --keep N then removes all but the newest
N backups this command made in DEST. Restore with: python -m timetagger restore FOLDER
Exit code 0 when every file was copied and checked, 1 when a file could not be
copied or its copy failed the check (the rest is still written), 2 for a usage error.
"""

FORMAT = "timetagger-backup-1"
MANIFEST = "backup.json"
NAME_PATTERN = re.compile(r"timetagger-\d{8}T\d{6}Z(-\d+)?")
PAGES_PER_STEP = 1024  # copied per backup step (progress is shown between steps)


def add_arguments(parser):
    parser.add_argument("dest", metavar="DEST", help="the folder that holds backups")
    parser.add_argument(
        "--name",
        help="the backup's folder name inside DEST (default: timetagger-<UTC time>)",
    )
    parser.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="afterwards, keep only the newest N timetagger-<time> backups in DEST",
    )


def copy_database(source, target, progress=None):
    """Copy the SQLite file ``source`` to ``target`` as of one moment.

    Holding a read transaction on the source connection pins the snapshot for all
    steps of the backup, so writes by other connections (the server) neither
    block it nor make it start over. Returns the number of pages.
    """
    src = sqlite3.connect(source, timeout=30, isolation_level=None)
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            pages = [0]

            def step(status, remaining, total):
                pages[0] = total
                if progress:
                    progress(total - remaining, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            # One self-contained file (no -wal beside it); restore and the server
            # switch it back to WAL when they open it.
            dst.execute("PRAGMA journal_mode=DELETE")
            result = [row[0] for row in dst.execute("PRAGMA quick_check")]
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    fsync_path(target)
    if result != ["ok"]:
        raise sqlite3.DatabaseError("the copy fails the check: " + "; ".join(result))
    return pages[0]


def count_rows(filename):
    conn = sqlite3.connect(filename)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("records", "settings")
        }
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


def prune(dest, keep):
    """Remove all but the newest ``keep`` complete backups made by this command."""
    names = sorted(
        name
        for name in os.listdir(dest)
        if NAME_PATTERN.fullmatch(name)
        and os.path.isfile(os.path.join(dest, name, MANIFEST))
    )
    for name in names[: max(0, len(names) - keep)]:
        shutil.rmtree(os.path.join(dest, name))
        say(f"removed the old backup {os.path.join(dest, name)}")


def main(args):
    if args.keep is not None and args.keep < 1:
        raise UsageError("--keep needs a number of at least 1")
    require_datadir()
    source_dir = users_dir()
    dest = os.path.abspath(os.path.expanduser(args.dest))
    os.makedirs(dest, exist_ok=True)
    name = args.name or f"timetagger-{timestamp()}"
    if "/" in name or name.startswith(".") or not name.strip():
        raise UsageError(f"--name must be a plain folder name, not {name!r}")
    final = os.path.join(dest, name)
    if os.path.exists(final):
        if args.name:
            raise UsageError(f"{final} exists already")
        n = 2
        while os.path.exists(f"{final}-{n}"):
            n += 1
        final = f"{final}-{n}"
        name = os.path.basename(final)
    partial = os.path.join(dest, f".{name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(os.path.join(partial, "users"))
    started = time.time()
    manifest = {
        "format": FORMAT,
        "started": started,
        "datadir": datadir(),
        "users": [],
        "failed": [],
    }
    key_file = os.path.join(datadir(), "jwt.key")
    if os.path.isfile(key_file):
        shutil.copy2(key_file, os.path.join(partial, "jwt.key"))
        fsync_path(os.path.join(partial, "jwt.key"))
        manifest["jwt_key"] = True
    files = user_files(source_dir)
    progress = Progress()
    say(f"backing up {len(files)} user file(s) from {source_dir} into {final}")
    for i, filename in enumerate(files, 1):
        user = user_of(filename)
        label = repr(user) if user is not None else os.path.basename(filename)
        target = os.path.join(partial, "users", os.path.basename(filename))

        def show(done, total, i=i, label=label):
            progress.update(f"[{i}/{len(files)}] {label}: {done:,}/{total:,} pages")

        t0 = time.monotonic()
        try:
            copy_database(filename, target, show)
        except (sqlite3.Error, OSError) as err:
            progress.done()
            say(f"FAILED  {label} {filename}: {err}")
            manifest["failed"].append(
                {"file": os.path.basename(filename), "error": str(err)}
            )
            continue
        progress.done()
        counts = count_rows(target)
        size = os.path.getsize(target)
        manifest["users"].append(
            {
                "user": user,
                "file": os.path.basename(filename),
                "bytes": size,
                **counts,
            }
        )
        say(
            f"ok      {label} ({human_size(size)}, {counts.get('records', 0):,} records, "
            f"{counts.get('settings', 0):,} settings, {time.monotonic() - t0:.1f} s)"
        )
    manifest["finished"] = time.time()
    with open(os.path.join(partial, MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    fsync_path(os.path.join(partial, "users"))
    fsync_path(partial)
    os.rename(partial, final)
    fsync_path(dest)
    failed = len(manifest["failed"])
    say(
        f"backup {final}: {len(manifest['users'])} user file(s) in "
        f"{manifest['finished'] - started:.1f} s"
        + (f", {failed} FAILED" if failed else "")
    )
    if args.keep:
        prune(dest, args.keep)
    return EXIT_PROBLEM if failed else EXIT_OK
