"""How much memory a process holds, read from Linux's ``/proc/<pid>/status``: its
resident size now (VmRSS) and at its peak (VmHWM), and the reset of that peak.

The one place the benchmarks (``bench_api.py``: ``--memory``) and the memory tests
(``tests/api/test_memory.py``, ``tests/api/test_hostile_bodies.py``) measure it;
they import it as ``procmem`` (a script in ``bench/``) or ``bench.procmem`` (the
tests, with the repository on ``sys.path``).
"""

import os

MIB = 2**20
FIELDS = ("VmRSS", "VmHWM")


def available():
    """Whether this system has what ``memory`` and ``reset_peak`` read and write."""
    return os.path.exists("/proc/self/clear_refs")


def memory(pid, unit=1):
    """``{"VmRSS": ..., "VmHWM": ...}`` of process ``pid``, in bytes (or in
    ``unit``s, e.g. ``MIB``)."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in FIELDS:
                values[name] = int(value.split()[0]) * 1024 / unit  # given in kB
    missing = [name for name in FIELDS if name not in values]
    if missing:
        raise RuntimeError(f"/proc/{pid}/status has no {', '.join(missing)}")
    return values


def reset_peak(pid):
    """Start VmHWM again from the current VmRSS (Linux 4.0 and later)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")
