"""What the process tells about itself: Prometheus metrics and the access log.

``RequestObserver`` is ASGI middleware around the app (inside ``ClientAddress``, so
that behind a trusted proxy it sees the real client). For each HTTP request it
measures the time to the end of the answer and, when switched on:

- ``metrics``: counts it by route, method and status, and observes its duration per
  route, with ``prometheus_client``. Routes are a fixed set (``route_of``), never the
  raw path, so that no client can make new series. ``<path_prefix>metrics`` serves the
  text format to peers in ``metrics_allowed`` (the direct peer of the connection; no
  forwarding header is believed), loopback only by default.
- ``access_log``: one line per request on the ``timetagger.access`` logger, ``text``
  or ``json``: time, method, path (without the query string: nothing a client puts
  there is written to the log), status, duration and client address.

With several workers (``workers`` > 1) ``python -m timetagger`` gives the workers a
shared folder (``PROMETHEUS_MULTIPROC_DIR``), and a scrape adds up every worker's
numbers, whichever worker answers it.
"""

import json
import logging
import os
import time

from ._http import HTTPError
from ._server import SERVER_KEY, Server, current_server
from ._utils import datadir_path

access_logger = logging.getLogger("timetagger.access")

METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "OPTIONS", "DELETE", "PATCH"})
DURATION_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
# Answers that the metrics count on their own, by route and status.
SPECIAL = {
    ("api/v2/bootstrap_authentication", 403): "failed_logins",
    ("api/v2/bootstrap_authentication", 429): "login_refusals",
}


def route_of(path: str, prefix: str) -> str:
    """The route label of a request path (under ``path_prefix`` ``prefix``): one of
    a fixed set."""
    from ._apiserver import ROUTES

    if not path.startswith(prefix):
        return "other"
    sub = path[len(prefix) :]
    if sub in ("status", "metrics"):
        return sub
    if sub == "api/v2" or sub.startswith("api/v2/"):
        name = sub[len("api/v2/") :]
        return f"api/v2/{name}" if name in ROUTES else "api/v2/unknown"
    return "site"


class Metrics:
    """The process's metrics (made on first use: the import costs ~50 ms)."""

    def __init__(self):
        import prometheus_client as pc

        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        registry = None if self.multiprocess else pc.CollectorRegistry()
        self.registry = registry
        self.requests = pc.Counter(
            "timetagger_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.duration = pc.Histogram(
            "timetagger_request_duration_seconds",
            "Time from the request to the end of its answer, by route.",
            ["route"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.failed_logins = pc.Counter(
            "timetagger_failed_logins",
            "Logins refused with 403 (a wrong password, or a login method refused).",
            registry=registry,
        )
        self.login_refusals = pc.Counter(
            "timetagger_login_refusals",
            "Logins refused with 429 after too many failures.",
            registry=registry,
        )
        self.out_of_space = pc.Counter(
            "timetagger_out_of_space_answers",
            "Requests answered 507: the disk was full.",
            registry=registry,
        )
        self.damaged = pc.Counter(
            "timetagger_damaged_file_answers",
            "Requests answered 503: the user's file is damaged.",
            registry=registry,
        )
        gauge = {"multiprocess_mode": "livesum", "registry": registry}
        self.open_users = pc.Gauge(
            "timetagger_open_user_databases",
            "Users whose database state is kept in memory.",
            **gauge,
        )
        self.connected_users = pc.Gauge(
            "timetagger_connected_user_databases",
            "Users whose database connections are open.",
            **gauge,
        )
        if registry is not None:
            registry.register(StorageCollector())
        else:
            import atexit

            from prometheus_client import multiprocess

            atexit.register(multiprocess.mark_process_dead, os.getpid())

    def observe(self, route, method, status, seconds, server: Server):
        self.requests.labels(route, method, str(status)).inc()
        self.duration.labels(route).observe(seconds)
        special = SPECIAL.get((route, status))
        if special is not None:
            getattr(self, special).inc()
        elif status == 507:
            self.out_of_space.inc()
        elif status == 503:
            self.damaged.inc()
        opened, connected = server.stores.counts()
        self.open_users.set(opened)
        self.connected_users.set(connected)

    def exposition(self):
        import prometheus_client as pc

        registry = self.registry
        if registry is None:
            from prometheus_client import multiprocess

            registry = pc.CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(StorageCollector())
        return pc.generate_latest(registry), pc.CONTENT_TYPE_LATEST


class StorageCollector:
    """Read at each scrape from the data directory: the size of the WAL files."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        sizes = []
        folder = datadir_path(current_server().settings.datadir, "users")
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".db-wal"):
                        try:
                            sizes.append(entry.stat().st_size)
                        except OSError:
                            pass
        except OSError:
            pass
        yield GaugeMetricFamily(
            "timetagger_wal_bytes",
            "Bytes in the write-ahead logs of all user files.",
            value=sum(sizes),
        )
        yield GaugeMetricFamily(
            "timetagger_wal_largest_bytes",
            "Bytes in the largest write-ahead log of a user file.",
            value=max(sizes, default=0),
        )


_metrics = []


def metrics():
    if not _metrics:
        _metrics.append(Metrics())
    return _metrics[0]


# %% The endpoint


def metrics_answer(server: Server, request):
    """The answer of ``<path_prefix>metrics`` (metrics on)."""
    from ._login import address_in, peer_ip

    try:
        if request.method not in ("GET", "HEAD"):
            raise HTTPError(
                405,
                f"metrics accepts GET, not {request.method}",
                {"allow": "GET, HEAD"},
            )
        ip = peer_ip(request)
        if not address_in(ip, server.metrics_networks):
            raise HTTPError(
                403, f"{ip} may not read the metrics (see the metrics_allowed setting)"
            )
    except HTTPError as err:
        return err.response()
    body, content_type = metrics().exposition()
    return 200, {"content-type": content_type, "cache-control": "no-store"}, body


# %% The middleware


class RequestObserver:
    """ASGI middleware: times, counts and logs each HTTP request (see above)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        server = scope.get(SERVER_KEY) or current_server()
        settings = server.settings
        if not (settings.metrics or settings.access_log != "off"):
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 0

        async def send_and_note(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            seconds = time.perf_counter() - start
            try:
                request_done(server, scope, status, seconds)
            except Exception:  # never let the bookkeeping fail a request
                logging.getLogger("timetagger").exception("metrics of a request")


def request_done(server: Server, scope, status: int, seconds: float) -> None:
    settings = server.settings
    method = scope.get("method", "")
    if settings.metrics:
        route = route_of(scope.get("path", ""), settings.path_prefix)
        metrics().observe(
            route, method if method in METHODS else "other", status, seconds, server
        )
    if settings.access_log != "off":
        access_logger.info(access_line(scope, status, seconds, settings.access_log))


def access_line(scope, status: int, seconds: float, style: str = "text") -> str:
    """One line of the access log. The path is the decoded path, without the query
    string; in the text format it is quoted as JSON, so that no path can forge a line.
    """
    client = scope.get("client")
    address = client[0] if client else ""
    path = scope.get("path", "")
    method = scope.get("method", "")
    if style == "json":
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        return json.dumps(
            {
                "time": f"{stamp}.{int(now % 1 * 1000):03d}Z",
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "client": address,
            }
        )
    return f"{address} {method} {json.dumps(path)} {status} {seconds * 1000:.1f}ms"


__all__ = ["RequestObserver", "metrics_answer", "route_of"]
