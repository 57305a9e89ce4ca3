"""The /api/v2 handlers and authentication (being built: see issue 3)."""


class AuthException(Exception):
    """Exception raised when authentication fails. You should catch this error and
    respond with 401 unauthorized."""


async def authenticate(request):
    raise AuthException("not implemented yet")


async def api_handler_triage(request, path, auth_info, db):
    return 404, {}, f"not found: {path}"


async def get_webtoken_unsafe(username, reset=False):
    raise NotImplementedError()


async def handle_api(request, path):
    """Entry point used by the ASGI app for everything under ``api/v2/``."""
    if path == "":
        return 200, {}, "See https://timetagger.readthedocs.io"
    return 404, {}, f"not found: no api endpoint {path}"
