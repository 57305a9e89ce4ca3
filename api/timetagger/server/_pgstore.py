"""PostgreSQL storage (the ``database_url`` setting): the same contract as the SQLite
``UserDB`` of ``_store``, with every piece of state in the database, so that any
number of API processes on any number of hosts answer any request.

Tables (schema below, versioned in ``tt_meta``, applied at start under an advisory
lock): ``tt_users`` (one row per user: its highest ``st``), ``tt_records``,
``tt_settings`` and ``tt_userinfo`` (one row per item: the JSON text exactly as
stored, its ``st``, for records ``t1``/``t2``), ``tt_shares`` (shared reports, read
from the table at each use), ``tt_login_checks`` (the password checks that ``_login``
counts), ``tt_processes`` (the listening processes, see ``Presence``), ``tt_meta``
(schema version, signing key) and the sequence ``tt_changes`` (change numbers). Every table but ``tt_meta``, ``tt_processes``
and ``tt_login_checks`` has the user name as the first column of its primary key, so
a distributed PostgreSQL (Citus) can shard them by it. Item keys are stored as
UTF-8 ``bytea``: a JSON key may hold U+0000, which ``text`` refuses.

Writes: a write transaction locks the user's ``tt_users`` row (``FOR UPDATE``), so the
writes of one user are serialised across processes, and takes
``st = max(database clock, highest st + 0.0001)`` under that lock: ``st`` grows
strictly in commit order on every host, whatever their clocks. The transaction ends
with ``pg_notify`` of what changed (the table and st, a new seed, a reset). A change
that polls or token checks see (records, settings, a reset, a seed) then gets a
change number (``announce``), and the write answers only once every other live
process has confirmed that number (``Presence``).

Knowing without asking: each process LISTENs on one connection (``Listener``) and
keeps, per user, the highest ``st`` of each table, the reset time and the token seeds.
A user's state is loaded once from the database, and from then on kept current by
the notifications, so a poll with nothing new, and the seed check of a token, query
nothing. Before every use, the listener's socket is drained without blocking. When
the listener's connection is lost, every state is forgotten (``generation``): until
it is listening again, each request loads the user's state from the database.
Never stale: once a write has answered, every process's next request sees it, since
every live process has applied it by then, or distrusts what it knows and loads the
user's state for each request until its listener has caught up (``Presence``:
clock and number checks, no query, so the poll with nothing new still reads no
table).

Reads and writes run in threads on pooled connections (psycopg 3 with psycopg_pool:
the same synchronous calls serve the event loop's rare state loads and the threads);
a pull reads one REPEATABLE READ snapshot.

What ``_server.build_server`` makes from this module when ``database_url`` is set:
the storage backend ``PgBackend`` (for ``_store.UserStores``), the counter of
password checks ``PgAttemptCounter`` (``_login.AttemptCounter``'s methods) and the
signing key of tokens (``shared_signing_key``, for ``_tokens.TokenSigner``). Each
holds its own connections and applies the schema before its first use.
"""

import asyncio
import json
import logging
import math
import os
import secrets
import select
import socket
import threading
import time
from collections import OrderedDict

from ._items import ErrorList, chunked
from ._store import LONG, PIECE, ST_STEP, encode
from ._threads import in_thread

logger = logging.getLogger("timetagger")

CHANNEL = "timetagger"
SCHEMA_LOCK = 7_474_616_700  # advisory lock key held while the schema is applied
POOL_MAX = 8  # pooled connections per process (the threads that read and write)
MAX_KNOWN = 20000  # users whose state a process keeps (a few hundred bytes each)
RECONNECT_DELAY = 1.0  # seconds between attempts to LISTEN again
# Strict news and revocation (``Presence``): each listening process beats in
# tt_processes every HEARTBEAT s, reading the newest change number; one whose last beat
# is older than LIVE is not waited for, and one that could not beat for STALE (< LIVE)
# forgets what it knew. A write waits at most ACK_TIMEOUT for every live process to
# confirm it has applied the write's change number; a process that has not answered
# by then is removed. Before that can happen, the laggard distrusts its memory (reads
# the tables for every request): when its last successful beat began more than
# TRUST_BEAT s ago, or when its listener has not applied a number that a beat read
# within LAG s of the beat before it began (that earlier beginning is before the
# number existed). So a laggard distrusts at most max(TRUST_BEAT, LAG) = 1 s after
# the write's number was drawn, while the writer waits ACK_TIMEOUT = 2 s from after
# that: 1 s of margin for a slow event loop. HEARTBEAT (0.5 s) < TRUST_BEAT and <
# LAG, so that a healthy process, whose listener hears a change within
# milliseconds, never distrusts.
HEARTBEAT = 0.5
TRUST_BEAT = 1.0
LAG = 1.0
STALE = 3.0
LIVE = 6.0
ACK_TIMEOUT = 2.0
FORGET_DEAD = 60.0  # rows of processes silent for this long are deleted

# Each entry is one schema version: the statements that lead to it from the one
# before. Never edit a released entry; append a new one.
MIGRATIONS = [
    [
        """CREATE TABLE tt_users (
            username text PRIMARY KEY,
            highest_st float8 NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE tt_records (
            username text NOT NULL,
            key bytea NOT NULL,
            st float8 NOT NULL,
            t1 float8,
            t2 float8,
            ob text NOT NULL,
            PRIMARY KEY (username, key)
        )""",
        "CREATE INDEX tt_records_st ON tt_records (username, st)",
        "CREATE INDEX tt_records_t1 ON tt_records (username, t1)",
        "CREATE INDEX tt_records_running ON tt_records (username, t1) WHERE t1 = t2",
        f"CREATE INDEX tt_records_long ON tt_records (username, t1) "
        f"WHERE t2 - t1 > {LONG}",
        """CREATE TABLE tt_settings (
            username text NOT NULL,
            key bytea NOT NULL,
            st float8 NOT NULL,
            ob text NOT NULL,
            PRIMARY KEY (username, key)
        )""",
        "CREATE INDEX tt_settings_st ON tt_settings (username, st)",
        """CREATE TABLE tt_userinfo (
            username text NOT NULL,
            key bytea NOT NULL,
            st float8 NOT NULL,
            ob text NOT NULL,
            PRIMARY KEY (username, key)
        )""",
        """CREATE TABLE tt_login_checks (
            username text NOT NULL,
            ip text NOT NULL,
            t float8 NOT NULL
        )""",
        "CREATE INDEX tt_login_checks_user ON tt_login_checks (username, ip, t)",
        "CREATE INDEX tt_login_checks_ip ON tt_login_checks (ip, t)",
    ],
    [
        # Shared reports (``_shares``), one row per share: the key without the
        # "share " of SQLite's userinfo key, the stored JSON exactly as SQLite keeps
        # it in userinfo (so that ``migrate`` gives back the same rows).
        """CREATE TABLE tt_shares (
            username text NOT NULL,
            key bytea NOT NULL,
            st float8 NOT NULL,
            ob text NOT NULL,
            PRIMARY KEY (username, key)
        )""",
        # A database of version 1 got shares only from ``migrate`` of a data
        # directory, as userinfo rows: they move to their table.
        "INSERT INTO tt_shares (username, key, st, ob)"
        " SELECT username, substring(key from 7), st, ob FROM tt_userinfo"
        " WHERE substring(key from 1 for 6) = 'share '::bytea",
        "DELETE FROM tt_userinfo WHERE substring(key from 1 for 6) = 'share '::bytea",
    ],
    [
        # The processes that listen (``Presence``): a heartbeat, and the number of
        # the last seed change they have heard of (the counter ``seed_changes``).
        """CREATE TABLE tt_processes (
            id text PRIMARY KEY,
            heartbeat timestamptz NOT NULL,
            seen bigint NOT NULL
        )""",
        "INSERT INTO tt_meta (name, value) VALUES ('seed_changes', '0')"
        " ON CONFLICT (name) DO NOTHING",
    ],
    [
        # Every change a poll or a token check sees (records, settings, reset, seed)
        # is numbered, not only seed changes: the numbers come from a sequence, drawn
        # after the change has committed (``announce``), which needs no lock.
        "CREATE SEQUENCE tt_changes",
        "SELECT setval('tt_changes', greatest(value::bigint, 1)) FROM tt_meta"
        " WHERE name = 'seed_changes'",
        "DELETE FROM tt_meta WHERE name = 'seed_changes'",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = {"records": "tt_records", "settings": "tt_settings"}


class DatabaseError(RuntimeError):
    """The database cannot be used (unreachable, or a schema newer than ours)."""


def _psycopg():
    import psycopg  # imported on first use: the SQLite default does not need it

    return psycopg


_raw_text = {}


def _bytes_loader(cur):
    """Load ``text`` as bytes on this cursor: stored JSON goes out undecoded."""
    if "loader" not in _raw_text:
        from psycopg.adapt import Loader

        class RawTextLoader(Loader):
            def load(self, data):
                return bytes(data)

        _raw_text["loader"] = RawTextLoader
    cur.adapters.register_loader("text", _raw_text["loader"])


def connect(url, autocommit=False, name="timetagger"):
    try:
        return _psycopg().connect(
            url,
            autocommit=autocommit,
            connect_timeout=10,
            application_name=name,
            # A dead server or network is noticed within about 15 s, not hours.
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=5,
        )
    except _psycopg().Error as err:
        raise DatabaseError(f"cannot connect to the database: {err}".strip()) from None


# %% The schema


def apply_schema(conn):
    """Bring the database to SCHEMA_VERSION, under an advisory lock (several
    processes starting at once apply each step once). Returns the version found."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS tt_meta (name text PRIMARY KEY, value text)"
        )
        row = conn.execute(
            "SELECT value FROM tt_meta WHERE name = 'schema_version'"
        ).fetchone()
        found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise DatabaseError(
                f"the database has schema version {found}, newer than this "
                f"TimeTagger's ({SCHEMA_VERSION}): upgrade TimeTagger"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO tt_meta (name, value) VALUES ('schema_version', %s)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
    return found


def prepare_database(url):
    """Reach the database of ``url`` and bring its schema up to date (raises
    ``DatabaseError`` when it cannot be used)."""
    conn = connect(url, autocommit=True)
    try:
        apply_schema(conn)
    except _psycopg().Error as err:
        raise DatabaseError(f"cannot use the database: {err}".strip()) from None
    finally:
        conn.close()


def shared_signing_key(url):
    """The signing key of tokens kept in the database of ``url`` (created there on
    first use): every process and host signs and checks with the same one."""
    import secrets

    conn = connect(url, autocommit=True)
    try:
        apply_schema(conn)
        return signing_key_in(conn, secrets.token_urlsafe(32))
    except _psycopg().Error as err:
        raise DatabaseError(f"cannot use the database: {err}".strip()) from None
    finally:
        conn.close()


def signing_key_in(conn, new_key):
    """The signing key of tokens, kept in ``tt_meta`` so that every process and
    host signs and checks with the same one; ``new_key`` is stored if there is none."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO tt_meta (name, value) VALUES ('jwt_key', %s)"
            " ON CONFLICT (name) DO NOTHING",
            (new_key,),
        )
        return conn.execute(
            "SELECT value FROM tt_meta WHERE name = 'jwt_key'"
        ).fetchone()[0]


# %% What a write knows, and the item rules


class Known:
    """Inside a write transaction: the user's highest st, reset time and the
    database clock, read under the lock of the user's row."""

    __slots__ = ("highest", "reset_time", "now")

    def __init__(self, highest, reset_time, now):
        self.highest = highest
        self.reset_time = reset_time
        self.now = now

    def next_st(self):
        return max(self.now, self.highest + ST_STEP)


def _as_number(value, default):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            return float(value)
    return default


def _loads(text):
    try:
        ob = json.loads(text)
    except ValueError:
        return None
    return ob if isinstance(ob, dict) else None


def key_bytes(key):
    return key.encode("utf-8", "surrogatepass")


def key_text(raw):
    return bytes(raw).decode("utf-8", "surrogatepass")


def userinfo_ob(key, value, st):
    return {"key": key, "st": st, "mt": st, "value": value}


LOCK_USER = (
    "SELECT u.highest_st, extract(epoch FROM clock_timestamp())::float8,"
    " (SELECT ob FROM tt_userinfo i WHERE i.username = u.username"
    "  AND i.key = 'reset_time'::bytea)"
    " FROM tt_users u WHERE u.username = %s FOR UPDATE OF u"
)


def known_from(row):
    """What a write must know, from the row of LOCK_USER (None: no such user)."""
    if row is None:
        return None
    highest, now, reset_text = row
    reset_ob = _loads(reset_text) if reset_text else None
    reset_time = _as_number((reset_ob or {}).get("value"), 0.0)
    return Known(_as_number(highest, 0.0), reset_time, now)


def lock_user(conn, username):
    """Lock the user's row and read what a write must know (None: no such user)."""
    return known_from(conn.execute(LOCK_USER, (username,)).fetchone())


# %% Writing a PUT's items

PUT_CHUNK = 2000  # items per look-up and per write statement of a PUT

# The columns of a written item after (username, key, st), and the statement that
# writes new keys (plain INSERT: see put_transaction) and the one that overwrites
# stored keys.
ITEM_COLUMNS = {
    "records": ("t1 float8", "t2 float8", "ob text"),
    "settings": ("ob text",),
}


def insert_sql(kind, overwrite):
    names = [column.split()[0] for column in ITEM_COLUMNS[kind]]
    arrays = ", ".join(f"%b::{column.split()[1]}[]" for column in ITEM_COLUMNS[kind])
    sql = (
        f"INSERT INTO {TABLES[kind]} (username, key, st, {', '.join(names)})"
        f" SELECT %s, k, %s, {', '.join(names)} FROM unnest(%b::bytea[], {arrays})"
        f" AS x(k, {', '.join(names)})"
    )
    if overwrite:
        sql += " ON CONFLICT (username, key) DO UPDATE SET st = excluded.st, " + (
            ", ".join(f"{name} = excluded.{name}" for name in names)
        )
    return sql


INSERT_NEW = {kind: insert_sql(kind, False) for kind in TABLES}
OVERWRITE = {kind: insert_sql(kind, True) for kind in TABLES}


def query_stored(conn, kind, username, chunk):
    """Send the query of the stored JSON of the keys of ``chunk``; returns its
    cursor. One primary-key probe per key (LATERAL ... LIMIT 1), whatever the
    planner's statistics say: ``key = ANY(...)`` on a table not yet analysed was
    planned as a scan of all the user's rows (100 ms for 100,000 records)."""
    keys = list({key_bytes(key) for key, _, _ in chunk})
    return conn.execute(
        "SELECT r.key, r.ob FROM unnest(%b::bytea[]) AS k(key) CROSS JOIN LATERAL"
        f" (SELECT key, ob FROM {TABLES[kind]} WHERE username = %s AND key = k.key"
        " LIMIT 1) AS r",
        (keys, username),
    )


def apply_item_rules(kind, chunk, stored_text, st, reset_time, answer):
    """The rules of ``_store.write_items`` for one chunk of PUT entries ``(key,
    item_or_None, error)``: an item modified before the last reset is refused; a
    refused item's stored version is re-written (its st advances); a stored item
    with a higher ``mt`` wins; every written item gets the one new ``st``. The
    verdicts go to ``answer`` (accepted, failed, errors); returns key -> the item
    to write."""
    accepted, failed, errors = answer
    reset_floor = math.floor(reset_time)
    current = {}
    for key, item, error in chunk:
        if item is not None and reset_time and item["mt"] < reset_floor:
            item = None
            error = f"{kind[:-1]} {key!r} was modified before the last reset"
        if key in current:
            old = current[key]
        else:
            text = stored_text.get(key)
            old = None if text is None else _loads(text)
        if item is None:
            failed.append(key)
            errors.append(error)
            if old is None:
                continue
            new = old
        else:
            accepted.append(key)
            old_mt = _as_number(old.get("mt"), -math.inf) if old else -math.inf
            new = old if old_mt > item["mt"] else item
        new["st"] = st
        current[key] = new
    return current


def send_writes(conn, kind, username, st, current, stored_text):
    """Send the statements that write ``current`` (key -> item): the keys not
    stored yet with a plain INSERT, the others with an upsert."""
    fresh, stored = [], []
    for key, ob in current.items():
        (stored if key in stored_text else fresh).append((key, ob))
    for items, sql in ((fresh, INSERT_NEW[kind]), (stored, OVERWRITE[kind])):
        if not items:
            continue
        columns = [[key_bytes(key) for key, _ in items]]
        if kind == "records":
            columns.append([_as_number(ob.get("t1"), None) for _, ob in items])
            columns.append([_as_number(ob.get("t2"), None) for _, ob in items])
        columns.append([encode(ob) for _, ob in items])
        conn.execute(sql, (username, st, *columns))


def put_transaction(conn, username, kind, entries):
    """Store validated PUT entries ``(key, item_or_None, error)`` (a list or a lazy
    ``_items.PutItems``) with the rules of ``apply_item_rules``, in one transaction
    under the user's row lock; record the new highest st and notify the other
    processes. Returns ``((accepted, failed, errors), changes)``.

    Sent in pipeline mode: a body of up to PUT_CHUNK items costs two round trips
    (lock and look up the stored versions; then write, record, notify and commit).
    Keys that the look-up did not find are written with a plain INSERT, cheaper than
    an upsert: no other transaction can add them meanwhile, since every write of
    the user's items holds its row lock. A chunk's look-up sees what the chunks
    before it wrote (a key repeated further on finds the version written before).
    Once committed, the change gets its number (``announce``, in the same pipeline):
    ``changes["seq"]``, which every process confirms before the PUT answers."""
    chunks = chunked(entries, PUT_CHUNK)
    chunk = next(chunks, [])  # a body found invalid here writes nothing
    answer = ([], [], ErrorList())
    with conn.pipeline():
        with conn.transaction():
            changes = put_items_in(conn, username, kind, chunks, chunk, answer)
        if changes:
            changes["seq"] = announce(conn)
    return answer, changes


def put_items_in(conn, username, kind, chunks, chunk, answer):
    """Inside ``put_transaction``'s transaction: lock, look up, write, record the
    new highest st and notify; returns the changes (empty: nothing written)."""
    written = False
    locked = conn.execute(LOCK_USER, (username,))
    found = query_stored(conn, kind, username, chunk)
    known = known_from(locked.fetchone())
    if known is None:  # the user's first write: its row is made, then locked
        conn.execute(
            "INSERT INTO tt_users (username) VALUES (%s) ON CONFLICT DO NOTHING",
            (username,),
        )
        known = lock_user(conn, username)
        found = query_stored(conn, kind, username, chunk)  # now under the lock
    st = known.next_st()
    while chunk:
        stored_text = {key_text(raw): text for raw, text in found.fetchall()}
        current = apply_item_rules(
            kind, chunk, stored_text, st, known.reset_time, answer
        )
        if current:
            send_writes(conn, kind, username, st, current, stored_text)
            written = True
        chunk = next(chunks, None)
        if chunk:
            found = query_stored(conn, kind, username, chunk)
    changes = {"st": st, "table": kind} if written else {}
    if written:
        conn.execute(
            "UPDATE tt_users SET highest_st = %s WHERE username = %s",
            (st, username),
        )
        conn.execute(
            "SELECT pg_notify(%s, %s)", (CHANNEL, notice_text(username, changes))
        )
    return changes


def put_userinfo(conn, username, key, value, st):
    conn.execute(
        "INSERT INTO tt_userinfo (username, key, st, ob) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (username, key) DO UPDATE SET st = excluded.st, ob = excluded.ob",
        (username, key_bytes(key), st, encode(userinfo_ob(key, value, st))),
    )


def write_reset(conn, username, known):
    st = known.next_st()
    put_userinfo(conn, username, "reset_time", st, st)
    return st, {"st": st, "reset_time": st}


def write_seed(conn, username, known, name, rotate):
    import secrets

    row = conn.execute(
        "SELECT ob, st FROM tt_userinfo WHERE username = %s AND key = %s",
        (username, key_bytes(name)),
    ).fetchone()
    seed = (_loads(row[0]) or {}).get("value") if row else None
    if isinstance(seed, str) and seed and not rotate:
        return seed, {"seed": (name, seed, row[1])}
    seed = secrets.token_urlsafe(8)
    st = known.next_st()
    put_userinfo(conn, username, name, seed, st)
    return seed, {"st": st, "seed": (name, seed, st)}


SHARE_PREFIX = "share "  # of the stored JSON's key, as SQLite's userinfo has it


def write_share(conn, username, known, key, share, limit):
    """Store a shared report; False (nothing written) when the user has ``limit``
    shares already (counted under the user's row lock: no race past it)."""
    (count,) = conn.execute(
        "SELECT count(*) FROM tt_shares WHERE username = %s", (username,)
    ).fetchone()
    if count >= limit:
        return False, {}
    st = known.next_st()
    conn.execute(
        "INSERT INTO tt_shares (username, key, st, ob) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (username, key) DO UPDATE SET st = excluded.st, ob = excluded.ob",
        (
            username,
            key_bytes(key),
            st,
            encode(userinfo_ob(SHARE_PREFIX + key, share, st)),
        ),
    )
    return True, {"st": st}


def delete_share(conn, username, known, key):
    """Remove a shared report; whether it was there."""
    cur = conn.execute(
        "DELETE FROM tt_shares WHERE username = %s AND key = %s",
        (username, key_bytes(key)),
    )
    return cur.rowcount > 0, {}


def in_write_transaction(conn, username, func, *args):
    """Run ``func(conn, username, known, *args)`` in one transaction under the user's
    row lock; record the new highest st and notify the other processes."""
    with conn.transaction():
        known = lock_user(conn, username)
        if known is None:
            conn.execute(
                "INSERT INTO tt_users (username) VALUES (%s) ON CONFLICT DO NOTHING",
                (username,),
            )
            known = lock_user(conn, username)
        result, changes = func(conn, username, known, *args)
        if "st" in changes:
            conn.execute(
                "UPDATE tt_users SET highest_st = %s WHERE username = %s",
                (changes["st"], username),
            )
            conn.execute(
                "SELECT pg_notify(%s, %s)", (CHANNEL, notice_text(username, changes))
            )
    return result, changes


def to_announce(changes):
    """Whether a commit changed what a poll or a token check sees (then every
    process must confirm it before the write answers)."""
    return "st" in changes and (
        "table" in changes or "reset_time" in changes or "seed" in changes
    )


# The next change number, and its notification. Drawn after the change committed: a
# listener that has applied number n has applied every change whose number was drawn
# before n (notifications arrive in commit order; n's transaction began after those
# changes committed). Not flushed at commit: a number lost in a crash of the database
# costs nothing (every process forgets what it knew when its listener is cut).
ANNOUNCE = (
    "WITH m AS MATERIALIZED (SELECT nextval('tt_changes') AS n)"
    " SELECT n, pg_notify(%s, json_build_object('seq', n)::text) FROM m"
)
# The newest number drawn (0: none yet).
NEWEST_CHANGE = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM tt_changes"


def announce(conn):
    """Draw the next change number and notify it (see ANNOUNCE); returns it. Sent in
    pipeline mode: two round trips (the statements, then the commit)."""
    with conn.pipeline(), conn.transaction():
        conn.execute("SET LOCAL synchronous_commit TO off")
        return conn.execute(ANNOUNCE, (CHANNEL,)).fetchone()[0]


def notice_text(username, changes):
    """The payload of the notification of a commit (at most 8000 bytes: a user
    name is at most 255 characters)."""
    return json.dumps({"u": username, **changes}, ensure_ascii=True)


# %% Reads


class Pull:
    """One consistent read for ``GET updates`` (see ``_store.Pull``): used in a
    thread, ``with pull:`` opens a REPEATABLE READ snapshot on a pooled connection.
    Always ``big``: the API reads it in a thread, never on the event loop."""

    big = True

    def __init__(self, store, username, since, everything, bound):
        self.store = store
        self.username = username
        self.since = None if everything else since
        self.bound = bound
        self.conn_cm = None
        self.conn = None
        self.server_time = None

    def __enter__(self):
        self.conn_cm = self.store.pool().connection()
        self.conn = self.conn_cm.__enter__()
        try:
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = self.conn.execute(
                "SELECT highest_st FROM tt_users WHERE username = %s", (self.username,)
            ).fetchone()
            highest = _as_number(row[0], 0.0) if row else 0.0
            self.server_time = max(highest + ST_STEP, self.bound)
        except BaseException as err:
            self.conn_cm.__exit__(type(err), err, err.__traceback__)
            raise
        return self

    def pieces(self, kind):
        """The stored JSON texts as UTF-8 pieces of up to PIECE items joined by
        ``", "``, read through a server-side cursor (never the whole table at once)."""
        condition, params = "", (self.username,)
        if self.since is not None:
            condition, params = " AND st >= %s", (self.username, self.since)
        cur = self.conn.cursor(name="tt_pull")
        _bytes_loader(cur)
        cur.itersize = PIECE
        cur.execute(
            f"SELECT ob FROM {TABLES[kind]} WHERE username = %s{condition}", params
        )
        try:
            while True:
                rows = cur.fetchmany(PIECE)
                if not rows:
                    return
                yield b", ".join([row[0] for row in rows])
        finally:
            cur.close()

    def __exit__(self, *exc):
        try:
            self.conn.rollback()  # read only: nothing to keep
        finally:
            self.conn_cm.__exit__(*exc)
            self.conn = self.conn_cm = None


def connection_pool(url, name, max_size):
    """A pool of autocommit connections (transactions are begun explicitly), named
    ``name`` in the database's list of sessions."""
    from psycopg_pool import ConnectionPool

    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "connect_timeout": 10, "application_name": name},
        open=True,
        name=name,
        # A connection is checked (one empty query) as it is handed out: after a
        # restart or failover of the database, no request gets a dead one.
        check=ConnectionPool.check_connection,
    )


def range_query(a, b, running):
    """SQL and parameters for the records overlapping [a, b]: short records by
    their t1, long ones and old running ones through their partial indices."""
    extra = ""
    if running is True:
        extra = " AND t1 = t2"
    elif running is False:
        extra = " AND t1 != t2"
    lo = a - LONG
    parts = [
        "SELECT ob FROM tt_records WHERE username = %(u)s AND t1 >= %(lo)s"
        f" AND t1 <= %(b)s AND t2 - t1 <= {LONG} AND (t2 >= %(a)s OR t1 = t2)" + extra
    ]
    if running is not True:
        parts.append(
            "SELECT ob FROM tt_records WHERE username = %(u)s"
            f" AND t2 - t1 > {LONG} AND t1 <= %(b)s AND t2 >= %(a)s" + extra
        )
    if running is not False:
        parts.append(
            "SELECT ob FROM tt_records WHERE username = %(u)s AND t1 = t2"
            " AND t1 < %(lo)s AND t1 <= %(b)s" + extra
        )
    return " UNION ALL ".join(parts), {"a": a, "b": b, "lo": lo}


class RangeRead:
    """The records of a time range (see ``_store.RangeRead``); always ``big``, so
    the API reads it in a thread, on a pooled connection."""

    big = True

    def __init__(self, store, username, a, b, running):
        self.store = store
        self.username = username
        self.query = (a, b, running)
        self.conn_cm = None

    def __enter__(self):
        sql, params = range_query(*self.query)
        params["u"] = self.username
        self.conn_cm = self.store.pool().connection()
        conn = self.conn_cm.__enter__()
        try:
            rows = conn.execute(sql, params).fetchall()
        except BaseException as err:
            self.conn_cm.__exit__(type(err), err, err.__traceback__)
            self.conn_cm = None
            raise
        return (text for (text,) in rows)

    def __exit__(self, *exc):
        if self.conn_cm is not None:
            self.conn_cm.__exit__(*exc)
            self.conn_cm = None


# %% Knowing: the listener and the per-user state


class Listener:
    """LISTENs for the notifications of every process's commits, on a connection of
    its own, read only on the event loop's thread (``drain``)."""

    def __init__(self, store):
        self.store = store
        self.conn = None
        self.generation = 0  # bumped whenever listening (re)starts
        self.connecting = False
        self.last_attempt = 0.0
        self.loop = None
        self.fd = None

    @property
    def listening(self):
        return self.conn is not None

    def start(self):
        """Listen now (blocking: at start, and on the first request)."""
        self._install(*self._connect())

    def _connect(self):
        """A listening connection, and this process's registration made after its
        LISTEN (see ``Presence.register``)."""
        name = f"timetagger-listen {os.getpid()}"  # which process, in pg_stat_activity
        conn = connect(self.store.url, autocommit=True, name=name)
        try:
            conn.execute(f"LISTEN {CHANNEL}")
            registration = self.store.presence.register(conn)
        except BaseException:
            conn.close()
            raise
        return conn, registration

    def _install(self, conn, registration=None):
        self.connecting = False
        if conn is None:
            if self.loop is not None:  # try again, requests or not
                self.loop.call_later(RECONNECT_DELAY, self.reconnect_soon, True)
            return
        if self.conn is not None:
            conn.close()
            self.store.presence.unregister([registration[0]])
            return
        self.conn = conn
        self.generation += 1  # states loaded from now on are kept current
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        self.fd = conn.fileno()
        if self.loop is not None:
            self.loop.add_reader(self.fd, self.drain)
        self.store.presence.use(*registration, self.loop)

    def lost(self, why):
        if self.conn is None:
            return
        logger.warning("lost the database notifications (%s): listening again", why)
        self._stop_reading()
        try:
            self.conn.close()
        except Exception:
            pass
        self.conn = None
        self.generation += 1  # what was known is forgotten
        self.store.forget_all()
        self.store.presence.stop()  # ... and then no seed change waits for us
        # Listen again after a pause (a server that restarts is not hammered);
        # meanwhile every request reads the state from the tables.
        self.last_attempt = time.monotonic()
        if self.loop is not None:
            self.loop.call_later(RECONNECT_DELAY, self.reconnect_soon, True)

    def drain(self):
        """Apply the notifications that have arrived, without blocking."""
        conn = self.conn
        if conn is None:
            self.reconnect_soon()
            return
        if not self.store.presence.current():
            # Others may have stopped waiting for us: what we know may be stale.
            self.lost(f"no heartbeat written for {STALE:g} s")
            return
        pgconn = conn.pgconn
        try:
            readable, _, _ = select.select([self.fd], [], [], 0)
            if readable:
                pgconn.consume_input()
            while True:
                notice = pgconn.notifies()
                if notice is None:
                    break
                self.store.notice(notice.extra)
            if pgconn.status != 0:  # not CONNECTION_OK
                raise OSError("the connection is closed")
        except Exception as err:
            self.lost(str(err).strip() or type(err).__name__)

    def reconnect_soon(self, timer=False):
        """Try to listen again (in a thread, at most once per RECONNECT_DELAY, or
        when the ``timer`` set for that delay fires)."""
        now = time.monotonic()
        if self.connecting or (now - self.last_attempt < RECONNECT_DELAY and not timer):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.loop = loop
        self.connecting = True
        self.last_attempt = now

        def attempt():
            try:
                conn, registration = self._connect()
            except Exception as err:
                logger.warning("cannot listen for notifications: %s", err)
                conn, registration = None, None
            loop.call_soon_threadsafe(self._install, conn, registration)

        threading.Thread(target=attempt, daemon=True).start()

    def _stop_reading(self):
        if self.loop is not None and self.fd is not None:
            try:
                self.loop.remove_reader(self.fd)
            except (ValueError, OSError, RuntimeError):
                pass
        self.fd = None

    def close(self):
        if self.conn is not None:
            self._stop_reading()
            self.conn.close()
            self.conn = None
        self.store.presence.close()


class Presence:
    """This process's row in ``tt_processes``, which makes news and revocation
    strict: once a write of records or settings, a reset, or ``webtoken?reset=1``
    (or ``apitoken?reset=1``) has answered, the next request to any process sees it.

    Once such a change has committed, it gets the next number of the sequence
    ``tt_changes``, notified on the channel (``announce``). Each process, as its
    listener applies a number (and so every change before it), writes the highest one
    into its row (``seen``; confirmations are batched: one in flight at a time); the
    process that made the change answers only once every live process has
    (``PgBackend.await_acks``, at most ACK_TIMEOUT; one that did not is removed from
    the table and logged). A process registers after its LISTEN with the newest number
    as it is then (what it loads from then on is current, and it hears of every later
    change), and again, under a new id, whenever it listens again; when it loses its
    listening connection it forgets what it knew and leaves the table.

    Liveness: every HEARTBEAT s the process writes its heartbeat and reads the newest
    number. A process is waited for while its heartbeat is younger than LIVE s; one
    that has not written one for STALE s, or whose row was removed, forgets what it
    knew and registers anew. Before a writer can give up on it, a process that is
    behind distrusts what it knows (``trusted``, see LAG): its requests read the
    tables until its listener catches up. The hot paths read only ``current()`` and
    ``trusted()``: clocks and numbers, no query. The writes run in one thread of their
    own on a connection of their own (not flushed at commit: nothing in the table
    outlives a crash of the database), not held up by a busy pool.
    """

    def __init__(self, store):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        self.store = store
        self.prefix = (
            f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"
        )
        self.count = 0
        self.id = None  # the row of the current listening connection
        self.last_beat = 0.0  # monotonic time when the last heartbeat written began
        self.beat_timer = None
        self.applied = 0  # the highest change number the listener has applied
        # (number, since): numbers read by heartbeats and not applied yet, with the
        # beginning of the beat before the one that read them (they were drawn
        # after it).
        self.owed = deque()
        self.beats = 0
        self.acking = False  # a confirmation is in flight (the next one waits)
        self.to_ack = 0
        self.ack_lock = threading.Lock()
        self.conn = None  # used in the executor's thread only
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="timetagger-presence")
        self.closed = False

    def register(self, conn):
        """In the listener's thread, on its connection after LISTEN: a new row.
        Returns (its id, the monotonic time the registration began, the newest
        change number it was registered with)."""
        self.count += 1
        ident = f"{self.prefix}:{self.count}"
        began = time.monotonic()
        (newest,) = conn.execute(
            f"INSERT INTO tt_processes (id, heartbeat, seen)"
            f" SELECT %s, clock_timestamp(), ({NEWEST_CHANGE}) RETURNING seen",
            (ident,),
        ).fetchone()
        return ident, began, newest

    def use(self, ident, began, newest, loop):
        """The listener is installed: its row is ours; beat from now on."""
        self.id = ident
        self.last_beat = began
        self.applied = max(self.applied, newest)
        self.owed.clear()
        if self.beat_timer is not None:
            self.beat_timer.cancel()
            self.beat_timer = None
        if loop is not None:
            self.beat_timer = loop.call_later(HEARTBEAT, self.beat, loop)

    def current(self):
        return self.id is not None and time.monotonic() - self.last_beat < STALE

    def trusted(self):
        """Whether what the listener applied can answer requests: a heartbeat began
        less than TRUST_BEAT s ago, and no number the heartbeats read is still owed
        since more than LAG s (see LAG)."""
        now = time.monotonic()
        if self.id is None or now - self.last_beat >= TRUST_BEAT:
            return False
        owed = self.owed
        while owed and owed[0][0] <= self.applied:
            owed.popleft()
        return not owed or now - owed[0][1] < LAG

    def stop(self):
        """Listening stopped: leave the table (what we knew is forgotten already)."""
        if self.beat_timer is not None:
            self.beat_timer.cancel()
            self.beat_timer = None
        if self.id is not None:
            self.unregister([self.id])
            self.id = None

    def beat(self, loop):
        self.beat_timer = loop.call_later(HEARTBEAT, self.beat, loop)
        ident, began = self.id, time.monotonic()
        if ident is None or self.closed:
            return
        before = self.last_beat  # the numbers this beat reads that are new were
        # drawn after the last beat that succeeded began
        self.beats += 1
        prune = self.beats % 20 == 0

        def written(future):
            try:
                found, newest = future.result()
            except Exception as err:  # the next beats try again; STALE decides
                logger.warning("cannot write the heartbeat: %s", err)
                return
            if ident != self.id:
                return
            if not found:
                self.store.listener.lost("this process was taken for dead")
                return
            self.last_beat = max(self.last_beat, began)
            owed = self.owed
            if newest > self.applied and (not owed or newest > owed[-1][0]):
                if len(owed) >= 50:  # the last entry stands for this number too,
                    owed[-1] = (newest, owed[-1][1])  # with its earlier time
                else:
                    owed.append((newest, before))
            self.store.listener.drain()
            if not self.trusted() and owed:
                # Behind: a number of our own, once applied, proves that we caught
                # up (also when a number drawn elsewhere was never notified).
                self.executor.submit(self._probe)

        future = asyncio.wrap_future(self.executor.submit(self._beat, ident, prune))
        future.add_done_callback(written)

    def heard(self, seq):
        """On the event loop, once the listener applied change number ``seq`` (and
        so every one before): confirm it (one confirmation in flight at a time; it
        takes the highest number applied by then)."""
        if seq <= self.applied:
            return
        self.applied = seq
        if self.id is None or self.closed:
            return
        with self.ack_lock:
            self.to_ack = max(self.to_ack, seq)
            if self.acking:
                return
            self.acking = True
        self.executor.submit(self._ack, self.id)

    def unregister(self, idents):
        if not self.closed:
            self.executor.submit(self._delete, list(idents))

    def close(self):
        """Leave the table (waiting for that 2 s at most: a database that cannot be
        reached does not hold up the stop) and let go of the connection."""
        import concurrent.futures

        if self.closed:
            return
        self.stop()
        self.closed = True
        done = self.executor.submit(self._close)
        self.executor.shutdown(wait=False)
        try:
            done.result(timeout=2.0)
        except concurrent.futures.TimeoutError:
            pass

    # In the executor's thread

    def _connection(self):
        if self.conn is None or self.conn.closed:
            name = f"timetagger-presence {os.getpid()}"
            self.conn = connect(self.store.url, autocommit=True, name=name)
            try:
                self.conn.execute("SET synchronous_commit TO off")
            except BaseException:
                self.conn.close()
                self.conn = None
                raise
        return self.conn

    def _cursor(self, sql, params):
        try:
            return self._connection().execute(sql, params)
        except _psycopg().OperationalError:
            self.conn.close()
            self.conn = None
            raise

    def _run(self, sql, params):
        return self._cursor(sql, params).rowcount

    def _beat(self, ident, prune):
        """Write the heartbeat; returns (whether our row is there, the newest
        change number)."""
        row = self._cursor(
            "UPDATE tt_processes SET heartbeat = clock_timestamp() WHERE id = %s"
            f" RETURNING ({NEWEST_CHANGE})",
            (ident,),
        ).fetchone()
        if prune:
            self._run(
                "DELETE FROM tt_processes"
                " WHERE heartbeat < clock_timestamp() - make_interval(secs => %s)",
                (FORGET_DEAD,),
            )
        if row is None:
            return False, 0
        return True, row[0]

    def _probe(self):
        try:
            announce(self._connection())
        except Exception as err:
            if self.conn is not None and self.conn.broken:
                self.conn.close()
                self.conn = None
            logger.warning("cannot send a change number: %s", err)

    def _ack(self, ident):
        while True:
            with self.ack_lock:
                seq = self.to_ack
            try:
                self._run(
                    "UPDATE tt_processes SET seen = greatest(seen, %s) WHERE id = %s",
                    (seq, ident),
                )
            except Exception as err:  # the change waits, then goes on without us
                logger.warning("cannot confirm a change: %s", err)
            with self.ack_lock:
                if self.to_ack <= seq or self.closed:
                    self.acking = False
                    return

    def _delete(self, idents):
        try:
            self._run("DELETE FROM tt_processes WHERE id = ANY(%s)", (idents,))
        except Exception as err:  # the row expires after LIVE s anyway
            logger.warning("cannot leave tt_processes: %s", err)

    def _close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class PgUserDB:
    """One user's storage in PostgreSQL: the state the hot paths read (kept current
    by the listener) and the reads and writes of ``_store.UserDB``."""

    def __init__(self, store, username):
        self.store = store
        self.username = username
        self.lock = asyncio.Lock()  # this process's writes of the user, in order
        self.generation = None  # the listener generation the state is current for
        self.max_st = {"records": 0.0, "settings": 0.0}
        self.highest = 0.0
        self.reset_time = 0.0
        self.reset_st = 0.0
        self.seeds = {}
        self.seed_st = {}

    def __repr__(self):
        return f"<PgUserDB {self.username!r}>"

    def busy(self):
        return self.lock.locked()

    def close(self, background=False):
        """Nothing to let go of: the user has no connection of its own, and its
        state stays known to the backend (kept current by the listener)."""

    # State

    def refresh(self):
        """Make the state current: apply what the listener heard; load it from the
        database when it is not known to be current, or while this process may be
        behind a change another one has made (``Presence.trusted``: clock and number
        checks, no query)."""
        self.store.listener.drain()
        if self.generation is None or self.generation != self.store.listener.generation:
            self.load()
        elif not self.store.presence.trusted():
            self.load()

    def load(self):
        """Read the state; returns False when the user does not exist."""
        listener = self.store.listener
        generation = listener.generation if listener.listening else None
        row = self.store.loop_query(
            "SELECT u.highest_st,"
            " (SELECT max(st) FROM tt_records r WHERE r.username = u.username),"
            " (SELECT max(st) FROM tt_settings s WHERE s.username = u.username),"
            " (SELECT json_agg(json_build_array(convert_from(key, 'UTF8'), ob, st))"
            "  FROM tt_userinfo i WHERE i.username = u.username)"
            " FROM tt_users u WHERE u.username = %s",
            (self.username,),
        )
        if row is None:
            self.generation = None
            return False
        highest, records_st, settings_st, userinfo = row
        self.max_st = {
            "records": _as_number(records_st, 0.0),
            "settings": _as_number(settings_st, 0.0),
        }
        self.highest = _as_number(highest, 0.0)
        self.reset_time = self.reset_st = 0.0
        self.seeds, self.seed_st = {}, {}
        for key, text, st in userinfo or ():
            value = (_loads(text) or {}).get("value")
            if key == "reset_time":
                self.reset_time = _as_number(value, 0.0)
                self.reset_st = _as_number(st, 0.0)
            elif key in ("webtoken_seed", "apitoken_seed") and isinstance(value, str):
                self.seeds[key] = value
                self.seed_st[key] = _as_number(st, 0.0)
        self.generation = generation
        return True

    def apply(self, changes):
        """Apply what a commit changed (ours, or one another process notified)."""
        st = changes.get("st")
        if isinstance(st, (int, float)):
            self.highest = max(self.highest, st)
            table = changes.get("table")
            if table in self.max_st:
                self.max_st[table] = max(self.max_st[table], st)
            if "reset_time" in changes and st > self.reset_st:
                self.reset_time = changes["reset_time"]
                self.reset_st = st
        seed = changes.get("seed")
        if seed:
            name, value, seed_st = seed
            if seed_st >= self.seed_st.get(name, 0.0):
                self.seeds[name] = value
                self.seed_st[name] = seed_st

    def forget(self):
        self.generation = None

    def server_time(self, highest=None):
        """What the client sends as ``since`` next: the highest st known plus a
        step. Any write committed later has a larger st (writes of a user are
        serialised by its row lock and take ``st > highest``), so a client never
        misses one, even when this process has not heard of it yet."""
        high = self.highest if highest is None else max(highest, self.highest)
        return high + ST_STEP

    # Writes

    async def write(self, func, *args):
        async with self.lock:
            result, changes = await in_thread(
                self.store.run_write, self.username, func, *args
            )
            self.apply(changes)
        if "seq" in changes:
            await self.store.await_acks(changes["seq"])
        return result

    async def put_items(self, kind, entries, big=None):
        # As ``write``, with the PUT's own transaction (``put_transaction``).
        async with self.lock:
            result, changes = await in_thread(
                self.store.run_put, self.username, kind, entries
            )
            self.apply(changes)
        if "seq" in changes:
            await self.store.await_acks(changes["seq"])
        return result

    async def force_reset(self):
        return await self.write(write_reset)

    def confirm_seed(self, name, seed):
        """A token's seed differs from the one known: read the state from the
        database once, since a seed just made by another process may not have been
        heard of yet (a rare case: a new seed, or a revoked token)."""
        self.load()
        return self.seeds.get(name) == seed

    async def get_seed(self, name, rotate=False):
        self.refresh()
        seed = self.seeds.get(name)
        if seed and not rotate:
            return seed
        return await self.write(write_seed, name, rotate)

    async def put_share(self, key, share, limit):
        return await self.write(write_share, key, share, limit)

    async def delete_share(self, key):
        return await self.write(delete_share, key)

    # Reads

    def shares(self):
        """key -> stored shared report (a dict): read from the table each time, so a
        revocation through any process holds at once."""
        row = self.store.loop_query(
            "SELECT array_agg(key), array_agg(ob) FROM tt_shares WHERE username = %s",
            (self.username,),
        )
        found = {}
        for key, text in zip(*row, strict=True) if row and row[0] else ():
            value = (_loads(text) or {}).get("value")
            if isinstance(value, dict):
                found[key_text(key)] = value
        return found

    def pull(self, since, everything):
        return Pull(
            self.store, self.username, since, everything, self.highest + ST_STEP
        )

    def records_in_range(self, a, b, running):
        return RangeRead(self.store, self.username, a, b, running)

    def settings_pieces(self):
        row = self.store.loop_query(
            "SELECT convert_to(string_agg(ob, ', '), 'UTF8') FROM tt_settings"
            " WHERE username = %s",
            (self.username,),
        )
        return [bytes(row[0])] if row and row[0] else []


# %% The storage backend of this process


class PgBackend:
    """The storage backend of one ``database_url`` (see ``_server.storage_backend``)
    as this process uses it: a pool for the threads, one connection for the event
    loop's state loads, the listener, its ``Presence`` (one more connection), and the
    users whose state is known.

    For ``_store.UserStores``: ``exists(username)``, ``open(username)`` (a
    ``PgUserDB``) and ``close()``. ``connections`` is None: no user holds a
    connection of its own (``UserStores.counts()`` reports 0 connected users).
    """

    connections = None

    def __init__(self, url):
        self.url = url
        self._pool = None
        self.loop_conn = None
        self.listener = Listener(self)
        self.presence = Presence(self)
        self.users = OrderedDict()
        self.ack_waiters = []  # (change number, deadline, future) of waiting writes
        self.ack_watcher = None
        self.prepared = False

    def __repr__(self):
        return f"<PgBackend {self.url.partition('@')[2] or self.url!r}>"

    def exists(self, username):
        return self.get_user_db(username) is not None

    def open(self, username):
        return self.get_user_db(username, create=True)

    def touch(self, db):
        """A store ``UserStores`` kept is used again: it stays among the users whose
        state the listener keeps current (one dropped meanwhile is read again)."""
        if db.username in self.users:
            self.users.move_to_end(db.username)
        else:
            db.forget()
            self.users[db.username] = db

    def warm(self):
        """Apply the schema and connect the pool now (a process that serves
        requests: not during the first login)."""
        self.prepare_schema()
        self.pool()

    def prepare_schema(self):
        """Apply the schema (once per backend)."""
        if not self.prepared:
            prepare_database(self.url)
            self.prepared = True

    def prepare(self):
        """The schema, and listening (only where requests are served: a listener
        that is never read would hold back the server's queue of notifications)."""
        self.prepare_schema()
        if not self.listener.listening and self.listener.generation == 0:
            self.listener.start()

    def pool(self):
        if self._pool is None:
            self._pool = connection_pool(self.url, "timetagger", POOL_MAX)
        return self._pool

    def loop_query(self, sql, params):
        """One short query on the event loop's own connection (re-made once when it
        was lost)."""
        psycopg = _psycopg()
        for attempt in (1, 2):
            if self.loop_conn is None or self.loop_conn.closed:
                self.loop_conn = connect(self.url, autocommit=True)
            try:
                return self.loop_conn.execute(sql, params).fetchone()
            except psycopg.OperationalError:
                self.loop_conn.close()
                self.loop_conn = None
                if attempt == 2:
                    raise

    def run_write(self, username, func, *args):
        """In a thread: ``func`` in a write transaction on a pooled connection; a
        change that polls or token checks see then gets its number (``announce``)."""
        with self.pool().connection() as conn:
            result, changes = in_write_transaction(conn, username, func, *args)
            if to_announce(changes):
                changes["seq"] = announce(conn)
        return result, changes

    def run_put(self, username, kind, entries):
        """In a thread: the items of a PUT written on a pooled connection."""
        with self.pool().connection() as conn:
            return put_transaction(conn, username, kind, entries)

    async def await_acks(self, seq):
        """Wait until every other live process has applied change ``seq`` (see
        ``Presence``); after ACK_TIMEOUT, remove those that have not (they distrust
        what they know by then, and forget it at their next heartbeat) and go on.
        One watcher reads tt_processes for all the writes that wait at once."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self.ack_waiters.append((seq, time.monotonic() + ACK_TIMEOUT, done))
        if self.ack_watcher is None or self.ack_watcher.done():
            self.ack_watcher = loop.create_task(self.watch_acks())
        await done

    async def watch_acks(self):
        failures = 0
        while self.ack_waiters:
            try:
                live = await in_thread(self.live_processes, self.presence.id)
            except Exception as err:  # the waits end at their deadline
                live = None
                failures += 1
                if failures == 1:
                    logger.warning("cannot read the confirmations of a write: %s", err)
            now = time.monotonic()
            waiting, removed = [], set()
            for seq, deadline, done in self.ack_waiters:
                behind = [ident for ident, seen in live or () if seen < seq]
                if done.done():  # the request was cancelled
                    continue
                if live is not None and not behind:
                    done.set_result(None)
                elif now >= deadline:
                    behind = [ident for ident in behind if ident not in removed]
                    if behind:
                        logger.warning(
                            "%d process(es) did not confirm a change within %g s: %s"
                            " (removed; they forget what they knew)",
                            len(behind),
                            ACK_TIMEOUT,
                            ", ".join(behind)[:500],
                        )
                        removed.update(behind)
                        self.presence.unregister(behind)
                    done.set_result(None)
                else:
                    waiting.append((seq, deadline, done))
            self.ack_waiters = waiting
            if waiting:
                await asyncio.sleep(0.001 if live is not None else 0.05)

    def live_processes(self, own):
        """The other live processes, as (id, the change number confirmed)."""
        with self.pool().connection() as conn:
            return conn.execute(
                "SELECT id, seen FROM tt_processes WHERE id IS DISTINCT FROM %s"
                " AND heartbeat > clock_timestamp() - make_interval(secs => %s)",
                (own, LIVE),
            ).fetchall()

    def notice(self, payload):
        try:
            changes = json.loads(payload)
            seq = changes.get("seq")
            if isinstance(seq, int) and "u" not in changes:
                # A change number: every change before it has been applied.
                self.presence.heard(seq)
                return
            username = changes.pop("u")
            db = self.users.get(username)
        except (ValueError, KeyError, TypeError, AttributeError):
            logger.warning("ignored a malformed notification: %.100r", payload)
            return
        if db is not None and db.generation is not None:
            if isinstance(changes.get("seed"), list):
                changes["seed"] = tuple(changes["seed"])
            db.apply(changes)

    def forget_all(self):
        for db in self.users.values():
            db.forget()

    def get_user_db(self, username, create=False):
        self.prepare()
        db = self.users.get(username)
        if db is not None:
            self.users.move_to_end(username)
            if db.generation is not None:
                return db
        else:
            db = PgUserDB(self, username)
        self.listener.drain()
        if not db.load():
            if not create:
                return None
            self.loop_query(
                "INSERT INTO tt_users (username) VALUES (%s)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                (username,),
            )
            db.load()
        self.users[username] = db
        self.users.move_to_end(username)
        while len(self.users) > MAX_KNOWN:
            name, old = next(iter(self.users.items()))
            if old.busy():
                break
            del self.users[name]
        return db

    def close(self):
        self.listener.close()
        if self.loop_conn is not None:
            self.loop_conn.close()
            self.loop_conn = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None


# %% Counting password checks (see ``_login.AttemptCounter``)


class PgAttemptCounter:
    """``_login.AttemptCounter`` on the shared database of ``url``: the checks of
    every process and host are counted together. A reservation takes
    transaction-scoped advisory locks on the address and then the user name (always
    in that order), so that concurrent checks are counted one after the other. The
    checks run in one thread of their own, on one pooled connection (checked as it
    is handed out, so a restart of the database costs no login)."""

    def __init__(self, url):
        from concurrent.futures import ThreadPoolExecutor

        self.url = url
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="timetagger-logins")
        self.last_prune = 0.0
        self._pool = None
        self.closed = False

    def __repr__(self):
        return f"<PgAttemptCounter {self.url.partition('@')[2] or self.url!r}>"

    async def call(self, func, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, func, *args)

    def pool(self):
        """In the counter's thread: its pool of one connection (the schema is
        applied first)."""
        if self._pool is None:
            prepare_database(self.url)
            self._pool = connection_pool(self.url, "timetagger-logins", 1)
        return self._pool

    def close(self):
        """Close the pool once the checks under way are done (in their thread); a
        second call does nothing."""

        def close_pool():
            if self._pool is not None:
                self._pool.close()
                self._pool = None

        if self.closed:
            return
        self.closed = True
        self.executor.submit(close_pool)
        self.executor.shutdown(wait=False)

    def reserve(self, ip, user, limits):
        """Count and reserve one check (within the ``login_*`` settings of
        ``limits``): returns (failures of the address, of the user name), or raises
        ``_login.Blocked``."""
        from ._login import checks_counter, judge_checks

        now = time.time()
        window = limits.login_window
        since = now - window
        with self.pool().connection() as conn, conn.transaction():
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('tt-ip:' || %s)),"
                " pg_advisory_xact_lock(hashtext('tt-user:' || %s))",
                (ip, user),
            )
            counts = judge_checks(
                checks_counter(conn, "tt_login_checks", "username", "%s", since),
                ip,
                user,
                limits,
                now,
            )
            conn.execute(
                "INSERT INTO tt_login_checks (username, ip, t) VALUES (%s, %s, %s)",
                (user, ip, now),
            )
            if now - self.last_prune > 60:
                self.last_prune = now
                conn.execute("DELETE FROM tt_login_checks WHERE t <= %s", (since,))
        return counts

    def succeeded(self, ip, user):
        with self.pool().connection() as conn:
            conn.execute(
                "DELETE FROM tt_login_checks WHERE username = %s AND ip = %s",
                (user, ip),
            )
