"""The process itself: a failure inside a handler is a plain 500 whose stack trace
goes to the log only, and the API process starts without the build tools (and loads
PyJWT, bcrypt and itemdb only when first needed)."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT

from .conftest import USERS, Client, assert_error, credentials_for


@pytest.mark.sqlite_only(reason="it breaks a user's SQLite file")
def test_a_broken_database_is_a_logged_500(run_server, tmp_path):
    datadir = tmp_path / "data"
    creds = credentials_for(USERS)
    server = run_server(datadir=datadir, credentials=creds)
    token = Client(server).login("alice", USERS["alice"])
    server.stop()
    users = datadir / "users"
    for name in os.listdir(users):
        if name.endswith(".db"):
            (users / name).write_bytes(b"this is not a database" * 100)
        else:
            (users / name).unlink()
    server = run_server(datadir=datadir, credentials=creds)
    r = Client(server, token).get("updates?since=0")
    assert_error(r, 500, "internal server error", "logged")
    assert "DatabaseError" not in r.text and "File" not in r.text
    log = server.log()
    assert "Traceback" in log and "DatabaseError" in log
    # The process keeps serving.
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
