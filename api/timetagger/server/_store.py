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
the WAL restarts from its beginning (see ``UserDB._catch_up``). Big writes use a
connection of their own that stays open, reading through a memory map.

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
"""

import asyncio
import json
import logging
import math
import os
import sqlite3
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from .. import config
from ._items import ErrorList, chunked
from ._memory import release_memory_soon
from ._utils import user2filename

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
MAX_CONNECTED = 8  # users whose connections stay open between their requests
BIG_WRITE = 200  # items per PUT above which the write runs in a thread
BIG_RANGE = 92 * 86400  # a GET records range wider than this runs in a thread
WAL_SOFT = 64 * 2**20  # a WAL this big gets a background checkpoint
WAL_HARD = 128 * 2**20  # a WAL this big is checkpointed before the next write
SQL_CHUNK = 500  # keys per "IN (...)" query
MMAP_SIZE = 2**30  # bytes of a database file read through a memory map
WRITER_CACHE_KIB = 16384  # page cache of the connection for big writes
WRITER_IDLE = 30  # seconds without a big write after which that connection is closed
READ_CACHE_KIB = 1024  # page cache of the other connections
MANY = 2000  # items above which a pull scans the table instead of the st index
PIECE = 4000  # items per piece of a big read (about half a megabyte of JSON)
ST_STEP = 0.0001

logger = logging.getLogger("timetagger")
encode = json.JSONEncoder(ensure_ascii=True).encode  # as itemdb encodes items
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="timetagger-db")
_checkpointer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timetagger-ckpt")


async def in_thread(func, *args):
    return await asyncio.get_running_loop().run_in_executor(_executor, func, *args)


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
    # its file is cut back to WAL_SOFT (the space a busy user reuses).
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(f"PRAGMA journal_size_limit={WAL_SOFT}")
    return conn


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


# %% Read operations


def read_pieces(conn, table, since=None):
    """The stored JSON texts of a table's items (those with ``st >= since``, when
    given) as UTF-8 pieces, each the items of up to PIECE keys joined with ``", "``;
    no items give no piece. Each piece is built by SQLite itself (no decoding per
    item), so a big table is never held as one text.

    Run it inside a read transaction, for one consistent snapshot.
    """
    condition, params = "", ()
    if since is not None:
        # The st index is the way to a few items; for many, a scan of the table is
        # several times faster than one index lookup per item.
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


class Pull:
    """One consistent read of a user's items for ``GET updates``, to be used in a
    thread: ``with pull:`` opens a snapshot on a connection of its own (without a
    memory map), ``server_time`` is known from then on, and ``pieces(table)`` gives
    the items (see ``read_pieces``). Leaving the block ends the read."""

    def __init__(self, filename, since, everything, bound):
        self.filename = filename
        self.since = None if everything else since
        self.bound = bound  # taken on the event loop, before the read
        self.conn = None
        self.server_time = None

    def __enter__(self):
        self.conn = connect(self.filename)
        try:
            self.conn.execute("BEGIN")
            self.server_time = max(highest_st(self.conn) + ST_STEP, self.bound)
        except BaseException:
            self.conn.close()
            raise
        return self

    def pieces(self, table):
        return read_pieces(self.conn, table, self.since)

    def __exit__(self, *exc):
        try:
            self.conn.execute("COMMIT")
        finally:
            self.conn.close()
            self.conn = None


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


class RangeRead:
    """The records of a time range for ``GET records``: ``with read as texts:``
    gives their JSON texts one by one, from one query (one snapshot). A wide range
    (``big``) is read on a connection of its own and should be used in a thread; a
    narrow one uses the event loop's connection and must be read without awaiting."""

    def __init__(self, db, a, b, running):
        self.db = db
        self.query = (a, b, running)
        self.big = abs(b - a) > BIG_RANGE
        self.conn = None

    def __enter__(self):
        if self.big:
            self.conn = connect(self.db.filename)
        else:
            self.db.refresh()
            self.conn = self.db.conn
        return read_records(self.conn, *self.query)

    def __exit__(self, *exc):
        if self.big:
            self.conn.close()
        self.conn = None


# %% The per-user object


class UserDB:
    """One user's database: a connection for the event loop and the hot state."""

    def __init__(self, username, filename):
        self.username = username
        self.filename = filename
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
        self.prepared = False  # the file has been checked by ``prepare``
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
        _keep_connected(self)

    def close(self):
        """Close the connections; the next ``refresh()`` opens them again."""
        _connected.pop(self, None)
        if self.writer_timer is not None:
            self.writer_timer.cancel()
            self.writer_timer = None
        for name in ("conn", "writer"):
            conn = getattr(self, name)
            if conn is not None:
                conn.close()
                setattr(self, name, None)

    def busy(self):
        """A write of this process is running or waiting."""
        return self.lock.locked() or bool(self.inflight)

    def refresh(self):
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

    def server_time(self, highest=None):
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

    def time_bound(self):
        bound = time.time()
        if config.workers > 1:
            bound -= 10.0
        if self.inflight:
            bound = min(bound, min(self.inflight.values()))
        return bound

    # Writes

    async def write(self, func, *args, big=False):
        """Run a write function (see above) in a write transaction; returns its result.

        Small writes run right here (no thread hop: a one-record PUT takes a fraction
        of a millisecond), with what the in-memory state knows; big ones run in a
        thread with a connection of their own.
        """
        async with self.lock:
            if self.wal_size() > WAL_HARD:
                await self._catch_up()
            self.refresh()
            try:
                if not big:
                    result, changes = transaction(self.conn, self._known, func, *args)
                    self._apply(changes)  # our own commit leaves data_version as is
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
        if self.checkpointing is not None or self.wal_size() <= WAL_SOFT:
            return
        future = asyncio.get_running_loop().run_in_executor(
            _checkpointer, checkpoint, self.filename
        )
        self.checkpointing = future

        def done(fut):
            self.checkpointing = None
            if not fut.cancelled() and fut.exception() is not None:
                logger.warning("checkpoint of %s failed: %s", self, fut.exception())

        future.add_done_callback(done)

    async def _catch_up(self):
        """Under the write lock: checkpoint the whole WAL. A background checkpoint
        under a steady stream of writes never reaches the last frame, and SQLite
        restarts the WAL from its beginning only once every frame is in the
        database file; so when the WAL passes WAL_HARD, the writes of this process
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

    async def put_items(self, kind, entries, big=None):
        """``write_items`` of the entries; ``big`` (in a thread) defaults to whether
        there are more than BIG_WRITE of them (give it for a lazy iterable)."""
        if big is None:
            big = len(entries) > BIG_WRITE
        return await self.write(write_items, kind, entries, big=big)

    async def force_reset(self):
        return await self.write(write_reset)

    def confirm_seed(self, name, seed):
        """Whether ``seed`` is the current seed ``name`` after all (``refresh()``
        already read the file's state: no)."""
        return False

    async def get_seed(self, name, rotate=False):
        self.refresh()
        seed = self.seeds.get(name)
        if seed and not rotate:
            return seed
        return await self.write(write_seed, name, rotate)

    # Reads

    def pull(self, since, everything):
        """A ``Pull`` of the items with ``st >= since`` (or of all), to be read in a
        thread. Its server_time is at least what ``server_time()`` says now."""
        bound = max(self.time_bound(), self.highest + ST_STEP)
        return Pull(self.filename, since, everything, bound)

    def records_in_range(self, a, b, running):
        """A ``RangeRead`` of the records overlapping [a, b] (see ``read_records``)."""
        return RangeRead(self, a, b, running)

    def settings_pieces(self):
        """The stored JSON texts of all settings, as pieces (see ``read_pieces``)."""
        self.refresh()
        self.conn.execute("BEGIN")
        try:
            return list(read_pieces(self.conn, "settings"))
        finally:
            self.conn.execute("COMMIT")


# %% The open databases of this process


_open = OrderedDict()  # (datadir, username) -> UserDB, least recently used first
# The UserDBs whose connections are open, least recently used first. An open
# connection holds about 160 KiB (and its page cache, up to READ_CACHE_KIB); the
# connections of the users seen longest ago are closed, and opened again (in under
# a millisecond) at their next request.
_connected = OrderedDict()


def _keep_connected(db):
    _connected[db] = None
    _connected.move_to_end(db)
    excess = len(_connected) - MAX_CONNECTED
    for old in list(_connected)[:excess] if excess > 0 else ():
        if old is not db and not old.busy():
            old.close()


def get_user_db(username, create=False):
    """The UserDB of a user; None when it does not exist (and ``create`` is false).

    The caller makes sure the name is acceptable (``username_problem``). With
    ``database_url`` set, the user's storage is in PostgreSQL (``_pgstore``).
    """
    if config.database_url:
        from ._pgstore import get_user_db as get_pg_user_db

        return get_pg_user_db(username, create)
    key = (config.datadir, username)
    db = _open.get(key)
    if db is not None:
        _open.move_to_end(key)
        if db in _connected:
            _connected.move_to_end(db)
        return db
    filename = user2filename(username)
    if not os.path.isfile(filename):
        if not create:
            return None
        os.makedirs(os.path.dirname(filename), exist_ok=True)
    db = UserDB(username, filename)
    _open[key] = db
    if len(_open) > MAX_OPEN:
        for name, old in list(_open.items())[: len(_open) - MAX_OPEN]:
            if not old.busy():
                del _open[name]
                old.close()
    return db
