"""Memory of the server process during a big pull, read from /proc/<pid>/status: the
answer is never held as a whole text next to its gzip copy (VmHWM, the peak, reset
through /proc/<pid>/clear_refs before the pull), and what the pull needed is given
back once it is sent (VmRSS)."""

import time

import pytest

from bench.procmem import available, memory, reset_peak

from .conftest import record

pytestmark = pytest.mark.skipif(not available(), reason="needs Linux's /proc")

N = 80_000  # records: about 10 MiB of JSON


@pytest.fixture
def big(api):
    t0 = 1_700_000_000
    records = [
        record(f"m{i:07d}", t0 + 60 * i, t0 + 60 * i + 30, f"note {i} #mem #t{i % 97}")
        for i in range(N)
    ]
    for i in range(0, N, 5000):
        assert not api.put_records(records[i : i + 5000])["failed"]
    return api


def pull(api, encoding):
    """A full sync; returns (the JSON text's size, the peak RSS growth, the RSS
    before it). The peak is read once the client has the whole answer."""
    pid = api.server.proc.pid
    before = memory(pid)["VmRSS"]
    reset_peak(pid)
    r = api.get("updates?since=0", headers={"accept-encoding": encoding})
    assert r.status_code == 200
    assert r.headers.get("content-encoding", "identity") == encoding
    assert len(r.json()["records"]) == N
    return len(r.content), memory(pid)["VmHWM"] - before, before


def wait_for_rss_below(pid, limit, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        rss = memory(pid)["VmRSS"]
        if rss <= limit or time.monotonic() > deadline:
            return rss
        time.sleep(0.05)


def test_a_big_pull_holds_one_copy_and_gives_it_back(big):
    pid = big.server.proc.pid
    big.updates(0)  # the first pull also loads code and starts threads
    # gzip: only the compressed answer and one piece of the text at a time are held,
    # so the peak grows by less than the text itself (several times it before).
    text, growth, before = pull(big, "gzip")
    assert text > 8 * 2**20
    assert growth < text, (growth, text)
    # What the pull needed is given back once it is sent.
    after = wait_for_rss_below(pid, before + text / 4)
    assert after <= before + text / 4, (after - before, text)
    # Without gzip, the text is held once (in pieces), never copied whole.
    text, growth, before = pull(big, "identity")
    assert growth < 2 * text, (growth, text)
    after = wait_for_rss_below(pid, before + text / 4)
    assert after <= before + text / 4, (after - before, text)
