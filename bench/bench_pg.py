"""The PostgreSQL backend (``database_url``) side by side with the SQLite default and
the original TimeTagger, with the goals of issue 16.

Every server gets the same 100,000 records of one user, loaded through the API. The
PostgreSQL is a throwaway cluster with its production defaults (fsync and synchronous
commits on), started and stopped here by ``tools/pg_cluster.py`` unless
TIMETAGGER_TEST_DATABASE_URL names one (a new database is made on it). The original
(``bench/original.py``, in ``bench/.venv-original``, installed on first use) keeps
SQLite files, as it always does. Servers run pinned to core 0 and the load generator
(wrk, or the Python client of ``bench_api.put_batches``) to core 1, as in
``bench_api.py``; the cluster's processes are not pinned.

Figures, per column (original, SQLite, PostgreSQL with one process, PostgreSQL with
two processes on the one database):

- the poll ``GET updates?since=<now>``, nothing new, at 16 and 64 clients (req/s);
  with two processes, both are polled at once, each by half of the clients, and the
  sum is given (both run on core 0: the machine has two cores and wrk needs one);
- ``GET records`` for one week (req/s, 4 clients);
- a full sync of all 100,000 records (``GET updates?since=0``, gzip accepted; the
  median of 5, in seconds);
- ``PUT records`` with 1 record per request (req/s, 16 clients) and with 1,000
  (records/s, 4 clients, a fixed 60 requests); on PostgreSQL, through the first
  process while the second one listens (each write waits for its confirmation).

The goals (issue 16) are checked on the PostgreSQL figures of one process: poll at
least 5,000 req/s per process, full sync at most 0.5 s, PUT 1000 at least 20,000
records/s. The load average of the machine before and after is printed with the
table: the figures are only comparable on a machine with nothing else running.

Options: ``--quick`` (20,000 records, 3-second runs), ``--skip original`` (or
``sqlite``, ``postgresql``; repeatable).
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

from bench_api import (  # noqa: E402
    NCPU,
    Server,
    ensure_original,
    load_records,
    log,
    make_records,
    put_batches,
    time_full_sync,
    wrk,
)

from pg_cluster import ENV_URL, Cluster  # noqa: E402

# key -> (comparison, goal), checked on the PostgreSQL figures of one process.
GOALS = {
    "poll16": (">=", 5000),
    "poll64": (">=", 5000),
    "fullsync": ("<=", 0.5),
    "put1000": (">=", 20000),
}
COLUMNS = [
    ("original", "original"),
    ("sqlite", "SQLite"),
    ("postgresql", "PG 1 proc"),
    ("postgresql2", "PG 2 procs"),
]


def rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


ROWS = [
    ("poll16", "poll, nothing new (req/s, 16 clients)", rate),
    ("poll64", "poll, nothing new (req/s, 64 clients)", rate),
    ("week", "GET records, one week (req/s, 4 clients)", rate),
    ("fullsync", "full sync of all records, gzip (s)", "{:.3f}".format),
    ("put1", "PUT 1 record per request (req/s, 16 clients)", rate),
    ("put1000", "PUT 1,000 per request (records/s, 4 clients)", rate),
]
PUT_BATCHES = 60  # requests of 1,000 records for the PUT 1000 figure


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def parallel_wrk(servers, connections, seconds, path):
    """wrk against every server at once, ``connections`` split among them; the sum
    of their requests per second."""
    results = [None] * len(servers)
    errors = []

    def run(i, server):
        try:
            url = server.base + "api/v2/" + path
            results[i] = wrk(url, server.token, connections // len(servers), seconds)
        except Exception as err:  # reported by the caller, in this thread's stead
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(servers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(results)


def measure(name, python, env, records, seconds, two=False):
    """The figures of one kind of server; with ``two``, also the poll through two
    processes on the same storage (PostgreSQL), under ``<name>2``."""
    folder = tempfile.mkdtemp(prefix=f"tt-bench-pg-{name}-")
    servers = []
    results, results2 = {}, {}
    try:
        server = Server(name, python, os.path.join(folder, "a"), env)
        servers.append(server)
        os.makedirs(server.datadir)
        server.start()
        server.login()
        log(f"[{name}] loading {len(records):,} records ...")
        t0 = time.perf_counter()
        load_records(server, records)
        log(f"[{name}]   loaded in {time.perf_counter() - t0:.1f} s")
        server.api("GET", "updates?since=0").raise_for_status()  # warm
        now = f"{time.time() + 5:.3f}"
        poll = f"updates?since={now}"
        for clients in (16, 64):
            log(f"[{name}] poll, {clients} clients ...")
            results[f"poll{clients}"] = wrk(
                server.base + "api/v2/" + poll, server.token, clients, seconds
            )
        if two:
            other = Server(name + "-2", python, os.path.join(folder, "b"), env)
            servers.append(other)
            os.makedirs(other.datadir)
            other.start()
            other.login()
            for clients in (16, 64):
                log(f"[{name}] poll, two processes, {clients} clients ...")
                results2[f"poll{clients}"] = parallel_wrk(
                    [server, other], clients, seconds, poll
                )
            # The second process keeps listening: the PUTs below wait for it to
            # confirm each write (what a write costs once there is another process).
        newest = max(r["t2"] for r in records)
        week = f"{newest - 7 * 86400}-{newest}"
        log(f"[{name}] one week ...")
        results["week"] = wrk(
            server.base + f"api/v2/records?timerange={week}", server.token, 4, seconds
        )
        log(f"[{name}] full sync ...")
        results["fullsync"], _ = time_full_sync(server, 5)
        log(f"[{name}] put 1 ...")
        results["put1"] = wrk(
            server.base + "api/v2/records", server.token, 16, seconds, 1
        )
        log(f"[{name}] put 1000 ...")
        results["put1000"], _ = put_batches(server, PUT_BATCHES, 1000, 4)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results, results2


def verdict(key, value):
    if key not in GOALS or value is None:
        return "", ""
    kind, goal = GOALS[key]
    ok = value >= goal if kind == ">=" else value <= goal
    return f"{kind}{goal:,g}", "OK" if ok else "MISS"


def report(results, n, loads):
    print(
        f"PostgreSQL beside SQLite and the original: {n:,} records, servers on core 0,"
        f" load generator on core 1 ({NCPU} cores)"
    )
    print(f"load average before: {loads[0]}; after: {loads[1]}")
    head = "".join(f" {label:>11}" for _, label in COLUMNS)
    print(f"{'measure':<46}{head} {'goal':>9}  verdict")
    all_ok = True
    for key, label, fmt in ROWS:
        cells = []
        for column, _ in COLUMNS:
            value = results.get(column, {}).get(key)
            cells.append("-" if value is None else fmt(value))
        goal_text, ok = verdict(key, results.get("postgresql", {}).get(key))
        all_ok = all_ok and ok != "MISS"
        row = "".join(f" {cell:>11}" for cell in cells)
        print(f"{label:<46}{row} {goal_text:>9}  {ok}")
    print(
        "(goals: issue 16, on PG 1 proc; PG 2 procs: the sum of two processes on one"
        " database, both on core 0)"
    )
    return all_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["original", "sqlite", "postgresql"],
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_pg needs wrk: apt-get install wrk")
    n = 20_000 if args.quick else 100_000
    seconds = 3 if args.quick else 8
    records = make_records(n)
    ours = {"PYTHONPATH": os.path.join(ROOT, "api")}
    loads = [load_average()]
    results = {}
    if "original" not in args.skip:
        results["original"], _ = measure(
            "original", ensure_original(), {}, records, seconds
        )
    if "sqlite" not in args.skip:
        results["sqlite"], _ = measure("sqlite", sys.executable, ours, records, seconds)
    if "postgresql" not in args.skip:
        cluster = Cluster(admin_url=os.environ.get(ENV_URL) or None, durable=True)
        if cluster.admin_url is None:
            cluster.start()
        try:
            env = {**ours, "TIMETAGGER_DATABASE_URL": cluster.fresh_database()}
            results["postgresql"], results["postgresql2"] = measure(
                "postgresql", sys.executable, env, records, seconds, two=True
            )
        finally:
            cluster.stop()
    loads.append(load_average())
    ok = report(results, n, loads)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
