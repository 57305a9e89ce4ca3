"""Mixed load, side by side with the original TimeTagger: the traffic of many clients
at once, reads and writes interleaved, on one user and then on 16.

64 connections (wrk, one thread, pinned to core 1; each server pinned to core 0, one
process): every request picks at random a user and one of

- 50% ``GET updates?since=<now>`` (the poll; ``now`` is the current second, so it
  returns what was written in the last second),
- 30% ``GET records?timerange=<one week>`` (the same week for all: about 40 records),
- 20% ``PUT records`` with one new record (dated a year back, so that the week that
  is read stays the same size, and the servers' work does not grow with their speed).

Both servers start from the same data: each user holds the same N records (10,000 by
default, 2,000 with ``--quick``), written once through the original's API and copied.
Printed per server and number of users: requests/s, p50 and p99 latency (wrk's), the
server's CPU time per request (from /proc/<pid>/stat, over the run: on a machine
shared with other jobs, requests/s follow the share of the core the server gets,
while the CPU time per request is what each request costs), and then whether every
acknowledged PUT (a 200 whose ``accepted`` names the key; wrk logs each) is in the
user's file after the server stopped.

Options: ``--quick`` (fewer records, 5-second runs), ``--seconds N``,
``--only ours|original``, ``--users 1,16``.
"""

import argparse
import base64
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import bcrypt
import httpx
import original
from bench_api import NCPU, PREFIX, free_port, load_records, make_records, pin

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONNECTIONS = 64
PASSWORD = "mixed-password"
GOAL_RATIO = 5.0


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def user_name(i):
    return f"user{i:02d}"


def user_file(datadir, user):
    b64 = base64.urlsafe_b64encode(user.encode()).decode()
    return os.path.join(datadir, "users", f"{user}~{b64}.db")


class Server:
    def __init__(self, name, python, datadir, env):
        self.name = name
        self.python = python
        self.datadir = datadir
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}{PREFIX}"
        self.proc = None

    def start(self, users):
        creds = ",".join(
            f"{u}:{bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()}"
            for u in users
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
        env.update(self.env)
        env["TIMETAGGER_CREDENTIALS"] = creds
        cmd = pin(0) + original.server_command(self.python, self.port, self.datadir)
        self.log_file = open(os.path.join(self.datadir, f"..{self.name}.log"), "ab")
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, cwd="/"
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_file.name}")
            try:
                if httpx.get(self.base + "status", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.01)

    def login(self, user):
        body = base64.b64encode(
            json.dumps(
                {"method": "usernamepassword", "username": user, "password": PASSWORD}
            ).encode()
        )
        r = httpx.post(
            self.base + "api/v2/bootstrap_authentication", content=body, timeout=30
        )
        r.raise_for_status()
        return r.json()["token"]

    def cpu_seconds(self):
        """User plus system CPU time of the server process so far (Linux)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local week = "%(week)s"
local ack_prefix = "%(ack_prefix)s"
local threads = {}
function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end
local counter = 0
local acks = nil
bad = 0  -- globals: read by done() through thread:get
first_bad = ""
function init(args)
    math.randomseed(tid * 7919 + %(seed)d)
    acks = io.open(ack_prefix .. tid, "w")
end
local base = %(year_ago)d
request = function()
    local token = tokens[math.random(1, #tokens)]
    local r = math.random()
    if r < 0.5 then
        return wrk.format("GET", "%(api)supdates?since=" .. os.time(), {["authtoken"] = token})
    elseif r < 0.8 then
        return wrk.format("GET", "%(api)srecords?timerange=" .. week, {["authtoken"] = token})
    end
    counter = counter + 1
    local key = "mx%(run)s" .. tid .. "n" .. counter
    local t1 = base - counter * 60
    local body = string.format('[{"key":"%%s","t1":%%d,"t2":%%d,"ds":"mixed #put","mt":%%d,"st":0}]', key, t1, t1 + 30, base)
    return wrk.format("PUT", "%(api)srecords", {["authtoken"] = token, ["content-type"] = "application/json"}, body)
end
response = function(status, headers, body)
    if status ~= 200 then
        bad = bad + 1
        if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 200) end
        return
    end
    local key = string.match(body, '"accepted": ?%%["([^"]+)"')
    if key then
        acks:write(key, "\\n")
        acks:flush()
    end
end
function done(summary, latency, requests)
    local bad_total, first = 0, ""
    for _, t in ipairs(threads) do
        bad_total = bad_total + t:get("bad")
        if first == "" then first = t:get("first_bad") end
    end
    io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "socket_errors": %%d, "bad": %%d, "first_bad": %%q}\\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        bad_total, first))
end
"""


def run_wrk(server, tokens, week, seconds, ack_prefix, run_id):
    script = WRK_SCRIPT % {
        "tokens": ", ".join(f'"{t}"' for t in tokens),
        "week": week,
        "ack_prefix": ack_prefix,
        "seed": int(time.time()),
        "year_ago": int(time.time()) - 365 * 86400,
        "api": PREFIX + "api/v2/",
        "run": run_id,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        cmd = pin(1 if NCPU > 1 else 0) + [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            f.name,
            f"http://127.0.0.1:{server.port}/",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True)
        out = done.stdout
        if done.returncode:
            raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    finally:
        os.remove(f.name)
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    result = json.loads(m.group(1))
    if result["bad"] or result["socket_errors"]:
        raise RuntimeError(
            f"{server.name}: {result['bad']} non-200 answers, "
            f"{result['socket_errors']} socket errors; first: {result['first_bad']}"
        )
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def acknowledged(ack_prefix):
    keys = set()
    folder = os.path.dirname(ack_prefix)
    for name in os.listdir(folder):
        if name.startswith(os.path.basename(ack_prefix)):
            with open(os.path.join(folder, name)) as f:
                keys.update(line.strip() for line in f if line.strip())
    return keys


def missing_writes(datadir, users, keys):
    """The acknowledged keys that are in no user's file."""
    present = set()
    for user in users:
        conn = sqlite3.connect(user_file(datadir, user))
        try:
            present.update(
                row[0]
                for row in conn.execute("SELECT key FROM records WHERE key LIKE 'mx%'")
            )
        finally:
            conn.close()
    return keys - present


def prepare_data(tmp, n_records, max_users, python):
    """One user's data written through the original's API, copied for every user."""
    seed_dir = os.path.join(tmp, "seed")
    os.makedirs(seed_dir)
    server = Server("original-seed", python, seed_dir, {})
    server.start([user_name(0)])
    try:
        token = server.login(user_name(0))
        records = make_records(n_records)

        class Loader:  # what bench_api.load_records expects
            name = "original"

            def api(self, method, path, **kwargs):
                return httpx.request(
                    method,
                    server.base + "api/v2/" + path,
                    headers={"authtoken": token},
                    timeout=120,
                    **kwargs,
                )

        load_records(Loader(), records)
    finally:
        server.stop()
    source = user_file(seed_dir, user_name(0))
    for i in range(1, max_users):
        shutil.copyfile(source, user_file(seed_dir, user_name(i)))
    newest = max(r["t2"] for r in records)
    return seed_dir, f"{newest - 7 * 86400}-{newest}"


def measure(name, python, env, seed_dir, tmp, users, week, seconds):
    datadir = os.path.join(tmp, f"{name}-{len(users)}")
    shutil.copytree(seed_dir, datadir)
    server = Server(name, python, datadir, env)
    server.start(users)
    try:
        tokens = [server.login(u) for u in users]
        # Warm up: every user's file opened, caches filled.
        for token in tokens:
            headers = {"authtoken": token}
            httpx.get(f"{server.base}api/v2/updates?since=0", headers=headers)
            httpx.get(f"{server.base}api/v2/records?timerange={week}", headers=headers)
        ack_prefix = os.path.join(tmp, f"acks-{name}-{len(users)}-")
        log(
            f"[{name}] {len(users)} user(s), {CONNECTIONS} connections, {seconds} s ..."
        )
        cpu_before = server.cpu_seconds()
        result = run_wrk(server, tokens, week, seconds, ack_prefix, len(users))
        cpu_after = server.cpu_seconds()
        result["cpu_us"] = (
            (cpu_after - cpu_before) * 1e6 / result["requests"]
            if cpu_before is not None and cpu_after is not None and result["requests"]
            else float("nan")
        )
    finally:
        server.stop()
    keys = acknowledged(ack_prefix)
    result["acked"] = len(keys)
    result["missing"] = len(missing_writes(datadir, users, keys))
    shutil.rmtree(datadir, ignore_errors=True)
    return result


def report(results, user_counts, n_records):
    print(
        f"Mixed load: {CONNECTIONS} clients (50% polls, 30% one-week reads, 20% "
        f"one-record PUTs), {n_records:,} records per user; server on core 0, wrk "
        f"on core 1 ({NCPU} cores)"
    )
    print(
        f"{'users':>5} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/req':>10} {'acked PUTs':>11} {'missing':>8}"
    )
    ok = True
    for n in user_counts:
        for name in ("original", "ours"):
            r = results.get((name, n))
            if r is None:
                continue
            print(
                f"{n:>5} {name:<9} {r['rps']:>9,.0f} {r['p50_us'] / 1000:>8.1f} "
                f"{r['p99_us'] / 1000:>8.1f} {r['cpu_us'] / 1000:>10.2f} "
                f"{r['acked']:>11,} {r['missing']:>8}"
            )
            ok = ok and r["missing"] == 0
        o, u = results.get(("original", n)), results.get(("ours", n))
        if o and u:
            ratio = u["rps"] / o["rps"]
            lower_p99 = u["p99_us"] < o["p99_us"]
            verdict = "OK" if ratio >= GOAL_RATIO and lower_p99 else "MISSED"
            print(
                f"{'':>5} ratio {ratio:.1f}x throughput (goal >= {GOAL_RATIO:.0f}x), "
                f"p99 {u['p99_us'] / o['p99_us']:.2f}x of the original's "
                f"(goal < 1): {verdict}; CPU per request "
                f"{u['cpu_us'] / o['cpu_us']:.2f}x of the original's"
            )
    print("every acknowledged write present:", "yes" if ok else "NO")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--only", choices=["ours", "original"])
    parser.add_argument("--users", default="1,16")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_mixed needs wrk: apt-get install wrk")
    seconds = args.seconds or (5 if args.quick else 20)
    n_records = args.records or (2_000 if args.quick else 10_000)
    user_counts = [int(x) for x in args.users.split(",")]
    python = original.ensure_original(log)
    tmp = tempfile.mkdtemp(prefix="tt-bench-mixed-")
    results = {}
    try:
        log(f"loading {n_records:,} records through the original ...")
        seed_dir, week = prepare_data(tmp, n_records, max(user_counts), python)
        servers = []
        if args.only != "ours":
            servers.append(("original", python, {}))
        if args.only != "original":
            servers.append(
                ("ours", sys.executable, {"PYTHONPATH": os.path.join(ROOT, "api")})
            )
        for n in user_counts:
            users = [user_name(i) for i in range(n)]
            for name, py, env in servers:
                results[(name, n)] = measure(
                    name, py, env, seed_dir, tmp, users, week, seconds
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ok = report(results, user_counts, n_records)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
