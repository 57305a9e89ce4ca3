"""Per-user storage: one SQLite file per user, in the format itemdb writes, plus the
small in-memory state that lets the hot paths answer without reading a table.

The file holds the tables ``records`` (keyed by key, indexed on st, t1, t2),
``settings`` and ``userinfo`` (keyed by key, indexed on st), each row a JSON object in
``_ob`` plus its indexed fields, exactly as itemdb (and so the original TimeTagger) lays
them out; a data directory can move between the two. We add two partial indices
(running records, records longer than a day) for the time-range query, drop itemdb's
redundant second index on the primary key, switch the file to WAL mode and write with
``synchronous=NORMAL``: a committed transaction survives a crash of the process, and a
commit costs no fsync. Checkpoints (which do fsync) run in a background thread once
the WAL passes 64 MiB; past 128 MiB the writes wait until it is all copied, so that
the WAL restarts from its beginning (see ``UserDB._catch_up``). On a small file
system both limits shrink to a share of its size (``wal_limits``). Big writes use a
connection of their own that stays open, reading through a memory map.

A new user's file is made whole under a temporary name and then linked into place
(``create_user_file``). A storage error of a request is turned into its answer by
``storage_failure`` (507 for a full disk, 503 for a damaged file, see ``_health``),
which knows the request's file from ``current_user``; ``SQLiteFiles.admit`` refuses a
quarantined file until it has been replaced.

Each ``UserDB`` keeps one connection open for the event loop, and in memory: the
highest ``st`` of each table, the reset time and the two token seeds. Before every use,
``refresh()`` asks SQLite for ``PRAGMA data_version``, which changes only when another
connection (another worker, or one of our threads) committed: only then is the state
read again. So a poll with nothing new, and the seed check of a token, read no table,
while a token revoked through another worker is refused at once.

The ``st`` of every write is ``max(now, highest st in the file + 0.0001)``, taken inside
the write transaction: ``st`` grows strictly in commit order, so a client that sends
back the ``server_time`` it was given never misses a later write (see ``server_time``).
Big reads and writes run in a thread with a connection of their own; writes of one user
are serialised in the process by an asyncio lock, and across processes by SQLite. Only
the users seen last keep their connections open between requests (MAX_CONNECTED).

Reads return data, never an answer: a pull (``Pull``) gives the stored JSON texts in
pieces from one snapshot, a time range (``RangeRead``) the texts one by one; the API
handlers encode and compress them.

Which object stores a user's data: ``UserStores`` maps a user name to its store
object, for one storage backend. This module's backend is ``SQLiteFiles`` (a file per
user, a ``UserDB`` per file); ``_server.storage_backend`` is where the backend is
chosen: the other one, ``_pgstore.PgBackend`` (the ``database_url`` setting), has the
same two methods, ``exists(username)`` and ``open(username)``, and store objects with
``UserDB``'s public methods (see docs/api.md, "Storage backends").
"""

import asyncio
import contextvars
import json
import logging
import math
import os
import secrets
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from . import _health
from ._items import ErrorList, chunked
from ._memory import release_memory_soon
from ._threads import in_thread
from ._utils import datadir_path, user_file

TABLE_INDICES = {
    "userinfo": ("!key", "st"),
    "records": ("!key", "st", "t1", "t2"),
    "settings": ("!key", "st"),
}
LONG = 86400  # records longer than this live in their own (small) partial index
EXTRA_INDICES = (
    "CREATE INDEX IF NOT EXISTS tt_records_running ON records (t1) WHERE t1 = t2",
    f"CREATE INDEX IF NOT EXISTS tt_records_long ON records (t1) WHERE t2 - t1 > {LONG}",
)
BUSY_TIMEOUT = 30  # seconds a write waits for another process's write
MAX_OPEN = 256  # users whose state (seeds, highest st) is kept in memory
MAX_CONNECTED = 8  # users whose connections stay open however long they are idle
CONNECTED_IDLE = 60  # seconds: users seen within them keep their connections too
MAX_ACTIVE = 16  # ... but at most this many (each holds ~150 KiB)
BIG_WRITE = 200  # items per PUT above which the write runs in a thread
BIG_RANGE = 92 * 86400  # a GET records range wider than this runs in a thread
WAL_SOFT = 64 * 2**20  # a WAL this big gets a background checkpoint
WAL_HARD = 128 * 2**20  # a WAL this big is checkpointed before the next write
WAL_DISK_SHARE = 64  # on a small disk the soft limit is 1/64 of the file system
WAL_SOFT_MIN = 256 * 1024
SQL_CHUNK = 500  # keys per "IN (...)" query
MMAP_SIZE = 2**30  # bytes of a database file read through a memory map
WRITER_CACHE_KIB = 16384  # page cache of the connection for big writes
WRITER_IDLE = 30  # seconds without a big write after which that connection is closed
READ_CACHE_KIB = 1024  # page cache of the other connections
MANY = 2000  # items above which a pull scans the table instead of the st index
SMALL_READ = 200  # items a pull may have to be read on the event loop
READER_IDLE = 2  # seconds without a big read after which the reader is closed
# (a burst of big reads shares it; an idle user's reader holds no memory for long)
PIECE = 4000  # items per piece of a big read (about half a megabyte of JSON)
ST_STEP = 0.0001

logger = logging.getLogger("timetagger")
encode = json.JSONEncoder(ensure_ascii=True).encode  # as itemdb encodes items
_checkpointer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timetagger-ckpt")


# %% Connections and transactions


def connect(filename, cache_kib=READ_CACHE_KIB, mmap=False):
    """A connection to a user's file in our settings."""
    conn = sqlite3.connect(
        filename,
        timeout=BUSY_TIMEOUT,
        isolation_level=None,  # autocommit; we issue BEGIN/COMMIT ourselves
        check_same_thread=False,
        cached_statements=64,
    )
    conn.execute("PRAGMA synchronous=NORMAL")
    # Pages are read into a small page cache: SQLite's default (2 MiB) would be kept
    # by every open user. Only the connection for big writes reads through a memory
    # map (random keys, no system call per page) and keeps a big page cache, which
    # holds a transaction's changed pages until the commit instead of spilling them
    # to the WAL half-way. The pages of a memory map count in the process's memory
    # (RSS) while the connection lives, up to 64 KiB for each page read (the kernel
    # maps the cached pages around it too): 150 KiB more for every open user.
    conn.execute(f"PRAGMA mmap_size={MMAP_SIZE if mmap else 0}")
    conn.execute(f"PRAGMA cache_size=-{cache_kib}")
    # No checkpoints on commit: they are run in the background (see ``UserDB``), so
    # a write seldom waits for the fsync a checkpoint needs. When the WAL restarts,
    # its file is cut back to the soft limit (the space a busy user reuses).
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(f"PRAGMA journal_size_limit={wal_limits(filename)[0]}")
    return conn


_wal_limits = {}  # folder -> (soft, hard)


def wal_limits(filename):
    """The WAL sizes (soft, hard) for a file: WAL_SOFT and WAL_HARD, or on a small
    file system 1/WAL_DISK_SHARE of its size (and twice that), so that the WAL of
    a busy user never holds much of a small disk."""
    folder = os.path.dirname(filename)
    limits = _wal_limits.get(folder)
    if limits is None:
        try:
            st = os.statvfs(folder)
            share = st.f_blocks * st.f_frsize // WAL_DISK_SHARE
        except OSError:
            share = WAL_SOFT
        soft = max(WAL_SOFT_MIN, min(WAL_SOFT, share))
        limits = _wal_limits[folder] = (soft, soft * WAL_HARD // WAL_SOFT)
    return limits


def checkpoint(filename, mode="PASSIVE"):
    """Copy the WAL into the database file (PASSIVE: without blocking anyone)."""
    conn = connect(filename)
    try:
        return conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        conn.close()


def prepare(filename):
    """Create or upgrade the file (tables through itemdb itself, so the layout is
    exactly itemdb's), then add our indices and switch to WAL. Returns a connection."""
    import itemdb

    db = itemdb.ItemDB(filename)
    try:
        for table, indices in TABLE_INDICES.items():
            db.ensure_table(table, *indices)
    finally:
        db.close()
    conn = connect(filename)
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        for sql in EXTRA_INDICES:
            conn.execute(sql)
        for table in TABLE_INDICES:
            # itemdb also indexes the primary key, a second copy of it that every
            # write of a random key must update; the original never needs it (its
            # itemdb only re-creates indices when columns are missing).
            conn.execute(f"DROP INDEX IF EXISTS idx_{table}_key")
    except BaseException:
        conn.close()
        raise
    return conn


def create_user_file(filename):
    """Make a new user's file, complete with its web token seed, under a temporary
    name in the same folder, and link it into place only then: a full disk or a
    crash leaves no empty or half-made user file (the temporary one is removed on
    failure; its name does not end with ``.db``, so no command takes it for a user).
    A file another worker created meanwhile is kept, and this one dropped."""
    folder, name = os.path.split(filename)
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(
        folder, f".{name}.new-{os.getpid()}-{secrets.token_hex(4)}"
    )
    try:
        conn = prepare(temporary)
        try:
            transaction(conn, None, write_seed, "webtoken_seed", False)
        finally:
            conn.close()  # the last connection: the WAL is folded in and removed
        try:
            os.link(temporary, filename)  # never replaces a file
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not os.path.exists(filename):
                os.rename(temporary, filename)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(temporary + suffix)
            except FileNotFoundError:
                pass


class Known:
    """What a write must know about the file: the highest st (in any table) and the
    reset time. Read inside the write transaction, or taken from the in-memory state
    when ``PRAGMA data_version`` shows that no other connection wrote since."""

    __slots__ = ("highest", "reset_time")

    def __init__(self, highest, reset_time):
        self.highest = highest
        self.reset_time = reset_time

    @classmethod
    def from_tables(cls, conn):
        reset_time = _as_number(userinfo_value(conn, "reset_time"), 0.0)
        return cls(highest_st(conn), reset_time)

    def next_st(self):
        """The st for a write starting now: later than every st in the file."""
        return max(time.time(), self.highest + ST_STEP)


def transaction(conn, known, func, *args):
    """Run ``func(conn, known, *args)`` in one write transaction.

    ``known`` is a callable returning a ``Known``, called once the write lock is
    held (None: read it from the tables). Returns what ``func`` returns.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        state = Known.from_tables(conn) if known is None else known()
        result = func(conn, state, *args)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def highest_st(conn):
    """The highest st in the file (records, settings, userinfo; 0 when empty)."""
    best = 0.0
    for table in TABLE_INDICES:
        value = conn.execute(f"SELECT max(st) FROM {table}").fetchone()[0]
        if isinstance(value, (int, float)) and value > best:
            best = float(value)
    return best


def userinfo_value(conn, key):
    row = conn.execute("SELECT _ob FROM userinfo WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0]).get("value")
    except (ValueError, AttributeError):
        return None


def put_userinfo(conn, key, value, st):
    ob = {"key": key, "st": st, "mt": st, "value": value}
    conn.execute(
        "INSERT OR REPLACE INTO userinfo (_ob, key, st) VALUES (?, ?, ?)",
        (encode(ob), key, st),
    )


def _as_number(value, default):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            return value
    return default


# %% Write operations: each runs inside ``transaction`` and returns
# ``(result, changes)``, where ``changes`` tells the in-memory state what was written.


def write_items(conn, known, kind, entries):
    """Store validated PUT entries ``(key, item_or_None, error)`` (see ``_items``).

    The result is ``(accepted, failed, errors)``. Rules: an item with ``mt`` before
    the last reset is refused; an invalid or refused item's stored version is
    re-written; a stored item with a higher ``mt`` wins over the incoming one (and is
    re-written); every written item gets the same new ``st``. ``entries`` may be a
    lazy iterable (``_items.PutItems``): it is consumed and written in chunks, all in
    this one transaction, so a big body never has all its items in memory at once
    (a key repeated in a later chunk finds the version an earlier chunk wrote).
    ``errors`` is an ``ErrorList``: only the first messages are kept.
    """
    st = known.next_st()
    reset_time = known.reset_time
    reset_floor = math.floor(reset_time)
    accepted, failed, errors = [], [], ErrorList()
    written = False
    for chunk in chunked(entries, SQL_CHUNK):
        # The stored versions of the keys in this chunk, fetched in one query.
        keys = list({key for key, _, _ in chunk})
        marks = ",".join("?" * len(keys))
        stored_text = dict(
            conn.execute(f"SELECT key, _ob FROM {kind} WHERE key IN ({marks})", keys)
        )
        current = {}  # key -> the item as it will be after this chunk

        def stored(key, current=current, stored_text=stored_text):
            if key in current:
                return current[key]
            text = stored_text.get(key)
            if text is None:
                return None
            try:
                ob = json.loads(text)
            except ValueError:
                return None
            return ob if isinstance(ob, dict) else None

        for key, item, error in chunk:
            if item is not None and reset_time and item["mt"] < reset_floor:
                item = None
                error = f"{kind[:-1]} {key!r} was modified before the last reset"
            old = stored(key)
            if item is None:
                failed.append(key)
                errors.append(error)
                if old is None:
                    continue
                new = old  # re-write the stored version: its st advances
            else:
                accepted.append(key)
                old_mt = _as_number(old.get("mt"), -math.inf) if old else -math.inf
                new = old if old_mt > item["mt"] else item
            new["st"] = st
            current[key] = new
        if kind == "records":
            rows = [
                (encode(ob), key, st, ob.get("t1"), ob.get("t2"))
                for key, ob in current.items()
            ]
            conn.executemany(
                "INSERT OR REPLACE INTO records (_ob, key, st, t1, t2) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        else:
            rows = [(encode(ob), key, st) for key, ob in current.items()]
            conn.executemany(
                "INSERT OR REPLACE INTO settings (_ob, key, st) VALUES (?, ?, ?)", rows
            )
        written = written or bool(current)
    changes = {"st": st, "table": kind} if written else {}
    return (accepted, failed, errors), changes


def write_reset(conn, known):
    st = known.next_st()
    put_userinfo(conn, "reset_time", st, st)
    return st, {"st": st, "reset_time": st}


def write_seed(conn, known, name, rotate):
    """The seed ``name``, created (or replaced, with ``rotate``) when needed."""
    import secrets

    seed = userinfo_value(conn, name)
    if isinstance(seed, str) and seed and not rotate:
        return seed, {"seed": (name, seed)}
    seed = secrets.token_urlsafe(8)
    st = known.next_st()
    put_userinfo(conn, name, seed, st)
    return seed, {"st": st, "seed": (name, seed)}


SHARE_PREFIX = "share "  # userinfo keys of shared reports (see ``_shares``)


def write_share(conn, known, key, share, limit):
    """Store a shared report under ``share <key>``; False (nothing written) when the
    user has ``limit`` shares already."""
    count = conn.execute(
        "SELECT count(*) FROM userinfo WHERE key LIKE 'share %'"
    ).fetchone()[0]
    if count >= limit:
        return False, {}
    st = known.next_st()
    put_userinfo(conn, SHARE_PREFIX + key, share, st)
    return True, {"st": st}


def delete_share(conn, known, key):
    """Remove a shared report; whether it was there."""
    cursor = conn.execute("DELETE FROM userinfo WHERE key = ?", (SHARE_PREFIX + key,))
    return cursor.rowcount > 0, {}


# %% Read operations


def count_items(conn, since, limit):
    """The number of items (records and settings) with ``st >= since`` (None: of
    all items), counted up to ``limit`` per table: cheap however many there are."""
    total = 0
    for table in ("records", "settings"):
        if since is None:
            sql, params = f"SELECT 1 FROM {table} LIMIT ?", (limit,)
        else:
            sql, params = f"SELECT 1 FROM {table} WHERE st >= ? LIMIT ?", (since, limit)
        total += conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    return total


def read_pieces(conn, table, since=None, few=False):
    """The stored JSON texts of a table's items (those with ``st >= since``, when
    given) as UTF-8 pieces, each the items of up to PIECE keys joined with ``", "``;
    no items give no piece. Each piece is built by SQLite itself (no decoding per
    item), so a big table is never held as one text. ``few``: the caller knows that
    fewer than MANY items have ``st >= since``.

    Run it inside a read transaction, for one consistent snapshot.
    """
    condition, params = "", ()
    if since is not None:
        # The st index is the way to a few items; for many, a scan of the table is
        # several times faster than one index lookup per item.
        many = 0
        if not few:
            many = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE st >= ? LIMIT ?)",
                (since, MANY),
            ).fetchone()[0]
        if many < MANY:
            row = conn.execute(
                f"SELECT CAST(group_concat(_ob, ', ') AS BLOB) FROM {table}"
                " WHERE st >= ?",
                (since,),
            ).fetchone()
            if row[0]:
                yield row[0]
            return
        condition, params = " AND +st >= ?", (since,)  # "+st": not through the index
    # Pieces are ranges of the primary key: [lower, upper) holds PIECE keys. Finding
    # the bound skips keys in the b-tree without copying anything; a subquery with
    # LIMIT would copy every item once more.
    lower = None
    while True:
        start = "key >= ?" if lower is not None else "1"
        args = (lower,) if lower is not None else ()
        row = conn.execute(
            f"SELECT key FROM {table} WHERE {start} ORDER BY key LIMIT 1 OFFSET ?",
            (*args, PIECE),
        ).fetchone()
        upper = None if row is None else row[0]
        end = " AND key < ?" if upper is not None else ""
        text = conn.execute(
            f"SELECT CAST(group_concat(_ob, ', ') AS BLOB) FROM {table}"
            f" WHERE {start}{end}{condition}",
            (*args, *((upper,) if upper is not None else ()), *params),
        ).fetchone()[0]
        if text:
            yield text
        if upper is None:
            return
        lower = upper


class ThreadRead:
    """How a read gets its connection. A small read (``big`` false) uses the event
    loop's connection and must be done on the loop without awaiting; a big one is
    meant for a thread and uses the user's kept reader connection (``UserDB.reader``,
    lent to one read at a time; a second read at once gets a connection of its own),
    given back to the user on the event loop when the read ends."""

    def __init__(self, db, big):
        self.db = db
        self.big = big
        self.lent = db._lend_reader() if big else None
        self.conn = None

    def _connect(self):
        if not self.big:
            self.db.refresh()
            self.conn = self.db.conn
        else:
            conn, self.lent = self.lent, None
            self.conn = conn if conn is not None else connect(self.db.filename)
        return self.conn

    def _release(self):
        conn, self.conn = self.conn, None
        if self.big and conn is not None:
            try:  # the page cache a big read filled: a kept reader holds little
                conn.execute("PRAGMA shrink_memory")
            except sqlite3.Error:
                conn.close()
                return
            self.db._give_back_reader(conn)

    def __del__(self):  # never entered: the lent reader goes back
        if self.lent is not None:
            self.db._give_back_reader(self.lent)
            self.lent = None


class Pull(ThreadRead):
    """One consistent read of a user's items for ``GET updates``: ``with pull:``
    opens a snapshot, ``server_time`` is known from then on, and ``pieces(table)``
    gives the items (see ``read_pieces``). Leaving the block ends the read. ``big``
    (more than SMALL_READ items) tells to use it in a thread (see ``ThreadRead``)."""

    def __init__(self, db, since, bound, big):
        super().__init__(db, big)
        self.since = since  # None: every item
        self.bound = bound  # taken on the event loop, before the read
        self.server_time = None

    def __enter__(self):
        conn = self._connect()
        try:
            conn.execute("BEGIN")
            self.server_time = max(highest_st(conn) + ST_STEP, self.bound)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._release()
            raise
        return self

    def pieces(self, table: str) -> Iterator[bytes]:
        return read_pieces(self.conn, table, self.since, few=not self.big)

    def __exit__(self, *exc):
        try:
            self.conn.execute("COMMIT")
        finally:
            self._release()


def _range_query(a, b, running):
    """SQL and parameters for the records overlapping [a, b] (see ``read_records``)."""
    extra = ""
    if running is True:
        extra = " AND t1 = t2"
    elif running is False:
        extra = " AND t1 != t2"
    lo = a - LONG
    parts = [
        # Records up to a day long (running ones included) start after a - LONG.
        "SELECT _ob FROM records INDEXED BY idx_records_t1"
        f" WHERE t1 >= ? AND t1 <= ? AND t2 - t1 <= {LONG} AND (t2 >= ? OR t1 = t2)"
        + extra,
    ]
    params = [lo, b, a]
    if running is not True:
        # Records longer than a day: few, in their own partial index.
        parts.append(
            "SELECT _ob FROM records INDEXED BY tt_records_long"
            f" WHERE t2 - t1 > {LONG} AND t1 <= ? AND t2 >= ?" + extra
        )
        params += [b, a]
    if running is not False:
        # Running records that started before a - LONG: they run into the future.
        parts.append(
            "SELECT _ob FROM records INDEXED BY tt_records_running"
            " WHERE t1 = t2 AND t1 < ? AND t1 <= ?" + extra
        )
        params += [lo, b]
    return " UNION ALL ".join(parts), params


def read_records(conn, a, b, running):
    """The JSON texts of the records that overlap the time range [a, b], one by one.

    A record matches when ``t2 >= a and t1 <= b``; a running record (``t1 == t2``)
    matches when ``t1 <= b``. Instead of scanning half the table through one index,
    the query is split so that each part reads a narrow index range.
    """
    sql, params = _range_query(a, b, running)
    for (text,) in conn.execute(sql, params):
        yield text


class RangeRead(ThreadRead):
    """The records of a time range for ``GET records``: ``with read as texts:``
    gives their JSON texts one by one, from one query (one snapshot). A wide range
    (``big``, more than BIG_RANGE seconds) is meant for a thread (see
    ``ThreadRead``)."""

    def __init__(self, db, a, b, running):
        super().__init__(db, abs(b - a) > BIG_RANGE)
        self.query = (a, b, running)

    def __enter__(self):
        return read_records(self._connect(), *self.query)

    def __exit__(self, *exc):
        self._release()


# %% The per-user object


class UserDB:
    """One user's database: a connection for the event loop and the hot state.

    ``other_writers``: other processes (workers) may write the file too (see
    ``server_time``). ``connections``: the ``Connected`` set that limits how many
    users keep their connections open (None: this one's stay open).
    """

    def __init__(
        self,
        username: str,
        filename: str,
        other_writers: bool = False,
        connections: "Connected | None" = None,
    ):
        self.username = username
        self.filename = filename
        self.other_writers = other_writers
        self.connections = connections
        self.conn = None
        self.lock = asyncio.Lock()  # serialises this process's writes for the user
        self.data_version = None
        self.max_st = {"records": 0.0, "settings": 0.0}
        self.highest = 0.0  # highest st in the file, userinfo included
        self.reset_time = 0.0
        self.seeds = {}
        self.inflight = {}  # writes running in a thread: id -> lower bound of their st
        self.checkpointing = None  # the future of the background checkpoint
        self.writer = None  # the connection big writes use in a thread (warm cache)
        self.writer_timer = None  # closes the writer once big writes stop
        self.reader = None  # the connection big reads use in a thread, when not lent
        self.reader_timer = None  # closes the reader once big reads stop
        self.loop = None  # the event loop the reader goes back to
        self.prepared = False  # the file has been checked by ``prepare``
        self.wal_soft, self.wal_hard = wal_limits(filename)
        self.open()

    def __repr__(self):
        return f"<UserDB {self.username!r}>"

    def open(self):
        if self.prepared:
            self.conn = connect(self.filename)
        else:
            self.conn = prepare(self.filename)
            self.prepared = True
        self.data_version = None  # unknown: the state is read again
        self.refresh()
        if self.connections is not None:
            self.connections.keep(self)

    def close(self, background: bool = False) -> None:
        """Close the connections; the next ``refresh()`` opens them again.

        ``background``: close them in the checkpoint thread. Closing the last
        connection to a file in WAL mode checkpoints it (an fsync), which must not
        hold up the event loop when a busy user's connection is let go.
        """
        if self.connections is not None:
            self.connections.forget(self)
        for timer in ("writer_timer", "reader_timer"):
            if getattr(self, timer) is not None:
                getattr(self, timer).cancel()
                setattr(self, timer, None)
        for name in ("conn", "writer", "reader"):
            conn = getattr(self, name)
            if conn is not None:
                setattr(self, name, None)
                if background:
                    _checkpointer.submit(conn.close)
                else:
                    conn.close()

    def quarantine(self) -> None:
        """The file is damaged: close it (``_health`` keeps the user out until the
        file is replaced) and prepare the new file when it is opened again."""
        self.prepared = False
        self.data_version = None
        if not self.busy():
            self.close()
        elif self.conn is not None:
            if self.connections is not None:
                self.connections.forget(self)
            self.conn.close()  # the writer is closed once its write is over
            self.conn = None

    def busy(self) -> bool:
        """A write of this process is running or waiting."""
        return self.lock.locked() or bool(self.inflight)

    def refresh(self) -> None:
        """Re-read the state if another connection committed since we last looked."""
        if self.conn is None:
            self.open()
            return
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.data_version:
            self.load_state()
            self.data_version = version

    def load_state(self):
        conn = self.conn
        for table in ("records", "settings"):
            value = conn.execute(f"SELECT max(st) FROM {table}").fetchone()[0]
            self.max_st[table] = _as_number(value, 0.0)
        seeds = {}
        reset_time = 0.0
        highest = max(self.max_st.values())
        for key, text, st in conn.execute("SELECT key, _ob, st FROM userinfo"):
            highest = max(highest, _as_number(st, 0.0))
            try:
                value = json.loads(text).get("value")
            except (ValueError, AttributeError):
                continue
            if key == "reset_time":
                reset_time = _as_number(value, 0.0)
            elif key in ("webtoken_seed", "apitoken_seed") and isinstance(value, str):
                seeds[key] = value
        self.seeds = seeds
        self.reset_time = reset_time
        self.highest = highest

    def server_time(self, highest: float | None = None) -> float:
        """What the client should send as ``since`` next time.

        Any write that commits later gets an ``st`` at least this large: at least
        the highest ``st`` seen plus one step (st grows in commit order), and at most
        "now", or the start of a write still running in a thread. With several
        workers, a write may be running in another process, unseen: then ten
        seconds of margin are left (the client may get an item twice, never miss
        one). ``highest`` is the highest st of the snapshot the answer was read from.
        """
        high = self.highest if highest is None else max(highest, self.highest)
        return max(high + ST_STEP, self.time_bound())

    def time_bound(self) -> float:
        bound = time.time()
        if self.other_writers:
            bound -= 10.0
        if self.inflight:
            bound = min(bound, min(self.inflight.values()))
        return bound

    # The reader: a connection for big reads in a thread, kept while they come

    def _lend_reader(self):
        """On the event loop: the kept reader (None when it is lent or closed: the
        read opens a connection of its own)."""
        self.loop = asyncio.get_running_loop()
        conn, self.reader = self.reader, None
        return conn

    def _give_back_reader(self, conn):
        """From any thread: the reader back to its user, on the event loop."""
        loop = self.loop
        try:
            if loop is None or loop.is_closed():
                raise RuntimeError("no event loop to give the reader back to")
            loop.call_soon_threadsafe(self._keep_reader, conn)
        except RuntimeError:
            conn.close()

    def _keep_reader(self, conn):
        if self.reader is not None or self.conn is None:  # another one, or closed
            conn.close()
            return
        self.reader = conn
        if self.reader_timer is not None:
            self.reader_timer.cancel()
        self.reader_timer = self.loop.call_later(READER_IDLE, self._close_idle_reader)

    def _close_idle_reader(self):
        """READER_IDLE seconds after the last big read, the reader's page cache is
        given back."""
        self.reader_timer = None
        if self.reader is not None:
            self.reader.close()
            self.reader = None
            release_memory_soon()

    # Writes

    async def write(self, func, *args, big=False):
        """Run a write function (see above) in a write transaction; returns its result.

        Small writes run right here (no thread hop: a one-record PUT takes a fraction
        of a millisecond), with what the in-memory state knows; big ones run in a
        thread with a connection of their own.
        """
        async with self.lock:
            if self.wal_size() > self.wal_hard:
                await self._catch_up()
            self.refresh()
            try:
                if not big:
                    result, changes = transaction(self.conn, self._known, func, *args)
                    self._apply(changes)  # our own commit leaves data_version as is
                    _health.wrote(self.filename)
                    return result
                token = object()
                self.inflight[token] = time.time()
                try:
                    if self.writer is None:
                        self.writer = connect(
                            self.filename, WRITER_CACHE_KIB, mmap=True
                        )
                    result, _ = await in_thread(
                        transaction, self.writer, None, func, *args
                    )
                    _health.wrote(self.filename)
                    return result
                finally:
                    del self.inflight[token]
                    self.refresh()
                    self._close_writer_later()
            finally:
                self._maybe_checkpoint()

    def _close_writer_later(self):
        """The writer's page cache (up to WRITER_CACHE_KIB) stays warm while big
        writes keep coming; WRITER_IDLE seconds after the last one, it is closed and
        the memory given back."""
        if self.writer_timer is not None:
            self.writer_timer.cancel()
        loop = asyncio.get_running_loop()
        self.writer_timer = loop.call_later(WRITER_IDLE, self._close_idle_writer)

    def _close_idle_writer(self):
        self.writer_timer = None
        if self.writer is None:
            return
        if self.busy():
            self._close_writer_later()
            return
        self.writer.close()
        self.writer = None
        release_memory_soon()

    def wal_size(self):
        try:
            return os.stat(self.filename + "-wal").st_size
        except OSError:
            return 0

    def _maybe_checkpoint(self):
        """Start a background checkpoint when the WAL has grown (one at a time)."""
        if self.checkpointing is not None or self.wal_size() <= self.wal_soft:
            return
        future = asyncio.get_running_loop().run_in_executor(
            _checkpointer, checkpoint, self.filename
        )
        self.checkpointing = future

        def done(fut):
            self.checkpointing = None
            err = None if fut.cancelled() else fut.exception()
            if err is not None:
                if _health.is_out_of_space(err, self.filename):
                    _health.note_full(self.filename, err)  # logged once
                else:
                    logger.warning("checkpoint of %s failed: %s", self, err)

        future.add_done_callback(done)

    async def _catch_up(self):
        """Under the write lock: checkpoint the whole WAL. A background checkpoint
        under a steady stream of writes never reaches the last frame, and SQLite
        restarts the WAL from its beginning only once every frame is in the
        database file; so when the WAL passes its hard limit, the writes of this process
        wait while the rest is copied, and the next write restarts the WAL."""
        if self.checkpointing is not None:
            await asyncio.wait([self.checkpointing])
        await in_thread(checkpoint, self.filename)

    def _known(self):
        """Inside our write transaction: the state, re-read if another connection
        committed since the last refresh."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.data_version:
            self.load_state()
            self.data_version = version
        return Known(self.highest, self.reset_time)

    def _apply(self, changes):
        st = changes.get("st")
        if st is not None:
            self.highest = max(self.highest, st)
        if "table" in changes:
            self.max_st[changes["table"]] = max(self.max_st[changes["table"]], st)
        if "reset_time" in changes:
            self.reset_time = changes["reset_time"]
        if "seed" in changes:
            name, seed = changes["seed"]
            self.seeds[name] = seed

    async def put_items(
        self, kind: str, entries, big: bool | None = None
    ) -> tuple[list, list, ErrorList]:
        """``write_items`` of the entries; ``big`` (in a thread) defaults to whether
        there are more than BIG_WRITE of them (give it for a lazy iterable)."""
        if big is None:
            big = len(entries) > BIG_WRITE
        return await self.write(write_items, kind, entries, big=big)

    async def force_reset(self) -> float:
        return await self.write(write_reset)

    def confirm_seed(self, name: str, seed: str) -> bool:
        """Whether ``seed`` is the current seed ``name`` after all (``refresh()``
        already read the file's state: no)."""
        return False

    async def get_seed(self, name: str, rotate: bool = False) -> str:
        self.refresh()
        seed = self.seeds.get(name)
        if seed and not rotate:
            return seed
        return await self.write(write_seed, name, rotate)

    async def put_share(self, key: str, share: dict, limit: int) -> bool:
        """Store a shared report (False when the user has ``limit`` already)."""
        return await self.write(write_share, key, share, limit)

    async def delete_share(self, key: str) -> bool:
        """Remove a shared report; whether there was one with that key."""
        return await self.write(delete_share, key)

    # Reads

    def shares(self) -> dict:
        """key -> stored shared report (a dict) of the user."""
        self.refresh()
        found = {}
        rows = self.conn.execute(
            "SELECT key, _ob FROM userinfo WHERE key LIKE 'share %'"
        ).fetchall()
        for key, text in rows:
            try:
                value = json.loads(text).get("value")
            except (ValueError, AttributeError):
                continue
            if isinstance(value, dict) and key.startswith(SHARE_PREFIX):
                found[key[len(SHARE_PREFIX) :]] = value
        return found

    def pull(self, since: float, everything: bool) -> Pull:
        """A ``Pull`` of the items with ``st >= since`` (or of all). Up to
        SMALL_READ of them are read on the event loop's connection; more make a big
        pull, for a thread. Its server_time is at least what ``server_time()`` says
        now."""
        self.refresh()
        since = None if everything else since
        big = count_items(self.conn, since, SMALL_READ + 1) > SMALL_READ
        bound = max(self.time_bound(), self.highest + ST_STEP)
        return Pull(self, since, bound, big)

    def records_in_range(self, a: float, b: float, running: bool | None) -> RangeRead:
        """A ``RangeRead`` of the records overlapping [a, b] (see ``read_records``)."""
        return RangeRead(self, a, b, running)

    def settings_pieces(self) -> list[bytes]:
        """The stored JSON texts of all settings, as pieces (see ``read_pieces``)."""
        self.refresh()
        self.conn.execute("BEGIN")
        try:
            return list(read_pieces(self.conn, "settings"))
        finally:
            self.conn.execute("COMMIT")


# %% The user stores of this process


class Connected:
    """The UserDBs whose connections are open, least recently used first.

    An open connection holds some tens of KiB (and its page cache, up to
    READ_CACHE_KIB). The users seen in the last CONNECTED_IDLE seconds keep theirs
    (up to MAX_ACTIVE of them), so that a busy server does not close and open the
    connections of its active users over and over (each close of a file's last
    connection checkpoints it); of the others, only the MAX_CONNECTED seen last keep
    theirs. A closed connection is opened again (in under a millisecond) at the
    user's next request; it is closed in a thread (see ``UserDB.close``).
    """

    def __init__(self):
        self.dbs = OrderedDict()  # UserDB -> time of its last use (monotonic)

    def __contains__(self, db):
        return db in self.dbs

    def keep(self, db: UserDB) -> None:
        self.dbs[db] = time.monotonic()
        self.dbs.move_to_end(db)
        self._close_idle(db)

    def touch(self, db: UserDB) -> None:
        if db in self.dbs:
            self.dbs[db] = time.monotonic()
            self.dbs.move_to_end(db)
            self._close_idle(db)

    def _close_idle(self, current):
        if len(self.dbs) <= MAX_CONNECTED:
            return
        idle_since = time.monotonic() - CONNECTED_IDLE
        skipped = []  # busy ones stay open, and in their place
        for old, last_use in list(self.dbs.items()):
            if len(self.dbs) <= MAX_CONNECTED:
                break
            if last_use > idle_since and len(self.dbs) <= MAX_ACTIVE:
                break  # the rest were seen more recently still
            if old is current or old.busy():
                skipped.append(old)
                if len(skipped) > 8:
                    break  # never scan a long list on the event loop
                continue
            old.close(background=True)

    def forget(self, db: UserDB) -> None:
        self.dbs.pop(db, None)


class SQLiteFiles:
    """The SQLite storage backend of one data directory: a file per user under
    ``<datadir>/users`` (see ``_utils.user_file``), a ``UserDB`` per file.
    ``workers`` > 1: other processes write the same files."""

    def __init__(self, datadir: str, workers: int = 1):
        self.folder = datadir_path(datadir, "users")
        self.other_writers = workers > 1
        self.connections = Connected()

    def __repr__(self):
        return f"<SQLiteFiles {self.folder!r}>"

    def exists(self, username: str) -> bool:
        return os.path.isfile(user_file(self.folder, username))

    def admit(self, username: str, db: "UserDB | None") -> None:
        """Before a request uses a user's file: note it as the request's file (for
        ``storage_failure``), and refuse it (503) while it is quarantined as
        damaged (until ``repair`` has put another file in its place)."""
        filename = db.filename if db is not None else user_file(self.folder, username)
        current_user.set((filename, db))
        if _health.damaged and _health.still_damaged(filename):
            raise _health.Damaged()

    def open(self, username: str) -> UserDB:
        """The user's store, its file created (whole, see ``create_user_file``)
        when absent."""
        filename = user_file(self.folder, username)
        if not os.path.isfile(filename):
            create_user_file(filename)
            _health.wrote(filename)
        db = UserDB(username, filename, self.other_writers, self.connections)
        current_user.set((filename, db))
        return db

    def touch(self, db: UserDB) -> None:
        """The store is being used again (it keeps its connection longer)."""
        self.connections.touch(db)


class UserStores:
    """The one place that maps a user name to its store object, for one backend
    (see ``_server.storage_backend``). The stores of the MAX_OPEN users seen last are
    kept (their seeds and highest ``st`` stay in memory); older ones are closed."""

    def __init__(self, backend):
        self.backend = backend
        self.open = OrderedDict()  # username -> store, least recently used first

    def __repr__(self):
        return f"<UserStores of {self.backend!r}>"

    def get(self, username: str, create: bool = False) -> "UserDB | None":
        """The store of a user; None when it does not exist (and ``create`` is
        false). The caller makes sure the name is acceptable (``username_problem``).
        """
        db = self.open.get(username)
        admit = getattr(self.backend, "admit", None)
        if admit is not None:
            admit(username, db)  # may refuse the user (503, a damaged file)
        if db is not None:
            self.open.move_to_end(username)
            touch = getattr(self.backend, "touch", None)
            if touch is not None:
                touch(db)
            return db
        if not create and not self.backend.exists(username):
            return None
        db = self.backend.open(username)
        self.open[username] = db
        if len(self.open) > MAX_OPEN:
            for name, old in list(self.open.items())[: len(self.open) - MAX_OPEN]:
                if not old.busy():
                    del self.open[name]
                    old.close()
        return db

    def counts(self) -> tuple[int, int]:
        """(users whose state is in memory, users whose connections are open)."""
        connections = getattr(self.backend, "connections", None)
        return len(self.open), len(connections.dbs) if connections is not None else 0

    def close(self) -> None:
        """Close every store without a write under way (the others close when
        they are no longer used), then the backend's own resources (its optional
        ``close()``: PostgreSQL's pool and listener)."""
        for name, db in list(self.open.items()):
            if not db.busy():
                del self.open[name]
                db.close()
        close_backend = getattr(self.backend, "close", None)
        if close_backend is not None:
            close_backend()


# The user file the current request works on (each request runs in a task of its
# own, with its own context): ``storage_failure`` knows from it which file failed.
current_user = contextvars.ContextVar("timetagger_current_user", default=None)


def storage_failure(err: BaseException) -> "_health.HTTPError | None":
    """The answer to a storage error of the current request (see ``current_user``):
    507 for a full disk, 503 for a damaged file (closed and quarantined), or None
    for any other error."""
    filename, db = current_user.get() or (None, None)
    if filename is None:
        return None
    if _health.is_damage(err):
        if db is not None:
            db.quarantine()
        return _health.mark_damaged(filename, err)
    if _health.is_out_of_space(err, filename):
        return _health.out_of_space(filename, err)
    return None
