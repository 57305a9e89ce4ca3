"""How fast a change reaches dist/ in watch mode (``build.py --watch``).

Copies site_src/ aside, starts the watcher on it, then repeatedly edits one page and
one client module and measures the time from the write until the output file holds
the change. Target: under 0.3 s.
"""

import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIALS = 15
TARGET = 0.3


def wait_for(predicate, timeout=10.0):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(0.001)
    return False


def file_contains(path, token):
    try:
        with open(path, encoding="utf-8") as f:
            return token in f.read()
    except OSError:
        return False


def any_contains(pattern, token):
    return any(file_contains(p, token) for p in glob.glob(pattern))


def main():
    tmp = tempfile.mkdtemp(prefix="tt-bench-watch-")
    src = os.path.join(tmp, "src")
    out = os.path.join(tmp, "dist")
    shutil.copytree(os.path.join(ROOT, "site_src"), src)
    proc = subprocess.Popen(
        [
            sys.executable,
            os.path.join(ROOT, "build.py"),
            "--watch",
            "--quiet",
            "--src",
            src,
            "--out",
            out,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.startswith("watching"):
                break
        time.sleep(0.5)  # let the watcher settle
        page_src = os.path.join(src, "index.md")
        page_out = os.path.join(out, "index.html")
        module_src = os.path.join(src, "app", "core", "env.py")
        module_out = os.path.join(out, "static", "app.*.js")  # the bundle holds env
        with open(page_src, encoding="utf-8") as f:
            page_text = f.read()
        with open(module_src, encoding="utf-8") as f:
            module_text = f.read()
        results = {"page (index.md)": [], "client module (app/core/env.py)": []}
        for i in range(TRIALS):
            token = f"benchtoken{i}x{time.monotonic_ns()}"
            t0 = time.perf_counter()
            with open(page_src, "w", encoding="utf-8") as f:
                f.write(page_text + f"\n{token}\n")
            ok = wait_for(lambda t=token: file_contains(page_out, t))
            results["page (index.md)"].append(
                time.perf_counter() - t0 if ok else float("inf")
            )
            time.sleep(0.15)
            t0 = time.perf_counter()
            with open(module_src, "w", encoding="utf-8") as f:
                f.write(module_text + f"\n{token} = {i}\n")
            ok = wait_for(lambda t=token: any_contains(module_out, t))
            results["client module (app/core/env.py)"].append(
                time.perf_counter() - t0 if ok else float("inf")
            )
            time.sleep(0.15)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"change -> dist/ in watch mode, {TRIALS} edits each (target < {TARGET} s)")
    print(f"{'edit':<30} {'median':>8} {'max':>8}")
    worst = 0
    for name, times in results.items():
        print(f"{name:<30} {statistics.median(times):>7.3f}s {max(times):>7.3f}s")
        worst = max(worst, statistics.median(times))
    verdict = "OK" if worst < TARGET else "TOO SLOW"
    print(f"result: {verdict} (worst median {worst:.3f} s)")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
