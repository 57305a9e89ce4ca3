"""GET records: the overlap rule (running records, A == B, reversed ranges, long
records), the running / hidden / tag filters, bad parameters, user input never
reaching SQL, and a randomised comparison with a brute-force filter."""

import random

import pytest

from .conftest import assert_error, record

DAY = 86400


def keys(records):
    return sorted(ob["key"] for ob in records)


@pytest.fixture
def filled(api):
    api.put_records(
        [
            record("early", 100, 200, "early #work"),
            record("middle", 300, 400, "middle #Work #client-a"),
            record("late", 500, 600, "late #home"),
            record("running", 350, 350, "running #work"),
            record("running-old", 50, 50, "started long ago"),
            record("hidden", 300, 400, "HIDDEN middle #work"),
            record("long", 0, 10 * DAY, "a long one #trip"),
            record("future-running", 10000, 10000, "not yet"),
        ]
    )
    return api


def test_overlap(filled):
    q = filled.records
    assert keys(q("timerange=250-450")) == [
        "hidden",
        "long",
        "middle",
        "running",
        "running-old",
    ]
    # Touching edges count (t2 >= A and t1 <= B).
    assert "early" in keys(q("timerange=200-250"))
    assert "middle" in keys(q("timerange=250-300"))
    # A running record matches every range that ends after it started.
    assert "running" in keys(q("timerange=5000-6000"))
    assert "running" not in keys(q("timerange=0-349"))
    assert "future-running" not in keys(q("timerange=0-9999"))
    assert "future-running" in keys(q("timerange=0-10000"))
    # Long records are found from any point they cover.
    assert "long" in keys(q(f"timerange={5 * DAY}-{5 * DAY + 10}"))
    assert "long" not in keys(q(f"timerange={10 * DAY + 1}-{11 * DAY}"))


def test_a_equals_b(filled):
    assert keys(filled.records("timerange=150-150")) == ["early", "long", "running-old"]
    assert keys(filled.records("timerange=400-400")) == [
        "hidden",
        "long",
        "middle",
        "running",
        "running-old",
    ]


def test_reversed_range_means_covering_the_whole_range(filled):
    # [B, A] = [310, 390] is covered by middle, hidden, long; the running records
    # that started before 310 cover it as well.
    assert keys(filled.records("timerange=390-310")) == [
        "hidden",
        "long",
        "middle",
        "running-old",
    ]
    assert keys(filled.records("timerange=450-250")) == ["long", "running-old"]


def test_running_filter(filled):
    for word in ["true", "yes", "on", "1", "TRUE"]:
        got = keys(filled.records(f"timerange=0-20000&running={word}"))
        assert got == ["future-running", "running", "running-old"]
    for word in ["false", "no", "off", "n", "0"]:
        got = keys(filled.records(f"timerange=0-450&running={word}"))
        assert got == ["early", "hidden", "long", "middle"]
    assert_error(filled.get("records?timerange=0-1&running=maybe"), 400, "running")


def test_hidden_filter(filled):
    assert keys(filled.records("timerange=250-450&hidden=1")) == ["hidden"]
    got = keys(filled.records("timerange=250-450&hidden=no"))
    assert got == ["long", "middle", "running", "running-old"]
    assert_error(filled.get("records?timerange=0-1&hidden=2"), 400, "hidden")


def test_tag_filter(filled):
    q = filled.records
    assert keys(q("timerange=0-1000&tag=work")) == [
        "early",
        "hidden",
        "middle",
        "running",
    ]
    # A leading '#' is ignored, and case does not matter.
    assert keys(q("timerange=0-1000&tag=%23WORK")) == keys(
        q("timerange=0-1000&tag=work")
    )
    # Every listed tag must be there.
    assert keys(q("timerange=0-1000&tag=work,client-a")) == ["middle"]
    # Whole tags only: #work does not match #workshop, #client does not match #client-a.
    filled.put_records([record("shop", 100, 200, "#workshop")])
    assert "shop" not in keys(q("timerange=0-1000&tag=work"))
    assert keys(q("timerange=0-1000&tag=client")) == []
    assert keys(q("timerange=0-1000&tag=workshop")) == ["shop"]
    # Combined with the other filters.
    assert keys(q("timerange=0-1000&tag=work&hidden=0&running=0")) == [
        "early",
        "middle",
    ]


def test_user_input_never_reaches_sql(filled):
    for evil in [
        "' OR 1=1 --",
        "%22) OR 1=1 --",
        "x%27; DROP TABLE records; --",
        "%25",
        "_",
    ]:
        assert filled.records(f"timerange=0-1000&tag={evil}") == []
    assert len(filled.records("timerange=0-1000")) == 7


@pytest.mark.parametrize(
    "query",
    [
        "",
        "timerange=",
        "timerange=5",
        "timerange=a-b",
        "timerange=1-2-3",
        "timerange=1--",
        "timerange=nan-5",
        "timerange=1-inf",
        "timerange=1e999-5",
        "timerange=1;2",
    ],
)
def test_bad_timerange(api, query):
    assert_error(api.get(f"records?{query}"), 400, "timerange")


def test_number_forms(filled):
    assert keys(filled.records("timerange=250.5-450.25")) == keys(
        filled.records("timerange=250-450")
    )
    assert "running-old" in keys(filled.records("timerange=-100-60"))
    assert "running-old" in keys(filled.records("timerange=-1e2-6e1"))


def test_matches_brute_force(api):
    """Random records (short, long, running, reversed) and random ranges: the
    indexed query returns exactly what the rule says."""
    rng = random.Random(7)
    records = []
    for i in range(600):
        t1 = rng.randint(0, 60 * DAY)
        kind = rng.random()
        if kind < 0.1:
            t2 = t1  # running
        elif kind < 0.2:
            t2 = t1 + rng.randint(DAY, 20 * DAY)  # long
        elif kind < 0.22:
            t2 = t1 + DAY  # exactly the boundary of the long index
        else:
            t2 = t1 + rng.randint(1, 8 * 3600)
        records.append(record(f"r{i}", t1, t2, f"#t{i % 3}", mt=1))
    assert not api.put_records(records)["failed"]

    def expected(a, b, running=None):
        out = []
        for r in records:
            is_running = r["t1"] == r["t2"]
            if running is not None and is_running != running:
                continue
            if (r["t2"] >= a and r["t1"] <= b) or (is_running and r["t1"] <= b):
                out.append(r["key"])
        return sorted(out)

    for _ in range(60):
        a = rng.randint(-DAY, 62 * DAY)
        b = a + rng.choice([0, 1, 3600, DAY, 7 * DAY, 30 * DAY, -3600, -2 * DAY])
        assert keys(api.records(f"timerange={a}-{b}")) == expected(a, b)
        flag = rng.choice([True, False])
        got = api.records(f"timerange={a}-{b}&running={int(flag)}")
        assert keys(got) == expected(a, b, flag)


@pytest.mark.parametrize(
    "path",
    [
        "records?timerange=0-1&running={}",
        "records?timerange=0-1&hidden={}",
        "webtoken?reset={}",
        "apitoken?reset={}",
    ],
)
def test_every_flag_has_one_rule(api, path):
    """One parser for every flag: the same words in any case; anything else is a 400
    that names the parameter (``reset=maybe`` used to mean yes)."""
    name = path.rpartition("&")[2].rpartition("?")[2].partition("=")[0]
    for word in ["1", "TRUE", "Yes", "on", "y", "0", "False", "NO", "off", "N", ""]:
        r = api.get(path.format(word))
        assert r.status_code == 200, (word, r.text)
        if path.startswith("webtoken"):  # a reset revokes the token we used
            api.token = r.json()["token"]
    for word in ["maybe", "2", "yess", "tru", "-1"]:
        assert_error(api.get(path.format(word)), 400, name, "true or false", word)
