"""The server side of TimeTagger: the /api/v2 handlers, authentication, storage and
the asset functions.

Public names (kept from the library reference, importable by embedding apps):
``authenticate``, ``AuthException``, ``api_handler_triage``, ``get_webtoken_unsafe``,
``md2html``, ``create_assets_from_dir``, ``enable_service_worker``, ``user2filename``,
``filename2user``. The ASGI application of ``python -m timetagger`` is ``app`` in
``timetagger.server._app``.
"""

from ._apiserver import (
    AuthException,
    api_handler_triage,
    authenticate,
    get_webtoken_unsafe,
)
from ._assets import create_assets_from_dir, enable_service_worker, md2html
from ._utils import filename2user, user2filename

__all__ = [
    "AuthException",
    "api_handler_triage",
    "authenticate",
    "create_assets_from_dir",
    "enable_service_worker",
    "filename2user",
    "get_webtoken_unsafe",
    "md2html",
    "user2filename",
]
