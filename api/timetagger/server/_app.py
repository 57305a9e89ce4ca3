"""The ASGI application of ``python -m timetagger``.

Routes by ``config.path_prefix`` (P): ``P status`` (health check), ``P api/v2/...``
(the API, see ``_apiserver``), and, when ``config.site_dir`` names a built site, every
other path under P from that directory (single-machine use). ``/`` redirects to P, or
to ``P app/`` with ``app_redirect``. Anything outside P is a 404. A handler that raises
is logged with its stack trace and answered with a plain 500 text, never the trace.
"""

import logging

import asgineer

from .. import config
from . import _apiserver
from ._static import SiteServer

logger = logging.getLogger("timetagger")

_site = {"dir": None, "server": None}


def get_site_server():
    """The SiteServer for ``config.site_dir`` (re-created when the setting changes)."""
    if not config.site_dir:
        return None
    if _site["dir"] != config.site_dir:
        _site["dir"] = config.site_dir
        _site["server"] = SiteServer(config.site_dir)
    return _site["server"]


def text(status, message, headers=None):
    return (
        status,
        {"content-type": "text/plain; charset=utf-8", **(headers or {})},
        message,
    )


@asgineer.to_asgi
async def app(request):
    try:
        return await route(request)
    except Exception:
        logger.exception("error handling %s %s", request.method, request.path)
        return text(500, "internal server error: the error has been logged")


async def route(request):
    path = request.path
    prefix = config.path_prefix
    if path == "/" and (prefix != "/" or config.app_redirect):
        target = prefix + "app/" if config.app_redirect else prefix
        return 307, {"location": target}, b""
    if path + "/" == prefix:
        return 307, {"location": prefix}, b""
    if not path.startswith(prefix):
        return text(404, f"not found: only serving at {prefix}")
    sub = path[len(prefix) :]
    if sub == "status":
        return text(200, "ok")
    if sub == "api/v2" or sub.startswith("api/v2/"):
        return await _apiserver.handle_api(request, sub[len("api/v2/") :])
    site = get_site_server()
    if site is not None and request.method in ("GET", "HEAD"):
        answer = site.respond(request, sub)
        if answer is not None:
            return answer
    if site is None:
        return text(404, f"not found: {path} (this process serves the API only)")
    return text(404, f"not found: {path}")
