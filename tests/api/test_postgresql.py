"""What only the PostgreSQL backend has: several processes on one database (shared
key, st in commit order, revocation, news through LISTEN/NOTIFY), a poll that reads no
table, knowledge dropped when the notifications are lost, the schema applied once
under a lock and keyed on the user for Citus."""

import json
import os
import signal
import threading
import time

import httpx
import psycopg
import pytest
from balanced_api import (
    nginx_balancer,
    query,
    start_api_processes,
    stop_api_processes,
    wait_until,
)

from conftest import start_server
from timetagger.server import _pgstore, _shares

from .conftest import USERS, Client, record

TABLES = ("tt_users", "tt_records", "tt_settings", "tt_userinfo", "tt_shares")


@pytest.fixture
def two(pg_cluster, tmp_path, users_credentials):
    """Two API processes on one new database, as (url, server A, server B), on
    ports of 127.0.0.1 (the balancer's test puts them on hosts of their own)."""
    url = pg_cluster.fresh_database()
    servers = start_api_processes(tmp_path, url, 2, credentials=users_credentials)
    try:
        yield url, *servers
    finally:
        stop_api_processes(servers)


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
        (str(_pgstore.SCHEMA_VERSION),)
    ]


def test_a_database_of_schema_1_is_brought_up_to_date(
    pg_cluster, tmp_path, users_credentials
):
    """Version 1 had no tt_shares: ``migrate`` put a data directory's shared reports
    in tt_userinfo. At start they move to tt_shares, and their links work."""
    url = pg_cluster.fresh_database()
    secret = "s" * 43
    share = {
        "tags": ["#a"],
        "range": {"t1": 0, "t2": 100},
        "description": "",
        "created": 1.0,
        "hash": _shares.digest(secret),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE tt_meta (name text PRIMARY KEY, value text)")
        for statement in _pgstore.MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO tt_meta VALUES ('schema_version', '1')")
        conn.execute("INSERT INTO tt_users VALUES ('alice', 5)")
        for key, value, st in [("share k1", share, 5.0), ("webtoken_seed", "x", 1.0)]:
            ob = {"key": key, "st": st, "mt": st, "value": value}
            conn.execute(
                "INSERT INTO tt_userinfo VALUES ('alice', %s, %s, %s)",
                (key.encode(), st, json.dumps(ob)),
            )
        conn.execute(
            "INSERT INTO tt_records VALUES ('alice', 'r', 2, 1, 2, %s)",
            (json.dumps({**record("r", 1, 2, "#a"), "st": 2}),),
        )
    server = start_server(
        tmp_path,
        datadir=tmp_path / "a",
        database_url=url,
        credentials=users_credentials,
    )
    try:
        api = Client(server)
        api.login("alice", USERS["alice"])
        assert [s["key"] for s in api.ok("GET", "shares")["shares"]] == ["k1"]
        token = _shares.make_token("alice", "k1", secret)
        r = api.request("GET", "shared", token="", headers={"sharetoken": token})
        assert r.status_code == 200, r.text
        assert [ob["key"] for ob in r.json()["records"]] == ["r"]
    finally:
        server.stop()
    assert query(url, "SELECT key FROM tt_userinfo") == [(b"webtoken_seed",)]
    assert query(url, "SELECT key, st FROM tt_shares") == [(b"k1", 5.0)]
    assert query(url, "SELECT value FROM tt_meta WHERE name = 'schema_version'") == [
        (str(_pgstore.SCHEMA_VERSION),)
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


# %% Strict revocation


def webtoken_seed(url):
    rows = query(
        url,
        "SELECT ob FROM tt_userinfo WHERE username = 'alice'"
        " AND key = 'webtoken_seed'::bytea",
    )
    return json.loads(rows[0][0])["value"] if rows else None


def revoke_in_thread(client):
    """``webtoken?reset=1`` in a thread: (thread, result dict, done Event)."""
    result, done = {}, threading.Event()

    def revoke():
        try:
            result["response"] = client.get("webtoken?reset=1")
        finally:
            result["answered"] = time.monotonic()
            done.set()

    thread = threading.Thread(target=revoke)
    thread.start()
    return thread, result, done


def test_a_revocation_answers_once_every_process_has_heard_of_it(two):
    """B's listening connection is held up (its backend stopped), so B cannot hear of
    a new seed: the revocation through A does not answer until B has confirmed it,
    and then B refuses the old token. (Before, A answered at once and B accepted the
    old token from its stale copy of the seed.)"""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    on_a, on_b = Client(a, token), Client(b, token)
    on_b.updates(0)  # B knows alice's seed
    old_seed = webtoken_seed(url)
    (backend,) = listeners(url, b)
    os.kill(backend, signal.SIGSTOP)
    try:
        thread, result, done = revoke_in_thread(on_a)
        wait_until(lambda: webtoken_seed(url) != old_seed, what="the new seed")
        assert not done.wait(1.0), "answered before process B heard of the revocation"
    finally:
        os.kill(backend, signal.SIGCONT)
    thread.join(30)
    assert result["response"].status_code == 200, result["response"].text
    r = on_b.get("updates?since=0")
    assert r.status_code == 401 and "revoked" in r.text
    fresh = result["response"].json()["token"]
    assert Client(b, fresh).updates(0)["records"] == []
    assert "did not confirm" not in a.log()


def test_a_process_that_does_not_confirm_in_time_is_dropped(two):
    """A process that cannot hear of a revocation holds it up for ACK_TIMEOUT at most;
    then it is removed from tt_processes, and at its next heartbeat it forgets what
    it knew (it distrusts it before that already): it refuses the old token soon
    after, without ever hearing of it."""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    on_a, on_b = Client(a, token), Client(b, token)
    on_b.updates(0)
    (backend,) = listeners(url, b)
    os.kill(backend, signal.SIGSTOP)
    try:
        started = time.monotonic()
        r = on_a.get("webtoken?reset=1")
        took = time.monotonic() - started
        assert r.status_code == 200, r.text
        assert _pgstore.ACK_TIMEOUT <= took < _pgstore.ACK_TIMEOUT + 5, took
        assert "1 process(es) did not confirm a change" in a.log()
        wait_until(
            lambda: on_b.get("updates?since=0").status_code == 401,
            timeout=_pgstore.HEARTBEAT + 10,
            what="B to refuse the old token",
        )
    finally:
        os.kill(backend, signal.SIGCONT)
    # B listens again, under a new registration, and is waited for again.
    wait_until(
        lambda: (
            len(listeners(url, b)) == 1
            and len(query(url, "SELECT id FROM tt_processes")) == 2
        ),
        what="B listening again",
    )
    fresh = r.json()["token"]
    on_b = Client(b, fresh)
    on_b.updates(0)
    again = Client(a, fresh).ok("GET", "webtoken?reset=1")["token"]
    r = on_b.get("updates?since=0")
    assert r.status_code == 401 and "revoked" in r.text
    assert Client(b, again).get("updates?since=0").status_code == 200


def test_revocations_in_a_row_are_refused_by_the_other_process_at_once(two):
    """Revoke through one process, use the old token on the other right away; many
    times, both ways (what a slow listener got wrong before, under load)."""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    on = {a: Client(a), b: Client(b)}  # kept-alive connections: no time in between
    for i in range(30):
        revoker, other = (a, b) if i % 2 == 0 else (b, a)
        assert on[other].get("version", token=token).status_code == 200
        fresh = on[revoker].ok("GET", "webtoken?reset=1", token=token)["token"]
        r = on[other].get("updates?since=0", token=token)
        assert r.status_code == 401 and "revoked" in r.text, (i, r.status_code)
        token = fresh


# %% News through the other process


def test_a_write_is_in_the_next_poll_on_the_other_process_even_when_told_late(
    two, pg_cluster
):
    """A write acknowledged by one process is in the very next poll on another,
    also when the notification of it has not reached that process yet (a busy
    database server delivers it to each listening connection in its own time): a
    process must not answer "nothing new" from knowledge that may be behind.
    Made certain by stopping the other process's listening backend (SIGSTOP) for
    the write and the poll; and seen without it in a loop of writes each polled at
    once through the other process."""
    url, a, b = two
    token = Client(a).login("alice", USERS["alice"])
    on_a, on_b = Client(a, token), Client(b, token)
    since = on_b.updates(0)["server_time"]
    missed = []
    for i in range(200):
        on_a.put_records([record(f"k{i}", i, i + 1)])
        up = on_b.updates(since)
        if f"k{i}" in {ob["key"] for ob in up["records"]}:
            since = up["server_time"]
        else:
            missed.append(i)
    if pg_cluster.folder is not None:  # our cluster: its backends are ours to signal
        [listening] = listeners(url, b)
        os.kill(listening, signal.SIGSTOP)
        resume = threading.Timer(5, os.kill, (listening, signal.SIGCONT))
        resume.start()
        try:
            on_a.put_records([record("late", 1, 2)])
            up = on_b.updates(since)
        finally:
            resume.cancel()
            os.kill(listening, signal.SIGCONT)
        if "late" not in {ob["key"] for ob in up["records"]}:
            missed.append("late")
    assert missed == [], f"{len(missed)} writes not in the next poll: {missed[:10]}"


# %% Two processes behind a balancer


def test_two_processes_behind_nginx_and_one_killed(
    pg_cluster, tmp_path, users_credentials
):
    """Round robin over two processes (each on a host of its own where network
    namespaces can be made): a write through one is in the next poll on the other;
    one is killed with SIGKILL during a stream of writes: every acknowledged record
    is stored, and the clients carry on through the other. (The browser's version
    is tests/e2e/test_balancer.py.)"""
    url = pg_cluster.fresh_database()
    a, b = servers = start_api_processes(
        tmp_path, url, 2, cluster=pg_cluster, credentials=users_credentials
    )
    front = nginx_balancer(tmp_path, servers)
    try:
        token = Client(front).login("alice", USERS["alice"])
        # A write through one process, then one poll on the other.
        on_a, on_b = Client(a, token), Client(b, token)
        since = on_b.updates(0)["server_time"]
        on_a.put_records([record("via-a", 1, 2)])
        assert [ob["key"] for ob in on_b.updates(since)["records"]] == ["via-a"]

        acknowledged, failures = set(), []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(n):
            client = Client(front, token)
            i = 0
            while not stop.is_set():
                recs = [record(f"w{n}-{i}-{k}", i, i + 5) for k in range(5)]
                i += 1
                try:
                    r = client.put("records", recs)
                except httpx.TransportError as err:
                    failures.append((time.monotonic(), repr(err)))
                    continue
                if r.status_code == 200:
                    with lock:
                        acknowledged.update(r.json()["accepted"])
                else:
                    failures.append((time.monotonic(), r.status_code))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        wait_until(lambda: len(acknowledged) >= 300, what="writes before the kill")
        a.stop(signal.SIGKILL)
        killed_at = time.monotonic()
        at_kill = len(acknowledged)
        wait_until(lambda: len(acknowledged) >= at_kill + 300, what="writes after")
        stop.set()
        for t in threads:
            t.join(60)
        # Clients carried on: no failure later than a moment after the kill.
        late = [f for f in failures if f[0] > killed_at + 2]
        assert not late, late
        # Every acknowledged record is stored, as seen through the balancer.
        stored = {ob["key"] for ob in Client(front, token).updates(0)["records"]}
        missing = acknowledged - stored
        assert not missing, f"{len(missing)} acknowledged records lost"
    finally:
        front.stop()
        stop_api_processes(servers)


def test_a_restart_of_the_database_costs_no_request(tmp_path, users_credentials):
    """Every connection a process holds is cut by a restart of PostgreSQL: the next
    requests still succeed (the pool checks what it hands out, the state is read
    again), and the process listens again."""
    from pg_cluster import Cluster

    cluster = Cluster().start()  # its own: the restart must not touch other tests
    try:
        url = cluster.fresh_database()
        server = start_server(
            tmp_path,
            datadir=tmp_path / "a",
            database_url=url,
            credentials=users_credentials,
        )
        try:
            api = Client(server)
            api.login("alice", USERS["alice"])
            api.put_records([record("before", 1, 2)])
            since = api.updates(0)["server_time"]
            assert len(listeners(url, server)) == 1
            cluster.restart()
            assert api.updates(since)["records"] == []
            api.put_records([record("after", 1, 2)])
            keys = [ob["key"] for ob in api.updates(since)["records"]]
            assert keys == ["after"]
            assert api.ok("GET", "settings") == {"settings": []}
            wait_until(lambda: len(listeners(url, server)) == 1, what="listening again")
        finally:
            server.stop()
        assert "Traceback" not in server.log(), server.log()
    finally:
        cluster.stop()


def test_build_server_makes_every_shared_part_from_the_database(pg_cluster, tmp_path):
    """``database_url`` is taken in one place, ``build_server``: the stores, the login
    checks and the signing key all come from the database (no data directory file),
    and a change of the URL replaces them, closing the old ones."""
    import asyncio

    from timetagger._config import Config
    from timetagger.server._pgstore import PgAttemptCounter, PgBackend
    from timetagger.server._server import build_server

    config = Config()
    config.datadir = str(tmp_path / "data")
    config.database_url = url = pg_cluster.fresh_database()
    server = build_server(config)
    try:
        assert isinstance(server.stores.backend, PgBackend)
        assert isinstance(server.attempts, PgAttemptCounter)
        key = server.signer.key
        assert query(url, "SELECT value FROM tt_meta WHERE name = 'jwt_key'") == [
            (key,)
        ]

        async def use():
            db = server.stores.get("alice", create=True)
            seed = await db.get_seed("webtoken_seed")
            token = server.signer.make_webtoken("alice", seed)
            assert server.signer.verify(token)["seed"] == seed
            limits = server.settings
            assert await server.attempts.call(
                server.attempts.reserve, "10.0.0.1", "alice", limits
            ) == (1, 1)
            assert await server.attempts.call(
                server.attempts.reserve, "10.0.0.1", "alice", limits
            ) == (2, 2)
            await server.attempts.call(server.attempts.succeeded, "10.0.0.1", "alice")
            return seed

        seed = asyncio.run(use())
        assert query(url, "SELECT username FROM tt_users") == [("alice",)]
        assert query(url, "SELECT count(*) FROM tt_login_checks") == [(0,)]
        assert not os.path.exists(tmp_path / "data")  # nothing in the data directory

        # Same settings but the log level: every shared part is carried over.
        config.log_level = "debug"
        same = build_server(config, previous=server)
        assert same.stores is server.stores and same.signer is server.signer
        assert same.attempts is server.attempts
        # Another database: new parts, the old backend's pool closed.
        config.database_url = other = pg_cluster.fresh_database()
        moved = build_server(config, previous=same)
        assert moved.stores is not server.stores and moved.signer is not server.signer
        assert server.stores.backend._pool is None
        assert moved.stores.get("alice") is None  # the new database has no users
        assert moved.signer.key != key
        assert query(other, "SELECT value FROM tt_meta WHERE name = 'jwt_key'") == [
            (moved.signer.key,)
        ]
        moved.close()
    finally:
        server.close()
    assert seed
