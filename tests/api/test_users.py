"""Users are isolated from each other, whatever their names: one database file per
user inside ``<datadir>/users/``, and ``user2filename``/``filename2user`` both ways."""

import os

import pytest

from timetagger.server import filename2user, user2filename

from .conftest import Client, credentials_for, record

NAMES = [
    "alice",
    "a/b",
    "../../etc/passwd",
    "..",
    ".",
    "me@example.com",
    "first last",
    "Jürgen",
    "東京",
    "emoji 🎉",
    "-",
    "~",
    "x~eA==",
]


def query(url, sql):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_isolation_between_users(run_server):
    users = {name: f"pw-{i}" for i, name in enumerate(NAMES)}
    server = run_server(credentials=credentials_for(users))
    clients = {}
    for name, password in users.items():
        client = Client(server)
        client.login(name, password)
        clients[name] = client
        # Everyone uses the same keys.
        r = client.put_records([record("same", 1, 2, f"owned by {name}")])
        assert r["accepted"] == ["same"]
        client.put_settings([{"key": "who", "value": name, "mt": 1}])
    for name, client in clients.items():
        up = client.updates(0)
        assert [ob["ds"] for ob in up["records"]] == [f"owned by {name}"]
        assert [ob["value"] for ob in up["settings"]] == [name]
        assert [ob["ds"] for ob in client.records("timerange=0-5")] == [
            f"owned by {name}"
        ]
    # A reset of one user touches no other.
    clients["a/b"].ok("PUT", "forcereset")
    assert clients["alice"].updates(0)["reset"] in (0, False)
    assert clients["a/b"].updates(0)["reset"] in (1, True)
    if server.database_url:
        rows = query(server.database_url, "SELECT username FROM tt_users")
        assert sorted(name for (name,) in rows) == sorted(NAMES)
        return
    # One file per user, all directly in users/, each mapping back to its user.
    users_dir = os.path.join(server.datadir, "users")
    files = [f for f in os.listdir(users_dir) if f.endswith(".db")]
    assert sorted(filename2user(f) for f in files) == sorted(NAMES)
    for root, dirs, _ in os.walk(server.datadir):
        assert dirs == [] or root == server.datadir
    top = set(os.listdir(server.datadir))
    assert {"jwt.key", "users"} <= top
    assert all(
        name in ("jwt.key", "users") or name.startswith("login_failures.db")
        for name in top
    ), top


def test_proxy_names_with_any_characters(run_server):
    server = run_server(proxy_auth_enabled=True)
    tokens = {}
    for name in ["Jürgen", "a/b", "../up"]:
        client = Client(server)
        r = client.bootstrap(
            {"method": "proxy"}, headers={"x-remote-user": name.encode("utf-8")}
        )
        assert r.status_code == 200, r.text
        tokens[name] = r.json()["token"]
        client.token = tokens[name]
        client.put_records([record("k", 1, 2, name)])
    for name, token in tokens.items():
        assert [ob["ds"] for ob in Client(server, token).updates(0)["records"]] == [
            name
        ]


@pytest.mark.parametrize("name", NAMES)
def test_filename_round_trip(name):
    path = user2filename(name)
    assert os.path.isabs(path)
    assert os.path.dirname(path).endswith(os.path.join("", "users"))
    base = os.path.basename(path)
    assert "/" not in base and base not in (".", "..") and base.endswith(".db")
    assert filename2user(path) == name
    assert filename2user(base) == name
    clean = base.rpartition("~")[0]
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in clean)


def test_names_that_cannot_be_users(run_server):
    too_long = "x" * 200
    server = run_server(proxy_auth_enabled=True)
    r = Client(server).bootstrap(
        {"method": "proxy"}, headers={"x-remote-user": too_long}
    )
    assert r.status_code == 403 and "too long" in r.text
    with pytest.raises(ValueError):
        user2filename("")
