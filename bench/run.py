"""Run every benchmark in bench/ (``make bench``) and print their figures.

Each ``bench/bench_*.py`` is a standalone script that prints its own table; pass
names to run a subset: ``python bench/run.py watch api``.
"""

import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    scripts = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    if argv:
        scripts = [s for s in scripts if any(f"bench_{name}" in s for name in argv)]
    if not scripts:
        sys.exit("no benchmarks matched")
    failed = []
    for script in scripts:
        name = os.path.basename(script)
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, script])
        print(f"({name}: {time.perf_counter() - t0:.1f} s)", flush=True)
        if r.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
