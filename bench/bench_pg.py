"""The PostgreSQL backend (``database_url``) side by side with the SQLite default.

Both servers get the same 100,000 records of one user (loaded through the API). The
PostgreSQL is a throwaway cluster with its production defaults (fsync and synchronous
commits on), started by ``tools/pg_cluster.py`` unless TIMETAGGER_TEST_DATABASE_URL
names one. Servers run pinned to core 0, the load generator (wrk) to core 1, as in
``bench_api.py`` (which sets SQLite beside the original TimeTagger).

Figures: the poll ``GET updates?since=<now>`` at 16 and 64 clients with one process,
and for PostgreSQL with two processes on the one database (both polled at once, each
by half of the clients; the sum); one week of records; a full sync of 100,000
records; PUT of 1 record per request (req/s) and of 1,000 (records/s). The goals of
issue 16 are printed beside the PostgreSQL figures: poll at least 5,000 req/s per
process, full sync at most 0.5 s, PUT 1000 at least 20,000 records/s.

Options: ``--quick`` (20,000 records, 3-second runs).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

import bench_api  # noqa: E402
from bench_api import Server, load_records, log, make_records, put_batches, wrk  # noqa: E402

from pg_cluster import ENV_URL, Cluster  # noqa: E402

GOALS = {"poll16": 5000, "poll64": 5000, "fullsync": 0.5, "put1000": 20000}


def parallel_wrk(servers, connections, seconds, path):
    """wrk against every server at once, ``connections`` split among them."""
    results = [None] * len(servers)

    def run(i, server):
        url = server.base + "api/v2/" + path
        results[i] = wrk(url, server.token, connections // len(servers), seconds)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(servers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def measure(name, records, seconds, env, two=False):
    folder = tempfile.mkdtemp(prefix=f"tt-bench-pg-{name}-")
    server = Server(name, sys.executable, os.path.join(folder, "a"), env)
    os.makedirs(server.datadir)
    results = {}
    server.start()
    server.login()
    log(f"[{name}] loading {len(records):,} records ...")
    load_records(server, records)
    server.api("GET", "updates?since=0").raise_for_status()  # warm
    now = f"{bench_api.time.time() + 5:.3f}"
    for clients in (16, 64):
        log(f"[{name}] poll, {clients} clients ...")
        results[f"poll{clients}"] = wrk(
            server.base + f"api/v2/updates?since={now}", server.token, clients, seconds
        )
    if two:
        other = Server(name + "-2", sys.executable, os.path.join(folder, "b"), env)
        os.makedirs(other.datadir)
        other.start()
        other.login()
        for clients in (16, 64):
            log(f"[{name}] poll, two processes, {clients} clients ...")
            results[f"poll{clients}x2"] = parallel_wrk(
                [server, other], clients, seconds, f"updates?since={now}"
            )
        other.stop()
    newest = max(r["t2"] for r in records)
    week = f"{newest - 7 * 86400}-{newest}"
    log(f"[{name}] one week ...")
    results["week"] = wrk(
        server.base + f"api/v2/records?timerange={week}", server.token, 4, seconds
    )
    log(f"[{name}] full sync ...")
    results["fullsync"], _ = bench_api.time_full_sync(server, 5)
    log(f"[{name}] put 1 ...")
    results["put1"] = wrk(server.base + "api/v2/records", server.token, 16, seconds, 1)
    log(f"[{name}] put 1000 ...")
    results["put1000"], _ = put_batches(server, 30, 1000, 4)
    server.stop()
    subprocess.run(["rm", "-rf", folder])
    return results


ROWS = [
    ("poll16", "poll, nothing new, 1 process (req/s, 16 clients)", "{:,.0f}"),
    ("poll64", "poll, nothing new, 1 process (req/s, 64 clients)", "{:,.0f}"),
    ("poll16x2", "poll, 2 processes on one core (req/s, 16 clients)", "{:,.0f}"),
    ("poll64x2", "poll, 2 processes on one core (req/s, 64 clients)", "{:,.0f}"),
    ("week", "GET records, one week (req/s, 4 clients)", "{:,.0f}"),
    ("fullsync", "full sync of all records, gzip (s)", "{:.3f}"),
    ("put1", "PUT 1 record per request (req/s, 16 clients)", "{:,.0f}"),
    ("put1000", "PUT 1,000 per request (records/s, 4 clients)", "{:,.0f}"),
]


def report(results, n):
    print(f"PostgreSQL beside SQLite: {n:,} records, server on core 0, wrk on core 1")
    print(f"{'measure':<52} {'sqlite':>10} {'postgres':>10} {'goal':>10}")
    for key, label, fmt in ROWS:
        cells = []
        for backend in ("sqlite", "postgresql"):
            value = results[backend].get(key)
            cells.append("-" if value is None else fmt.format(value))
        goal = GOALS.get(key)
        goal_text = (
            ""
            if goal is None
            else ("<=" if key == "fullsync" else ">=") + (f"{goal:g}")
        )
        print(f"{label:<52} {cells[0]:>10} {cells[1]:>10} {goal_text:>10}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    seconds = 3 if args.quick else 8
    records = make_records(n)
    cluster = Cluster(admin_url=os.environ.get(ENV_URL) or None, durable=True)
    if cluster.admin_url is None:
        cluster.start()
    try:
        url = cluster.fresh_database()
        results = {
            "sqlite": measure("sqlite", records, seconds, {}),
            "postgresql": measure(
                "postgresql",
                records,
                seconds,
                {"TIMETAGGER_DATABASE_URL": url},
                two=True,
            ),
        }
    finally:
        cluster.stop()
    report(results, n)


if __name__ == "__main__":
    main()
