"""Benchmark of the client record store (SY-21): 100,000 records in node.

    .venv/bin/python bench/bench_store.py [--records 100000]

Compiles the client modules (as the tests do), loads N records spread over ten years
into a store the way a pull or the cache delivers them, then times the queries the
timeline makes on every frame: ``get_stats`` and ``get_records`` over a day, a week,
a month, a year and everything, at random positions, next to a plain scan over all
records (what a store without an index would do). Also a local edit (``put``).
Prints a table of median and 95th-percentile times.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "api"))

SCRIPT = r"""
const { load } = require(process.env.TT_HARNESS);
const stores = load("stores");
const N = Number(process.env.TT_RECORDS);
const YEARS = 10;
const DAY = 86400;
const t0 = 1450000000;
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const tags = ["#client1 #code", "#client1 #meeting", "#client2 #design", "#admin", "#reading", "#client3 #code #paid"];
const items = [];
for (let i = 0; i < N; i++) {
    const t1 = Math.floor(t0 + rand() * YEARS * 365 * DAY);
    const len = rand() < 0.01 ? Math.floor(rand() * 5 * DAY) : 600 + Math.floor(rand() * 3 * 3600);
    items.push({ key: "k" + i, t1, t2: t1 + len, ds: "Did some work " + tags[i % tags.length], mt: t1, st: t1 });
}
const store = new stores.SandboxDataStore();
store.close();
let start = process.hrtime.bigint();
store.records._put_received(items);
const loadMs = Number(process.hrtime.bigint() - start) / 1e6;

function time(fn, reps) {
    const times = [];
    for (let i = 0; i < reps; i++) {
        const s = process.hrtime.bigint();
        fn(i);
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    times.sort((a, b) => a - b);
    return [times[Math.floor(reps / 2)], times[Math.floor(reps * 0.95)]];
}
const plain = store.records.get_all_records();
function scanStats(a, b) {
    const stats = {};
    for (const r of plain) {
        if (r.t1 < b && r.t2 > a) {
            const k = r.ds;
            stats[k] = (stats[k] || 0) + Math.min(r.t2, b) - Math.max(r.t1, a);
        }
    }
    return stats;
}
const rows = [];
const windows = [["day", DAY], ["week", 7 * DAY], ["month", 30 * DAY], ["year", 365 * DAY], ["all", YEARS * 366 * DAY]];
for (const [name, width] of windows) {
    const starts = [];
    for (let i = 0; i < 200; i++) starts.push(t0 + rand() * Math.max(1, YEARS * 365 * DAY - width));
    const stats = time((i) => store.records.get_stats(starts[i], starts[i] + width), 200);
    const recs = time((i) => store.records.get_records(starts[i], starts[i] + width), name === "all" ? 20 : 200);
    const scan = time((i) => scanStats(starts[i], starts[i] + width), 20);
    const count = store.records.get_records(starts[0], starts[0] + width).length;
    rows.push({ name, count, stats, recs, scan });
}
const edit = time((i) => {
    const r = store.records.get_by_key("k" + i);
    r.ds = "Edited #bench";
    store.records.put(r);
}, 200);
console.log(JSON.stringify({ N, loadMs, rows, edit }));
"""


def compile_modules(out):
    from timetagger.server._assets import compile_pymodule

    modules = {}
    for path in sorted(
        glob.glob(os.path.join(ROOT, "site_src", "**", "*.py"), recursive=True)
    ):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            module = compile_pymodule(f.read(), path)
        with open(os.path.join(out, module.name + ".js"), "w", encoding="utf-8") as f:
            f.write(module)
        modules[module.name] = {"requires": list(module.requires)}
    with open(os.path.join(out, "modules.json"), "w", encoding="utf-8") as f:
        json.dump(modules, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100000)
    args = parser.parse_args()
    node = shutil.which("node")
    if not node:
        sys.exit("bench_store: node is needed")
    with tempfile.TemporaryDirectory() as tmp:
        compile_modules(tmp)
        script = os.path.join(tmp, "bench.js")
        with open(script, "w", encoding="utf-8") as f:
            f.write(SCRIPT)
        env = dict(
            os.environ,
            TT_COMPILED_DIR=tmp,
            TT_HARNESS=os.path.join(ROOT, "tests", "client", "harness.js"),
            TT_RECORDS=str(args.records),
        )
        r = subprocess.run([node, script], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            sys.exit(r.stderr)
    data = json.loads(r.stdout.strip().splitlines()[-1])
    print(
        f"record store, {data['N']:,} records over ten years (node {subprocess.getoutput(node + ' --version')})"
    )
    print(f"load (as from a pull or the cache): {data['loadMs']:.0f} ms")
    print(
        f"{'window':<8}{'records':>9}{'get_stats ms':>16}{'get_records ms':>18}{'plain scan ms':>16}"
    )
    for row in data["rows"]:
        print(
            f"{row['name']:<8}{row['count']:>9,}"
            f"{row['stats'][0]:>9.3f} /{row['stats'][1]:>6.3f}"
            f"{row['recs'][0]:>11.3f} /{row['recs'][1]:>6.3f}"
            f"{row['scan'][0]:>16.2f}"
        )
    print(
        f"local edit (put): {data['edit'][0]:.3f} ms median, {data['edit'][1]:.3f} ms p95"
    )
    print("(times: median / 95th percentile)")


if __name__ == "__main__":
    main()
