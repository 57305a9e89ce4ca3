"""The browser app against several hosts (issue 16, point 5): nginx serves the built
site from the recipe and balances /api/v2 round robin over two API processes, each in
its own network namespace (on its own port where namespaces cannot be made), on one
PostgreSQL. Two devices log in through the balancer; a record made in the app's UI on
one reaches the other within one poll, also when written through one process and
polled through the other; one process is killed (SIGKILL) during a stream of writes:
every write the app saw acknowledged is in the database and on the other device, and
both devices carry on through the remaining process without a failed request.

Which process answered each request is read from the ``X-Upstream`` header that the
test's nginx adds (``balanced_api.nginx_balancer``)."""

import signal
import time

import httpx
import pytest
from balanced_api import (
    nginx_balancer,
    query,
    start_api_processes,
    stop_api_processes,
    wait_until,
)

from .helpers import (
    login_app,
    put_record,
    running,
    sync,
    sync_until_idle,
)

pytestmark = pytest.mark.e2e

POLL_INTERVAL = 10.0  # the app's poll (store/stores.py)
T0 = 1700000000


@pytest.fixture
def balanced(tmp_path, pg_cluster, built_site, credentials):
    """(nginx serving the site, [process A, process B], database URL)."""
    url = pg_cluster.fresh_database()
    servers = start_api_processes(
        tmp_path,
        url,
        2,
        cluster=pg_cluster,
        credentials=credentials,
        localhost_login=False,
        trusted_proxies="127.0.0.1",
    )
    try:
        site = nginx_balancer(tmp_path, servers, built_site)
        try:
            yield site, servers, url
        finally:
            site.stop()
    finally:
        stop_api_processes(servers)


def device(make_page):
    """A browser context (a device) whose API answers are kept in ``page.answers``."""
    page = make_page()
    page.answers = []

    def keep(response):
        # The app's (the login page's answers are gone with that page).
        if "/api/v2/" in response.url and "/app/" in response.frame.url:
            page.answers.append(response)

    page.on("response", keep)
    return page


def exchanges(page, first=0):
    """The page's API requests (from its ``first``), in the order they started:
    dicts with ``method``, ``path``, ``status``, ``start`` and ``end`` (wall clock,
    ms), ``upstream`` (the process that answered: the last one nginx tried) and
    ``body`` (JSON)."""
    found = []
    for response in page.answers[first:]:
        request = response.request
        timing = request.timing
        assert timing["responseEnd"] >= 0, response.url
        found.append(
            {
                "method": request.method,
                "path": response.url.split("/api/v2/", 1)[1].split("?")[0],
                "status": response.status,
                "start": timing["startTime"],
                "end": timing["startTime"] + timing["responseEnd"],
                "upstream": response.headers.get("x-upstream", "").split(", ")[-1],
                "body": response.json() if response.status == 200 else None,
            }
        )
    return sorted(found, key=lambda x: x["start"])


def has_record(page, key):
    return page.evaluate("(k) => !!window.ttapp.store.records.get_by_key(k)", key)


def synced(page, key):
    return page.evaluate("(k) => window.ttapp.store.records.is_synced(k)", key)


def sync_done(page):
    """Wait until no sync cycle of the page's store runs."""
    page.wait_for_function("!window.ttapp.store._running_sync")


def push_of(traffic, key):
    """The first push (of ``exchanges``) that the server acknowledged ``key`` in."""
    pushes = [x for x in traffic if x["method"] == "PUT" and x["path"] == "records"]
    return [x for x in pushes if key in x["body"]["accepted"]][0]


def next_request_away_from(site, upstream):
    """Make nginx's round robin (strict alternation of two processes, one worker)
    send the next request to the other process than ``upstream``: ask for the
    status until ``upstream`` answers."""
    for _ in range(4):
        if httpx.get(site.url("status"), timeout=10).headers["x-upstream"] == upstream:
            return
    raise AssertionError(f"{upstream} does not answer through nginx")


# A stream of writes through the app's store: a record, then a sync cycle (push and
# pull); every third time one more pull, as a poll would add, so that the pushes do
# not keep landing on the same process of the round robin.
_STREAM = """() => {
    const s = window.ttapp.store, rs = s.records;
    const stream = (window.stream = {keys: [], stop: false});
    stream.done = (async () => {
        for (let i = 0; !stream.stop; i++) {
            const t = dt.now() - 3600 + i;
            const r = rs.create(t, t + 30, "stream " + i + " #balancer");
            rs.put(r);
            stream.keys.push(r.key);
            await s.sync();
            if (i % 3 === 2) await s.sync();
        }
    })();
}"""
_ACKNOWLEDGED = """() => window.stream.keys.filter(
    (k) => window.ttapp.store.records.is_synced(k))"""
_HAS = "(keys) => keys.filter((k) => window.ttapp.store.records.get_by_key(k))"


def test_two_devices_through_the_balancer_with_a_process_killed(make_page, balanced):
    site, servers, url = balanced
    dev_b = device(make_page)
    dev_a = device(make_page)
    assert login_app(dev_b, site, pin=False) == "alice"
    assert login_app(dev_a, site, pin=False) == "alice"
    sync_done(dev_b)

    # A record made in the UI of device A (key s: the Start dialog) ...
    dev_a.keyboard.press("s")
    dev_a.wait_for_selector(".tt-record-dialog")
    dev_a.keyboard.type("Through the balancer #e2e")
    dev_a.keyboard.press("Enter")
    dev_a.wait_for_selector(".tt-record-dialog", state="detached")
    [first] = [r["key"] for r in running(dev_a)]
    # Acknowledged: the server took it and a pull (through the other process of
    # the round robin) brought it back.
    wait_until(
        lambda: synced(dev_a, first),
        timeout=POLL_INTERVAL,
        what="the UI's record acknowledged on device A",
    )
    acknowledged_at = time.monotonic()
    # ... is on device B within one poll period of its acknowledgement; its poll
    # goes to the process that did not take the write, unless another request of
    # the devices comes between (checked below, with the other writes).
    sync_done(dev_a)
    next_request_away_from(site, push_of(exchanges(dev_a), first)["upstream"])
    wait_until(
        lambda: has_record(dev_b, first),
        timeout=POLL_INTERVAL + 5,
        what="the UI's record on device B",
    )
    assert time.monotonic() - acknowledged_at < POLL_INTERVAL + 1.5
    assert dev_b.evaluate(
        "(k) => window.ttapp.store.records.get_by_key(k).ds", first
    ) == ("Through the balancer #e2e")

    # Written through one process, polled through the other, nothing written in
    # between: the other process knows of the write (through the database's
    # notifications) in device B's next poll.
    crossings = []
    for attempt in range(3):
        made_by_a = len(dev_a.answers)
        key = put_record(dev_a, f"crossing {attempt} #e2e", T0, T0 + 60)
        assert sync(dev_a) == ["ok", ""]
        pushed_to = push_of(exchanges(dev_a, made_by_a), key)["upstream"]
        next_request_away_from(site, pushed_to)
        seen = len(dev_b.answers)
        assert sync(dev_b) == ["ok", ""]
        [poll] = [x for x in exchanges(dev_b, seen) if x["path"] == "updates"][-1:]
        assert key in {r["key"] for r in poll["body"]["records"]}, (
            f"a write through {pushed_to} not in the next poll, through {poll['upstream']}"
        )
        if poll["upstream"] != pushed_to:
            crossings.append(key)
            break
    assert crossings, "no poll reached the other process (stray requests?)"

    # A stream of writes from device A; device B polls it while both processes live.
    dev_a.evaluate(_STREAM)
    dev_a.wait_for_function("window.stream.keys.length >= 10")
    assert sync(dev_b) == ["ok", ""]
    assert len(dev_b.evaluate(_HAS, dev_a.evaluate("window.stream.keys"))) >= 5
    killed = servers[0]
    killed.stop(signal.SIGKILL)
    killed_at_ms = time.time() * 1000
    acknowledged_before_kill = set(dev_a.evaluate(_ACKNOWLEDGED))
    made_before_kill = dev_a.evaluate("window.stream.keys.length")
    # Device A carries on writing through the other process.
    wait_until(
        lambda: len(dev_a.evaluate(_ACKNOWLEDGED)) >= made_before_kill + 10,
        timeout=15,
        what="ten writes acknowledged after the kill",
    )
    dev_a.evaluate("window.stream.stop = true; window.stream.done")
    assert sync_until_idle(dev_a) == "done"
    made = set(dev_a.evaluate("window.stream.keys")) | {first, *crossings}
    acknowledged = set(dev_a.evaluate(_ACKNOWLEDGED)) | {first, *crossings}
    assert acknowledged_before_kill <= acknowledged
    assert acknowledged == made  # nothing left behind in the queue
    # Device B carries on too.
    assert sync(dev_b) == ["ok", ""]

    # Every acknowledged record is in the database, and on device B.
    stored = {
        bytes(key).decode()
        for (key,) in query(
            url, "SELECT key FROM tt_records WHERE username = %s", ("alice",)
        )
    }
    assert acknowledged - stored == set()
    assert acknowledged - set(dev_b.evaluate(_HAS, sorted(acknowledged))) == set()

    # What went over the wire: no request of either device failed, before the kill
    # or after; after it, the killed process answered nothing.
    traffic_a, traffic_b = exchanges(dev_a), exchanges(dev_b)
    failed = [x for x in traffic_a + traffic_b if x["status"] != 200]
    assert failed == []
    gone = f"{killed.host}:{killed.port}"
    late = [x for x in traffic_a + traffic_b if x["start"] > killed_at_ms + 50]
    assert late and all(x["upstream"] != gone for x in late)

    # Each acknowledged write was in device B's first poll after the acknowledgement
    # (or in an earlier one).
    polls = [x for x in traffic_b if x["path"] == "updates"]
    for key in acknowledged:
        push = push_of(traffic_a, key)
        carried = [x for x in polls if key in {r["key"] for r in x["body"]["records"]}]
        later = [x for x in polls if x["start"] > push["end"]]
        assert carried and later, key
        assert carried[0]["start"] <= later[0]["start"], (key, push, carried[0])
    assert dev_a.js_errors == [] and dev_b.js_errors == []
