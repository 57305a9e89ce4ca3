"""Hostile PUT and login bodies: lone surrogates in keys fail their item alone (and a
login with a 400), the error list of a PUT answer is capped, a 10 MiB body of any shape
costs the server less than 100 MiB, and the element-by-element reader of big bodies
agrees with the one-go parse on every body."""

import json
import random

import pytest

from bench import procmem

from .conftest import Client, assert_error, record

LONE = "\ud800"  # a lone surrogate: valid in JSON text ("\ud800"), not in UTF-8


def put_raw(client, kind, items):
    """PUT items as JSON text (json.dumps escapes the surrogates as JSON allows)."""
    return client.put(kind, json.dumps(items))


# %% Lone surrogates


def test_lone_surrogates_in_record_keys_fail_alone(api):
    """A key with a lone surrogate used to be a 500 that lost the whole batch. A
    description with one is stored and served back as given, as the original does
    (the client's truncation of a long description can cut a pair in two)."""
    half_turtle = "\U0001f422" * 127 + "\ud83d"
    items = [
        record("good1", 1, 2, "fine"),
        record("bad" + LONE, 1, 2),
        record("cut", 1, 2, half_turtle),
        record(LONE, 1, 2),
        record("good2", 3, 4),
    ]
    r = put_raw(api, "records", items)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == ["good1", "cut", "good2"]
    assert answer["failed"] == ["bad" + LONE, LONE]
    assert len(answer["errors"]) == 2
    assert all("lone surrogate" in message for message in answer["errors"])
    got = {ob["key"]: ob for ob in api.updates()["records"]}
    assert set(got) == {"good1", "cut", "good2"}
    assert got["cut"]["ds"] == half_turtle


def test_lone_surrogates_in_setting_keys_fail_alone(api):
    items = [
        {"key": "ok", "mt": 1, "value": "x"},
        {"key": "k" + LONE, "mt": 1, "value": "x"},
        {"key": "v", "mt": 1, "value": {"deep": ["a", LONE]}},
        {"key": "emoji", "mt": 1, "value": "\U0001f600 fine"},
    ]
    r = put_raw(api, "settings", items)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == ["ok", "v", "emoji"]
    assert answer["failed"] == ["k" + LONE]
    assert "lone surrogate" in answer["errors"][0]
    stored = {ob["key"]: ob["value"] for ob in api.updates()["settings"]}
    assert stored == {
        "ok": "x",
        "v": {"deep": ["a", LONE]},
        "emoji": "\U0001f600 fine",
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"username": "alice" + LONE, "password": "alice-password"},
        {"username": "alice", "password": "pw" + LONE},
        {"username": LONE, "password": LONE},
    ],
)
def test_lone_surrogates_in_a_login_are_400(api, fields):
    r = api.bootstrap({"method": "usernamepassword", **fields})
    assert_error(r, 400, "bad request", "surrogate")
    # The server is fine afterwards, and the real password still works.
    Client(api.server).login("alice", "alice-password")


# %% The error list


def test_error_list_is_capped(api):
    r = api.put("records", [0] * 1000 + [record("ok", 1, 2)])
    assert r.status_code == 200
    answer = r.json()
    assert answer["accepted"] == ["ok"]
    errors = answer["errors"]
    assert len(errors) == 101
    assert errors[0] == "item 0 is not an object with a string key"
    assert errors[99] == "item 99 is not an object with a string key"
    assert errors[100] == "and 900 more errors (only the first 100 are listed)"
    # Failed keys are all listed; their messages are capped with the others.
    r = api.put("records", [{"key": f"f{i}"} for i in range(300)])
    answer = r.json()
    assert len(answer["failed"]) == 300
    assert len(answer["errors"]) == 101
    assert answer["errors"][-1].startswith("and 200 more errors")


def test_big_bodies_are_read_like_small_ones(api):
    """Past 256 KiB a body is read element by element while it is written: the
    answer and what is stored are the same as for the same items in small bodies."""
    random.seed(7)
    items = []
    for i in range(6000):
        items.append(record(f"r{i % 5000}", i, i + 10, "x" * random.randint(0, 60)))
        if i % 7 == 0:
            items.append(random.choice([0, "text", [], {}, {"key": 5}, [1, 2]]))
        if i % 11 == 0:
            items.append({"key": f"bad{i}", "t1": "nope", "t2": 1, "mt": 1})
    body = json.dumps(items, indent=1)
    assert len(body) > 256 * 1024
    r = api.put("records", body)
    assert r.status_code == 200, r.text
    big = r.json()
    other = api.as_user("bob")
    small = {"accepted": [], "failed": [], "errors": []}
    for i in range(0, len(items), 500):
        part = other.put_records(items[i : i + 500])
        for name in small:
            small[name] += part[name]
    assert big["accepted"] == small["accepted"]
    assert big["failed"] == small["failed"]
    assert len(big["errors"]) == 101
    stored = {ob["key"]: ob for ob in api.updates()["records"]}
    stored_small = {ob["key"]: ob for ob in other.updates()["records"]}
    assert len(stored) == 5000  # invalid new items are not stored
    for key, ob in stored.items():
        assert {**ob, "st": 0} == {**stored_small[key], "st": 0}


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[" + b"0," * 200000 + b"0", "JSON"),
        (b"[" + b"[" * 300000, "nested"),
        (b"[" + b"0," * 200000 + b"0] x", "extra data"),
        (b'{"a": [' + b"0," * 200000 + b"0]}", "list"),
        (b"[" + b"0," * 200000 + b"NaN]", "NaN"),
        (b"[" + b"0," * 200000 + b"\xff]", "UTF-8"),
    ],
)
def test_malformed_big_bodies_write_nothing(api, body, words):
    good = json.dumps([record("kept", 1, 2)]).encode()
    body = body.replace(b"[0,", b"[" + good[1:-1] + b",0,", 1)
    assert len(body) > 256 * 1024
    assert_error(api.put("records", body), 400, words)
    assert api.updates()["records"] == []


# %% The element-by-element reader itself (in process, with a tiny window)


def random_element(rng):
    if rng.random() < 0.4:
        return {
            "key": f"k{rng.randint(0, 50)}",
            "mt": rng.randint(0, 9),
            "t1": 1,
            "t2": rng.choice([1, 2, "x"]),
            "ds": rng.choice(["", "a,b", "x" * 20, "]", "\\", "\u00e9"]),
        }
    return rng.choice(
        [
            0,
            1.5,
            -3e5,
            "s",
            "a,b",
            'a\\"',
            [],
            {},
            [1, 2],
            {"a": 1},
            {"key": 5},
            None,
            True,
            {"key": LONE},
            {"key": "n", "mt": 1, "t1": 1, "t2": 2, "ds": LONE},
        ]
    )


@pytest.mark.parametrize("max_errors", [100, 3])
def test_streamed_reading_agrees_with_one_go(monkeypatch, max_errors):
    from timetagger.server import _items

    monkeypatch.setattr(_items, "WINDOW", 200)  # many windows per body
    monkeypatch.setattr(_items, "SMALL_BODY", 0)  # every body streamed
    monkeypatch.setattr(_items, "MAX_ERRORS", max_errors)  # junk runs skipped
    rng = random.Random(1)
    for trial in range(300):
        obs = [random_element(rng) for _ in range(rng.randint(0, 200))]
        text = json.dumps(obs, indent=rng.choice([None, 0, 1]))
        reference = _items.PutItems("records", b"", obs)
        expected = list(reference)
        streamed = _items.PutItems("records", text.encode())
        assert list(streamed) == expected, trial
        assert streamed.rejected == reference.rejected, trial
        assert list(streamed.errors) == list(reference.errors), trial
        assert streamed.errors.more == reference.errors.more, trial


# %% Memory


def ten_mib_list(fmt):
    """A JSON list of just under 10 MiB whose elements are ``fmt % i``."""
    parts, size, i = [], 2, 0
    while True:
        part = fmt % i if b"%" in fmt else fmt
        if size + len(part) + 1 > 10 * 2**20:
            return b"[" + b",".join(parts) + b"]"
        parts.append(part)
        size += len(part) + 1
        i += 1


@pytest.mark.skipif(not procmem.available(), reason="Linux only")
def test_ten_mib_bodies_cost_less_than_100_mib(api):
    """The peak resident memory of the server (VmHWM, reset before each request)
    stays within 100 MiB of what it was before, for the worst shapes of a 10 MiB
    body: five million zeros (once a 254 MiB answer and 1.1 GiB), empty objects or
    strings (each a Python object when parsed in one go), and objects with short
    keys and nothing else (every key fails and is listed)."""
    pid = api.server.proc.pid
    for name, fmt in [
        ("zeros", b"0"),
        ("empty objects", b"{}"),
        ("two-letter strings", b'"ab"'),
        ("keys only", b'{"key":"k%d"}'),
    ]:
        body = ten_mib_list(fmt)
        assert 10 * 2**20 - 64 < len(body) <= 10 * 2**20
        idle = procmem.memory(pid, procmem.MIB)["VmRSS"]
        procmem.reset_peak(pid)  # VmHWM starts again from the resident size
        r = api.put("records", body)
        assert r.status_code == 200, r.text[:200]
        assert len(r.content) < 8 * 2**20
        peak = procmem.memory(pid, procmem.MIB)["VmHWM"]
        assert peak - idle < 100, f"{name}: {peak - idle:.0f} MiB above idle"
