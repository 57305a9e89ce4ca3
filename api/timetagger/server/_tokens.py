"""Signed tokens (JWT, HS256 only) and the signing key in ``<datadir>/jwt.key``.

A token's payload is ``{"username", "expires", "seed"}``. A web token expires 14 days
after it is issued; an API token expires in the year 3000. Whether a token is still
valid also depends on the user's current seed, which the caller checks (see
``_apiserver.authenticate``): this module only proves that we issued the token.

Verified tokens are cached (token text -> claims), so the signature of a token that is
used every 10 seconds is checked once. The cache holds claims, never a verdict: the
seed and the expiry are checked against the current state on every request.
"""

import os
import secrets
import time

from .. import config
from ._http import HTTPError
from ._utils import data_path, username_problem

WEBTOKEN_LIFETIME = 14 * 86400
APITOKEN_EXPIRES = 32503748400  # 3000-01-01 (and what the original uses)
MAX_TOKEN_LENGTH = 4096
CACHE_SIZE = 10000

_key = {"datadir": None, "key": None}
_verified = {}


def key_filename():
    return data_path("jwt.key")


def ensure_key():
    """The signing key: read from ``jwt.key``, created first (mode 600) if absent.

    Creation is atomic (a temporary file linked into place), so several workers
    starting at once agree on one key.
    """
    if config.database_url:
        return shared_key()
    if _key["datadir"] == config.datadir and _key["key"]:
        return _key["key"]
    filename = key_filename()
    if not os.path.isfile(filename):
        os.makedirs(os.path.dirname(filename), exist_ok=True)
        tmp = f"{filename}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(32).encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, filename)  # fails if another process was first: use theirs
        except FileExistsError:
            pass
        finally:
            os.remove(tmp)
    with open(filename, encoding="utf-8") as f:
        key = f.read().strip()
    if len(key) < 16:
        raise RuntimeError(f"the signing key in {filename} is too short")
    _key["datadir"], _key["key"] = config.datadir, key
    _verified.clear()
    return key


def shared_key():
    """With ``database_url``: the key kept in the database, shared by every process
    and host (created there on first use)."""
    if _key["datadir"] == config.database_url and _key["key"]:
        return _key["key"]
    from ._pgstore import signing_key

    key = signing_key(secrets.token_urlsafe(32))
    _key["datadir"], _key["key"] = config.database_url, key
    _verified.clear()
    return key


def make_token(username, seed, expires):
    import jwt  # imported on first use: keeps the start of the process fast

    payload = {"username": username, "expires": int(expires), "seed": seed}
    return jwt.encode(payload, ensure_key(), algorithm="HS256")


def make_webtoken(username, seed):
    return make_token(username, seed, int(time.time()) + WEBTOKEN_LIFETIME)


def make_apitoken(username, seed):
    return make_token(username, seed, APITOKEN_EXPIRES)


def is_apitoken(claims):
    """API tokens are told apart by their expiry: more than 14 days ahead."""
    return claims["expires"] > time.time() + WEBTOKEN_LIFETIME


def _is_number(value):
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value == value
        and abs(value) < 2**62
    )


def verify(token):
    """The claims of a token we signed, as a dict; HTTPError 401 otherwise."""
    key = ensure_key()
    claims = _verified.get(token)
    if claims is not None:
        return claims
    if len(token) > MAX_TOKEN_LENGTH:
        raise HTTPError(401, "the token is too long to be one of ours")
    import jwt

    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise HTTPError(401, "the token's signature is not valid") from None
    except jwt.InvalidAlgorithmError:
        raise HTTPError(401, "the token must be signed with HS256") from None
    except Exception:
        raise HTTPError(401, "the token is malformed (not a JWT we issued)") from None
    username = payload.get("username")
    seed = payload.get("seed")
    expires = payload.get("expires")
    if not isinstance(username, str) or username_problem(username):
        raise HTTPError(401, "the token has no valid username claim")
    if not isinstance(seed, str):
        raise HTTPError(401, "the token has no valid seed claim")
    if not _is_number(expires):
        raise HTTPError(401, "the token has no valid expires claim")
    claims = {"username": username, "expires": expires, "seed": seed}
    if len(_verified) >= CACHE_SIZE:
        _verified.clear()
    _verified[token] = claims
    return claims
