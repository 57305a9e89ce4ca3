"""The process itself: a failure inside a handler is a plain 500 whose stack trace
goes to the log only (a user file that is no database is a 503, see ``_health``), and the API process starts without the build tools (and loads
PyJWT, bcrypt and itemdb only when first needed)."""

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT

from .conftest import USERS, Client, assert_error, credentials_for


def replace_user_files(datadir, make):
    users = datadir / "users"
    for name in os.listdir(users):
        if name.endswith(".db"):
            (users / name).unlink()
            make(users / name)
        else:
            (users / name).unlink()


@pytest.mark.sqlite_only(reason="it replaces a user's SQLite file")
def test_an_unexpected_error_is_a_logged_500(run_server, tmp_path):
    datadir = tmp_path / "data"
    creds = credentials_for(USERS)
    server = run_server(datadir=datadir, credentials=creds)
    token = Client(server).login("alice", USERS["alice"])
    server.stop()

    def foreign_sqlite_file(path):  # a SQLite file, but not laid out as ours
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE userinfo (something TEXT)")
        conn.commit()
        conn.close()

    replace_user_files(datadir, foreign_sqlite_file)
    server = run_server(datadir=datadir, credentials=creds)
    r = Client(server, token).get("updates?since=0")
    assert_error(r, 500, "internal server error", "logged")
    assert "Error" not in r.text and "File" not in r.text
    log = server.log()
    assert "Traceback" in log and "error handling GET" in log
    # The process keeps serving.
    assert Client(server).get("").status_code == 200


@pytest.mark.sqlite_only(reason="it replaces a user's SQLite file")
def test_a_file_that_is_no_database_is_a_503_logged_once(run_server, tmp_path):
    datadir = tmp_path / "data"
    creds = credentials_for(USERS)
    server = run_server(datadir=datadir, credentials=creds)
    token = Client(server).login("alice", USERS["alice"])
    server.stop()
    replace_user_files(
        datadir, lambda path: path.write_bytes(b"this is not a database" * 100)
    )
    server = run_server(datadir=datadir, credentials=creds)
    for _ in range(3):
        r = Client(server, token).get("updates?since=0")
        assert_error(r, 503, "data file is damaged", "timetagger repair")
    log = server.log()
    assert log.count("damaged user file") == 1, log
    assert "file is not a database" in log and "Traceback" not in log
    assert Client(server).get("").status_code == 200


def test_lean_imports():
    code = (
        "import sys, timetagger.server._app, timetagger.__main__;"
        "print(','.join(sorted(m for m in ('jinja2', 'markdown', 'pscript', 'jwt',"
        " 'bcrypt', 'itemdb', 'watchfiles') if m in sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "api")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert out == ""
