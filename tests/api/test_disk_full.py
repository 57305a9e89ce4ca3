"""A full disk, for real: the data directory is a small tmpfs (mounted for the test;
we run as root), filled by the server's own writes and then by a filler file, and
freed again while the server runs.

Writes answer 507 with a text that says so, reads and logins of existing users go
on, a wrong password stays a 403, a new user's first login leaves no file behind,
the log says it once, the WAL stays a small part of the disk, and writing resumes
by itself once space is freed.
"""

import os
import subprocess
import time

import pytest

from .conftest import USERS, Client, assert_error, record
from .test_metrics import scrape, value

pytestmark = pytest.mark.sqlite_only(reason="it fills the disk of the SQLite files")

DISK_SIZE = 8 * 2**20


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(
            f"this test needs to mount a small tmpfs as the data directory (as root): "
            f"mount -t tmpfs -o size={size} tmpfs {path} failed: "
            f"{done.stderr.strip() or done.returncode}"
        )


def unmount(path):
    deadline = time.monotonic() + 15
    while subprocess.run(["umount", str(path)], capture_output=True).returncode:
        if time.monotonic() > deadline:  # still busy: detach it, it goes when unused
            subprocess.run(["umount", "-l", str(path)], check=True)
            return
        time.sleep(0.1)


@pytest.fixture
def small_disk(tmp_path):
    """A DISK_SIZE tmpfs, unmounted after the test."""
    path = tmp_path / "disk"
    mount_tmpfs(path, DISK_SIZE)
    try:
        yield path
    finally:
        unmount(path)


def fill(path):
    """Write a file until the disk is full; returns its size."""
    size = 0
    chunk = b"\0" * 65536
    with open(path, "ab", buffering=0) as f:
        while True:
            try:
                size += f.write(chunk)
            except OSError:
                break
    while True:  # the last bytes, one page at a time
        try:
            with open(path, "ab", buffering=0) as f:
                size += f.write(b"\0" * 4096)
        except OSError:
            return size


def batch(n, size=40):
    return [
        record(f"r{n}-{i}", 1000 * n + i, 1000 * n + i + 60, "x" * 200)
        for i in range(size)
    ]


def user_files(datadir):
    return sorted(os.listdir(os.path.join(datadir, "users")))


def test_full_disk_answers_507_keeps_reads_and_logins_and_resumes(
    run_server, users_credentials, small_disk
):
    datadir = small_disk / "data"
    reserve = small_disk / "reserve"  # space given back at the end
    with open(reserve, "wb") as f:
        f.write(b"\0" * (3 * 2**20))
    server = run_server(datadir=datadir, credentials=users_credentials, metrics=True)
    try:
        alice = Client(server)
        alice.login("alice", USERS["alice"])
        alice_file = user_files(datadir)[0]

        # The server's own writes fill the disk: the first write that does not fit
        # answers 507, and everything acknowledged before is there.
        acknowledged = []
        for n in range(2000):
            r = alice.put("records", batch(n))
            if r.status_code != 200:
                break
            assert not r.json()["failed"], r.text
            acknowledged += r.json()["accepted"]
        assert_error(r, 507, "the server is out of disk space")
        assert len(acknowledged) > 1000
        # The WAL never held much of the disk (it held all of it before).
        wal = os.path.getsize(datadir / "users" / (alice_file + "-wal"))
        assert wal < DISK_SIZE / 8, wal

        # Whatever room is left goes to a filler file. A write that fits in the
        # WAL file as it is may still succeed; one bigger than it cannot.
        fill(small_disk / "filler")
        big = batch(9000, 2000)  # written in a thread, on a connection of its own
        assert_error(alice.put("records", big), 507, "out of disk space")
        settings = [
            {"key": f"s{i}", "value": "v" * 2000, "mt": time.time()} for i in range(600)
        ]
        assert_error(alice.put("settings", settings), 507, "out of disk space")

        # Reads go on, and show every acknowledged record.
        stored = {ob["key"] for ob in alice.updates(0)["records"]}
        assert set(acknowledged) <= stored
        assert len(alice.records("timerange=0-1000000000")) == len(stored)

        # Logins of existing users work; a wrong password is a wrong password.
        again = Client(server)
        again.login("alice", USERS["alice"])
        assert again.updates(0)["records"]
        wrong = Client(server).bootstrap(
            {"method": "usernamepassword", "username": "alice", "password": "nope"}
        )
        assert_error(wrong, 403, "invalid credentials")

        # A new user's first login cannot make a file: 507, and nothing is left.
        bob = Client(server)
        first = bob.bootstrap(
            {"method": "usernamepassword", "username": "bob", "password": USERS["bob"]}
        )
        assert_error(first, 507, "out of disk space")
        assert user_files(datadir) == sorted(
            [alice_file, alice_file + "-shm", alice_file + "-wal"]
        )

        log = server.log()
        assert log.count("out of disk space: a write to") == 1, log
        assert "Traceback" not in log
        assert "disk space is available again" not in log
        samples = scrape(server)
        assert value(samples, "timetagger_out_of_space_answers_total") == 4
        assert value(samples, "timetagger_wal_largest_bytes") < DISK_SIZE / 8

        # Space is freed: writing resumes without a restart.
        os.unlink(small_disk / "filler")
        os.unlink(reserve)
        alice.put_records(batch(9002))
        bob.login("bob", USERS["bob"])
        bob.put_records(batch(1, 3))
        assert len(bob.updates(0)["records"]) == 3
        assert {ob["key"] for ob in alice.updates(0)["records"]} >= {
            f"r9002-{i}" for i in range(40)
        }
        log = server.log()
        assert log.count("disk space is available again: writes resume") == 1, log
        assert "Traceback" not in log
    finally:
        server.stop()
