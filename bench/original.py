"""The original TimeTagger from PyPI, in a virtual environment of its own, for the
benchmarks and for the tests that move a data directory between it and us.

It shares our package name, so it lives in ``bench/.venv-original``, created on
first use (about half a minute) and reused afterwards. A lock file makes concurrent
first uses wait for one install, and a stamp file written last marks a complete one:
an interrupted install is redone.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "26.1.3"
VENV = os.path.join(HERE, ".venv-original")


def python_path():
    return os.path.join(VENV, "bin", "python")


def ensure_original(log=None):
    """The Python of the virtual environment with timetagger==VERSION installed."""
    import fcntl

    python = python_path()
    stamp = os.path.join(VENV, f".installed-{VERSION}")
    if os.path.isfile(stamp):
        return python
    os.makedirs(HERE, exist_ok=True)
    with open(VENV + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(stamp):
            return python
        if log:
            log(f"installing the original timetagger {VERSION} into {VENV} ...")
        if not os.path.isfile(python):
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", f"timetagger=={VERSION}"],
            check=True,
        )
        check = subprocess.run(
            [python, "-c", "import timetagger; print(timetagger.__version__)"],
            capture_output=True,
            text=True,
            cwd="/",
        )
        if check.stdout.strip() != VERSION:
            raise RuntimeError(f"the original did not install: {check.stderr}")
        with open(stamp, "w") as f:
            f.write(VERSION + "\n")
    return python


def server_command(python, port, datadir, log_level="warning"):
    """The command line that serves the original on 127.0.0.1:port."""
    return [
        python,
        "-m",
        "timetagger",
        f"--bind=127.0.0.1:{port}",
        f"--datadir={datadir}",
        f"--log_level={log_level}",
    ]


def server_env(credentials):
    """The environment for the original: ours minus TIMETAGGER_*, plus credentials."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TIMETAGGER_") and k != "PYTHONPATH"
    }
    env["TIMETAGGER_CREDENTIALS"] = credentials
    return env
