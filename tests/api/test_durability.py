"""Acknowledged writes survive a crash: the server is killed with SIGKILL in the
middle of a stream of PUTs, restarted on the same data, and every record it had
acknowledged is there (and the database is intact)."""

import os
import signal
import sqlite3
import threading
import time

import httpx

from .conftest import USERS, Client, credentials_for, record


def test_sigkill_during_puts_loses_no_acknowledged_record(run_server, tmp_path):
    datadir = tmp_path / "data"
    creds = credentials_for(USERS)
    server = run_server(datadir=datadir, credentials=creds)
    token = Client(server).login("alice", USERS["alice"])
    acknowledged = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n, batch):
        client = Client(server, token)
        i = 0
        while not stop.is_set():
            recs = [
                record(f"w{n}-{i}-{k}", i, i + 5, f"writer {n}") for k in range(batch)
            ]
            i += 1
            try:
                r = client.put("records", recs)
            except httpx.TransportError:
                return  # the server died under us: this one was not acknowledged
            if r.status_code == 200:
                with lock:
                    acknowledged.update(r.json()["accepted"])

    threads = [
        threading.Thread(target=writer, args=(n, batch))
        for n, batch in enumerate([1, 1, 10, 300])
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop(signal.SIGKILL)
    assert server.proc.returncode == -signal.SIGKILL
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 1500

    if server.database_url is None:
        # The file is consistent as it lies on disk, before any server touches it.
        users = datadir / "users"
        (db_file,) = [f for f in os.listdir(users) if f.endswith(".db")]
        conn = sqlite3.connect(users / db_file)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()

    server = run_server(datadir=datadir, credentials=creds)
    client = Client(server, token)  # the same token: the key and seed survived
    stored = {ob["key"] for ob in client.updates(0)["records"]}
    missing = acknowledged - stored
    assert not missing, f"{len(missing)} acknowledged records lost"
