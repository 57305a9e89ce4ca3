"""The Prometheus endpoint (``metrics``, ``metrics_allowed``) and the access log
(``access_log``), over real HTTP: off by default, counts by route and status,
latency histograms, logins refused, open user databases, WAL size, loopback only
unless told otherwise (and never on a forwarding header's word), summed over
workers, and one JSON line per request without the query string."""

import json
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from .conftest import USERS, Client, assert_error, credentials_for, record


def scrape(server, **kwargs):
    r = httpx.get(server.url("metrics"), timeout=30, **kwargs)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")
    assert r.headers["cache-control"] == "no-store"
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def wrong_login(server, user="alice"):
    return Client(server).bootstrap(
        {"method": "usernamepassword", "username": user, "password": "wrong"}
    )


def test_metrics_are_off_by_default(api):
    r = httpx.get(api.server.url("metrics"))
    assert_error(r, 404)


def test_metrics_count_requests_logins_and_storage(run_server, backend):
    server = run_server(
        credentials=credentials_for(USERS),
        metrics=True,
        login_failures_per_ip=2,
        login_window=60,
    )
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    alice.put_records([record("a1", 1, 2), record("a2", 3, 4)])
    for _ in range(3):
        alice.updates(0)
    assert_error(alice.get("nothing/here"), 404)
    assert_error(wrong_login(server), 403)
    assert_error(wrong_login(server), 403)
    assert_error(wrong_login(server), 429)

    samples = scrape(server)
    requests = "timetagger_requests_total"
    assert (
        value(samples, requests, route="api/v2/updates", method="GET", status="200")
        == 3
    )
    assert (
        value(samples, requests, route="api/v2/records", method="PUT", status="200")
        == 1
    )
    assert (
        value(samples, requests, route="api/v2/unknown", method="GET", status="404")
        == 1
    )
    login = "api/v2/bootstrap_authentication"
    assert value(samples, requests, route=login, method="POST", status="200") == 1
    assert value(samples, requests, route=login, method="POST", status="403") == 2
    assert value(samples, "timetagger_failed_logins_total") == 2
    assert value(samples, "timetagger_login_refusals_total") == 1
    assert value(samples, "timetagger_out_of_space_answers_total") == 0
    assert value(samples, "timetagger_damaged_file_answers_total") == 0
    # Latency histograms per route, with their buckets.
    hist = "timetagger_request_duration_seconds"
    assert value(samples, hist + "_count", route="api/v2/updates") == 3
    assert value(samples, hist + "_sum", route="api/v2/updates") > 0
    assert value(samples, hist + "_bucket", route="api/v2/updates", le="+Inf") == 3
    assert value(samples, hist + "_bucket", route="api/v2/updates", le="30.0") == 3
    # Storage: one user open. SQLite: her connection is open and her WAL holds the
    # writes; PostgreSQL: no user holds a connection of her own, no WAL file.
    assert value(samples, "timetagger_open_user_databases") == 1
    if backend == "sqlite":
        assert value(samples, "timetagger_connected_user_databases") == 1
        assert value(samples, "timetagger_wal_bytes") > 0
        assert value(samples, "timetagger_wal_largest_bytes") > 0
    else:
        assert value(samples, "timetagger_connected_user_databases") == 0
        assert value(samples, "timetagger_wal_bytes") == 0
    # The scrape counts itself from the next one on; the raw path never is a label.
    samples = scrape(server)
    assert value(samples, requests, route="metrics", method="GET", status="200") == 1
    assert not any("nothing" in str(key) for key in samples)


def test_metrics_only_for_allowed_peers(run_server):
    # Loopback is not in the list; a trusted proxy's header does not change that.
    server = run_server(
        metrics=True, metrics_allowed="10.0.0.0/8", trusted_proxies="127.0.0.1"
    )
    r = httpx.get(server.url("metrics"), headers={"x-forwarded-for": "10.1.2.3"})
    assert_error(r, 403, "127.0.0.1", "metrics_allowed")
    r = httpx.post(server.url("metrics"))
    assert_error(r, 405)
    server = run_server(metrics=True, metrics_allowed="10.0.0.0/8,127.0.0.0/8")
    assert value(scrape(server), "timetagger_wal_bytes") == 0


def test_metrics_add_up_every_worker(run_server):
    server = run_server(credentials=credentials_for(USERS), metrics=True, workers=2)
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    for _ in range(40):  # new connections: the kernel spreads them over the workers
        Client(server, alice.token).updates(0)
    samples = scrape(server)
    assert (
        value(
            samples,
            "timetagger_requests_total",
            route="api/v2/updates",
            method="GET",
            status="200",
        )
        == 40
    )


def test_json_access_log(run_server):
    server = run_server(credentials=credentials_for(USERS), access_log="json")
    alice = Client(server)
    alice.login("alice", USERS["alice"])
    before = time.time()
    alice.get("updates?since=12345&secret=hunter2")
    assert_error(Client(server).get("version"), 401)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in server.log().splitlines() if line.startswith("{")]
        entries = [json.loads(line) for line in lines]
        # (the health checks of the test's server start are logged too)
        entries = [e for e in entries if e["path"] != "/timetagger/status"]
        if len(entries) >= 3:
            break
        time.sleep(0.05)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/timetagger/api/v2/bootstrap_authentication", 200),
        ("GET", "/timetagger/api/v2/updates", 200),
        ("GET", "/timetagger/api/v2/version", 401),
    ]
    for e in entries:
        assert set(e) == {"time", "method", "path", "status", "duration_ms", "client"}
        assert e["client"] == "127.0.0.1"
        assert 0 < e["duration_ms"] < 10000
        assert e["time"].endswith("Z") and e["time"][:4].isdigit()
    assert entries[1]["time"] >= time.strftime(
        "%Y-%m-%dT%H:%M:%S", time.gmtime(before - 1)
    )
    log = server.log()
    assert "hunter2" not in log and "12345" not in log
    assert alice.token not in log


def test_text_access_log_quotes_the_path(run_server):
    server = run_server(access_log="text")
    r = httpx.get(server.url("api/v2/no%22such%0Athing?token=hunter2"))
    assert_error(r, 404)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in server.log().splitlines() if "/api/v2/" in line]
        if lines:
            break
        time.sleep(0.05)
    (line,) = lines
    address, method, rest = line.split(" ", 2)
    assert (address, method) == ("127.0.0.1", "GET")
    path, status, duration = rest.rsplit(" ", 2)
    assert json.loads(path) == '/timetagger/api/v2/no"such\nthing'
    assert status == "404" and duration.endswith("ms")
    assert "hunter2" not in server.log()
