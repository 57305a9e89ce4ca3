"""``python -m timetagger migrate --to TARGET``: move every user's data between the
SQLite files of a data directory and a PostgreSQL database, either way.

``--to postgresql://...`` copies the data directory (``--datadir``) into the database:
every user file's records, settings and userinfo rows (the stored JSON texts and
their ``st``, byte for byte), and ``jwt.key``, so that tokens stay valid. The userinfo
rows of shared reports (key ``share <key>``) go to ``tt_shares``, and come back from
there as the same userinfo rows. The files must not be open in a running server, and
the database must hold no user yet.

``--to DIR`` copies the database (``--from``, else the ``database_url`` setting) into
the data directory DIR: one SQLite file per user, in the layout the server makes,
and ``jwt.key``. DIR must hold no user file yet. The database is read in one snapshot,
so servers may go on running on it.

Nothing is deleted at the source: the round trip gives back the same rows.
"""

import os
import sqlite3

from . import (
    EXIT_OK,
    Progress,
    Refused,
    UsageError,
    datadir,
    refuse_if_in_use,
    require_datadir,
    say,
    user_files,
    user_of,
)

EPILOG = """\
Examples:
  python -m timetagger migrate --datadir ~/_timetagger --to postgresql://tt@db/tt
  python -m timetagger migrate --from postgresql://tt@db/tt --to ~/_timetagger2
Then start the server with --database_url (or --datadir) naming the new place.
Exit code 0 when everything was copied, 2 for a usage error, 3 when refused (a
server has the files open, or the target already holds users).
"""

TABLES = ("records", "settings", "userinfo")


def add_arguments(parser):
    parser.add_argument(
        "--to",
        required=True,
        metavar="TARGET",
        help="postgresql://... (from the datadir) or a directory (from the database)",
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the database to copy into --to DIR (default: the database_url setting)",
    )


def is_url(text):
    return text.startswith(("postgresql://", "postgres://"))


def main(args):
    from .. import config

    if is_url(args.to):
        if args.source:
            raise UsageError("--from is for a copy out of a database (--to DIR)")
        copied = to_database(args.to)
    else:
        source = args.source or config.database_url
        if not source:
            raise UsageError(
                "--to DIR copies a database: give --from postgresql://... "
                "(or set database_url)"
            )
        if not is_url(source):
            raise UsageError(f"--from must be a postgresql:// URL, not {source!r}")
        copied = to_directory(source, os.path.abspath(os.path.expanduser(args.to)))
    say(f"done: {copied} users copied")
    return EXIT_OK


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _column(value):
    """A JSON value as the server puts it in an indexed column (None: absent)."""
    return value if isinstance(value, (int, float, str)) else None


def _connect(url):
    from ..server._pgstore import DatabaseError, connect

    try:
        return connect(url, autocommit=True)
    except DatabaseError as err:
        raise UsageError(str(err)) from None


# %% Data directory -> database


def to_database(url):
    from ..server._pgstore import apply_schema, key_bytes

    require_datadir()
    files = user_files()
    refuse_if_in_use(files, "migrate")
    conn = _connect(url)
    try:
        apply_schema(conn)
        if conn.execute("SELECT 1 FROM tt_users LIMIT 1").fetchone():
            raise Refused(
                "the database already holds users: migrate into an empty database"
            )
        progress = Progress()
        count = 0
        with conn.transaction():
            key_file = os.path.join(datadir(), "jwt.key")
            if os.path.isfile(key_file):
                with open(key_file, encoding="utf-8") as f:
                    conn.execute(
                        "INSERT INTO tt_meta (name, value) VALUES ('jwt_key', %s)"
                        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        (f.read().strip(),),
                    )
            for i, filename in enumerate(files):
                user = user_of(filename)
                if user is None:
                    say(f"skipped {filename}: not a user's file name")
                    continue
                progress.update(f"[{i + 1}/{len(files)}] {user}")
                copy_file_to_database(conn, filename, user, key_bytes)
                count += 1
        progress.done()
        return count
    finally:
        conn.close()


def copy_file_to_database(conn, filename, user, key_bytes):
    from ..server._pgstore import SHARE_PREFIX

    source = sqlite3.connect(f"file:{filename}?mode=ro", uri=True)
    highest = 0.0
    try:
        source.execute("BEGIN")  # one snapshot of the file
        present = {
            name
            for (name,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        with conn.cursor() as cur:
            for table in TABLES:
                if table not in present:
                    continue
                records = table == "records"
                columns = "key, st, t1, t2, _ob" if records else "key, st, _ob"
                target = (
                    f"tt_{table} (username, key, st, t1, t2, ob)"
                    if records
                    else f"tt_{table} (username, key, st, ob)"
                )
                shares = []
                with cur.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in source.execute(f"SELECT {columns} FROM {table}"):
                        st = _number(row[1]) or 0.0
                        highest = max(highest, st)
                        key = str(row[0])
                        if records:
                            values = (user, key_bytes(key), st)
                            values += (_number(row[2]), _number(row[3]))
                        elif table == "userinfo" and key.startswith(SHARE_PREFIX):
                            share_key = key_bytes(key[len(SHARE_PREFIX) :])
                            shares.append((user, share_key, st, row[-1]))
                            continue
                        else:
                            values = (user, key_bytes(key), st)
                        copy.write_row((*values, row[-1]))
                if shares:
                    with cur.copy(
                        "COPY tt_shares (username, key, st, ob) FROM STDIN"
                    ) as copy:
                        for values in shares:
                            copy.write_row(values)
        conn.execute(
            "INSERT INTO tt_users (username, highest_st) VALUES (%s, %s)",
            (user, highest),
        )
    finally:
        source.close()


# %% Database -> data directory


def to_directory(url, target):
    from ..server import _store
    from ..server._pgstore import SCHEMA_VERSION, key_text
    from ..server._utils import user2filename

    users = os.path.join(target, "users")
    if user_files(users):
        raise Refused(f"{users} already holds user files: migrate into a new folder")
    conn = _connect(url)
    try:
        try:
            row = conn.execute(
                "SELECT value FROM tt_meta WHERE name = 'schema_version'"
            ).fetchone()
        except Exception:
            row = None
        if row is None or int(row[0]) != SCHEMA_VERSION:
            raise UsageError(
                f"{url} holds no TimeTagger data of schema {SCHEMA_VERSION}"
            )
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        os.makedirs(users, exist_ok=True)
        key = conn.execute(
            "SELECT value FROM tt_meta WHERE name = 'jwt_key'"
        ).fetchone()
        key_file = os.path.join(target, "jwt.key")
        if key and not os.path.exists(key_file):
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(key[0])
        names = [
            name for (name,) in conn.execute("SELECT username FROM tt_users ORDER BY 1")
        ]
        progress = Progress()
        for i, user in enumerate(names):
            progress.update(f"[{i + 1}/{len(names)}] {user}")
            filename = os.path.join(users, os.path.basename(user2filename(user)))
            out = _store.prepare(filename)
            try:
                out.execute("BEGIN")
                for table in TABLES:
                    copy_table_to_file(conn, out, table, user, key_text)
                copy_table_to_file(conn, out, "shares", user, key_text)
                out.execute("COMMIT")
                out.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                out.close()
        progress.done()
        conn.rollback()
        return len(names)
    finally:
        conn.close()


def copy_table_to_file(conn, out, table, user, key_text):
    import json

    from ..server._pgstore import SHARE_PREFIX

    with conn.cursor(name=f"tt_migrate_{table}") as cur:
        cur.itersize = 5000
        cur.execute(f"SELECT key, st, ob FROM tt_{table} WHERE username = %s", (user,))
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            if table == "records":
                batch = []
                for key, st, text in rows:
                    try:
                        ob = json.loads(text)
                    except ValueError:
                        ob = {}
                    ob = ob if isinstance(ob, dict) else {}
                    t1, t2 = (_column(ob.get(name)) for name in ("t1", "t2"))
                    batch.append((text, key_text(key), st, t1, t2))
                out.executemany(
                    "INSERT INTO records (_ob, key, st, t1, t2) VALUES (?, ?, ?, ?, ?)",
                    batch,
                )
            else:
                # A share is a userinfo row in the file, under ``share <key>``.
                into, prefix = table, ""
                if table == "shares":
                    into, prefix = "userinfo", SHARE_PREFIX
                out.executemany(
                    f"INSERT INTO {into} (_ob, key, st) VALUES (?, ?, ?)",
                    [(text, prefix + key_text(key), st) for key, st, text in rows],
                )
