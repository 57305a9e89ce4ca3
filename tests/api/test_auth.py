"""Authentication: the three bootstrap methods, malformed bootstrap bodies, the token
lifecycle (issue, renew, reset, expire, web versus API token), forged and malformed
tokens, the signing key, and the slow-down and 429 for failed logins."""

import base64
import concurrent.futures
import json
import os
import stat
import time

import httpx
import jwt
import pytest

from conftest import free_port

from .conftest import (
    USERS,
    Client,
    assert_error,
    bootstrap_body,
    credentials_for,
    make_hash,
)

API_EXPIRES = 32503748400


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def signing_key(server):
    """The key the server signs with: its file, or the row in its database."""
    if server.database_url:
        import psycopg

        with psycopg.connect(server.database_url) as conn:
            sql = "SELECT value FROM tt_meta WHERE name = 'jwt_key'"
            return conn.execute(sql).fetchone()[0]
    with open(os.path.join(server.datadir, "jwt.key")) as f:
        return f.read().strip()


def login_checks_stored(server):
    """How many password checks the server keeps counted."""
    if server.database_url:
        import psycopg

        with psycopg.connect(server.database_url) as conn:
            sql = "SELECT count(*) FROM tt_login_checks"
            return conn.execute(sql).fetchone()[0]
    import sqlite3

    filename = os.path.join(server.datadir, "login_failures.db")
    with sqlite3.connect(filename) as conn:
        return conn.execute("SELECT count(*) FROM checks").fetchone()[0]


def forge(server, payload, algorithm="HS256", key=None):
    return jwt.encode(payload, key or signing_key(server), algorithm=algorithm)


# %% Bootstrap: localhost


def test_localhost_login(run_server):
    server = run_server()
    client = Client(server)
    r = client.bootstrap({"method": "localhost"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    token = r.json()["token"]
    assert claims(token)["username"] == "defaultuser"
    assert client.get("updates?since=0", token=token).status_code == 200
    # "localhost" in the Host header is fine too; another host name is not.
    r = client.bootstrap({"method": "localhost"}, headers={"host": "localhost"})
    assert r.status_code == 200
    r = client.bootstrap({"method": "localhost"}, headers={"host": "evil.example"})
    assert_error(r, 403, "forbidden", "localhost")


@pytest.mark.parametrize(
    "name, value",
    [
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-Host", "localhost"),
        ("X-Forwarded-Proto", "https"),
        ("Forwarded", "for=203.0.113.9"),
        ("X-Real-IP", "127.0.0.1"),
    ],
)
@pytest.mark.parametrize("trusted_proxies", ["", "127.0.0.1"])
def test_localhost_login_refused_through_a_proxy(
    run_server, name, value, trusted_proxies
):
    """A reverse proxy on the same machine connects from 127.0.0.1 and may pass the
    client's Host: localhost on; the forwarding header it adds gives it away."""
    server = run_server(trusted_proxies=trusted_proxies)
    client = Client(server)
    r = client.bootstrap(
        {"method": "localhost"}, headers={"host": "localhost", name: value}
    )
    assert_error(r, 403, "forbidden", "proxy", name.lower())


def test_localhost_login_can_be_switched_off(run_server):
    server = run_server(localhost_login=False)
    r = Client(server).bootstrap({"method": "localhost"})
    assert_error(r, 403, "forbidden", "localhost_login")
    server = run_server(env={"TIMETAGGER_LOCALHOST_LOGIN": "off"})
    r = Client(server).bootstrap({"method": "localhost"})
    assert_error(r, 403, "forbidden", "localhost_login")


def test_localhost_login_refused_when_not_bound_to_loopback(run_server):
    port = free_port()
    server = run_server(port=port, bind=f"0.0.0.0:{port}")
    r = Client(server).bootstrap({"method": "localhost"})
    assert_error(r, 403, "forbidden", "127.0.0.1")


def test_localhost_login_refused_with_proxy_auth(run_server):
    server = run_server(proxy_auth_enabled=True)
    r = Client(server).bootstrap({"method": "localhost"})
    assert_error(r, 403, "forbidden", "proxy")


# %% Bootstrap: user name and password


def test_password_login(api):
    token = api.token
    c = claims(token)
    assert set(c) == {"username", "expires", "seed"}
    assert c["username"] == "alice"
    assert abs(c["expires"] - (time.time() + 14 * 86400)) < 60
    assert api.get("updates?since=0").status_code == 200


def test_wrong_password_and_unknown_user(api):
    for username, password in [("alice", "wrong"), ("mallory", "alice-password")]:
        r = api.bootstrap(
            {"method": "usernamepassword", "username": username, "password": password}
        )
        assert_error(r, 403, "Invalid credentials")


def test_password_fields_must_be_strings(api):
    for ob in [
        {"method": "usernamepassword"},
        {"method": "usernamepassword", "username": "alice"},
        {"method": "usernamepassword", "username": "alice", "password": 5},
        {"method": "usernamepassword", "username": ["alice"], "password": "x"},
    ]:
        assert_error(api.bootstrap(ob), 400, "username")


def test_long_passwords(run_server):
    """bcrypt 5 refuses passwords over 72 bytes; bcrypt always used only the first 72
    bytes, so hashes made that way keep working and nothing answers 500."""
    long_password = "ü" * 60  # 120 bytes
    first72 = long_password.encode()[:72]
    import bcrypt

    pwhash = bcrypt.hashpw(first72, bcrypt.gensalt(4)).decode()
    server = run_server(credentials=f"carol:{pwhash}")
    client = Client(server)
    r = client.bootstrap(
        {"method": "usernamepassword", "username": "carol", "password": long_password}
    )
    assert r.status_code == 200, r.text
    r = client.bootstrap(
        {"method": "usernamepassword", "username": "carol", "password": "x" * 5000}
    )
    assert_error(r, 403, "Invalid credentials")


# %% Bootstrap: proxy


def test_proxy_login(run_server):
    server = run_server(proxy_auth_enabled=True, proxy_auth_header="X-Who")
    client = Client(server)
    r = client.bootstrap({"method": "proxy"}, headers={"x-who": "pat@example.com"})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert claims(token)["username"] == "pat@example.com"
    # Requests with the token; the header may be there (same user) or not.
    assert client.get("version", token=token).status_code == 200
    r = client.get("version", token=token, headers={"x-who": "pat@example.com"})
    assert r.status_code == 200
    # A proxy header naming someone else refuses the token.
    r = client.get("version", token=token, headers={"x-who": "other"})
    assert_error(r, 401, "unauthorized", "X-Who")
    # No header: refused with the reason.
    assert_error(client.bootstrap({"method": "proxy"}), 403, "forbidden", "X-Who")


@pytest.mark.parametrize(
    "trusted, ok",
    [
        ("127.0.0.1", True),
        ("10.0.0.1, 127.0.0.0/8", True),
        ("::1, 127.0.0.1/32", True),
        ("127/8", True),  # the legacy shorthand of the original's docs
        ("10.0.0.0/8", False),
        ("::1", False),
        ("192.168.1.0/24, fd00::/8", False),
    ],
)
def test_proxy_trusted_addresses(run_server, trusted, ok):
    server = run_server(proxy_auth_enabled=True, proxy_auth_trusted=trusted)
    r = Client(server).bootstrap({"method": "proxy"}, headers={"x-remote-user": "pat"})
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert_error(r, 403, "forbidden", "trusted proxy")


def test_proxy_login_checks_the_direct_peer_not_the_forwarded_client(run_server):
    """With trusted_proxies, the client address comes from X-Forwarded-For; the proxy
    login must still trust only the machine that connected."""
    server = run_server(
        proxy_auth_enabled=True,
        proxy_auth_trusted="10.0.0.0/8",
        trusted_proxies="127.0.0.1",
    )
    headers = {"x-remote-user": "pat", "x-forwarded-for": "10.0.0.5"}
    r = Client(server).bootstrap({"method": "proxy"}, headers=headers)
    assert_error(r, 403, "forbidden", "127.0.0.1 is not a trusted proxy")
    server = run_server(proxy_auth_enabled=True, trusted_proxies="127.0.0.1")
    r = Client(server).bootstrap({"method": "proxy"}, headers=headers)
    assert r.status_code == 200, r.text


def test_proxy_login_needs_proxy_auth_enabled(api):
    r = api.bootstrap({"method": "proxy"}, headers={"x-remote-user": "alice"})
    assert_error(r, 403, "forbidden", "not enabled")


# %% Bootstrap: malformed requests


def test_unknown_method_is_401(api):
    assert_error(api.bootstrap({"method": "magic"}), 401, "unauthorized", "magic")


@pytest.mark.parametrize(
    "body, words",
    [
        (b"", "empty"),
        (b"%%%not base64%%%", "base64"),
        (base64.b64encode(b"not json"), "JSON"),
        (base64.b64encode(b"[1, 2]"), "object"),
        (base64.b64encode(b'"text"'), "object"),
        (base64.b64encode(b'{"method": 3}'), "method"),
        (base64.b64encode(b"{}"), "method"),
        (base64.b64encode(b"\xff\xfe"), "UTF-8"),
        (base64.b64encode(b'{"method": NaN}'), "JSON"),
        (base64.b64encode(b"[" * 30000), "nested"),
    ],
)
def test_malformed_bootstrap_bodies_are_400(api, body, words):
    assert_error(api.bootstrap(body), 400, "bad request", words)


def test_bootstrap_body_limit(api):
    r = api.bootstrap(base64.b64encode(b" " * 200000))
    assert_error(r, 413, "payload too large", "64 KiB")


def test_bootstrap_accepts_wrapped_and_urlsafe_base64(api):
    text = json.dumps(
        {
            "method": "usernamepassword",
            "username": "alice",
            "password": "alice-password",
        }
    ).encode()
    wrapped = base64.encodebytes(text)  # with line breaks
    assert api.bootstrap(wrapped).status_code == 200
    urlsafe = base64.urlsafe_b64encode(text).rstrip(b"=")
    assert api.bootstrap(urlsafe).status_code == 200


# %% Token lifecycle


def test_webtoken_renewal(api):
    old = api.token
    time.sleep(1.1)  # a new expiry, so a different token
    r = api.ok("GET", "webtoken")
    new = r["token"]
    assert new != old
    assert claims(new)["seed"] == claims(old)["seed"]
    assert claims(new)["expires"] > claims(old)["expires"]
    # Renewing without reset keeps the old one valid.
    assert api.get("version", token=old).status_code == 200
    assert api.get("version", token=new).status_code == 200


def test_webtoken_reset_logs_out_other_devices(api):
    other_device = api.as_user("alice").token
    for no in ["0", "false", "no", "off", "n", ""]:
        api.ok("GET", f"webtoken?reset={no}")
        assert api.get("version", token=other_device).status_code == 200
    fresh = api.ok("GET", "webtoken?reset=1")["token"]
    assert claims(fresh)["seed"] != claims(other_device)["seed"]
    for token in [other_device, api.token]:
        assert_error(api.get("version", token=token), 401, "revoked")
    assert api.get("version", token=fresh).status_code == 200
    # Every true word, in any case, rotates.
    for yes in ["true", "YES", "On", "y"]:
        newer = api.ok("GET", f"webtoken?reset={yes}", token=fresh)["token"]
        assert_error(api.get("version", token=fresh), 401, "revoked")
        assert api.get("version", token=newer).status_code == 200
        fresh = newer
    # Any other value is a 400 naming the parameter, and rotates nothing.
    for path in ["webtoken?reset=please", "apitoken?reset=maybe"]:
        assert_error(api.get(path, token=fresh), 400, "reset", "true or false")
    assert api.get("version", token=fresh).status_code == 200


def test_apitoken(api):
    r = api.ok("GET", "apitoken")
    apitoken = r["token"]
    c = claims(apitoken)
    assert c["username"] == "alice" and c["expires"] == API_EXPIRES
    # The same token again while the seed stays.
    assert api.ok("GET", "apitoken")["token"] == apitoken
    assert api.get("updates?since=0", token=apitoken).status_code == 200
    # The token endpoints refuse API tokens.
    for path in ["webtoken", "apitoken", "webtoken?reset=1", "apitoken?reset=1"]:
        assert_error(api.get(path, token=apitoken), 403, "forbidden", "API token")
    # Resetting the web seed leaves API tokens alone, and the other way round.
    web = api.ok("GET", "webtoken?reset=1")["token"]
    assert api.get("version", token=apitoken).status_code == 200
    new_api = api.ok("GET", "apitoken?reset=1", token=web)["token"]
    assert new_api != apitoken
    assert_error(api.get("version", token=apitoken), 401, "revoked")
    assert api.get("version", token=new_api).status_code == 200
    assert api.get("version", token=web).status_code == 200


def test_expired_and_revoked_tokens(api):
    server = api.server
    c = claims(api.token)
    expired = forge(server, {**c, "expires": int(time.time()) - 5})
    assert_error(api.get("version", token=expired), 401, "expired")
    revoked = forge(server, {**c, "seed": "old-seed"})
    assert_error(api.get("version", token=revoked), 401, "revoked")
    both = forge(server, {**c, "seed": "old-seed", "expires": int(time.time()) - 5})
    r = api.get("version", token=both)
    assert_error(r, 401, "revoked")
    assert "expired" not in r.text
    # A forged token for a user that has no data here.
    ghost = forge(server, {**c, "username": "ghost"})
    assert_error(api.get("version", token=ghost), 401, "revoked")
    # The real one still works.
    assert api.get("version").status_code == 200


# Forging with short keys makes newer PyJWT warn (InsecureKeyLengthWarning, a
# UserWarning that PyJWT 2.10 does not have).
@pytest.mark.filterwarnings("ignore::UserWarning:jwt.*")
def test_forged_and_malformed_tokens(api):
    server = api.server
    c = claims(api.token)
    header, payload, signature = api.token.split(".")
    unsigned = jwt.encode(c, None, algorithm="none")
    other_key = forge(server, c, key="another secret key of enough length")
    hs512 = forge(server, c, algorithm="HS512")
    tampered_payload = (
        base64.urlsafe_b64encode(json.dumps({**c, "username": "bob"}).encode())
        .rstrip(b"=")
        .decode()
    )
    tampered = f"{header}.{tampered_payload}.{signature}"
    bad_claims = [
        forge(server, {**c, "username": 5}),
        forge(server, {**c, "username": ""}),
        forge(server, {"username": "alice", "seed": c["seed"]}),
        forge(server, {**c, "expires": "soon"}),
        forge(server, {**c, "expires": 10**30}),
        forge(server, {**c, "seed": None}),
        forge(server, {**c, "expires": True}),
    ]
    for token in [
        unsigned,
        other_key,
        hs512,
        tampered,
        "a.b.c",
        "x" * 10000,
        "....",
        "é",
        *bad_claims,
    ]:
        r = httpx.get(api.url("version"), headers={"authtoken": token.encode()})
        assert_error(r, 401, "unauthorized")


@pytest.mark.sqlite_only(reason="the key file; PostgreSQL keeps it in the database")
def test_signing_key_file(run_server, tmp_path):
    datadir = tmp_path / "data"
    server = run_server(datadir=datadir, credentials=credentials_for(USERS))
    key_file = datadir / "jwt.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    client = Client(server)
    token = client.login("alice", USERS["alice"])
    # Restarting keeps tokens valid ...
    server.stop()
    server = run_server(datadir=datadir, credentials=credentials_for(USERS))
    assert Client(server, token).get("version").status_code == 200
    # ... deleting the key invalidates every token.
    server.stop()
    key_file.unlink()
    server = run_server(datadir=datadir, credentials=credentials_for(USERS))
    assert_error(Client(server, token).get("version"), 401, "unauthorized")
    assert key_file.read_text() != ""


# %% Failed logins: slowed, then refused


def attempt(client, username, password):
    t0 = time.perf_counter()
    r = client.bootstrap(
        {"method": "usernamepassword", "username": username, "password": password}
    )
    return r, time.perf_counter() - t0


def test_failed_logins_per_address(run_server):
    server = run_server(
        credentials=credentials_for(USERS),
        login_failures_per_ip=3,
        login_window=60,
    )
    client = Client(server)
    times = []
    for username in ["alice", "nobody", "bob"]:
        r, dt = attempt(client, username, "wrong")
        assert_error(r, 403, "Invalid credentials")
        times.append(dt)
    # Each failure is answered more slowly than the one before: the third waits
    # 0.5 s more than the first; bcrypt's own time varies on a busy machine.
    assert times[2] > times[0] + 0.2, times
    # Then the address is refused, even with the right password, without delay.
    r, dt = attempt(client, "alice", USERS["alice"])
    assert_error(r, 429, "too many requests", "127.0.0.1")
    assert 1 <= int(r.headers["retry-after"]) <= 61
    # The localhost method is not a password login and is not limited.
    assert client.bootstrap({"method": "localhost"}).status_code == 200


def login_from(client, address, username, password):
    """A password login that a trusted proxy forwarded for ``address``."""
    return client.bootstrap(
        {"method": "usernamepassword", "username": username, "password": password},
        headers={"x-forwarded-for": address},
    )


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(run_server):
    # Without trusted_proxies, X-Forwarded-For is ignored: everything is 127.0.0.1.
    server = run_server(credentials=credentials_for(USERS), login_failures_per_ip=3)
    client = Client(server)
    for n in range(3):
        r = login_from(client, f"198.51.100.{n}", "alice", "wrong")
        assert_error(r, 403, "Invalid credentials")
    r = login_from(client, "198.51.100.77", "alice", USERS["alice"])
    assert_error(r, 429, "too many requests", "from 127.0.0.1")
    # Behind a trusted proxy, each client address has its own count.
    server = run_server(
        credentials=credentials_for(USERS),
        login_failures_per_ip=3,
        trusted_proxies="127.0.0.0/8",
    )
    client = Client(server)
    for _ in range(3):
        assert_error(login_from(client, "198.51.100.1", "bob", "x"), 403)
    r = login_from(client, "198.51.100.1", "alice", USERS["alice"])
    assert_error(r, 429, "from 198.51.100.1")
    # A client cannot pick its address: the proxy appends the real one, and the
    # right-most address that is not a trusted proxy counts.
    r = login_from(client, "198.51.100.2, 198.51.100.1", "alice", USERS["alice"])
    assert_error(r, 429, "from 198.51.100.1")
    assert (
        login_from(client, "198.51.100.2", "alice", USERS["alice"]).status_code == 200
    )
    # IPv6 clients count by their /64.
    for n in range(3):
        assert_error(login_from(client, f"2001:db8:1:2::{n + 1}", "bob", "x"), 403)
    r = login_from(client, "2001:db8:1:2:ffff::9", "alice", USERS["alice"])
    assert_error(r, 429, "2001:db8:1:2::/64")
    r = login_from(client, "2001:db8:1:3::1", "alice", USERS["alice"])
    assert r.status_code == 200


def test_an_attacker_cannot_lock_out_the_real_user(run_server):
    """Failures for a user name from one address (any number of them) must not keep
    the real user, at another address, from logging in."""
    server = run_server(
        credentials=credentials_for(USERS),
        login_failures_per_ip=1000,
        login_failures_per_user=5,
        trusted_proxies="127.0.0.1",
    )
    client = Client(server)
    answers = [
        login_from(client, "203.0.113.66", "alice", "guess").status_code
        for _ in range(30)
    ]
    assert answers[:5] == [403] * 5
    assert set(answers[5:]) == {429}
    r = login_from(client, "203.0.113.66", "alice", "guess")
    assert_error(r, 429, "for this user from 203.0.113.66")
    assert 1 <= int(r.headers["retry-after"]) <= 601
    # The real user, elsewhere: the right password works at once.
    r = login_from(client, "198.51.100.20", "alice", USERS["alice"])
    assert r.status_code == 200, r.text
    # ... and even after mistyping twice.
    for _ in range(2):
        assert_error(login_from(client, "198.51.100.21", "alice", "typo"), 403)
    assert (
        login_from(client, "198.51.100.21", "alice", USERS["alice"]).status_code == 200
    )
    # Other users are not affected at all.
    assert login_from(client, "203.0.113.66", "bob", USERS["bob"]).status_code == 200


def test_guessing_from_many_addresses_is_still_slowed(run_server):
    """Once a user name is under attack, each address gets at most GUARDED_TRIES (3)
    checks for it per window, and every failure is answered slowly."""
    server = run_server(
        credentials=credentials_for(USERS),
        login_failures_per_ip=1000,
        login_failures_per_user=5,
        trusted_proxies="127.0.0.1",
    )

    def guess_six_times(n):
        """(when it came, how long it took) of each failure that reached the check."""
        client = Client(server)
        times = []
        for _ in range(6):
            r, dt = attempt_from(client, f"203.0.113.{n}", "alice", "guess")
            if r.status_code == 403:
                times.append((time.perf_counter(), dt))
            else:
                assert_error(r, 429, "for this user")
        return times

    # The first address puts the user name under attack; the nine others then guess
    # at once (each in its own order), as a botnet would. (One after the other, their
    # answers slowed by up to 3 s each would take 80 s.)
    answers = guess_six_times(0)
    with concurrent.futures.ThreadPoolExecutor(9) as pool:
        for times in pool.map(guess_six_times, range(1, 10)):
            answers += times
    slow = [dt for _, dt in sorted(answers)]  # in the order the answers came
    checked = len(slow)
    # 5 to reach the limit, then 3 per address, minus the 5 its first address used.
    assert checked == 5 + 3 * 9, checked
    # Failures of the user name slow every failed answer (bounded at 3 s).
    assert min(slow[-5:]) >= 2.9, slow


def attempt_from(client, address, username, password):
    t0 = time.perf_counter()
    r = login_from(client, address, username, password)
    return r, time.perf_counter() - t0


def test_concurrent_guesses_get_only_the_allowed_checks(run_server):
    """200 wrong passwords sent at once: at most login_failures_per_ip of them reach
    bcrypt (each check is reserved before bcrypt runs), whatever the concurrency,
    with one worker or several sharing login_failures.db."""
    import asyncio

    for workers in [1, 2]:
        server = run_server(credentials=credentials_for(USERS), workers=workers)
        body = bootstrap_body(
            {"method": "usernamepassword", "username": "alice", "password": "wrong"}
        )

        async def guess_all(server=server, body=body):
            limits = httpx.Limits(max_connections=200)
            async with httpx.AsyncClient(timeout=60, limits=limits) as http:
                url = server.url("api/v2/bootstrap_authentication")
                return await asyncio.gather(
                    *[http.post(url, content=body) for _ in range(200)]
                )

        answers = asyncio.run(guess_all())
        statuses = [r.status_code for r in answers]
        assert statuses.count(403) == 10, (workers, sorted(set(statuses)))
        assert statuses.count(429) == 190
        assert login_checks_stored(server) == 10


@pytest.mark.sqlite_only(reason="where the files go; PostgreSQL holds no files")
def test_login_failures_db_lives_in_the_expanded_datadir(run_server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    server = run_server(
        datadir="~/tt-data",
        credentials=credentials_for(USERS),
        env={"HOME": str(home)},
    )
    client = Client(server)
    assert_error(attempt(client, "alice", "wrong")[0], 403)
    client.login("alice", USERS["alice"])
    names = sorted(os.listdir(home / "tt-data"))
    assert "jwt.key" in names and "users" in names and "login_failures.db" in names


def test_unknown_user_costs_as_much_as_a_wrong_password(run_server):
    """bcrypt with cost 11 takes ~0.1 s; an unknown user must cost a bcrypt check
    too. The slow-down for the k-th failure is the same for both kinds, and is
    subtracted."""
    server = run_server(
        credentials=f"alice:{make_hash('pw', cost=11)}",
        login_failures_per_ip=100,
        login_failures_per_user=100,
    )
    client = Client(server)
    attempt(client, "warmup", "x")  # the dummy hash is made on first use
    known, unknown = [], []
    for k in range(2, 6):
        username = "alice" if k % 2 else f"nobody{k}"
        r, dt = attempt(client, username, "wrong")
        assert r.status_code == 403
        slowdown = min(3.0, 0.25 * k)
        (known if username == "alice" else unknown).append(dt - slowdown)
    fast, slow = min(known), min(unknown)
    assert fast > 0.02 and slow > 0.02, (known, unknown)
    assert 0.5 < slow / fast < 2.0, (known, unknown)
