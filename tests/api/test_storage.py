"""The on-disk format: a data directory written through itemdb the way the original
TimeTagger writes it is served as is (tokens included), and what we write is read
back by itemdb with the same tables, columns and JSON items."""

import json
import os
import sqlite3
import time

import itemdb
import jwt
import pytest

from timetagger.server import user2filename

from .conftest import Client, record

pytestmark = pytest.mark.sqlite_only(reason="the layout and upkeep of the SQLite files")


def original_style_datadir(datadir, username):
    """jwt.key and one user database, made with itemdb like the original does."""
    users = datadir / "users"
    users.mkdir(parents=True)
    key = "k" * 43
    (datadir / "jwt.key").write_text(key)
    name = os.path.basename(user2filename(username))
    db = itemdb.ItemDB(str(users / name))
    db.ensure_table("userinfo", "!key", "st")
    db.ensure_table("records", "!key", "st", "t1", "t2")
    db.ensure_table("settings", "!key", "st")
    now = time.time()
    with db:
        db.put_one("userinfo", key="webtoken_seed", st=now, mt=now, value="seed123")
        db.put(
            "records",
            {"key": "old1", "mt": 5, "t1": 100, "t2": 200, "ds": "old #tag", "st": now},
            {"key": "old2", "mt": 5, "t1": 300, "t2": 300, "st": now},
        )
        db.put("settings", {"key": "theme", "mt": 5, "value": "dark", "st": now})
    db.close()
    token = jwt.encode(
        {"username": username, "expires": int(now) + 86400, "seed": "seed123"},
        key,
        algorithm="HS256",
    )
    return users / name, token


def test_serves_an_original_datadir_and_stays_readable(run_server, tmp_path):
    datadir = tmp_path / "data"
    db_file, token = original_style_datadir(datadir, "jürgen@example.com")
    server = run_server(datadir=datadir)
    client = Client(server, token)
    up = client.updates(0)
    assert sorted(ob["key"] for ob in up["records"]) == ["old1", "old2"]
    assert up["settings"][0]["value"] == "dark"
    assert [ob["key"] for ob in client.records("timerange=0-250&tag=tag")] == ["old1"]
    assert [ob["key"] for ob in client.records("timerange=500-600")] == ["old2"]
    r = client.put_records([record("new1", 400, 500, "new #x", mt=7)])
    assert r["accepted"] == ["new1"]
    client.put_settings([{"key": "theme", "value": "light", "mt": 6}])
    client.ok("PUT", "forcereset")
    server.stop()

    # Read back with itemdb, as the original would.
    db = itemdb.ItemDB(str(db_file))
    records = {ob["key"]: ob for ob in db.select_all("records")}
    assert set(records) == {"old1", "old2", "new1"}
    assert records["new1"] == {
        "key": "new1",
        "mt": 7,
        "t1": 400,
        "t2": 500,
        "ds": "new #x",
        "st": records["new1"]["st"],
    }
    assert db.select_one("settings", "key == ?", "theme")["value"] == "light"
    reset = db.select_one("userinfo", "key == ?", "reset_time")
    assert reset["value"] > records["new1"]["st"]
    # The indexed columns agree with the JSON items.
    conn = sqlite3.connect(db_file)
    for text, key, st, t1, t2 in conn.execute(
        "SELECT _ob, key, st, t1, t2 FROM records"
    ):
        ob = json.loads(text)
        assert (ob["key"], ob["st"], ob["t1"], ob["t2"]) == (key, st, t1, t2)
    indices = {row[1] for row in conn.execute("PRAGMA index_list(records)")}
    assert {"idx_records_st", "idx_records_t1", "idx_records_t2"} <= indices
    columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert columns == ["_ob", "key", "st", "t1", "t2"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_new_files_have_the_itemdb_layout(api):
    api.put_records([record("a", 1, 2)])
    users = os.path.join(api.server.datadir, "users")
    (name,) = [f for f in os.listdir(users) if f.endswith(".db")]
    conn = sqlite3.connect(os.path.join(users, name))
    for table, columns in {
        "records": ["_ob", "key", "st", "t1", "t2"],
        "settings": ["_ob", "key", "st"],
        "userinfo": ["_ob", "key", "st"],
    }.items():
        info = list(conn.execute(f"PRAGMA table_info({table})"))
        assert [row[1] for row in info] == columns
        assert [row[1] for row in info if row[5]] == ["key"]  # the primary key
        indices = {row[1] for row in conn.execute(f"PRAGMA index_list({table})")}
        assert f"idx_{table}_st" in indices
    seeds = dict(conn.execute("SELECT key, _ob FROM userinfo"))
    assert json.loads(seeds["webtoken_seed"])["value"]
    conn.close()


def test_wal_restarts_under_a_stream_of_big_writes(tmp_path, monkeypatch):
    """A background checkpoint never reaches the last frame while writes keep coming;
    past WAL_HARD the writes wait for a full one, so the WAL restarts and stays
    bounded, and nothing written is lost."""
    import asyncio

    from timetagger.server import _items, _store

    monkeypatch.setattr(_store, "WAL_SOFT", 256 * 1024)
    monkeypatch.setattr(_store, "WAL_HARD", 512 * 1024)
    filename = str(tmp_path / "user.db")
    sizes = []

    async def main():
        db = _store.UserDB("walter", filename)
        try:
            for i in range(60):
                obs = [
                    record(f"k{i}-{j}", t1=1000 * j, t2=1000 * j + 10, ds="#wal")
                    for j in range(300)
                ]
                entries, errors = _items.split_items("records", obs)
                accepted, failed, _ = await db.put_items("records", entries)
                assert len(accepted) == 300 and not failed and not errors
                sizes.append(db.wal_size())
            if db.checkpointing is not None:
                await asyncio.wait([db.checkpointing])
        finally:
            db.close()

    asyncio.run(main())
    steps = [b - a for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    assert max(sizes) <= _store.WAL_HARD + 2 * max(steps), sizes  # one write's worth
    assert min(steps) < 0, sizes  # it restarted
    with sqlite3.connect(filename) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 18000


def test_pieces_cover_every_item_once(tmp_path, monkeypatch):
    """A big read comes in pieces of PIECE keys (ranges of the primary key), with
    the st filter applied in each; joined, they are the items as stored."""
    from timetagger.server import _store

    monkeypatch.setattr(_store, "PIECE", 3)
    monkeypatch.setattr(_store, "MANY", 4)
    conn = _store.prepare(str(tmp_path / "user.db"))
    assert list(_store.read_pieces(conn, "records")) == []
    rows = []
    for i in range(11):
        ob = {"key": f"k{i:02d}", "t1": i, "t2": i + 1, "mt": 1, "st": float(i % 3)}
        rows.append((json.dumps(ob), ob["key"], ob["st"], ob["t1"], ob["t2"]))
    conn.executemany(
        "INSERT INTO records (_ob, key, st, t1, t2) VALUES (?, ?, ?, ?, ?)", rows
    )

    def items(since):
        pieces = list(_store.read_pieces(conn, "records", since))
        assert all(isinstance(p, bytes) and p for p in pieces)
        return pieces, json.loads(b"[" + b", ".join(pieces) + b"]")

    pieces, obs = items(None)
    assert len(pieces) == 4  # 3 + 3 + 3 + 2 keys
    assert sorted(ob["key"] for ob in obs) == [f"k{i:02d}" for i in range(11)]
    assert [json.dumps(ob) for ob in obs] == [row[0] for row in rows]  # as stored
    pieces, obs = items(1.0)  # 7 items, more than MANY: scanned in key ranges
    assert sorted(ob["key"] for ob in obs) == [
        f"k{i:02d}" for i in range(11) if i % 3 >= 1
    ]
    pieces, obs = items(2.0)  # 3 items: through the st index, one piece
    assert len(pieces) == 1 and [ob["key"] for ob in obs] == ["k02", "k05", "k08"]
    assert items(5.0) == ([], [])
    conn.close()


def test_connections_of_users_seen_longest_ago_are_closed(tmp_path, monkeypatch):
    """Only the MAX_CONNECTED users seen last keep their connections open; another
    user's connection is opened again at its next use, and reads what other
    connections wrote in the meantime (a seed rotated by another worker). A user
    with a write under way keeps its connection."""
    import asyncio

    from timetagger.server import _items, _store

    monkeypatch.setattr(_store, "MAX_CONNECTED", 2)
    monkeypatch.setattr(_store, "CONNECTED_IDLE", -1)  # every user counts as idle
    stores = _store.UserStores(_store.SQLiteFiles(str(tmp_path)))

    def use(name):
        db = stores.get(name)
        db.refresh()  # what every request does first (``authenticate``)
        return db

    def open_ones():
        return {db.username for db in stores.open.values() if db.conn is not None}

    async def main():
        for i in range(4):
            stores.get(f"user{i}", create=True)
        assert open_ones() == {"user2", "user3"}
        seed = await use("user0").get_seed("webtoken_seed")
        assert open_ones() == {"user3", "user0"}
        use("user1")
        assert open_ones() == {"user0", "user1"}
        # Another worker rotates user0's seed while user0's connection is closed.
        other = _store.UserDB("user0", stores.get("user0").filename)
        rotated = await other.get_seed("webtoken_seed", rotate=True)
        other.close()
        use("user2")
        use("user3")
        assert open_ones() == {"user2", "user3"}
        assert rotated != seed
        assert use("user0").seeds["webtoken_seed"] == rotated
        # A user whose write is under way is not closed: the next one is.
        async with use("user0").lock:
            use("user1")
            use("user2")
            assert open_ones() == {"user0", "user2"}
        entries, _ = _items.split_items("records", [record("r", 1, 2)])
        accepted, _, _ = await use("user3").put_items("records", entries)
        assert accepted == ["r"]
        assert open_ones() == {"user2", "user3"}
        stores.close()

    asyncio.run(main())


def test_users_seen_lately_keep_their_connections(tmp_path, monkeypatch):
    """Users seen within CONNECTED_IDLE seconds keep their connections beyond
    MAX_CONNECTED (a busy server does not close and open them over and over), up
    to MAX_ACTIVE; once idle, the ones seen longest ago are closed (in a thread)."""
    import asyncio

    from timetagger.server import _store

    monkeypatch.setattr(_store, "MAX_CONNECTED", 2)
    monkeypatch.setattr(_store, "MAX_ACTIVE", 4)
    monkeypatch.setattr(_store, "CONNECTED_IDLE", 60)
    stores = _store.UserStores(_store.SQLiteFiles(str(tmp_path)))

    def connected():
        return {db.username for db in stores.open.values() if db.conn is not None}

    async def main():
        for i in range(4):
            stores.get(f"user{i}", create=True)
        assert connected() == {"user0", "user1", "user2", "user3"}  # all active
        stores.get("user4", create=True)  # past MAX_ACTIVE: the oldest is closed
        assert connected() == {"user1", "user2", "user3", "user4"}
        monkeypatch.setattr(_store, "CONNECTED_IDLE", 0.3)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # users 1 to 3 become idle
            await asyncio.sleep(0.1)
            stores.get("user4").refresh()
            if len(connected()) == 2:
                break
        assert connected() == {"user3", "user4"}  # the MAX_CONNECTED seen last
        stores.get("user0").refresh()  # opened again at its next use
        assert "user0" in connected()
        stores.close()

    asyncio.run(main())


def test_connection_for_big_writes_is_closed_once_they_stop(tmp_path, monkeypatch):
    """The connection of big writes (a page cache of up to 16 MiB) stays open while
    they keep coming, and is closed WRITER_IDLE seconds after the last one."""
    import asyncio

    from timetagger.server import _items, _store

    monkeypatch.setattr(_store, "BIG_WRITE", 5)
    monkeypatch.setattr(_store, "WRITER_IDLE", 0.5)

    async def main():
        db = _store.UserDB("walter", str(tmp_path / "user.db"))
        try:
            writers = []
            for i in range(3):
                obs = [record(f"k{i}-{j}", 1, 2) for j in range(10)]
                entries, _ = _items.split_items("records", obs)
                await db.put_items("records", entries)
                writers.append(db.writer)
            assert writers[0] is not None and writers == [writers[0]] * 3  # kept
            deadline = time.monotonic() + 10
            while db.writer is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert db.writer is None
            assert db.conn.execute("SELECT count(*) FROM records").fetchone()[0] == 30
        finally:
            db.close()

    asyncio.run(main())


def test_small_reads_on_the_loop_big_ones_on_a_kept_reader(tmp_path, monkeypatch):
    """A pull of up to SMALL_READ items, and a narrow time range, read on the event
    loop's connection; a bigger pull or a wide range reads in a thread on the user's
    reader connection, which is kept for the next big read (a second big read at the
    same time gets a connection of its own) and closed READER_IDLE seconds after the
    last one. Every path gives the same items."""
    import asyncio

    from timetagger.server import _items, _store
    from timetagger.server._threads import in_thread

    monkeypatch.setattr(_store, "SMALL_READ", 5)
    monkeypatch.setattr(_store, "READER_IDLE", 0.3)

    def read(pull):
        with pull:
            conn = pull.conn
            texts = [piece for t in ("records", "settings") for piece in pull.pieces(t)]
        obs = json.loads(b"[" + b", ".join(texts) + b"]") if texts else []
        return conn, sorted(ob["key"] for ob in obs)

    async def main():
        db = _store.UserDB("reader", str(tmp_path / "user.db"))
        try:
            entries, _ = _items.split_items(
                "records", [record(f"k{i}", 1000 + i, 1010 + i) for i in range(4)]
            )
            await db.put_items("records", entries)
            since = db.max_st["records"]
            pull = db.pull(0, False)  # 4 items: on the loop
            assert not pull.big
            conn, keys = read(pull)
            assert conn is db.conn and keys == ["k0", "k1", "k2", "k3"]
            assert db.reader is None

            entries, _ = _items.split_items(
                "records", [record(f"m{i}", 2000 + i, 2010 + i) for i in range(6)]
            )
            await db.put_items("records", entries)
            assert db.pull(db.max_st["records"], False).big  # 6 new items
            assert not db.pull(db.max_st["records"] + 1, False).big  # none
            pull = db.pull(0, False)  # 10 items: in a thread, on a new reader
            assert pull.big
            first, keys = await in_thread(read, pull)
            assert first is not db.conn and len(keys) == 10
            await asyncio.sleep(0)  # the reader is given back on the loop
            assert db.reader is first
            # Two big reads at once: the kept reader, and a connection of its own.
            a, b = db.pull(0, False), db.pull(since, False)
            (conn_a, keys_a), (conn_b, keys_b) = await asyncio.gather(
                in_thread(read, a), in_thread(read, b)
            )
            assert conn_a is first and conn_b is not first and conn_b is not db.conn
            assert keys_a == keys and len(keys_b) == 10
            await asyncio.sleep(0)
            kept = db.reader  # one of the two is kept (the one back first)
            assert kept in (conn_a, conn_b)
            # A wide time range reads on the reader too; a narrow one on the loop.
            wide = db.records_in_range(0, 400 * 86400, None)
            assert wide.big

            def texts(rangeread):
                with rangeread as rows:
                    return rangeread.conn, sorted(json.loads(t)["key"] for t in rows)

            conn, wide_keys = await in_thread(texts, wide)
            assert conn is kept and wide_keys == keys
            narrow = db.records_in_range(1000, 1005, None)
            assert not narrow.big
            conn, narrow_keys = texts(narrow)
            assert conn is db.conn and narrow_keys == ["k0", "k1", "k2", "k3"]
            # Closed once big reads stop.
            await asyncio.sleep(0)
            deadline = time.monotonic() + 10
            while db.reader is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert db.reader is None
        finally:
            db.close()

    asyncio.run(main())
