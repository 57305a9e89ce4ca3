"""A user file damaged while the server runs (bytes overwritten in one of its pages):
that user gets 503 with a text that says what to do, nothing more is written into
the file, the log names it once, the other users go on; ``repair`` run while the
server runs puts a new file in place, and the user is served again, no restart."""

import hashlib
import os

import pytest

from .conftest import USERS, Client, assert_error, credentials_for, record
from .test_admin import admin, damage_a_records_page, user2filename_in
from .test_metrics import scrape, value

pytestmark = pytest.mark.sqlite_only(reason="it damages a user's SQLite file")


def digest(filename):
    with open(filename, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_damaged_file_answers_503_for_its_user_only_until_repaired(run_server):
    server = run_server(credentials=credentials_for(USERS), metrics=True)
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    bob = alice.as_user("bob")
    alice.put_records(
        [record(f"r{i:05d}", i * 600, i * 600 + 300, f"work {i}") for i in range(4000)]
    )
    bob.put_records([record("b1", 1, 2)])
    alice_file = user2filename_in(server.datadir, "alice")
    lost = damage_a_records_page(alice_file)
    assert lost

    # The first read that meets the damaged page: 503, with what to do.
    r = alice.get("updates?since=0")
    assert_error(r, 503, "this user's data file is damaged", "timetagger repair")
    damaged_bytes = digest(alice_file)
    wal = alice_file + "-wal"
    wal_bytes = digest(wal) if os.path.exists(wal) else None

    # From then on every request of that user is refused before the file is used.
    assert_error(alice.put("records", [record("new", 1, 2)]), 503, "damaged")
    assert_error(alice.get("records?timerange=0-1000"), 503, "damaged")
    assert_error(alice.get("settings"), 503, "damaged")
    assert_error(alice.request("PUT", "forcereset"), 503, "damaged")
    again = Client(server).bootstrap(
        {"method": "usernamepassword", "username": "alice", "password": USERS["alice"]}
    )
    assert_error(again, 503, "damaged")
    assert digest(alice_file) == damaged_bytes
    assert (digest(wal) if os.path.exists(wal) else None) == wal_bytes

    # Another user is not affected.
    bob.put_records([record("b2", 3, 4)])
    assert {ob["key"] for ob in bob.updates(0)["records"]} == {"b1", "b2"}

    assert value(scrape(server), "timetagger_damaged_file_answers_total") == 6
    log = server.log()
    assert log.count(f"damaged user file {alice_file}") == 1, log
    assert "Traceback" not in log

    # The host repairs the file while the server runs; alice is served again.
    done = admin("repair", "alice", datadir=server.datadir)
    assert done.returncode == 0, done.stdout + done.stderr
    stored = {ob["key"] for ob in alice.updates(0)["records"]}
    assert len(stored) == 4000 - len(lost)
    assert not stored & lost
    alice.put_records([record("after", 5, 6)])
    assert "after" in {ob["key"] for ob in alice.updates(0)["records"]}
    assert admin("check", datadir=server.datadir).returncode == 0
    log = server.log()
    assert f"user file {alice_file} was replaced: serving it again" in log
    assert "Traceback" not in log


def test_damaged_login_failures_file_keeps_logins_and_limits(run_server, tmp_path):
    datadir = tmp_path / "data"
    datadir.mkdir()
    (datadir / "login_failures.db").write_bytes(b"not a database, " * 1000)
    server = run_server(
        datadir=datadir,
        credentials=credentials_for(USERS),
        login_failures_per_ip=2,
        login_window=60,
    )

    def login(password):
        return Client(server).bootstrap(
            {"method": "usernamepassword", "username": "alice", "password": password}
        )

    assert login(USERS["alice"]).status_code == 200
    assert_error(login("wrong"), 403, "invalid credentials")
    assert_error(login("wrong"), 403, "invalid credentials")
    assert_error(login("wrong"), 429, "too many failed logins")  # counted in memory
    assert_error(login(USERS["alice"]), 429)
    log = server.log()
    assert log.count("login_failures.db is damaged") == 1, log
    assert "Traceback" not in log
