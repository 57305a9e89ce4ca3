"""Several API processes on one PostgreSQL database behind nginx (round robin): what
the API test of the balancer (tests/api/test_postgresql.py) and the browser's
(tests/e2e/test_balancer.py) share.

``start_api_processes(tmp_path, database_url, count, cluster=None, **settings)``
starts ``count`` processes of ``python -m timetagger`` on that database and waits for
them; each is a ``conftest.Server`` (``host``, ``port``, ``proc``, ``url``, ``log``).
Given ``cluster``, our throwaway PostgreSQL (whose Unix socket every network
namespace reaches), and when this runs as root with ``ip``, each process runs in its
own network namespace (``ip netns``), at its own address on a veth pair to this one:
as on separate hosts. Otherwise they listen on separate ports of 127.0.0.1.
``stop_api_processes(servers)`` stops them, removes the namespaces and fails the test
when a log has a traceback.

``nginx_balancer(tmp_path, servers, site_dir=None)`` starts nginx from the recipe
(deploy/nginx.conf) with its ``proxy_pass`` turned to an ``upstream`` of the servers
(round robin, nginx's default) and its site root holding a copy of ``site_dir`` (a
build) under ``timetagger/``; every answer has an ``X-Upstream`` header (the process
that answered, ``$upstream_addr``). Returns a ``Balancer`` (``url(path)``,
``stop()``).

``query(url, sql, params)`` runs SQL on a database; ``wait_until(condition)``.
"""

import os
import shutil
import subprocess
import time
import urllib.parse

import httpx

from conftest import ROOT, Server, free_port, server_launch, wait_for_server

IP = shutil.which("ip") or "/usr/sbin/ip"


def query(url, sql, params=()):
    """The rows of ``sql`` on the database at ``url`` (None for a statement)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def wait_until(condition, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# %% Network namespaces: one host each


def _ip(*args):
    subprocess.run([IP, *args], check=True, capture_output=True, text=True)


class Namespace:
    """A network namespace joined to this one by a veth pair: this side has
    ``gateway``, the namespace ``address`` (a /30 of 10.247.0.0/16 chosen from the
    process id, so that parallel test runs do not meet)."""

    def __init__(self, index):
        pid = os.getpid()
        self.name = f"tt-{pid}-{index}"
        self.outside = f"tth{pid % 10**7}{index}"  # at most 15 characters
        self.inside = f"ttn{pid % 10**7}{index}"
        first = ((pid % 4096) * 4 + index) * 4
        net = f"10.247.{first // 256 % 256}.{first % 256}"
        base = net.rsplit(".", 1)[0] + "."
        last = first % 256
        self.gateway = base + str(last + 1)
        self.address = base + str(last + 2)

    def create(self):
        _ip("netns", "add", self.name)
        _ip(
            "link",
            "add",
            self.outside,
            "type",
            "veth",
            "peer",
            "name",
            self.inside,
            "netns",
            self.name,
        )
        _ip("addr", "add", self.gateway + "/30", "dev", self.outside)
        _ip("link", "set", self.outside, "up")
        _ip("-n", self.name, "addr", "add", self.address + "/30", "dev", self.inside)
        _ip("-n", self.name, "link", "set", self.inside, "up")
        _ip("-n", self.name, "link", "set", "lo", "up")
        return self

    def command(self, args):
        """``args`` run inside the namespace (``ip netns exec`` execs: same pid)."""
        return [IP, "netns", "exec", self.name, *args]

    def delete(self):
        # Deleting the namespace deletes its end of the pair, and so the pair.
        subprocess.run([IP, "netns", "delete", self.name], capture_output=True)
        subprocess.run([IP, "link", "delete", self.outside], capture_output=True)


def namespaces_possible():
    """Whether this run can make network namespaces (root, ``ip``, a kernel that
    allows it): tried once, with a namespace made and removed."""
    if os.geteuid() != 0 or not os.path.exists(IP):
        return False
    probe = Namespace(9)
    try:
        probe.create()
        return True
    except (OSError, subprocess.CalledProcessError):
        return False
    finally:
        probe.delete()


def socket_url(cluster, url):
    """The URL of a database of our throwaway ``cluster`` through its Unix socket (in
    the cluster's folder), which every network namespace reaches. None for a server
    we did not start (TIMETAGGER_TEST_DATABASE_URL): namespaces cannot reach it."""
    if cluster is None or cluster.folder is None:
        return None
    parts = urllib.parse.urlsplit(url)
    where = urllib.parse.urlencode({"host": cluster.folder, "port": cluster.port})
    return f"postgresql://{parts.username}@{parts.path}?{where}"


# %% The processes


def start_api_processes(tmp_path, database_url, count=2, cluster=None, **settings):
    """``count`` API processes on ``database_url``, started together (they apply the
    schema once, under the lock) and ready. Given the ``cluster`` (``pg_cluster``)
    of the database, each runs in its own network namespace where this run can make
    them (``server.namespace``), else on a port of 127.0.0.1 (``namespace`` None)."""
    inside_url = socket_url(cluster, database_url)
    spaces = []
    if inside_url and namespaces_possible():
        spaces = [Namespace(i).create() for i in range(count)]
    servers = []
    try:
        for i in range(count):
            space = spaces[i] if spaces else None
            host = space.address if space else "127.0.0.1"
            options = dict(settings)
            options["database_url"] = inside_url if space else database_url
            if space and "trusted_proxies" in options:
                options["trusted_proxies"] = space.gateway  # nginx comes from there
            args, env = server_launch(options)
            port = free_port()
            datadir = tmp_path / f"api-{i}"
            log_path = str(tmp_path / f"api-{i}.log")
            args = [
                *args[:3],
                f"--bind={host}:{port}",
                f"--datadir={datadir}",
                *args[3:],
            ]
            if space:
                args = space.command(args)
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(
                    args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT
                )
            server = Server(
                proc,
                port,
                str(datadir),
                "/timetagger/",
                log_path,
                database_url,
                host=host,
            )
            server.namespace = space
            servers.append(server)
        for server in servers:
            wait_for_server(server)
    except BaseException:
        stop_api_processes(servers, spaces, check=False)
        raise
    for server in servers:
        if server.namespace:  # ``ip netns exec`` became the server itself
            with open(f"/proc/{server.proc.pid}/cmdline", "rb") as f:
                assert b"timetagger" in f.read()
    return servers


def stop_api_processes(servers, spaces=None, check=True):
    """Stop the processes (those still running), remove their namespaces; with
    ``check``, fail when a process's log has a traceback."""
    for server in servers:
        server.stop()
    for space in spaces or [s.namespace for s in servers if s.namespace]:
        space.delete()
    if check:
        for server in servers:
            assert "Traceback" not in server.log(), server.log()


# %% nginx in front


class Balancer:
    """nginx in front of the processes: ``url(path)`` under /timetagger/."""

    prefix = "/timetagger/"

    def __init__(self, proc, port, folder):
        self.proc = proc
        self.port = port
        self.host = "127.0.0.1"
        self.folder = folder
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path=""):
        return self.base + self.prefix + path.lstrip("/")

    def stop(self):
        from deploy_checks import stop_web_server

        stop_web_server(self.proc)

    def error_log(self):
        with open(os.path.join(self.folder, "error.log"), encoding="utf-8") as f:
            return f.read()


def nginx_balancer(tmp_path, servers, site_dir=None):
    """nginx from deploy/nginx.conf, balancing over ``servers`` (round robin),
    serving a copy of ``site_dir`` (if given) as the site."""
    from deploy_checks import nginx_command, start_web_server

    folder = tmp_path / "nginx"
    folder.mkdir()
    www = folder / "www"
    if site_dir:
        shutil.copytree(site_dir, www / "timetagger")
    else:
        (www / "timetagger").mkdir(parents=True)
    upstreams = "".join(f"    server {s.host}:{s.port};\n" for s in servers)
    port = free_port()
    args = nginx_command(
        folder,
        www,
        port,
        "http://timetagger_api",
        replace=[
            # Which process answered: for the tests, on every answer (inherited by
            # every location, as the recipe's own headers are).
            (
                "server_tokens off;",
                "server_tokens off;\n    add_header X-Upstream $upstream_addr always;",
            )
        ],
        http_extra=f"upstream timetagger_api {{\n{upstreams}}}\n",
        connections=256,
    )
    base = f"http://127.0.0.1:{port}"
    proc = start_web_server(args, base, folder / "stderr.log")
    balancer = Balancer(proc, port, str(folder))
    # Both processes answer through it before anything is measured.
    seen = set()
    wait_until(
        lambda: (
            seen.add(httpx.get(balancer.url("status")).headers["x-upstream"])
            or len(seen) == len(servers)
        ),
        what="nginx to reach every process",
    )
    return balancer
