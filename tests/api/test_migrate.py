"""``python -m timetagger migrate``: a data directory moves into PostgreSQL and back
with every row exact (100,000 records), tokens stay valid, and a target that already
holds users is refused."""

import json
import os
import sqlite3
import subprocess
import sys
import time

import jwt

from conftest import ROOT, start_server
from timetagger.server import _shares, _store, user2filename

from .conftest import Client, record

N_RECORDS = 100_000
ALICE = "alice"
JURGEN = "jürgen@example.com"
KEY = "k" * 43
SHARE_SECRET = "s" * 43


def migrate(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "timetagger", "migrate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.path.join(ROOT, "api"), **(env or {})},
        timeout=600,
    )


def user_file(datadir, user):
    return os.path.join(str(datadir), "users", os.path.basename(user2filename(user)))


def write_file(filename, records, settings, userinfo):
    """A user file in the server's layout, filled directly."""
    os.makedirs(os.path.dirname(filename), exist_ok=True)
    conn = _store.prepare(filename)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO records (_ob, key, st, t1, t2) VALUES (?, ?, ?, ?, ?)",
        [
            (_store.encode(ob), ob["key"], ob["st"], ob["t1"], ob["t2"])
            for ob in records
        ],
    )
    for table, items in (("settings", settings), ("userinfo", userinfo)):
        conn.executemany(
            f"INSERT INTO {table} (_ob, key, st) VALUES (?, ?, ?)",
            [(_store.encode(ob), ob["key"], ob["st"]) for ob in items],
        )
    conn.execute("COMMIT")
    conn.close()


def rows(filename):
    conn = sqlite3.connect(filename)
    try:
        return {
            "records": sorted(
                conn.execute("SELECT key, st, t1, t2, _ob FROM records").fetchall()
            ),
            "settings": sorted(conn.execute("SELECT key, st, _ob FROM settings")),
            "userinfo": sorted(conn.execute("SELECT key, st, _ob FROM userinfo")),
        }
    finally:
        conn.close()


def make_datadir(datadir):
    base = 1_700_000_000
    alice_records = []
    for i in range(N_RECORDS):
        ob = record(f"r{i:06d}", base + i * 600, base + i * 600 + 300, ds=f"#w{i % 7}")
        ob["st"] = base + i * 0.5 + 0.25
        alice_records.append(ob)
    alice_records.append({**record("run", base, base), "st": float(base)})
    settings = [
        {"key": f"s{i}", "value": {"n": i, "text": "é🐢"}, "mt": base, "st": base + i}
        for i in range(20)
    ]
    userinfo = [
        {"key": "webtoken_seed", "value": "seedA", "mt": base, "st": base + 1.5},
        {"key": "apitoken_seed", "value": "seedB", "mt": base, "st": base + 2.5},
        {"key": "reset_time", "value": base - 10.0, "mt": base, "st": base - 10.0},
        # A shared report (a userinfo row in the file, tt_shares in the database).
        {
            "key": "share k1",
            "value": {
                "tags": ["#w1"],
                "range": {"t1": base, "t2": base + 86399},
                "description": "week one",
                "created": base,
                "hash": _shares.digest(SHARE_SECRET),
            },
            "mt": base + 3.5,
            "st": base + 3.5,
        },
    ]
    write_file(user_file(datadir, ALICE), alice_records, settings, userinfo)
    odd = [
        {**record("nul\u0000key", 5, 9, ds="a\u0000b"), "st": 7.0},
        {**record("ключ", 5, 9, ds="🐢 <b>x</b>"), "st": 8.0},
    ]
    write_file(
        user_file(datadir, JURGEN),
        odd,
        [],
        [{"key": "webtoken_seed", "value": "seedJ", "mt": 1, "st": 9.0}],
    )
    (datadir / "jwt.key").write_text(KEY)


def test_round_trip_is_exact_and_tokens_stay_valid(pg_cluster, tmp_path):
    source = tmp_path / "source"
    make_datadir(source)
    url = pg_cluster.fresh_database()

    t0 = time.perf_counter()
    r = migrate(f"--datadir={source}", "--to", url)
    to_db = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 users copied" in r.stdout

    # A server on the database accepts the token signed with the old key and seed.
    server = start_server(tmp_path, datadir=tmp_path / "unused", database_url=url)
    try:
        token = jwt.encode(
            {"username": ALICE, "expires": int(time.time()) + 600, "seed": "seedA"},
            KEY,
            algorithm="HS256",
        )
        api = Client(server, token)
        up = api.updates(0)
        assert len(up["records"]) == N_RECORDS + 1
        assert len(up["settings"]) == 20
        newest = max(ob["st"] for ob in up["records"])
        assert up["server_time"] > newest
        assert api.updates(up["server_time"])["records"] == []
        # The week read goes through the time index.
        week = api.records(f"timerange={1_700_000_000}-{1_700_000_000 + 7 * 86400}")
        assert len(week) == 7 * 144 + 2
        # Items modified before the migrated reset are refused; a new write gets a
        # later st than every migrated one.
        r = api.put_records([record("new", 1, 2)])
        assert r["accepted"] == ["new"]
        after = api.updates(up["server_time"])["records"]
        assert [ob["key"] for ob in after] == ["new"] and after[0]["st"] > newest
        # The other user, keys with U+0000 included.
        token_j = jwt.encode(
            {"username": JURGEN, "expires": int(time.time()) + 600, "seed": "seedJ"},
            KEY,
            algorithm="HS256",
        )
        keys = {ob["key"] for ob in Client(server, token_j).updates(0)["records"]}
        assert keys == {"nul\u0000key", "ключ"}
        # The shared report: listed, and its link reads its records.
        assert [s["key"] for s in api.ok("GET", "shares")["shares"]] == ["k1"]
        share_token = _shares.make_token(ALICE, "k1", SHARE_SECRET)
        shared = api.request(
            "GET", "shared", token="", headers={"sharetoken": share_token}
        )
        assert shared.status_code == 200, shared.text
        keys = sorted(ob["key"] for ob in shared.json()["records"])
        assert keys == [f"r{i:06d}" for i in range(144) if i % 7 == 1]
    finally:
        server.stop()

    # And back: every row as it was, plus the one written meanwhile.
    back = tmp_path / "back"
    t0 = time.perf_counter()
    r = migrate("--from", url, "--to", str(back), f"--datadir={tmp_path / 'x'}")
    to_dir = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert (back / "jwt.key").read_text() == KEY
    assert stat_mode(back / "jwt.key") == 0o600
    assert db_names(back) == db_names(source)
    assert rows(user_file(back, JURGEN)) == rows(user_file(source, JURGEN))
    got, want = rows(user_file(back, ALICE)), rows(user_file(source, ALICE))
    assert got["settings"] == want["settings"]
    assert got["userinfo"] == want["userinfo"]
    new = [row for row in got["records"] if row[0] == "new"]
    assert len(new) == 1 and json.loads(new[0][4])["key"] == "new"
    assert [row for row in got["records"] if row[0] != "new"] == want["records"]
    print(
        f"\nmigrate {N_RECORDS} records: to PostgreSQL {to_db:.2f} s, back {to_dir:.2f} s"
    )

    # The copy back can be served as it is.
    served = start_server(tmp_path, datadir=back)
    try:
        up = Client(served, token).updates(0)
        assert len(up["records"]) == N_RECORDS + 2
    finally:
        served.stop()


def db_names(datadir):
    return sorted(n for n in os.listdir(datadir / "users") if n.endswith(".db"))


def stat_mode(path):
    import stat

    return stat.S_IMODE(os.stat(path).st_mode)


def test_targets_that_hold_users_are_refused(pg_cluster, tmp_path):
    source = tmp_path / "source"
    write_file(user_file(source, "bob"), [{**record("a", 1, 2), "st": 1.0}], [], [])
    url = pg_cluster.fresh_database()
    assert migrate(f"--datadir={source}", "--to", url).returncode == 0
    r = migrate(f"--datadir={source}", "--to", url)
    assert r.returncode == 3 and "already holds users" in r.stderr, r.stderr
    # Back into a folder that has user files: refused, nothing changed.
    r = migrate("--from", url, "--to", str(source))
    assert r.returncode == 3 and "already holds user files" in r.stderr, r.stderr
    assert rows(user_file(source, "bob"))["records"][0][0] == "a"
    # Usage errors: no source database, a database that cannot be reached.
    r = migrate("--to", str(tmp_path / "new"))
    assert r.returncode == 2 and "--from" in r.stderr
    r = migrate(
        "--from", "postgresql://nobody@127.0.0.1:1/x", "--to", str(tmp_path / "n")
    )
    assert r.returncode == 2 and "cannot connect" in r.stderr
