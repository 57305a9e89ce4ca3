"""The /api/v2 endpoints: routing, authentication and one handler per endpoint.

Public (names of the library reference): ``authenticate(request)`` returns
``(auth_info, db)`` or raises ``AuthException``; ``api_handler_triage(request, path,
auth_info, db)`` answers an authenticated request; ``get_webtoken_unsafe(username)``
issues a web token to a user the caller has authenticated some other way. The ASGI
app calls ``handle_api(server, request, path)`` for everything below ``api/v2/``.

Every handler is given the application object (``_server.Server``: settings, token
signer, user stores); the public functions take the one the request was routed with,
or the current one (``server_of``). The token layer's ``TokenError`` becomes an
``AuthException`` here, and that a 401.

Every answer is ``(status, headers, body)``: JSON objects for 200, plain text
``"meaning: explanation"`` for errors. The order of checks is: unknown path (404),
wrong method (405), authentication (401), then the endpoint's own checks.
"""

import json
import re
import sqlite3
import time
from typing import Any

from .. import __version__
from . import _shares
from ._http import (
    NUMBER,
    HTTPError,
    JSONAnswer,
    accepts_gzip,
    header,
    json_response,
    parse_number,
    query_flag,
    query_params,
    raw_json_response,
    read_body,
    text_response,
)
from ._items import PutItems, parse_tag_filter, summarize_errors, tags_of
from ._login import bootstrap_username
from ._server import Server, current_server, server_of
from ._store import PIECE, UserDB, storage_failure
from ._threads import in_thread
from ._tokens import TokenError, is_apitoken
from ._utils import username_problem

BIG_BODY = 256 * 1024  # PUT bodies above this are read while they are written


class AuthException(Exception):
    """Exception raised when authentication fails. You should catch this error and
    respond with 401 unauthorized."""


# %% Authentication


async def authenticate(request) -> tuple[dict, UserDB]:
    """Authenticate the user, returning (auth_info, db) if all is well. Raises
    AuthException if an authtoken is missing, not issued by us, does not match the
    seed (i.e. has been revoked), or has expired.

    ``auth_info`` holds the token's claims (``username``, ``expires``, ``seed``);
    ``db`` is the user's database (``_store.UserDB``).
    """
    return await authenticate_with(server_of(request), request)


async def authenticate_with(server: Server, request) -> tuple[dict, UserDB]:
    """``authenticate`` with the given Server."""
    token = header(request, "authtoken")
    if not token:
        raise AuthException("no authtoken header (log in to get a token)")
    try:
        claims = server.signer.verify(token.strip())
    except TokenError as err:
        raise AuthException(str(err)) from None
    username = claims["username"]
    db = server.stores.get(username)
    if db is None:
        raise AuthException("the token has been revoked (the user has no data here)")
    db.refresh()
    seed_name = "apitoken_seed" if is_apitoken(claims) else "webtoken_seed"
    if db.seeds.get(seed_name) != claims["seed"] and not db.confirm_seed(
        seed_name, claims["seed"]
    ):
        raise AuthException("the token has been revoked")
    if claims["expires"] < time.time():
        raise AuthException("the token has expired (log in again)")
    settings = server.settings
    if settings.proxy_auth_enabled:
        name = settings.proxy_auth_header
        proxy_user = header(request, name.lower())
        if proxy_user is not None and proxy_user.strip() != username:
            raise AuthException(f"the {name} header names another user than the token")
    return dict(claims), db


async def get_webtoken_unsafe(username: str, reset: bool = False) -> str:
    """This function provides a webtoken that can be used to authenticate future
    requests. It is intended to bootstrap the authentication; the caller of this
    function is responsible for the request being authenticated in another way.

    The provided webtoken expires in two weeks. With ``reset``, the user's web seed
    is rotated first, revoking every web token issued before.
    """
    return await issue_webtoken(current_server(), username, reset)


async def issue_webtoken(server: Server, username: str, reset: bool = False) -> str:
    """``get_webtoken_unsafe`` with the given Server."""
    problem = username_problem(username)
    if problem:
        raise ValueError(problem)
    db = server.stores.get(username, create=True)
    seed = await db.get_seed("webtoken_seed", bool(reset))
    return server.signer.make_webtoken(username, seed)


# %% Helpers


def reset_requested(params):
    """``?reset=<flag>`` (see ``query_flag``): absent or empty means no."""
    return query_flag(params, "reset") is True


TIMERANGE = re.compile(rf"[ \t]*({NUMBER})[ \t]*-[ \t]*({NUMBER})[ \t]*")


def parse_timerange(params):
    text = params.get("timerange")
    if text is None:
        raise HTTPError(400, "timerange is required (records?timerange=<t1>-<t2>)")
    m = TIMERANGE.fullmatch(text)
    if not m:
        raise HTTPError(
            400, f"timerange must be two numbers separated by '-', not {text[:60]!r}"
        )
    return parse_number(m.group(1), "timerange"), parse_number(m.group(2), "timerange")


async def read_items(request, kind):
    """The PUT body as a ``PutItems`` (a small body is parsed here, a big one while
    it is written), and whether it is big."""
    body = await read_body(request)
    big = len(body) > BIG_BODY
    if big:
        return await in_thread(PutItems, kind, body), big
    return PutItems(kind, body), big


# %% Endpoints


async def api_root(server, request):
    return text_response(
        200,
        "TimeTagger API v2. Endpoints: updates, records, settings, webtoken, "
        "apitoken, forcereset, version, bootstrap_authentication, shares, shared.",
    )


async def post_bootstrap(server, request):
    username = await bootstrap_username(server, request)
    token = await issue_webtoken(server, username)
    return json_response({"token": token})


async def get_updates(server, request, auth_info, db):
    params = query_params(request)
    if "since" not in params:
        raise HTTPError(400, "since is required (updates?since=<server_time>)")
    since = parse_number(params["since"], "since")
    reset = bool(db.reset_time) and since <= db.reset_time
    if not reset and since > db.max_st["records"] and since > db.max_st["settings"]:
        # The 10-second poll with nothing new: no table is read.
        return raw_json_response(
            f'{{"server_time": {db.server_time()!r}, "reset": false, '
            '"records": [], "settings": []}'
        )
    pull = db.pull(since, reset)
    answer = JSONAnswer(accepts_gzip(request))

    def build():  # read, encode and compress piece by piece
        with pull:
            answer.write(
                f'{{"server_time": {pull.server_time!r}, '
                f'"reset": {"true" if reset else "false"}, "records": ['.encode()
            )
            answer.write_joined(pull.pieces("records"))
            answer.write(b'], "settings": [')
            answer.write_joined(pull.pieces("settings"))
            answer.write(b"]}")
        return answer.response()

    if pull.big:  # many items are read, encoded and compressed in a thread
        return await in_thread(build)
    return build()  # a few: on the event loop, without a thread hop


def record_filter(hidden, tags):
    """A test on a record's JSON text for ``?hidden=`` and ``?tag=`` (None: keep all)."""
    if hidden is None and not tags:
        return None

    def keep(text):
        try:
            ds = json.loads(text).get("ds", "")
        except (ValueError, AttributeError):  # not written by us or the original
            return False
        ds = ds if isinstance(ds, str) else ""
        if hidden is not None and ds.startswith("HIDDEN") != hidden:
            return False
        return not tags or tags.issubset(tags_of(ds))

    return keep


def joined_pieces(texts, keep):
    """The texts that ``keep`` accepts, joined with ", " in pieces of PIECE items."""
    batch = []
    for text in texts:
        if keep is None or keep(text):
            batch.append(text)
            if len(batch) == PIECE:
                yield ", ".join(batch).encode()
                batch = []
    if batch:
        yield ", ".join(batch).encode()


async def get_records(server, request, auth_info, db):
    params = query_params(request)
    a, b = parse_timerange(params)
    running = query_flag(params, "running")
    keep = record_filter(
        query_flag(params, "hidden"), parse_tag_filter(params.get("tag", ""))
    )
    read = db.records_in_range(a, b, running)
    answer = JSONAnswer(accepts_gzip(request))

    def build():
        with read as texts:
            answer.write(b'{"records": [')
            answer.write_joined(joined_pieces(texts, keep))
            answer.write(b"]}")
        return answer.response()

    if read.big:  # a wide range is read, encoded and compressed in a thread
        return await in_thread(build)
    return build()


async def get_settings(server, request, auth_info, db):
    answer = JSONAnswer(accepts_gzip(request))
    answer.write(b'{"settings": [')
    answer.write_joined(db.settings_pieces())
    answer.write(b"]}")
    return answer.response()


async def put_items(request, db, kind):
    items, big = await read_items(request, kind)
    accepted, failed, errors = await db.put_items(
        kind, items if big else list(items), big=big or None
    )
    return json_response(
        {
            "accepted": accepted,
            "failed": failed + items.rejected,
            "errors": summarize_errors(errors, items.errors),
        }
    )


async def put_records(server, request, auth_info, db):
    return await put_items(request, db, "records")


async def put_settings(server, request, auth_info, db):
    return await put_items(request, db, "settings")


async def put_forcereset(server, request, auth_info, db):
    await db.force_reset()
    return json_response({"status": "ok"})


async def get_version(server, request, auth_info, db):
    return json_response({"version": __version__})


def refuse_apitoken(auth_info, what):
    if is_apitoken(auth_info):
        raise HTTPError(
            403, f"{what} can only be used with a web token, not with an API token"
        )


async def get_webtoken(server, request, auth_info, db):
    refuse_apitoken(auth_info, "webtoken")
    reset = reset_requested(query_params(request))
    seed = await db.get_seed("webtoken_seed", reset)
    token = server.signer.make_webtoken(auth_info["username"], seed)
    return json_response({"token": token})


async def get_apitoken(server, request, auth_info, db):
    refuse_apitoken(auth_info, "apitoken")
    reset = reset_requested(query_params(request))
    seed = await db.get_seed("apitoken_seed", reset)
    token = server.signer.make_apitoken(auth_info["username"], seed)
    return json_response({"token": token})


# path -> {method: handler}. Every handler takes the Server and the request; those
# of the paths that are not PUBLIC also the token's claims and the user's store.
ROUTES = {
    "": {"GET": api_root},
    "bootstrap_authentication": {"POST": post_bootstrap},
    "updates": {"GET": get_updates},
    "records": {"GET": get_records, "PUT": put_records},
    "settings": {"GET": get_settings, "PUT": put_settings},
    "forcereset": {"PUT": put_forcereset},
    "version": {"GET": get_version},
    "webtoken": {"GET": get_webtoken},
    "apitoken": {"GET": get_apitoken},
    "shares": {
        "GET": _shares.get_shares,
        "POST": _shares.post_shares,
        "PUT": _shares.put_shares,
    },
    "shared": {"GET": _shares.get_shared},
}
PUBLIC = {"", "bootstrap_authentication", "shared"}


def find_handler(request, path):
    """The handler for the path and method; 404 or 405 otherwise."""
    methods = ROUTES.get(path)
    if methods is None:
        raise HTTPError(404, f"no API endpoint {path[:100]!r}")
    method = request.method
    if method == "HEAD" and "GET" in methods:
        method = "GET"
    handler = methods.get(method)
    if handler is None:
        allowed = ", ".join(methods)
        raise HTTPError(
            405,
            f"{path or 'the API root'} accepts {allowed}, not {method}",
            {"allow": allowed},
        )
    return handler


async def api_handler_triage(
    request, path: str, auth_info: dict, db: UserDB
) -> tuple[int, dict, Any]:
    """The API handler that triages over the API options (for an authenticated
    request; see ``authenticate``). Returns ``(status, headers, body)``."""
    server = server_of(request)
    try:
        handler = find_handler(request, path)
        if path in PUBLIC:
            return await handler(server, request)
        return await handler(server, request, auth_info, db)
    except HTTPError as err:
        return err.response()


async def handle_api(server: Server, request, path: str):
    """Entry point used by the ASGI app for everything under ``api/v2/``."""
    try:
        handler = find_handler(request, path)
        if path in PUBLIC:
            return await handler(server, request)
        try:
            auth_info, db = await authenticate_with(server, request)
        except AuthException as err:
            raise HTTPError(401, str(err)) from None
        return await handler(server, request, auth_info, db)
    except HTTPError as err:
        return err.response()
    except (sqlite3.Error, OSError) as err:
        # A full disk (507) or a damaged user file (503); anything else is a 500.
        answer = storage_failure(err)
        if answer is None:
            raise
        return answer.response()


__all__ = [
    "AuthException",
    "api_handler_triage",
    "authenticate",
    "get_webtoken_unsafe",
    "handle_api",
]
