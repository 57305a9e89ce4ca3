"""Shared reports over real HTTP: what a share token reads (only its tags and range,
no hidden records, no other settings), that it opens nothing else, expiry,
revocation, and that only the owner's web token manages shares."""

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import assert_error, record

DAY = 86400


@pytest.fixture
def owner(api):
    api.put_records(
        [
            record("a", 1000, 2000, "design #client #design"),
            record("b", 3000, 4000, "call #client"),
            record("c", 3000, 4000, "private #home"),
            record("d", 3000, 4000, "HIDDEN #client"),
            record("e", 90000, 91000, "later #client"),
        ]
    )
    api.put_settings(
        [
            {
                "key": "taginfo #client",
                "value": {"color": "#aa0000", "rate": 80, "targets": {"week": 9}},
                "mt": 1,
                "st": 0,
            },
            {"key": "taginfo #home", "value": {"color": "#00aa00"}, "mt": 1, "st": 0},
            {"key": "stopwatch", "value": True, "mt": 1, "st": 0},
        ]
    )
    return api


def make_share(client, body):
    return client.ok("POST", "shares", body)


def read_shared(client, token):
    return client.request("GET", "shared", token="", headers={"sharetoken": token})


def test_a_share_reads_only_its_tags_and_range(owner):
    made = make_share(owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10000}})
    token = made["token"]
    assert made["share"]["tags"] == ["#client"]
    r = read_shared(owner, token)
    assert r.status_code == 200, r.text
    ob = r.json()
    assert sorted(rec["key"] for rec in ob["records"]) == ["a", "b"]
    assert ob["share"]["t1"] == 0 and ob["share"]["t2"] == 10000
    # Only the taginfo of tags the shared records carry; no other setting.
    assert [s["key"] for s in ob["taginfo"]] == ["taginfo #client"]
    assert ob["taginfo"][0]["value"] == {"color": "#aa0000", "rate": 80}
    assert "hash" not in r.text and "stopwatch" not in r.text


def test_the_token_is_unguessable_and_the_secret_not_stored_in_clear(owner):
    tokens = [
        make_share(owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10}})["token"]
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]
    secret = tokens[0].split(".")[2]
    assert len(secret) >= 43  # 32 random bytes
    listed = owner.ok("GET", "shares")["shares"]
    assert secret not in str(listed)
    # A wrong secret with the right user and key is refused.
    user, key, _ = tokens[0].split(".")
    forged = f"{user}.{key}.{'A' * 43}"
    assert_error(read_shared(owner, forged), 401, "revoked or was never valid")
    for bad in ["", "nonsense", "a.b", "!!.x.y", f"{user}.nokey.{secret}"]:
        r = read_shared(owner, bad)
        assert r.status_code == 401, (bad, r.text)


def test_the_share_token_opens_nothing_else(owner):
    token = make_share(owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10}})[
        "token"
    ]
    for method, path in [
        ("GET", "records?timerange=0-100000"),
        ("GET", "updates?since=0"),
        ("GET", "settings"),
        ("GET", "webtoken"),
        ("GET", "apitoken"),
        ("GET", "shares"),
        ("GET", "version"),
        ("PUT", "records"),
        ("PUT", "forcereset"),
        ("POST", "shares"),
    ]:
        r = owner.request(method, path, token=token, content=b"[]")
        assert_error(r, 401)
        r = owner.request(
            method, path, token="", headers={"sharetoken": token}, content=b"[]"
        )
        assert_error(r, 401)
    # And the shared endpoint takes no writes.
    r = owner.request("PUT", "shared", headers={"sharetoken": token}, content=b"[]")
    assert_error(r, 405)


def test_revocation(owner):
    made = make_share(owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10}})
    other = make_share(owner, {"tags": ["#home"], "range": {"t1": 0, "t2": 10}})
    assert read_shared(owner, made["token"]).status_code == 200
    keys = [s["key"] for s in owner.ok("GET", "shares")["shares"]]
    assert keys == [made["share"]["key"], other["share"]["key"]]
    owner.ok("PUT", "shares", {"revoke": made["share"]["key"]})
    assert_error(read_shared(owner, made["token"]), 401, "revoked")
    assert read_shared(owner, other["token"]).status_code == 200
    keys = [s["key"] for s in owner.ok("GET", "shares")["shares"]]
    assert keys == [other["share"]["key"]]
    r = owner.put("shares", {"revoke": made["share"]["key"]})
    assert_error(r, 404, "no share")


def test_expiry(owner):
    soon = time.time() + 1.5
    made = make_share(
        owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10}, "expires": soon}
    )
    assert read_shared(owner, made["token"]).status_code == 200
    deadline = time.time() + 10
    while time.time() < soon + 0.1 and time.time() < deadline:
        time.sleep(0.1)  # the clock must pass the expiry: there is no event to wait for
    assert_error(read_shared(owner, made["token"]), 401, "expired")
    past = make_share(
        owner, {"tags": [], "range": {"t1": 0, "t2": 10}, "expires": time.time() - 1}
    )
    assert_error(read_shared(owner, past["token"]), 401, "expired")


def test_a_reversed_range_is_put_in_order(owner):
    made = make_share(owner, {"tags": ["client"], "range": {"t1": 10000, "t2": 0}})
    assert made["share"]["range"] == {"t1": 0, "t2": 10000}
    ob = read_shared(owner, made["token"]).json()
    assert sorted(rec["key"] for rec in ob["records"]) == ["a", "b"]


def test_current_month_follows_the_clock_in_the_owners_offset(owner):
    offset = 120
    zone = timezone(timedelta(minutes=offset))
    now = datetime.now(zone)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    inside = start.timestamp() + 60
    before = start.timestamp() - 60
    owner.put_records(
        [
            record("this-month", inside, inside + 10, "#monthly"),
            record("last-month", before - 10, before, "#monthly"),
        ]
    )
    made = make_share(owner, {"tags": ["monthly"], "range": {"current_month": offset}})
    ob = read_shared(owner, made["token"]).json()
    assert [rec["key"] for rec in ob["records"]] == ["this-month"]
    assert ob["share"]["t1"] == start.timestamp()


def test_shares_are_per_user_and_for_web_tokens(owner):
    made = make_share(owner, {"tags": ["#client"], "range": {"t1": 0, "t2": 10}})
    bob = owner.as_user("bob")
    assert bob.ok("GET", "shares") == {"shares": []}
    assert_error(bob.put("shares", {"revoke": made["share"]["key"]}), 404)
    assert read_shared(owner, made["token"]).status_code == 200
    apitoken = owner.ok("GET", "apitoken")["token"]
    r = owner.request("GET", "shares", token=apitoken)
    assert_error(r, 403, "web token")
    # A token naming bob with alice's key and secret reads nothing.
    _, key, secret = made["token"].split(".")
    assert_error(read_shared(owner, f"Ym9i.{key}.{secret}"), 401)


@pytest.mark.parametrize(
    "body, words",
    [
        ("[]", "JSON object"),
        ({"tags": "#a", "range": {"t1": 0, "t2": 1}}, "tags"),
        ({"tags": [], "range": {"t1": 0, "t2": 2e12}}, "t2"),
        ({"tags": [], "range": {"t1": -1, "t2": 1}}, "t1"),
        ({"tags": [], "range": "month"}, "range"),
        ({"tags": [], "range": {"t1": 0, "t2": 1, "x": 1}}, "not an object with"),
        ({"tags": [], "range": {"current_month": 5000}}, "current_month"),
        ({"tags": [], "range": {"t1": 0, "t2": 1}, "expires": "soon"}, "expires"),
    ],
)
def test_bad_shares_are_refused(api, body, words):
    content = body if isinstance(body, str) else json.dumps(body)
    r = api.request("POST", "shares", content=content)
    assert_error(r, 400, words)
    assert api.ok("GET", "shares") == {"shares": []}


def test_at_most_100_shares_per_user(api):
    body = {"tags": [], "range": {"t1": 0, "t2": 10}}
    made = [make_share(api, body) for _ in range(100)]
    assert_error(api.request("POST", "shares", content=json.dumps(body)), 400, "100")
    api.ok("PUT", "shares", {"revoke": made[0]["share"]["key"]})
    make_share(api, body)
    assert len(api.ok("GET", "shares")["shares"]) == 100
