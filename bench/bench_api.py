"""The API process side by side with the original TimeTagger from PyPI.

The original shares our package name, so it is installed into a virtual environment of
its own (``bench/.venv-original``, created on first run). Both servers get the same
data (100,000 records of one user, loaded through the API), run on 127.0.0.1 pinned to
one core, and the load generator (Debian's ``wrk``) runs pinned to the other core.

Figures (each printed for both servers, with the ratio and the target):

- the 10-second poll ``GET updates?since=<now>`` at 16 concurrent clients, requests/s;
- ``GET records`` for one week out of 100,000 records, requests/s (4 clients);
- a full sync of 100,000 records (``GET updates?since=0``, gzip accepted), seconds;
- ``PUT records`` with one record per request, requests/s (16 clients);
- ``PUT records`` with 1,000 records per request, records/s (4 clients; a fixed
  150,000 records for both, so that both end with the same database);
- the time from starting the process until it answers, seconds;
- memory, read from ``/proc/<pid>/status`` of the server process (MiB): VmRSS once
  started (idle), the peak (VmHWM, reset through ``/proc/<pid>/clear_refs``) during a
  full sync, VmRSS half a second after it, and VmRSS after full syncs of 20 users
  with the same records each (the file copied), each logged in just before its
  sync, on a freshly started server.

Options: ``--quick`` (fewer records, shorter runs), ``--only ours|original``,
``--memory`` (only the memory figures).
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import bcrypt
import httpx
import original
from procmem import MIB, memory, reset_peak

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
USER = "bench"
PASSWORD = "bench-password"
PREFIX = "/timetagger/"
NCPU = os.cpu_count() or 1

NUSERS = 20  # users with a full sync each, for the memory figures

# key -> (kind, target): ">=" / "<=" compare ours to the original, "abs<=" ours to
# a figure, "of:<key><=" ours to our own figure under <key>; None: no target.
TARGETS = {
    "poll": (">=", 10.0),
    "week": (">=", 30.0),
    "fullsync": ("<=", 0.3),
    "put1": (">=", 3.0),
    "put1000": (">=", 3.0),
    "startup": ("abs<=", 0.5),
    "rss_idle": None,
    "rss_peak": ("abs<=", 120),
    "rss_after": ("<=", 1.0),
    "rss_after_n": ("of:rss_after<=", 1.1),
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_original():
    return original.ensure_original(log)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(cpu):
    """Prefix for a command pinned to one core (nothing when there is one core)."""
    if NCPU < 2 or not shutil.which("taskset"):
        return []
    return ["taskset", "-c", str(cpu)]


def user_names():
    """The bench user and the others that get a copy of its file."""
    return [USER] + [f"{USER}{i:02d}" for i in range(1, NUSERS)]


_credentials = []


def credentials():
    """TIMETAGGER_CREDENTIALS for every user of the bench (hashed once)."""
    if not _credentials:
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(10)).decode()
        _credentials.append(",".join(f"{name}:{hashed}" for name in user_names()))
    return _credentials[0]


class Server:
    def __init__(self, name, python, datadir, extra_env=None):
        self.name = name
        self.python = python
        self.datadir = datadir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}{PREFIX}"
        self.proc = None
        self.env = dict(extra_env or {})
        self.token = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
        env.update(self.env)
        env["TIMETAGGER_CREDENTIALS"] = credentials()
        cmd = pin(0) + [
            self.python,
            "-m",
            "timetagger",
            f"--bind=127.0.0.1:{self.port}",
            f"--datadir={self.datadir}",
            "--log_level=warning",
        ]
        self.log_file = open(os.path.join(self.datadir, f"..{self.name}.log"), "wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, cwd="/"
        )
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} server exited; see {self.log_file.name}"
                )
            try:
                if httpx.get(self.base + "status", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.002)
            if time.perf_counter() - t0 > 60:
                raise RuntimeError(f"{self.name} server did not start")
        return time.perf_counter() - t0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def login(self, username=USER):
        import base64

        body = base64.b64encode(
            json.dumps(
                {
                    "method": "usernamepassword",
                    "username": username,
                    "password": PASSWORD,
                }
            ).encode()
        )
        r = httpx.post(
            self.base + "api/v2/bootstrap_authentication", content=body, timeout=30
        )
        r.raise_for_status()
        self.token = r.json()["token"]
        return self.token

    def api(self, method, path, **kwargs):
        headers = {"authtoken": self.token, **kwargs.pop("headers", {})}
        return httpx.request(
            method, self.base + "api/v2/" + path, headers=headers, timeout=120, **kwargs
        )


# %% Data


def make_records(n, seed=42):
    """n realistic records ending now-ish: ~6 per weekday, ~1 h each, tagged."""
    rng = random.Random(seed)
    clients = ["#client1", "#client2", "#client3", "#acme", "#internal"]
    kinds = ["#code", "#meeting", "#design", "#admin", "#writing", "#review"]
    records = []
    t = int(time.time()) - 60
    while len(records) < n:
        duration = rng.randint(600, 7200)
        t1 = t - duration
        ds = f"{rng.choice(['Worked on', 'Fixed', 'Planned', 'Discussed'])} things {rng.choice(clients)} {rng.choice(kinds)}"
        key = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for _ in range(8)
        )
        records.append({"key": key, "t1": t1, "t2": t, "ds": ds, "mt": t, "st": 0})
        t = t1 - rng.randint(0, 1800)
        if rng.random() < 0.15:
            t -= rng.randint(8 * 3600, 16 * 3600)  # nights
    return records


def load_records(server, records):
    for i in range(0, len(records), 1000):
        r = server.api("PUT", "records", json=records[i : i + 1000])
        r.raise_for_status()
        failed = r.json()["failed"]
        if failed:
            raise RuntimeError(
                f"{server.name} refused records: {r.json()['errors'][:3]}"
            )


# %% Load generation

WRK_SCRIPT = """
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end
function init(args)
    math.randomseed(tid * 7919 + os.time())
end
local letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
local function key()
    local k = {}
    for i = 1, 12 do
        local j = math.random(1, #letters)
        k[i] = letters:sub(j, j)
    end
    return table.concat(k)
end
local batch = %(batch)d
local now = %(now)d
request = function()
    if batch == 0 then
        return wrk.format("GET", nil, {["authtoken"] = "%(token)s"})
    end
    local items = {}
    for i = 1, batch do
        counter = counter + 1
        local t1 = now - counter * 60
        items[i] = string.format('{"key":"%%s","t1":%%d,"t2":%%d,"ds":"bench #put","mt":%%d,"st":0}', key(), t1, t1 + 30, now)
    end
    local body = "[" .. table.concat(items, ",") .. "]"
    return wrk.format("PUT", nil, {["authtoken"] = "%(token)s", ["content-type"] = "application/json"}, body)
end
"""


def wrk(url, token, connections, seconds, batch=0):
    """Run wrk; returns requests per second (non-2xx answers make the run fail)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % {"batch": batch, "token": token, "now": int(time.time())})
        script = f.name
    try:
        cmd = pin(1 if NCPU > 1 else 0) + [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            script,
            url,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.remove(script)
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk got errors from {url}:\n{out}")
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1))


def put_batches(server, requests, batch, clients):
    """PUT ``requests`` bodies of ``batch`` new records each, ``clients`` at a time
    (one keep-alive connection per thread, the bodies encoded beforehand, this
    process pinned to the load core). The same fixed work for both servers from the
    same data: a server that is faster does not end up with a bigger database.
    Returns ``(records per second, the share of a core the client used)``."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    now = int(time.time())
    bodies = []
    for i in range(requests):
        items = []
        for j in range(batch):
            t1 = now - (i * batch + j) * 60
            key = "".join(rng.choice(letters) for _ in range(12))
            items.append(
                {"key": key, "t1": t1, "t2": t1 + 30, "ds": "bench #put", "mt": now}
            )
        bodies.append(json.dumps(items).encode())
    url = urlsplit(server.base + "api/v2/records")
    headers = {"authtoken": server.token, "content-type": "application/json"}
    queue = list(reversed(bodies))
    lock = threading.Lock()
    problems = []

    def client():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        try:
            while True:
                with lock:
                    if not queue or problems:
                        return
                    body = queue.pop()
                conn.request("PUT", url.path, body, headers)
                r = conn.getresponse()
                answer = r.read()
                if r.status != 200 or json.loads(answer)["failed"]:
                    problems.append(f"{r.status} {answer[:200]!r}")
        finally:
            conn.close()

    old_affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if old_affinity is not None and NCPU > 1:
        os.sched_setaffinity(0, {1})
    try:
        threads = [threading.Thread(target=client) for _ in range(clients)]
        cpu0, t0 = time.process_time(), time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    finally:
        if old_affinity is not None and NCPU > 1:
            os.sched_setaffinity(0, old_affinity)
    if problems:
        raise RuntimeError(f"{server.name} refused a PUT: {problems[0]}")
    return requests * batch / elapsed, cpu / elapsed


def time_full_sync(server, repeats):
    times = []
    size = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = server.api("GET", "updates?since=0", headers={"accept-encoding": "gzip"})
        r.raise_for_status()
        data = r.content  # decompressed by httpx, as a browser does
        times.append(time.perf_counter() - t0)
        size = (len(data), r.headers.get("content-encoding", "identity"))
    return statistics.median(times), size


def copy_user_file(datadir):
    """Give every other bench user a copy of the bench user's database (both servers
    name a user's file ``<clean name>~<urlsafe base64 of the name>.db``). Run it
    while the server is stopped."""
    import base64
    import glob

    def filename(name):
        return f"{name}~{base64.urlsafe_b64encode(name.encode()).decode()}.db"

    found = glob.glob(os.path.join(datadir, "**", filename(USER)), recursive=True)
    if len(found) != 1:
        raise RuntimeError(f"expected one database of {USER} in {datadir}: {found}")
    source = found[0]
    folder = os.path.dirname(source)
    for name in user_names()[1:]:
        target = os.path.join(folder, filename(name))
        shutil.copyfile(source, target)
        if os.path.isfile(source + "-wal"):  # a WAL not yet checkpointed is data
            shutil.copyfile(source + "-wal", target + "-wal")


def measure_memory(server):
    """Memory of a freshly started server: idle, peak and after one full sync, and
    after a full sync of each of the NUSERS users (MiB)."""
    results = {}
    server.start()
    pid = server.proc.pid
    results["rss_idle"] = memory(pid, MIB)["VmRSS"]
    peak = 0.0
    for i, name in enumerate(user_names()):
        server.login(name)
        reset_peak(pid)
        r = server.api("GET", "updates?since=0", headers={"accept-encoding": "gzip"})
        r.raise_for_status()
        n = len(r.json()["records"])
        peak = max(peak, memory(pid, MIB)["VmHWM"])
        if i == 0:
            results["rss_peak"] = peak
            time.sleep(0.5)  # what the process still holds once the answer is sent
            results["rss_after"] = memory(pid, MIB)["VmRSS"]
            log(f"[{server.name}]   {name}: {n:,} records")
    time.sleep(0.5)
    results["rss_after_n"] = memory(pid, MIB)["VmRSS"]
    results["rss_peak_n"] = peak
    server.stop()
    return results


# %% Main


def measure(server, records, quick, memory_only=False):
    seconds = 3 if quick else 10
    results = {}
    log(f"[{server.name}] starting ...")
    server.start()  # first start creates files; measure the second
    server.login()
    log(f"[{server.name}] loading {len(records):,} records ...")
    t0 = time.perf_counter()
    load_records(server, records)
    log(f"[{server.name}] loaded in {time.perf_counter() - t0:.1f} s")
    server.stop()
    copy_user_file(server.datadir)
    if memory_only:
        log(f"[{server.name}] memory: full syncs of {NUSERS} users ...")
        return measure_memory(server)
    startups = []
    for _ in range(3):
        startups.append(server.start())
        server.stop()
    results["startup"] = min(startups)
    log(f"[{server.name}] memory: full syncs of {NUSERS} users ...")
    results.update(measure_memory(server))
    server.start()
    server.login()
    api = server.base + "api/v2/"
    # Make the server hot, then measure.
    server.api("GET", "updates?since=0")
    now = time.time() + 5
    log(f"[{server.name}] poll ...")
    results["poll"] = wrk(f"{api}updates?since={now:.3f}", server.token, 16, seconds)
    newest = max(r["t2"] for r in records)
    week = f"{newest - 7 * 86400}-{newest}"
    n_week = len(server.api("GET", f"records?timerange={week}").json()["records"])
    log(f"[{server.name}] one week ({n_week} records) ...")
    results["week"] = wrk(f"{api}records?timerange={week}", server.token, 4, seconds)
    log(f"[{server.name}] full sync ...")
    results["fullsync"], results["fullsync_size"] = time_full_sync(
        server, 3 if quick else 7
    )
    log(f"[{server.name}] put 1 ...")
    results["put1"] = wrk(f"{api}records", server.token, 16, seconds, batch=1)
    n = 30 if quick else 150
    log(f"[{server.name}] put 1000 ({n} requests) ...")
    results["put1000"], client_cpu = put_batches(server, n, 1000, 4)
    log(f"[{server.name}]   (the client used {client_cpu:.0%} of its core)")
    server.stop()
    return results


ROWS = [
    ("poll", "updates poll, nothing new (req/s, 16 clients)", "{:,.0f}"),
    ("week", "GET records, one week of 100k (req/s, 4 clients)", "{:,.0f}"),
    ("fullsync", "full sync of all records, gzip (s)", "{:.3f}"),
    ("put1", "PUT 1 record per request (req/s, 16 clients)", "{:,.0f}"),
    ("put1000", "PUT 1,000 per request (records/s, 4 clients)", "{:,.0f}"),
    ("startup", "start until answering (s)", "{:.3f}"),
    ("rss_idle", "RSS once started (MiB)", "{:.1f}"),
    ("rss_peak", "peak RSS during a full sync (MiB)", "{:.1f}"),
    ("rss_after", "RSS after a full sync (MiB)", "{:.1f}"),
    ("rss_after_n", f"RSS after full syncs of {NUSERS} users (MiB)", "{:.1f}"),
]


def report(results, n):
    ours, orig = results.get("ours"), results.get("original")
    print(
        f"API benchmark: {n:,} records, server pinned to core 0, wrk to core 1 ({NCPU} cores)"
    )
    print(
        f"{'measure':<52} {'original':>10} {'ours':>10} {'ratio':>8} {'target':>8}  verdict"
    )
    all_ok = True
    for key, label, fmt in ROWS:
        if not any(key in res for res in results.values()):
            continue
        o = fmt.format(orig[key]) if orig else "-"
        u = fmt.format(ours[key]) if ours else "-"
        ratio_text, verdict, ok, target_text = "", "", None, ""
        if ours and orig:
            ratio_text = f"{ours[key] / orig[key]:.2f}x"
        kind, target = TARGETS[key] or (None, None)
        if kind == "abs<=":
            ok = (ours[key] <= target) if ours else None
            target_text = f"<={target}" + ("s" if key == "startup" else "")
        elif kind and kind.startswith("of:"):
            ref = kind[3:-2]
            ok = (ours[key] <= target * ours[ref]) if ours else None
            target_text = f"<={target}x 1st"
        elif kind:
            if ours and orig:
                ratio = ours[key] / orig[key]
                ok = ratio >= target if kind == ">=" else ratio <= target
            target_text = f"{kind}{target}x"
        if ok is not None:
            verdict = "OK" if ok else "MISSED"
            all_ok = all_ok and ok
        print(
            f"{label:<52} {o:>10} {u:>10} {ratio_text:>8} {target_text:>8}  {verdict}"
        )
    for name, res in results.items():
        if "fullsync_size" in res:
            size, enc = res["fullsync_size"]
            print(f"  ({name}: full sync body {size:,} bytes decoded, sent as {enc})")
        print(
            f"  ({name}: peak RSS over the {NUSERS} full syncs {res['rss_peak_n']:.1f} MiB;"
            f" after them {res['rss_after_n'] / res['rss_after']:.2f}x the RSS after one)"
        )
    return all_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["ours", "original"])
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--memory", action="store_true", help="only the memory figures")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_api needs wrk: apt-get install wrk")
    n = args.records or (10_000 if args.quick else 100_000)
    records = make_records(n)
    tmp = tempfile.mkdtemp(prefix="tt-bench-api-")
    results = {}
    try:
        servers = []
        if args.only != "ours":
            servers.append(
                Server("original", ensure_original(), os.path.join(tmp, "original"))
            )
        if args.only != "original":
            servers.append(
                Server(
                    "ours",
                    sys.executable,
                    os.path.join(tmp, "ours"),
                    {"PYTHONPATH": os.path.join(ROOT, "api")},
                )
            )
        for server in servers:
            os.makedirs(server.datadir)
            try:
                results[server.name] = measure(server, records, args.quick, args.memory)
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ok = report(results, n)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
