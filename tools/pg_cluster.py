"""A throwaway PostgreSQL cluster for the tests and the benchmark.

``Cluster.start()`` runs ``initdb`` and ``pg_ctl`` in a new temporary folder, listening
on a free 127.0.0.1 port with trust authentication; ``stop()`` stops it and removes the
folder. PostgreSQL refuses to run as root: as root, the binaries run as the
``postgres`` user (the Debian package creates it) on a folder it owns. With
``TIMETAGGER_TEST_DATABASE_URL`` set, ``for_tests()`` uses that server instead (its
user must be allowed to create databases) and starts nothing.

``fresh_database()`` creates a new, empty database and returns its URL. For the tests
the cluster is made for speed, not safety (fsync off); ``Cluster(durable=True)`` keeps
PostgreSQL's defaults (the benchmark).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

from setup_system import find_program

ENV_URL = "TIMETAGGER_TEST_DATABASE_URL"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd):
    """The command, run as the postgres user when we are root."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--", *cmd]


class Cluster:
    def __init__(self, admin_url=None, durable=False):
        self.admin_url = admin_url  # set: a server we did not start
        self.durable = durable  # fsync and synchronous commits, as in production
        self.folder = None
        self.port = None
        self.count = 0
        self.created = []

    @classmethod
    def for_tests(cls):
        url = os.environ.get(ENV_URL, "").strip()
        cluster = cls(admin_url=url or None)
        if not url:
            cluster.start()
        return cluster

    def start(self):
        initdb = find_program("initdb")
        pg_ctl = find_program("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(
                "PostgreSQL server binaries (initdb, pg_ctl) not found: "
                "install the Debian package postgresql (make system)"
            )
        self.folder = tempfile.mkdtemp(prefix="timetagger-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = os.path.join(self.folder, "data")
        subprocess.run(
            _as_postgres(
                [initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"]
                + ["--no-sync", "--locale=C"]
            ),
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
            " -c max_connections=300 -c shared_buffers=128MB"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            _as_postgres(
                [pg_ctl, "-D", data, "-o", options, "-l", data + "/log", "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self

    def restart(self):
        """Restart the server we started (every connection to it is cut)."""
        pg_ctl = find_program("pg_ctl")
        data = os.path.join(self.folder, "data")
        subprocess.run(
            # -l: the server must not inherit our pipes (run would wait for them).
            _as_postgres(
                [pg_ctl, "-D", data, "-l", data + "/log", "-m", "fast", "-w", "restart"]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self):
        if self.folder is None:
            self.drop_created()
            return
        pg_ctl = find_program("pg_ctl")
        data = os.path.join(self.folder, "data")
        subprocess.run(
            _as_postgres([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def url_of(self, dbname):
        parts = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))

    def fresh_database(self):
        import psycopg

        self.count += 1
        name = f"tt_test_{os.getpid()}_{self.count}_{int(time.time() * 1000) % 10**7}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY'
            )
        self.created.append(name)
        return self.url_of(name)

    def drop_created(self):
        """Drop the databases we made on a server we did not start."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                try:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except psycopg.Error:
                    pass
        self.created.clear()
