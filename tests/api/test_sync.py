"""The sync contract: PUT records/settings (validation, coercion, the mt rule, st
strictly increasing, one transaction), GET updates (since, server_time, reset after
PUT forcereset), GET settings, body limits and malformed bodies, and 20 concurrent
writers of one user losing nothing."""

import gzip
import json
import threading
import time

import httpx
import pytest

from .conftest import Client, assert_error, record


def test_put_and_pull_records(api):
    now = int(time.time())
    r = api.put_records([record("r1", now - 60, now, "one #a"), record("r2", now, now)])
    assert r == {"accepted": ["r1", "r2"], "failed": [], "errors": []}
    up = api.updates(0)
    assert set(up) == {"server_time", "reset", "records", "settings"}
    assert up["reset"] in (0, False)
    assert up["settings"] == []
    by_key = {ob["key"]: ob for ob in up["records"]}
    assert set(by_key) == {"r1", "r2"}
    r1 = by_key["r1"]
    assert r1["t1"] == now - 60 and r1["t2"] == now and r1["ds"] == "one #a"
    assert isinstance(r1["st"], float) and abs(r1["st"] - time.time()) < 10
    assert "ds" not in by_key["r2"]


def test_server_time_chain(api):
    """server_time is what the client sends next: it gets exactly what came after."""
    now = int(time.time())
    api.put_records([record("a", now, now + 1)])
    first = api.updates(0)
    assert [ob["key"] for ob in first["records"]] == ["a"]
    again = api.updates(first["server_time"])
    assert again["records"] == [] and again["settings"] == []
    api.put_records([record("b", now, now + 1)])
    api.put_settings([{"key": "s", "value": 1, "mt": now}])
    nxt = api.updates(again["server_time"])
    assert [ob["key"] for ob in nxt["records"]] == ["b"]
    assert [ob["key"] for ob in nxt["settings"]] == ["s"]
    assert api.updates(nxt["server_time"])["records"] == []
    # since is inclusive: st >= since.
    st_b = nxt["records"][0]["st"]
    assert [ob["key"] for ob in api.updates(st_b)["records"]] == ["b"]
    assert api.updates(st_b + 0.00005)["records"] == []


def test_coercion_and_unknown_fields(api):
    r = api.put_records(
        [
            {"key": "c1", "t1": "100", "t2": 200.7, "mt": "5", "ds": 42, "x": 1},
            {"key": "c2", "t1": 100, "t2": 100, "mt": 1700000000.9},
        ]
    )
    assert r["accepted"] == ["c1", "c2"] and r["failed"] == []
    recs = {ob["key"]: ob for ob in api.updates(0)["records"]}
    assert recs["c1"] == {
        "key": "c1",
        "mt": 5,
        "t1": 100,
        "t2": 200,
        "ds": "42",
        "st": recs["c1"]["st"],
    }
    assert recs["c2"]["mt"] == 1700000000


@pytest.mark.parametrize(
    "item, word",
    [
        ({"t1": 1, "t2": 2}, "mt"),
        ({"mt": 1, "t2": 2}, "t1"),
        ({"mt": 1, "t1": 2}, "t2"),
        ({"mt": 1, "t1": "xx", "t2": 2}, "t1"),
        ({"mt": 1, "t1": "1.5", "t2": 2}, "t1"),
        ({"mt": 1, "t1": 1, "t2": [2]}, "t2"),
        ({"mt": 1, "t1": 1, "t2": True}, "t2"),
        ({"mt": 1, "t1": 1, "t2": None}, "t2"),
        ({"mt": 1, "t1": 2**70, "t2": 2}, "t1"),
        ({"mt": 1e300, "t1": 1, "t2": 2}, "mt"),
        ({"mt": "9" * 40, "t1": 1, "t2": 2}, "mt"),
        ({"mt": 1, "t1": 1, "t2": 2, "ds": "x" * 256}, "ds"),
        ({"mt": 1, "t1": 1, "t2": 2, "ds": {"a": 1}}, "ds"),
        ({"mt": 1, "t1": 1, "t2": 2, "ds": None}, "ds"),
    ],
)
def test_invalid_records(api, item, word):
    r = api.put_records([{"key": "bad", **item}, record("good", 1, 2)])
    assert r["accepted"] == ["good"]
    assert r["failed"] == ["bad"]
    assert len(r["errors"]) == 1 and word in r["errors"][0]


def test_limits_on_keys(api):
    r = api.put_records(
        [record("k" * 255, 1, 2), record("k" * 256, 1, 2), record("", 1, 2)]
    )
    assert r["accepted"] == ["k" * 255]
    assert r["failed"] == ["k" * 256, ""]
    assert len(r["errors"]) == 2


def test_items_that_are_not_objects_with_a_key(api):
    body = [1, "x", None, [], {"key": 5, "t1": 1}, {"t1": 1}, record("ok", 1, 2)]
    r = api.put_records(body)
    assert r["accepted"] == ["ok"] and r["failed"] == []
    assert len(r["errors"]) == 6


def test_numbers_json_cannot_carry(api):
    for text in [
        '[{"key": "n", "t1": NaN, "t2": 1, "mt": 1}]',
        '[{"key": "n", "t1": Infinity, "t2": 1, "mt": 1}]',
        '[{"key": "n", "t1": -Infinity, "t2": 1, "mt": 1}]',
    ]:
        assert_error(api.put("records", text), 400, "JSON")
    r = api.put("records", '[{"key": "n", "t1": 1e999, "t2": 1, "mt": 1}]')
    assert r.status_code == 200 and r.json()["failed"] == ["n"]
    r = api.put(
        "records", '[{"key": "n", "t1": 1' + "0" * 5000 + ', "t2": 1, "mt": 1}]'
    )
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["failed"] == ["n"]


def test_malformed_bodies(api):
    for path in ["records", "settings"]:
        assert_error(api.put(path, b""), 400, "JSON")
        assert_error(api.put(path, b"{not json"), 400, "JSON")
        assert_error(api.put(path, b"\xff\xfe\x00"), 400)
        assert_error(api.put(path, {"key": "x"}), 400, "list")
        assert_error(api.put(path, '"text"'), 400, "list")
        assert_error(api.put(path, "[" * 50000), 400, "nested")
    assert api.put_records([]) == {"accepted": [], "failed": [], "errors": []}


def test_body_limit(api):
    big = json.dumps([record(f"k{i}", 1, 2, "x" * 200) for i in range(50000)])
    assert len(big) > 10 * 2**20
    assert_error(api.put("records", big), 413, "payload too large", "10 MiB")
    # Without a content-length (chunked) too.

    def chunks():
        data = big.encode()
        for i in range(0, len(data), 2**20):
            yield data[i : i + 2**20]

    r = api.request("PUT", "records", content=chunks())
    assert_error(r, 413, "payload too large")
    # Just under the limit is fine.
    ok = json.dumps([record(f"k{i}", 1, 2, "x" * 200) for i in range(36000)])
    assert len(ok) < 10 * 2**20
    r = api.put("records", ok)
    assert r.status_code == 200 and len(r.json()["accepted"]) == 36000


def test_mt_rule(api):
    api.put_records([record("m", 1, 2, "newer", mt=100)])
    # An older mt is accepted but the stored item stays (and is re-written).
    st0 = api.updates(0)["records"][0]["st"]
    r = api.put_records([record("m", 1, 2, "older", mt=99)])
    assert r["accepted"] == ["m"] and r["failed"] == []
    stored = api.updates(0)["records"][0]
    assert stored["ds"] == "newer" and stored["mt"] == 100 and stored["st"] > st0
    # The same mt wins (last write), a higher mt wins.
    api.put_records([record("m", 1, 2, "same", mt=100)])
    assert api.updates(0)["records"][0]["ds"] == "same"
    api.put_records([record("m", 1, 2, "newest", mt=101)])
    assert api.updates(0)["records"][0]["ds"] == "newest"


def test_invalid_item_rewrites_the_stored_one(api):
    api.put_records([record("v", 1, 2, "valid", mt=5)])
    before = api.updates(0)
    r = api.put_records([{"key": "v", "t1": "nope", "t2": 2, "mt": 6}])
    assert r["failed"] == ["v"]
    after = api.updates(before["server_time"])
    assert len(after["records"]) == 1
    rec = after["records"][0]
    assert rec["ds"] == "valid" and rec["mt"] == 5
    assert rec["st"] > before["records"][0]["st"]
    # An invalid item whose key was never stored leaves nothing behind.
    api.put_records([{"key": "never", "t1": "nope", "t2": 2, "mt": 6}])
    assert "never" not in [ob["key"] for ob in api.updates(0)["records"]]


def test_one_body_mixing_stored_new_and_repeated_keys(api):
    """A body longer than a write chunk of either store (500 items for SQLite, 2,000
    for PostgreSQL), with stored and new keys and keys repeated far apart: the mt
    rule holds against the stored version and against the version written earlier in
    the same body; every written item gets the one new st."""
    api.put_records([record(f"s{i}", 1, 2, "stored", mt=50) for i in range(100)])
    first = api.updates(0)
    body = [record(f"n{i}", 3, 4, "new", mt=10) for i in range(4500)]
    body[5] = record("s1", 1, 2, "older than the stored one", mt=40)
    body[6] = record("s2", 1, 2, "newer than the stored one", mt=60)
    body[7] = record("rep", 5, 6, "first", mt=70)
    body[10] = record("rep3", 7, 8, "valid", mt=5)
    body[2500] = record("s2", 1, 2, "newer again", mt=61)
    body[4400] = record("rep", 5, 6, "again but older", mt=69)
    body[4401] = {"key": "rep2", "t1": "nope", "t2": 2, "mt": 6}  # never stored
    body[4403] = {"key": "rep3", "t1": "nope", "t2": 2, "mt": 6}  # stored above
    r = api.put_records(body)
    assert r["failed"] == ["rep2", "rep3"] and len(r["errors"]) == 2
    assert r["accepted"] == [
        ob["key"] for i, ob in enumerate(body) if i not in (4401, 4403)
    ]
    after = api.updates(first["server_time"])
    got = {ob["key"]: ob for ob in after["records"]}
    written = {ob["key"] for i, ob in enumerate(body) if i != 4401}
    assert set(got) == written
    assert got["s1"]["ds"] == "stored" and got["s1"]["mt"] == 50
    assert got["s2"]["ds"] == "newer again" and got["s2"]["mt"] == 61
    assert got["rep"]["ds"] == "first" and got["rep"]["mt"] == 70
    assert got["rep3"]["ds"] == "valid" and got["rep3"]["t1"] == 7
    assert len({ob["st"] for ob in got.values()}) == 1
    assert got["n0"]["st"] > max(ob["st"] for ob in first["records"])
    everything = {ob["key"]: ob for ob in api.updates(0)["records"]}
    assert len(everything) == 100 + len(written) - 2  # s1 and s2 were stored
    assert everything["s3"]["st"] == first["records"][0]["st"]


def test_st_is_strictly_increasing_per_item(api):
    sts = []
    for i in range(30):
        api.put_records([record("same", 1, 2, f"v{i}", mt=1)])
        sts.append(api.updates(0)["records"][0]["st"])
    steps = [b - a for a, b in zip(sts, sts[1:], strict=False)]
    assert all(step >= 0.0001 - 1e-9 for step in steps), sts


def test_settings(api):
    r = api.put_settings(
        [
            {"key": "theme", "value": "dark", "mt": 10, "st": 0},
            {"key": "obj", "value": {"a": [1, 2, None]}, "mt": 10},
            {"key": "null", "value": None, "mt": 10},
            {"key": "nomt", "value": 1},
            {"key": "novalue", "mt": 1},
            {"key": "big", "value": "x" * 8189, "mt": 1},
            {"key": "toobig", "value": "x" * 8190, "mt": 1},
        ]
    )
    assert r["accepted"] == ["theme", "obj", "null", "big"]
    assert r["failed"] == ["nomt", "novalue", "toobig"]
    assert len(r["errors"]) == 3
    settings = {ob["key"]: ob for ob in api.ok("GET", "settings")["settings"]}
    assert set(settings) == {"theme", "obj", "null", "big"}
    assert settings["obj"]["value"] == {"a": [1, 2, None]}
    assert settings["null"]["value"] is None
    assert settings["theme"]["mt"] == 10 and settings["theme"]["st"] > 0
    # The mt rule holds for settings too.
    api.put_settings([{"key": "theme", "value": "light", "mt": 9}])
    settings = {ob["key"]: ob for ob in api.ok("GET", "settings")["settings"]}
    assert settings["theme"]["value"] == "dark"


def test_forcereset(api):
    now = int(time.time())
    api.put_records([record("before", now - 100, now - 50, mt=now - 100)])
    api.put_settings([{"key": "s", "value": 1, "mt": now - 100}])
    last = api.updates(0)
    assert last["reset"] in (0, False)
    assert api.ok("PUT", "forcereset") == {"status": "ok"}
    # A client whose since is at or before the reset gets everything and reset.
    for since in [0, last["server_time"]]:
        up = api.updates(since)
        assert up["reset"] in (1, True)
        assert [ob["key"] for ob in up["records"]] == ["before"]
        assert [ob["key"] for ob in up["settings"]] == ["s"]
    # After that it syncs normally: server_time is past the reset.
    up = api.updates(api.updates(0)["server_time"])
    assert up["reset"] in (0, False) and up["records"] == []
    # Items modified before the reset are refused; later ones are fine.
    r = api.put_records(
        [
            record("old", 1, 2, mt=now - 10),
            record("new", 1, 2, mt=int(time.time()) + 1),
        ]
    )
    assert r["accepted"] == ["new"] and r["failed"] == ["old"]
    assert "reset" in r["errors"][0]
    r = api.put_settings([{"key": "s", "value": 2, "mt": now - 10}])
    assert r["failed"] == ["s"]


def test_updates_since_in_the_future_and_negative(api):
    api.put_records([record("f", 1, 2)])
    up = api.updates(time.time() + 3600)
    assert up["records"] == [] and up["settings"] == []
    assert abs(up["server_time"] - time.time()) < 10
    assert [ob["key"] for ob in api.updates(-5)["records"]] == ["f"]


def test_full_sync_is_gzipped_when_accepted(api):
    records = [record(f"g{i}", i, i + 10, f"item {i} #tag") for i in range(3000)]
    api.put_records(records)
    r = api.get("updates?since=0", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert len(r.json()["records"]) == 3000
    raw = httpx.get(
        api.url("updates?since=0"),
        headers={"authtoken": api.token, "accept-encoding": "identity"},
    )
    assert "content-encoding" not in raw.headers
    assert json.loads(raw.content)["records"] == r.json()["records"]
    # The compressed body is a real gzip stream.
    stream = httpx.Client().stream(
        "GET",
        api.url("updates?since=0"),
        headers={"authtoken": api.token, "accept-encoding": "gzip"},
    )
    with stream as response:
        body = b"".join(response.iter_raw())
    assert json.loads(gzip.decompress(body))["records"] == r.json()["records"]
    assert len(body) < len(raw.content) / 3


def put_many(api, prefix, n, ds="bulk #many", t0=1_700_000_000):
    """PUT n records (in requests of 5,000); returns their keys."""
    records = [
        record(f"{prefix}{i:06d}", t0 + 60 * i, t0 + 60 * i + 30, f"{ds} {i}", mt=1)
        for i in range(n)
    ]
    for i in range(0, n, 5000):
        assert not api.put_records(records[i : i + 5000])["failed"]
    return [ob["key"] for ob in records]


def get_raw(api, path, encoding):
    """(response, the body as sent) for a GET with the given Accept-Encoding."""
    with httpx.Client(timeout=60) as http:
        request = http.build_request(
            "GET",
            api.url(path),
            headers={"authtoken": api.token, "accept-encoding": encoding},
        )
        response = http.send(request, stream=True)
        body = b"".join(response.iter_raw())
        response.close()
    return response, body


def test_big_answers_are_sent_in_pieces_with_a_length(api):
    """An answer bigger than one piece of the store (4,000 items) is compressed as it
    is built and sent piece by piece: still one gzip stream with a Content-Length,
    no chunked encoding, the same JSON as the plain answer, every item once."""
    old = put_many(api, "a", 3000)
    since = api.updates(0)["server_time"]
    new = put_many(api, "b", 9000)
    for path, expected in [
        ("updates?since=0", old + new),
        # Many items since: the table is scanned in key ranges, st filtered in each.
        (f"updates?since={since!r}", new),
    ]:
        zipped, zipped_body = get_raw(api, path, "gzip")
        plain, plain_body = get_raw(api, path, "identity")
        assert zipped.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        for response, body in [(zipped, zipped_body), (plain, plain_body)]:
            assert response.status_code == 200
            assert "transfer-encoding" not in response.headers
            assert int(response.headers["content-length"]) == len(body)
        ob = json.loads(gzip.decompress(zipped_body))
        plain_ob = json.loads(plain_body)
        assert ob["records"] == plain_ob["records"] and ob["reset"] is False
        assert sorted(r["key"] for r in ob["records"]) == sorted(expected), path
        assert len(zipped_body) < len(plain_body) / 3
    # GET records over a wide range (read in a thread) and a filter across pieces.
    t0 = 1_700_000_000
    got = api.records(f"timerange={t0}-{t0 + 200 * 86400}")
    assert sorted(r["key"] for r in got) == sorted(old + new)
    got = api.records(f"timerange={t0}-{t0 + 200 * 86400}&tag=many")
    assert len(got) == 12000
    api.put_records([record("tagged", t0, t0 + 5, "other #rare")])
    got = api.records(f"timerange={t0}-{t0 + 200 * 86400}&tag=rare")
    assert [r["key"] for r in got] == ["tagged"]
    head = api.request("HEAD", "updates?since=0", headers={"accept-encoding": "gzip"})
    assert head.status_code == 200 and head.content == b""


def test_concurrent_writers_lose_nothing(api):
    """20 clients of one user PUT at once (records and settings): every accepted
    item is stored, and its last version wins."""
    clients = [Client(api.server, api.token) for _ in range(20)]
    errors = []

    def work(i, client):
        try:
            for j in range(15):
                recs = [
                    record(f"w{i}-{j}-{k}", j, j + k, f"c{i}", mt=1) for k in range(5)
                ]
                recs.append(record("shared", 1, 2, f"from {i}", mt=j))
                r = client.put_records(recs)
                assert len(r["accepted"]) == 6, r
                client.put_settings([{"key": f"s{i}", "value": j, "mt": j}])
        except Exception as err:  # collected and reported by the test
            errors.append(err)

    threads = [
        threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    up = api.updates(0)
    keys = {ob["key"] for ob in up["records"]}
    expected = {f"w{i}-{j}-{k}" for i in range(20) for j in range(15) for k in range(5)}
    assert expected <= keys and len(keys) == len(expected) + 1
    settings = {ob["key"]: ob["value"] for ob in up["settings"]}
    assert settings == {f"s{i}": 14 for i in range(20)}
    shared = next(ob for ob in up["records"] if ob["key"] == "shared")
    assert shared["mt"] == 14
    sts = sorted(ob["st"] for ob in up["records"])
    assert len(set(sts)) > 1


def test_unicode_survives(api):
    ds = "Zürich café 東京 🎉 #über #日本"
    api.put_records([record("u", 1, 2, ds)])
    assert api.updates(0)["records"][0]["ds"] == ds
    assert api.records("timerange=0-10&tag=über")[0]["ds"] == ds
