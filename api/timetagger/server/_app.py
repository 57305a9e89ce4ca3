"""The ASGI application of ``python -m timetagger``.

Each request is answered with the application object of the current configuration
(``_server.Server``, from ``current_server()``), which the app puts in the request
scope; the settings below are that object's.

Routes by ``path_prefix`` (P): ``P status`` (health check), ``P api/v2/...``
(the API, see ``_apiserver``), and, when ``site_dir`` names a built site, every
other path under P from that directory (single-machine use). ``/`` redirects to P, or
to ``P app/`` with ``app_redirect``. Anything outside P is a 404. A handler that raises
is logged with its stack trace and answered with a plain 500 text, never the trace.

The client address: ``app`` is ``ClientAddress`` around the asgineer app. It keeps the
direct peer of the connection for the logins that must check it, and behind a proxy
listed in ``trusted_proxies`` takes the client address from X-Forwarded-For through
uvicorn's ``ProxyHeadersMiddleware`` (``python -m timetagger`` runs uvicorn itself with
``proxy_headers`` off, so that nothing rewrites the address before we saw the peer).

Every answer under ``P api/v2/`` and ``P status`` carries ``Cache-Control: no-store``.

With ``metrics`` on, ``P metrics`` serves the Prometheus metrics (see ``_metrics``,
whose ``RequestObserver`` also writes the access log).

Cross-origin use (a site on another host, listed in ``cors_origins``): the API
and ``status`` answer the ``OPTIONS`` preflight (methods GET, PUT, POST; headers
``authtoken``, ``sharetoken`` and ``content-type``) and add ``Access-Control-Allow-Origin`` to every
answer, errors included, for those origins only. Without an ``Origin``, ``OPTIONS``
answers 204 with the methods of the path in ``Allow`` (404 for a path that is no
endpoint), and ``status`` takes GET and HEAD only, like the API paths.
"""

import logging

import asgineer
from asgineer._request import DisconnectedError

from .. import config
from . import _apiserver
from ._http import header
from ._login import PEER_KEY
from ._metrics import RequestObserver, metrics_answer
from ._server import SERVER_KEY, Server, current_server, server_of

logger = logging.getLogger("timetagger")
# asgineer sets its logger to INFO when imported; follow our log_level instead.
logging.getLogger("asgineer").setLevel(config.log_level.upper())


def text(status, message, headers=None):
    return (
        status,
        {"content-type": "text/plain; charset=utf-8", **(headers or {})},
        message,
    )


@asgineer.to_asgi
async def asgineer_app(request):
    try:
        return await route(server_of(request), request)
    except DisconnectedError:
        raise  # the client went away: nothing to answer, nothing to log
    except Exception:
        logger.exception("error handling %s %s", request.method, request.path)
        return text(500, "internal server error: the error has been logged")


class ClientAddress:
    """ASGI middleware: the Server of the request, and the client address behind
    trusted reverse proxies.

    The current Server goes into ``scope["timetagger.server"]``, the direct peer of
    the connection into ``scope["timetagger.peer"]`` (the ``localhost`` and ``proxy``
    logins check it). Then, only when that peer is one of the Server's
    ``trusted_proxies``, uvicorn's ``ProxyHeadersMiddleware`` replaces
    ``scope["client"]`` with the address X-Forwarded-For names (the right-most one
    that is not itself a trusted proxy), which the per-address login limits count.
    With ``trusted_proxies`` empty (the default) no header is ever believed.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            server = current_server()
            scope[SERVER_KEY] = server
            scope[PEER_KEY] = scope.get("client")
            if server.proxy_hosts:
                return await server.behind_proxies(self.app)(scope, receive, send)
        return await self.app(scope, receive, send)


# The observer sits inside ClientAddress: it logs the real client behind a proxy.
app = ClientAddress(RequestObserver(asgineer_app))


async def route(server: Server, request):
    path = request.path
    settings = server.settings
    prefix = settings.path_prefix
    if path == "/" and (prefix != "/" or settings.app_redirect):
        target = prefix + "app/" if settings.app_redirect else prefix
        return 307, {"location": target}, b""
    if path + "/" == prefix:
        return 307, {"location": prefix}, b""
    if not path.startswith(prefix):
        return text(404, f"not found: only serving at {prefix}")
    sub = path[len(prefix) :]
    if sub == "metrics" and settings.metrics:
        return metrics_answer(server, request)
    if sub == "status" or sub == "api/v2" or sub.startswith("api/v2/"):
        return await api_route(server, request, sub)
    site = server.site
    if site is not None and request.method in ("GET", "HEAD"):
        answer = site.respond(request, sub, prefix)
        if answer is not None:
            return answer
    if site is None:
        return text(404, f"not found: {path} (this process serves the API only)")
    return text(404, f"not found: {path}")


# %% The API paths, with CORS

PREFLIGHT_METHODS = "GET, PUT, POST"
PREFLIGHT_HEADERS = "authtoken, sharetoken, content-type"


def cors_headers(origins, request):
    """The CORS headers for the request's Origin: {} when it is absent or not among
    ``origins`` (lower case)."""
    if not origins:
        return {}
    origin = header(request, "origin")
    if not origin:
        return {}
    if origin.lower() in origins:
        return {"access-control-allow-origin": origin, "vary": "origin"}
    if "*" in origins:
        return {"access-control-allow-origin": "*"}
    return {}


def path_methods(sub):
    """The methods the API path ``sub`` takes (HEAD and OPTIONS aside), or None for
    a path that is not an endpoint."""
    if sub == "status":
        return ["GET"]
    methods = _apiserver.ROUTES.get(sub[len("api/v2/") :])
    return list(methods) if methods is not None else None


async def api_route(server, request, sub):
    cors = cors_headers(server.origins, request)
    if request.method == "OPTIONS":
        status, headers, body = preflight(request, cors, path_methods(sub))
        return status, {**headers, "cache-control": "no-store"}, body
    if sub == "status":
        if request.method in ("GET", "HEAD"):
            status, headers, body = text(200, "ok")
        else:
            status, headers, body = text(
                405,
                f"method not allowed: status accepts GET, not {request.method}",
                {"allow": "GET"},
            )
    else:
        path = sub[len("api/v2/") :]
        try:
            status, headers, body = await _apiserver.handle_api(server, request, path)
        except DisconnectedError:
            raise
        except Exception:  # answered here so that the CORS headers are added
            logger.exception("error handling %s %s", request.method, request.path)
            status, headers, body = text(
                500, "internal server error: the error has been logged"
            )
    # API answers are per user and change all the time: no cache may keep them.
    headers = {**headers, "cache-control": "no-store"}
    if cors:
        merged = {**headers, **cors}
        if "vary" in headers and "vary" in cors:
            merged["vary"] = headers["vary"] + ", " + cors["vary"]
        headers = merged
    return status, headers, body


def preflight(request, cors, methods):
    """The answer to OPTIONS: a CORS preflight for a listed origin, 403 for another
    origin, and without an Origin the methods of the path (404 for no endpoint)."""
    origin = header(request, "origin")
    if cors:
        return (
            204,
            {
                **cors,
                "access-control-allow-methods": PREFLIGHT_METHODS,
                "access-control-allow-headers": PREFLIGHT_HEADERS,
                "access-control-max-age": "600",
            },
            b"",
        )
    if origin:
        return text(
            403,
            f"forbidden: the origin {origin[:100]} may not call this API "
            "(see the cors_origins setting)",
        )
    if methods is None:
        return text(404, f"not found: {request.path[:100]} is no API endpoint")
    allow = methods + (["HEAD"] if "GET" in methods else []) + ["OPTIONS"]
    return 204, {"allow": ", ".join(allow)}, b""
