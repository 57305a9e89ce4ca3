"""Shared fixtures: the repository paths, a built site, and real servers on loopback.

``run_server(**settings)`` starts ``python -m timetagger`` on a free 127.0.0.1 port
with its own data directory and returns a ``Server`` (``.url(path)`` under the path
prefix, ``.base``, ``.datadir``, ``.proc``). Every server is stopped at the end of the
test (terminated; its exit is awaited later). A server of a kind an earlier test asked
for was started while that test ran (``ServerPool``): still a new process with a new
data directory. ``built_site`` is a build of ``site_src/`` into a temporary directory
(once per session), so tests never touch ``dist/``. ``find_program(name)`` finds a
system program on PATH or where Debian puts it off PATH (``/usr/sbin``,
``/usr/lib/postgresql/*/bin``): the lookup of ``tools/setup_system.py``, which
installs them.
"""

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE_SRC = os.path.join(ROOT, "site_src")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "api"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from setup_system import find_program  # noqa: E402, F401


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self, proc, port, datadir, prefix, log_path, database_url=None, host="127.0.0.1"
    ):
        self.database_url = database_url  # None: SQLite files in datadir
        self.proc = proc
        self.host = host  # another address: a process in its own network namespace
        self.port = port
        self.datadir = datadir
        self.prefix = prefix
        self.log_path = log_path
        self.base = f"http://{host}:{port}"

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


def server_launch(settings, env=None):
    """The command line (without address and data directory) and the environment of
    a server with these settings."""
    args = [sys.executable, "-m", "timetagger"]
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        args.append(f"--{name}={value}")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
    full_env["PYTHONPATH"] = os.path.join(ROOT, "api")
    full_env.update(env or {})
    return args, full_env


# A database_url setting that gives each server a new, empty database of the test
# cluster (``pg_cluster``): servers of one kind can then be started ahead.
FRESH_DATABASE = "postgresql://fresh-test-database"
_pg = {"cluster": None}


def fresh_database_args(args):
    """The command line with FRESH_DATABASE replaced by a new database's URL."""
    fresh = f"--database_url={FRESH_DATABASE}"
    if fresh not in args:
        return args
    cluster = _pg["cluster"]
    if cluster is None:
        raise RuntimeError("a server asked for a fresh database without pg_cluster")
    return [
        f"--database_url={cluster.fresh_database()}" if a == fresh else a for a in args
    ]


def spawn_server(args, full_env, port, datadir, log_path, prefix="/timetagger/"):
    """Start a server process; returns its ``Server`` at once, without waiting."""
    args = fresh_database_args(args)
    args = [*args[:3], f"--bind=127.0.0.1:{port}", f"--datadir={datadir}", *args[3:]]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=ROOT
        )
    prefix = "/" + "".join(p + "/" for p in prefix.split("/") if p)
    urls = [a.partition("=")[2] for a in args if a.startswith("--database_url=")]
    url = urls[-1] if urls else full_env.get("TIMETAGGER_DATABASE_URL")
    return Server(proc, port, str(datadir), prefix, log_path, url or None)


def start_server(tmp_path, datadir=None, env=None, wait=True, **settings):
    port = settings.pop("port", None) or free_port()
    datadir = str(datadir or (tmp_path / f"data-{port}"))
    args, full_env = server_launch(settings, env)
    log_path = str(tmp_path / f"server-{port}.log")
    prefix = settings.get("path_prefix", "/timetagger/")
    server = spawn_server(args, full_env, port, datadir, log_path, prefix)
    if wait:
        wait_for_server(server)
    return server


class ServerPool:
    """Starts the next server of a kind while a test uses the current one.

    When a test asks for a server with the same settings and environment as an earlier
    test, it gets one that was started for it in the background, with its own new
    data directory and port: every server still serves one test only, and the start
    (about 0.3 s of CPU, seconds on a busy machine) leaves the tests' critical path.
    Servers with an explicit data directory or port are never made ahead.
    """

    MAX_SPARES = 2

    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.spares = {}  # kind -> Server started ahead, the least recently used first
        self.asked = set()
        self.retired = []  # terminated, maybe still shutting down

    def _spawn(self, args, full_env, prefix):
        self.count += 1
        port = free_port()
        datadir = os.path.join(self.folder, f"data-{self.count}")
        log_path = os.path.join(self.folder, f"server-{self.count}.log")
        return spawn_server(args, full_env, port, datadir, log_path, prefix)

    def take(self, settings, env=None):
        args, full_env = server_launch(settings, env)
        prefix = settings.get("path_prefix", "/timetagger/")
        kind = (tuple(args), tuple(sorted(full_env.items())))
        server = self.spares.pop(kind, None)
        if server is not None:
            try:
                wait_for_server(server)
            except RuntimeError:
                server.stop()  # died early (a port taken meanwhile): start anew
                server = None
        if server is None:
            server = self._spawn(args, full_env, prefix)
            wait_for_server(server)
        if kind in self.asked:
            self.spares[kind] = self._spawn(args, full_env, prefix)
            while len(self.spares) > self.MAX_SPARES:
                self.spares.pop(next(iter(self.spares))).stop()
        self.asked.add(kind)
        return server

    def retire(self, servers):
        """Stop servers a test is done with, without waiting for them to exit: each
        shuts down while the next test runs, on its own port and data directory."""
        for server in servers:
            if server.proc.poll() is None:
                server.proc.terminate()
                self.retired.append(server)
        self.retired = [server for server in self.retired if server.proc.poll() is None]

    def close(self):
        for server in [*self.spares.values(), *self.retired]:
            server.stop()  # waits; kills what does not exit within 10 s
        self.spares.clear()
        self.retired.clear()


def status_of(server):
    """The HTTP status of the server's ``status`` URL; None while nothing answers.

    Plain http.client: an httpx.get costs ~50 ms of CPU (a new SSL context each time),
    which polling would take from the server that is starting."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=1)
    try:
        conn.request("GET", server.prefix + "status")
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_for_server(server, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {server.proc.returncode}:\n{server.log()}"
            )
        if status_of(server) == 200:
            return
        time.sleep(0.02)
    raise RuntimeError(f"server did not start within {timeout} s:\n{server.log()}")


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory):
    pool = ServerPool(str(tmp_path_factory.mktemp("servers")))
    yield pool
    pool.close()


@pytest.fixture
def run_server(tmp_path, server_pool):
    servers = []

    def run(datadir=None, env=None, wait=True, **settings):
        if datadir is None and wait and "port" not in settings:
            server = server_pool.take(settings, env)
        else:
            server = start_server(tmp_path, datadir, env, wait, **settings)
        servers.append(server)
        return server

    yield run
    server_pool.retire(servers)


@pytest.fixture(scope="session")
def pg_cluster(server_pool):
    """A PostgreSQL for the tests (``pg_cluster.Cluster``): a throwaway cluster
    started once per run, or the server TIMETAGGER_TEST_DATABASE_URL names. Without
    PostgreSQL the tests that need it fail: they are never skipped."""
    from pg_cluster import Cluster

    cluster = Cluster.for_tests()
    _pg["cluster"] = cluster
    yield cluster
    server_pool.close()  # the servers go first, then their database
    _pg["cluster"] = None
    cluster.stop()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """A fresh build of site_src/ (same-origin API URL). Returns the output path."""
    import build

    out = tmp_path_factory.mktemp("site") / "dist"
    build.build(SITE_SRC, str(out))
    return str(out)
