"""Fixtures for the API tests: users with bcrypt credentials, a running API server
(``api``), and a small HTTP client (``Client``) that logs in and speaks /api/v2.

Every test talks to a real ``python -m timetagger`` on 127.0.0.1 over HTTP. Hashes use
bcrypt cost 4 so that logging in is quick.
"""

import base64
import json
import os
import time

import bcrypt
import httpx
import pytest

from conftest import FRESH_DATABASE

BACKENDS = ("sqlite", "postgresql")

# ``make test`` runs the tests of these files against PostgreSQL too: the sync rules,
# tokens and logins, users, shared reports, several workers, durability, metrics
# (where the backends differ); the others against SQLite only, which keeps the API layer's time near what
# one backend takes. TIMETAGGER_TEST_PG=all (``make test-pg``) runs every test
# against both.
PG_IN_EVERY_RUN = {
    "test_auth.py",
    "test_durability.py",
    "test_metrics.py",
    "test_records.py",
    "test_shares.py",
    "test_sync.py",
    "test_users.py",
    "test_workers.py",
}
# ... but for these, whose time goes to the answers' slow-down (80 s), not storage.
PG_ONLY_IN_FULL_RUN = {"test_guessing_from_many_addresses_is_still_slowed"}


def postgresql_wanted(path, name):
    if os.environ.get("TIMETAGGER_TEST_PG", "").strip().lower() == "all":
        return True
    if name in PG_ONLY_IN_FULL_RUN:
        return False
    return os.path.basename(str(path)) in PG_IN_EVERY_RUN


def pytest_generate_tests(metafunc):
    """Every test that starts a server runs against both backends (in ``make test``
    only those of PG_IN_EVERY_RUN, see above), unless it is marked ``sqlite_only``
    (which must say why)."""
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("sqlite_only")
    if marker is not None:
        assert marker.kwargs.get("reason") or marker.args, "sqlite_only needs a reason"
    definition = metafunc.definition
    on_pg = marker is None and postgresql_wanted(definition.path, definition.name)
    backends = list(BACKENDS) if on_pg else ["sqlite"]
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request):
    """The storage of the servers of this test: "sqlite" or "postgresql"."""
    return request.param


@pytest.fixture
def run_server(run_server, backend, request):
    """``run_server`` of tests/conftest.py, on the test's backend. With PostgreSQL,
    each server gets a new database, except that a server started again on the
    same data directory gets the database of the first (as it would get its files)."""
    if backend == "sqlite":
        return run_server
    cluster = request.getfixturevalue("pg_cluster")
    databases = {}

    def run(datadir=None, env=None, wait=True, **settings):
        if "database_url" not in settings:
            if datadir is None:
                settings["database_url"] = FRESH_DATABASE
            else:
                where = os.path.abspath(os.path.expanduser(str(datadir)))
                if where not in databases:
                    databases[where] = cluster.fresh_database()
                settings["database_url"] = databases[where]
        return run_server(datadir, env, wait, **settings)

    return run


USERS = {
    "alice": "alice-password",
    "bob": "bob-password",
}


def make_hash(password, cost=4):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()


def credentials_for(users):
    return ",".join(f"{user}:{make_hash(pw)}" for user, pw in users.items())


def bootstrap_body(ob):
    return base64.b64encode(json.dumps(ob).encode())


class Client:
    """Speaks /api/v2 to one server, optionally as one user (``token``)."""

    def __init__(self, server, token=None, headers=None):
        self.server = server
        self.token = token
        self.headers = dict(headers or {})
        self.http = httpx.Client(timeout=60)

    def url(self, path):
        return self.server.url("api/v2/" + path)

    def request(self, method, path, token=None, headers=None, **kwargs):
        all_headers = dict(self.headers)
        token = self.token if token is None else token
        if token:
            all_headers["authtoken"] = token
        all_headers.update(headers or {})
        return self.http.request(method, self.url(path), headers=all_headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, body, **kwargs):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.request("PUT", path, content=body, **kwargs)

    def bootstrap(self, ob, **kwargs):
        body = ob if isinstance(ob, (bytes, str)) else bootstrap_body(ob)
        return self.request("POST", "bootstrap_authentication", content=body, **kwargs)

    def login(self, username, password):
        r = self.bootstrap(
            {"method": "usernamepassword", "username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        return self.token

    def as_user(self, username, password=None):
        """A new Client logged in as another user of the same server."""
        client = Client(self.server, headers=self.headers)
        client.login(username, password or USERS[username])
        return client

    # Shortcuts that check the status

    def ok(self, method, path, body=None, **kwargs):
        if body is not None:
            kwargs["content"] = json.dumps(body)
        r = self.request(method, path, **kwargs)
        assert r.status_code == 200, f"{method} {path}: {r.status_code} {r.text}"
        assert r.headers["content-type"] == "application/json"
        ob = r.json()
        assert isinstance(ob, dict)
        return ob

    def put_records(self, records):
        return self.ok("PUT", "records", records)

    def put_settings(self, settings):
        return self.ok("PUT", "settings", settings)

    def updates(self, since=0):
        return self.ok("GET", f"updates?since={since}")

    def records(self, query):
        return self.ok("GET", f"records?{query}")["records"]


def raw_request(server, data):
    """Send raw bytes (for requests httpx refuses to make); returns (status, body)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def record(key, t1, t2, ds="", mt=None, **extra):
    ob = {
        "key": key,
        "t1": t1,
        "t2": t2,
        "mt": int(time.time()) if mt is None else mt,
        "st": 0,
    }
    if ds:
        ob["ds"] = ds
    ob.update(extra)
    return ob


def assert_error(r, status, *words):
    """An error answer: the status, a plain-text 'meaning: explanation' body."""
    assert r.status_code == status, f"{r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("text/plain"), r.headers
    meaning, sep, explanation = r.text.partition(": ")
    assert sep and meaning and explanation.strip(), r.text
    assert "Traceback" not in r.text
    for word in words:
        assert word.lower() in r.text.lower(), f"{word!r} not in {r.text!r}"


@pytest.fixture(scope="session")
def users_credentials():
    """The credentials of USERS, hashed once: every ``api`` server has the same
    settings, so the next one is started ahead (conftest.ServerPool)."""
    return credentials_for(USERS)


@pytest.fixture
def api(run_server, users_credentials):
    """A server with users alice and bob; returns a Client logged in as alice."""
    server = run_server(credentials=users_credentials)
    client = Client(server)
    client.login("alice", USERS["alice"])
    return client
