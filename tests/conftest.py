"""Shared fixtures: the repository paths, a built site, and real servers on loopback.

``run_server(**settings)`` starts ``python -m timetagger`` on a free 127.0.0.1 port
with its own data directory and returns a ``Server`` (``.url(path)`` under the path
prefix, ``.base``, ``.datadir``, ``.proc``). Every server is stopped at the end of the
test. ``built_site`` is a build of ``site_src/`` into a temporary directory (once per
session), so tests never touch ``dist/``.
"""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE_SRC = os.path.join(ROOT, "site_src")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "api"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc, port, datadir, prefix, log_path):
        self.proc = proc
        self.port = port
        self.datadir = datadir
        self.prefix = prefix
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path=""):
        return self.base + self.prefix + path.lstrip("/")

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self, sig=None):
        if self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(tmp_path, datadir=None, env=None, wait=True, **settings):
    port = settings.pop("port", None) or free_port()
    datadir = str(datadir or (tmp_path / f"data-{port}"))
    args = [
        sys.executable,
        "-m",
        "timetagger",
        f"--bind=127.0.0.1:{port}",
        f"--datadir={datadir}",
    ]
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        args.append(f"--{name}={value}")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
    full_env["PYTHONPATH"] = os.path.join(ROOT, "api")
    full_env.update(env or {})
    log_path = str(tmp_path / f"server-{port}.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        args, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=ROOT
    )
    prefix = settings.get("path_prefix", "/timetagger/")
    prefix = "/" + "".join(p + "/" for p in prefix.split("/") if p)
    server = Server(proc, port, datadir, prefix, log_path)
    if wait:
        wait_for_server(server)
    return server


def wait_for_server(server, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {server.proc.returncode}:\n{server.log()}"
            )
        try:
            r = httpx.get(server.url("status"), timeout=1)
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"server did not start within {timeout} s:\n{server.log()}")


@pytest.fixture
def run_server(tmp_path):
    servers = []

    def run(**settings):
        server = start_server(tmp_path, **settings)
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """A fresh build of site_src/ (same-origin API URL). Returns the output path."""
    import build

    out = tmp_path_factory.mktemp("site") / "dist"
    build.build(SITE_SRC, str(out))
    return str(out)
