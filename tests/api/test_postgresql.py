"""What only the PostgreSQL backend has: several processes on one database (shared
key, st in commit order, revocation, news through LISTEN/NOTIFY), a poll that reads no
table, knowledge dropped when the notifications are lost, the schema applied once
under a lock and keyed on the user for Citus."""

import threading
import time

import httpx
import psycopg
import pytest

from conftest import start_server, wait_for_server

from .conftest import USERS, Client, record

TABLES = ("tt_users", "tt_records", "tt_settings", "tt_userinfo")


def query(url, sql, params=()):
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def wait_until(condition, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def two(pg_cluster, tmp_path, users_credentials):
    """Two API processes on one new database, as (url, server A, server B)."""
    url = pg_cluster.fresh_database()
    servers = [
        start_server(
            tmp_path,
            datadir=tmp_path / name,
            wait=False,
            database_url=url,
            credentials=users_credentials,
        )
        for name in ("a", "b")
    ]
    try:
        for server in servers:
            wait_for_server(server)
        yield url, *servers
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            assert "Traceback" not in server.log(), server.log()


def test_every_table_is_keyed_on_the_user_first(two):
    url, a, b = two
    for table in TABLES:
        (first,) = query(
            url,
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = %s::regclass AND i.indisprimary",
            (table,),
        )
        assert first == ("username",), table
    # Started together, the two processes applied the schema once.
    assert query(url, "SELECT value FROM tt_meta WHERE name = 'schema_version'") == [
        ("1",)
    ]


def test_a_newer_schema_stops_the_start_with_a_clear_message(pg_cluster, tmp_path):
    url = pg_cluster.fresh_database()
    server = start_server(tmp_path, datadir=tmp_path / "a", database_url=url)
    server.stop()
    query(url, "UPDATE tt_meta SET value = '99' WHERE name = 'schema_version'")
    server = start_server(
        tmp_path, datadir=tmp_path / "b", wait=False, database_url=url
    )
    assert server.proc.wait(60) == 2
    assert "schema version 99" in server.log() and "Traceback" not in server.log()
    server = start_server(
        tmp_path,
        datadir=tmp_path / "c",
        wait=False,
        database_url="postgresql://nobody@127.0.0.1:1/none",
    )
    assert server.proc.wait(60) == 2
    assert "database_url: cannot connect" in server.log()


def test_tokens_writes_and_revocation_cross_processes(two):
    url, a, b = two
    on_a = Client(a)
    token = on_a.login("alice", USERS["alice"])
    on_b = Client(b, token)  # signed by A, valid on B: one key, in the database
    since = on_b.updates(0)["server_time"]
    on_a.put_records([record("from-a", 1, 2)])
    up = on_b.updates(since)
    assert [ob["key"] for ob in up["records"]] == ["from-a"]
    # Revoked through A: refused by B at once.
    fresh = on_a.ok("GET", "webtoken?reset=1")["token"]
    r = on_b.get("updates?since=0")
    assert r.status_code == 401 and "revoked" in r.text
    assert on_b.get("updates?since=0", token=fresh).status_code == 200
    # A reset through B is seen by A.
    Client(b, fresh).ok("PUT", "forcereset")
    assert Client(a, fresh).updates(up["server_time"])["reset"] is True


def test_concurrent_writes_through_two_processes_miss_nothing(two):
    """Writers on both processes, a poller alternating between them: every write
    gets its own st, and the chain of server_time values misses none of them."""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    written, seen, errors = set(), set(), []
    stop = threading.Event()

    def writer(server, name):
        client = Client(server, token)
        try:
            for i in range(60):
                key = f"{name}{i}"
                r = client.put_records([record(key, i, i + 1)])
                assert r["accepted"] == [key]
                written.add(key)
        except Exception as err:  # reported below
            errors.append(err)

    def poller():
        clients = [Client(a, token), Client(b, token)]
        since, n = 0, 0
        try:
            while not stop.is_set():
                up = clients[n % 2].updates(since)
                seen.update(ob["key"] for ob in up["records"])
                since = up["server_time"]
                n += 1
            for client in clients:
                up = client.updates(since)
                seen.update(ob["key"] for ob in up["records"])
                since = up["server_time"]
        except Exception as err:
            errors.append(err)

    threads = [
        threading.Thread(target=writer, args=(s, n)) for s, n in ((a, "a"), (b, "b"))
    ]
    watcher = threading.Thread(target=poller)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    watcher.join(60)
    assert not errors, errors
    assert len(written) == 120 and seen == written
    (distinct, total) = query(
        url, "SELECT count(DISTINCT st), count(*) FROM tt_records"
    )[0]
    assert distinct == total == 120


def test_a_poll_with_nothing_new_reads_no_table(two):
    """While every table is locked, a poll with nothing new is still answered (from
    what the process knows); one that needs the tables waits for the lock."""
    url, a, b = two
    api = Client(a)
    api.login("alice", USERS["alice"])
    api.put_records([record("r1", 1, 2)])
    since = api.updates(0)["server_time"]
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE " + ", ".join(TABLES) + " IN ACCESS EXCLUSIVE MODE")
        for _ in range(20):
            up = api.updates(since)
            assert up["records"] == [] and up["server_time"] == since
        # The control: a pull that reads the tables is held up by the lock.
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(
                api.url("updates?since=0"), headers={"authtoken": api.token}, timeout=1
            )
        conn.rollback()
    assert [ob["key"] for ob in api.updates(0)["records"]] == ["r1"]


def listeners(url, server=None):
    """The pids of the listening connections (of one server, or all)."""
    name = f"timetagger-listen {server.proc.pid}" if server else "timetagger-listen %"
    return [
        pid
        for (pid,) in query(
            url,
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s"
            " AND datname = current_database()",
            (name,),
        )
    ]


def test_lost_notifications_are_never_served_stale(two):
    """When its listening connection dies, a process forgets what it knew: its next
    poll reads the tables (and sees a write it was never told of), and once it
    listens again (a second later), news reaches it through notifications again."""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    on_a, on_b = Client(a, token), Client(b, token)
    since = on_a.updates(0)["server_time"]
    on_b.updates(0)
    assert len(listeners(url)) == 2
    (killed,) = listeners(url, a)
    query(url, "SELECT pg_terminate_backend(%s)", (killed,))
    wait_until(
        lambda: (
            killed
            not in {pid for (pid,) in query(url, "SELECT pid FROM pg_stat_activity")}
        ),
        what="the listener to end",
    )
    on_b.put_records([record("unheard", 1, 2)])
    up = on_a.updates(since)
    assert [ob["key"] for ob in up["records"]] == ["unheard"]
    wait_until(lambda: len(listeners(url, a)) == 1, what="listening again")
    since = up["server_time"]
    on_b.put_records([record("heard", 1, 2)])
    wait_until(
        lambda: [ob["key"] for ob in on_a.updates(since)["records"]] == ["heard"],
        what="the write through B on A",
    )
