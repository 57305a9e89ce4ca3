"""A data directory moves from the original TimeTagger (26.1.3 from PyPI, in its own
virtual environment) to us and back: the original writes users, records and settings
through its own API; our server serves all of it, accepts the same credentials and
the original's tokens, and takes writes; then the original reads our writes back.

The original is installed on first use into ``bench/.venv-original`` (see
``bench/original.py``), once for the benchmarks and these tests.
"""

import base64
import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from conftest import ROOT, Server, free_port, wait_for_server

from .conftest import Client, credentials_for, record
from .test_admin import admin

sys.path.insert(0, os.path.join(ROOT, "bench"))
import original  # noqa: E402

pytestmark = pytest.mark.sqlite_only(
    reason="the original shares a data directory of SQLite files"
)

USERS = {"jürgen@example.com": "pw-jürgen", "bob": "pw-bob"}
NOW = int(time.time())


@pytest.fixture(scope="module")
def original_python():
    return original.ensure_original()


def start_original(python, tmp_path, datadir, credentials):
    port = free_port()
    log_path = str(tmp_path / f"original-{port}.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            original.server_command(python, port, datadir, log_level="info"),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=original.server_env(credentials),
            cwd="/",
        )
    server = Server(proc, port, str(datadir), "/timetagger/", log_path)
    wait_for_server(server, timeout=60)
    return server


def login(server, user):
    body = base64.b64encode(
        json.dumps(
            {"method": "usernamepassword", "username": user, "password": USERS[user]}
        ).encode()
    )
    r = httpx.post(server.url("api/v2/bootstrap_authentication"), content=body)
    assert r.status_code == 200, r.text
    return Client(server, r.json()["token"])


def by_key(items):
    """Items by key, without st (which the server sets)."""
    return {ob["key"]: {k: v for k, v in ob.items() if k != "st"} for ob in items}


def test_a_datadir_moves_from_the_original_to_us_and_back(
    original_python, run_server, tmp_path
):
    datadir = tmp_path / "data"
    credentials = credentials_for(USERS)
    # 1. The original writes.
    orig = start_original(original_python, tmp_path, datadir, credentials)
    try:
        j = login(orig, "jürgen@example.com")
        assert j.ok("GET", "version")["version"] == original.VERSION
        b = login(orig, "bob")
        j_records = [
            record(
                f"o{i:04d}",
                NOW - 86400 * 30 + i * 3600,
                NOW - 86400 * 30 + i * 3600 + 1800,
                f"task {i} #client{i % 3} #code",
                mt=NOW - 100,
            )
            for i in range(500)
        ]
        j_records.append(record("running", NOW - 600, NOW - 600, "now #live", mt=NOW))
        j_records.append(
            record("long", NOW - 5 * 86400, NOW - 86400, "trip #travel", mt=NOW)
        )
        assert j.put_records(j_records)["accepted"] == [r["key"] for r in j_records]
        j.put_settings(
            [
                {"key": "darkmode", "value": 2, "mt": NOW},
                {"key": "tag_colors", "value": {"#code": "#ff0000"}, "mt": NOW},
            ]
        )
        b.put_records([record("b1", NOW - 7200, NOW - 3600, "bob #x", mt=NOW)])
        b.put_settings([{"key": "width_mode", "value": "wide", "mt": NOW}])
        j_api = j.ok("GET", "apitoken")["token"]
        before_j = j.updates(0)
        before_b = b.updates(0)
    finally:
        orig.stop()
    assert len(before_j["records"]) == 502

    # 2. Our server on the same data directory.
    ours = run_server(credentials=credentials, datadir=datadir)
    ours_j = Client(ours, j.token)  # the original's web token
    up = ours_j.updates(0)
    assert by_key(up["records"]) == by_key(before_j["records"])
    assert by_key(up["settings"]) == by_key(before_j["settings"])
    assert by_key(Client(ours, j_api).updates(0)["records"]) == by_key(up["records"])
    ours_b = login(ours, "bob")  # the same credentials
    assert by_key(ours_b.updates(0)["records"]) == by_key(before_b["records"])
    assert by_key(ours_b.updates(0)["settings"]) == by_key(before_b["settings"])
    week = ours_j.records(f"timerange={NOW - 7 * 86400}-{NOW}")
    assert {"running", "long"} <= {ob["key"] for ob in week}
    tagged = ours_j.records(f"timerange={NOW - 40 * 86400}-{NOW}&tag=client1")
    assert len(tagged) == len([r for r in j_records if "#client1" in r["ds"]])
    # Our writes: new items, a changed record, a changed setting.
    assert ours_j.put_records(
        [
            record("ours1", NOW - 300, NOW - 200, "written by us #new", mt=NOW + 1),
            record("o0001", NOW - 9000, NOW - 8000, "edited by us #code", mt=NOW + 1),
        ]
    )["accepted"] == ["ours1", "o0001"]
    ours_j.put_settings([{"key": "darkmode", "value": 1, "mt": NOW + 1}])
    ours_b.put_records([record("b2", NOW - 100, NOW - 50, "bob again", mt=NOW + 1)])
    after_j = ours_j.updates(0)
    after_b = ours_b.updates(0)
    ours.stop()
    assert admin("check", datadir=datadir).returncode == 0

    # 3. The original reads our writes back, with its own tokens and logins.
    orig2 = start_original(original_python, tmp_path, datadir, credentials)
    try:
        j2 = Client(orig2, j.token)
        back = j2.updates(0)
        assert by_key(back["records"]) == by_key(after_j["records"])
        assert by_key(back["settings"]) == by_key(after_j["settings"])
        assert by_key(back["records"])["o0001"]["ds"] == "edited by us #code"
        assert by_key(back["settings"])["darkmode"]["value"] == 1
        b2 = login(orig2, "bob")
        assert by_key(b2.updates(0)["records"]) == by_key(after_b["records"])
        # The original still writes, and its time-range query sees our record.
        j2.put_records([record("orig2", NOW - 50, NOW - 40, "back home", mt=NOW + 2)])
        found = j2.records(f"timerange={NOW - 400}-{NOW}")
        assert {"ours1", "orig2", "running"} <= {ob["key"] for ob in found}
    finally:
        orig2.stop()
    assert "Traceback" not in orig2.log(), orig2.log()
