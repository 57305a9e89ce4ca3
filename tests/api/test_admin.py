"""The maintenance commands (``python -m timetagger check|repair|backup|restore``)
against real data directories written by a running server: a backup taken under a
stream of writes and restored, a page overwritten in a user file found by ``check``
and salvaged by ``repair``, and the refusals that protect a running server's files."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT
from timetagger.server import user2filename

from .conftest import USERS, Client, credentials_for, record

pytestmark = pytest.mark.sqlite_only(
    reason="check, repair, backup and restore work on the SQLite files"
)

ALICE_FILE = os.path.basename(user2filename("alice"))
BOB_FILE = os.path.basename(user2filename("bob"))


def admin(*args, datadir=None, env=None):
    """Run a maintenance command; returns the CompletedProcess (text output)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
    full_env["PYTHONPATH"] = os.path.join(ROOT, "api")
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "timetagger", *args]
    if datadir is not None:
        cmd.append(f"--datadir={datadir}")
    return subprocess.run(
        cmd, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=300
    )


def checkpoint(filename):
    """Fold the WAL into the file, so that bytes written to it are what SQLite reads."""
    conn = sqlite3.connect(filename)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def rows(filename, table="records"):
    conn = sqlite3.connect(filename)
    try:
        return dict(conn.execute(f"SELECT key, _ob FROM {table}"))
    finally:
        conn.close()


class Writer(threading.Thread):
    """PUTs one new record per request until stopped; remembers when each key was
    acknowledged (a 200 with the key accepted)."""

    def __init__(self, client, limit=20000, seconds=60):
        super().__init__(daemon=True)
        self.client = client
        self.acked = []  # (monotonic time of the answer, key)
        self.stop = threading.Event()
        self.limit = limit
        self.seconds = seconds
        self.error = None

    def run(self):
        deadline = time.monotonic() + self.seconds
        try:
            for i in range(self.limit):
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                key = f"w{i:06d}"
                r = self.client.put_records([record(key, 1000 + i, 1010 + i, "#w")])
                assert r["accepted"] == [key], r
                self.acked.append((time.monotonic(), key))
        except Exception as err:  # reported by the test
            self.error = err

    def acked_before(self, moment):
        return {key for t, key in self.acked if t < moment}


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_backup_during_writes_restores_every_acknowledged_record(run_server, tmp_path):
    server = run_server(credentials=credentials_for(USERS))
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    bob = alice.as_user("bob")
    bob.put_settings([{"key": "theme", "value": "dark", "mt": 1}])
    alice.put_records([record(f"old{i}", i * 100, i * 100 + 50) for i in range(3000)])
    writer = Writer(alice)
    writer.start()
    try:
        wait_until(lambda: len(writer.acked) >= 50)
        began = time.monotonic()
        result = admin("backup", str(tmp_path / "backups"), datadir=server.datadir)
        ended = time.monotonic()
        count_at_end = len(writer.acked)
        wait_until(lambda: len(writer.acked) > count_at_end + 20)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert result.returncode == 0, result.stdout + result.stderr
    during = [key for t, key in writer.acked if began <= t <= ended]
    assert len(during) >= 5, "the writes must go on while the backup runs"
    (name,) = os.listdir(tmp_path / "backups")  # no partial folder left
    assert name.startswith("timetagger-")
    backup = tmp_path / "backups" / name
    assert str(backup) in result.stdout
    assert sorted(os.listdir(backup / "users")) == sorted([ALICE_FILE, BOB_FILE])
    assert not [f for f in os.listdir(backup / "users") if f.endswith(("-wal", "-shm"))]
    manifest = json.loads((backup / "backup.json").read_text())
    assert {u["user"] for u in manifest["users"]} == {"alice", "bob"}

    # Restore into a fresh data directory: integrity ok, every acknowledged record.
    fresh = tmp_path / "fresh"
    restored = admin("restore", str(backup), datadir=fresh)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    check = admin("check", datadir=fresh)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "2 ok, 0 damaged" in check.stdout
    keys = set(rows(str(fresh / "users" / ALICE_FILE)))
    assert writer.acked_before(began) <= keys
    assert {f"old{i}" for i in range(3000)} <= keys
    # A consistent snapshot: the keys of the stream are a prefix of it.
    stream = sorted(k for k in keys if k.startswith("w"))
    assert stream == [f"w{i:06d}" for i in range(len(stream))]
    assert (fresh / "jwt.key").read_text() == (
        open(os.path.join(server.datadir, "jwt.key")).read()
    )
    # The restored data directory serves, and the old server's tokens still work.
    server2 = run_server(credentials=credentials_for(USERS), datadir=fresh)
    alice2 = Client(server2, token=alice.token)
    got = {ob["key"] for ob in alice2.updates(0)["records"]}
    assert got == keys
    bob2 = Client(server2, token=bob.token)
    assert bob2.updates(0)["settings"][0]["value"] == "dark"


def test_restore_refuses_running_server_and_existing_files(run_server, tmp_path):
    server = run_server(credentials=credentials_for(USERS))
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    alice.put_records([record("a1", 1, 2)])
    backups = tmp_path / "b"
    made = admin("backup", str(backups), "--name", "nightly", datadir=server.datadir)
    assert made.returncode == 0, made.stderr
    alice.put_records([record("a2", 3, 4)])
    # The server has alice's file open: refused, nothing touched.
    before = rows(user2filename_in(server.datadir, "alice"))
    r = admin("restore", str(backups / "nightly"), datadir=server.datadir)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "stop the server" in r.stderr and ALICE_FILE in r.stderr
    server.stop()
    # Stopped, but the file exists: refused without --force.
    r = admin("restore", str(backups / "nightly"), datadir=server.datadir)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "--force" in r.stderr
    assert rows(user2filename_in(server.datadir, "alice")) == before
    # With --force: restored, and the replaced file is kept aside.
    r = admin("restore", str(backups / "nightly"), "--force", datadir=server.datadir)
    assert r.returncode == 0, r.stdout + r.stderr
    assert set(rows(user2filename_in(server.datadir, "alice"))) == {"a1"}
    (aside,) = [d for d in os.listdir(server.datadir) if d.startswith("replaced-")]
    kept = os.path.join(server.datadir, aside, "users", ALICE_FILE)
    assert set(rows(kept)) == {"a1", "a2"}


def user2filename_in(datadir, user):
    return os.path.join(str(datadir), "users", os.path.basename(user2filename(user)))


def damage_a_records_page(filename):
    """Overwrite, with random bytes, the records leaf page nearest the middle of the
    file; returns the keys of the records that were on it."""
    checkpoint(filename)
    with open(filename, "rb") as f:
        data = f.read()
    page_size = int.from_bytes(data[16:18], "big")
    npages = len(data) // page_size
    middle = npages // 2
    for distance in range(npages):
        for pgno in (middle - distance, middle + distance):
            page = data[(pgno - 1) * page_size : pgno * page_size]
            if 1 < pgno <= npages and page[0] == 10 and b'{"key": "r' in page:
                lost = set()
                for part in page.split(b'{"key": "')[1:]:
                    key = part.split(b'"')[0].decode()
                    if key.startswith("r"):
                        lost.add(key)
                with open(filename, "r+b") as f:
                    f.seek((pgno - 1) * page_size)
                    f.write(os.urandom(page_size))
                return lost
    raise AssertionError("no records page found")


def test_check_names_a_damaged_file_and_repair_salvages_it(run_server, tmp_path):
    server = run_server(credentials=credentials_for(USERS))
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    bob = alice.as_user("bob")
    alice.put_records(
        [
            record(f"r{i:05d}", i * 600, i * 600 + 300, f"work #p{i % 7}")
            for i in range(4000)
        ]
    )
    alice.put_settings([{"key": "big", "value": "v" * 7000, "mt": 1}])
    bob.put_records([record("b1", 1, 2)])
    server.stop()
    alice_file = user2filename_in(server.datadir, "alice")
    original = rows(alice_file)
    original_settings = rows(alice_file, "settings")
    lost = damage_a_records_page(alice_file)
    assert 0 < len(lost) < 100
    damaged_bytes = open(alice_file, "rb").read()

    r = admin("check", datadir=server.datadir)
    assert r.returncode == 1, r.stdout + r.stderr
    damaged_lines = [line for line in r.stdout.splitlines() if "DAMAGED" in line]
    assert len(damaged_lines) == 1 and alice_file in damaged_lines[0], r.stdout
    assert "'alice'" in damaged_lines[0]
    assert any(
        line.startswith("ok") and "'bob'" in line for line in r.stdout.splitlines()
    )
    assert "1 ok, 1 damaged" in r.stdout

    # A backup copies the damaged file as it is, says so, and exits 1.
    r = admin("backup", str(tmp_path / "b"), datadir=server.datadir)
    assert r.returncode == 1, r.stdout + r.stderr
    failed = [line for line in r.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and alice_file in failed[0], r.stdout
    assert "1 FAILED" in r.stdout and "ok      'bob'" in r.stdout

    # A running server with the file open: repair refuses.
    server2 = run_server(credentials=credentials_for(USERS), datadir=server.datadir)
    Client(server2).login("alice", USERS["alice"])
    r = admin("repair", "alice", datadir=server.datadir)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "stop the server" in r.stderr
    server2.stop()
    assert open(alice_file, "rb").read()[:100] == damaged_bytes[:100]

    r = admin("repair", "alice", datadir=server.datadir)
    assert r.returncode == 0, r.stdout + r.stderr
    saved = rows(alice_file)
    assert set(saved) == set(original) - lost
    assert all(saved[key] == original[key] for key in saved)  # byte for byte
    assert (
        f"records: {len(original) - len(lost):,} saved, {len(lost):,} lost" in r.stdout
    )
    assert "settings: 1 saved, 0 lost" in r.stdout
    assert rows(alice_file, "settings") == original_settings
    (aside,) = [
        f
        for f in os.listdir(os.path.dirname(alice_file))
        if ".db.damaged-" in f and not f.endswith(("-wal", "-shm"))
    ]
    assert open(os.path.join(os.path.dirname(alice_file), aside), "rb").read() == (
        damaged_bytes
    )
    assert aside in r.stdout
    assert admin("check", datadir=server.datadir).returncode == 0

    # The repaired file serves; logins and writes work.
    server3 = run_server(credentials=credentials_for(USERS), datadir=server.datadir)
    alice3 = Client(server3)
    alice3.login("alice", USERS["alice"])
    assert {ob["key"] for ob in alice3.updates(0)["records"]} == set(saved)
    alice3.put_records([record("after", 5, 6)])
    assert len(alice3.records("timerange=0-10")) >= 1


def test_repair_of_a_sound_file_changes_nothing(api, run_server, tmp_path):
    api.put_records([record("k1", 1, 2)])
    api.server.stop()
    filename = user2filename_in(api.server.datadir, "alice")
    r = admin("repair", "alice", datadir=api.server.datadir)
    assert r.returncode == 0, r.stderr
    assert "nothing wrong" in r.stdout
    assert not [f for f in os.listdir(os.path.dirname(filename)) if "damaged" in f]
    r = admin("repair", "nobody", datadir=api.server.datadir)
    assert r.returncode == 2
    assert "'nobody'" in r.stderr


def test_commands_help_and_usage_errors(tmp_path):
    for command in ("check", "repair", "backup", "restore"):
        r = admin(command, "--help")
        assert r.returncode == 0, r.stderr
        assert "--datadir" in r.stdout and "Exit code" in r.stdout
    r = admin("--help")
    assert "maintenance commands" in r.stdout and "backup" in r.stdout
    r = admin("backup", str(tmp_path / "b"), "--bogus")
    assert r.returncode == 2 and "--bogus" in r.stderr
    r = admin("check", datadir=tmp_path / "nothing-here")
    assert r.returncode == 2 and "nothing-here" in r.stderr
    r = admin("restore", str(tmp_path), datadir=tmp_path / "d")
    assert r.returncode == 2 and "not a backup folder" in r.stderr
    # The environment names the data directory, as for the server.
    r = admin("check", env={"TIMETAGGER_DATADIR": str(tmp_path / "env-dir")})
    assert r.returncode == 2 and "env-dir" in r.stderr


def test_backup_keep_removes_only_old_backups(api, tmp_path):
    api.put_records([record("k1", 1, 2)])
    dest = tmp_path / "backups"
    dest.mkdir()
    (dest / "unrelated").mkdir()
    for _ in range(3):
        r = admin("backup", str(dest), "--keep", "2", datadir=api.server.datadir)
        assert r.returncode == 0, r.stderr
    names = sorted(os.listdir(dest))
    assert len([n for n in names if n.startswith("timetagger-")]) == 2
    assert "unrelated" in names


def itemdb_file(filename, n=3000):
    """A user database as itemdb lays it out, in WAL mode with recent writes still in
    the WAL, settings long enough for overflow pages; returns its rows per table."""
    import itemdb

    db = itemdb.ItemDB(str(filename))
    db.ensure_table("userinfo", "!key", "st")
    db.ensure_table("records", "!key", "st", "t1", "t2")
    db.ensure_table("settings", "!key", "st")
    with db:
        db.put(
            "records",
            *[
                {"key": f"r{i:05d}", "t1": i, "t2": i + 9, "mt": 1, "st": 1.0 + i}
                for i in range(n)
            ],
        )
        db.put(
            "settings",
            *[{"key": f"s{i}", "st": 2.0, "value": "é" * (i * 900)} for i in range(12)],
        )
        db.put_one("userinfo", key="webtoken_seed", st=3.0, value="seed")
    db.close()
    conn = sqlite3.connect(str(filename), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(
        "UPDATE records SET _ob = replace(_ob, '\"mt\": 1', '\"mt\": 2') WHERE t1 < 500"
    )
    return conn, {
        table: dict(conn.execute(f"SELECT key, _ob FROM {table}"))
        for table in ("records", "settings", "userinfo")
    }


def test_salvage_reads_what_sqlite_reads_wal_and_overflow_included(tmp_path):
    from timetagger.admin.salvage import salvage

    filename = tmp_path / "user.db"
    conn, expected = itemdb_file(filename)
    try:
        assert os.path.getsize(str(filename) + "-wal") > 0  # the updates are there
        found = salvage(str(filename))
    finally:
        conn.close()
    assert found.rows == expected
    assert found.damaged_pages == 0 and found.bad_cells == 0
    assert all(found.lost(t) == [] for t in expected)


def test_salvage_without_a_schema_tells_rows_apart_by_shape(tmp_path):
    from timetagger.admin.salvage import salvage

    filename = tmp_path / "user.db"
    conn, expected = itemdb_file(filename)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(filename, "r+b") as f:
        f.seek(100)
        f.write(b"\x00" * 3996)  # page 1 (the schema) gone, file header kept
    found = salvage(str(filename))
    assert found.rows == expected
    assert found.lost("records") is None  # no index to tell
    assert "schema" in " ".join(found.notes)
