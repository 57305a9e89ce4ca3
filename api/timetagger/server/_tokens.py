"""Signed tokens (JWT, HS256 only) and their signing key: ``TokenSigner`` issues and
verifies them with the key in ``<datadir>/jwt.key`` (or, with ``database_url``, the
key shared in the database: see ``_server.build_server``).

A token's payload is ``{"username", "expires", "seed"}``. A web token expires 14 days
after it is issued; an API token expires in the year 3000. Whether a token is still
valid also depends on the user's current seed, which the caller checks (see
``_apiserver.authenticate``): this module only proves that we issued the token, and
raises its own ``TokenError`` otherwise (the API answers that with a 401).

Each signer caches verified tokens (token text -> claims), so the signature of a
token that is used every 10 seconds is checked once. The cache holds claims, never a
verdict: the seed and the expiry are checked against the current state on every
request.
"""

import os
import secrets
import time
from collections.abc import Callable

from ._utils import username_problem

WEBTOKEN_LIFETIME = 14 * 86400
APITOKEN_EXPIRES = 32503748400  # 3000-01-01 (and what the original uses)
MAX_TOKEN_LENGTH = 4096
CACHE_SIZE = 10000

Claims = dict  # {"username": str, "expires": float, "seed": str}


class TokenError(Exception):
    """A token we cannot accept: not a JWT, not signed by us, or with invalid claims.
    The text says which, in words a client can be shown."""


def ensure_key(filename: str) -> str:
    """The signing key in ``filename``, which is created first (mode 600) if absent.

    Creation is atomic (a temporary file linked into place), so several workers
    starting at once agree on one key.
    """
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
    return key


def is_apitoken(claims: Claims) -> bool:
    """API tokens are told apart by their expiry: more than 14 days ahead."""
    return claims["expires"] > time.time() + WEBTOKEN_LIFETIME


def _is_number(value):
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value == value
        and abs(value) < 2**62
    )


class TokenSigner:
    """Issues and verifies the tokens of one data directory (key file
    ``key_filename``, read on first use), or with ``read_key`` of whatever that
    function returns (called once, on first use: a key kept elsewhere, such as the
    one PostgreSQL shares between hosts)."""

    def __init__(
        self, key_filename: str = "", read_key: Callable[[], str] | None = None
    ):
        if not key_filename and read_key is None:
            raise ValueError("a TokenSigner needs a key file or a read_key function")
        self.key_filename = key_filename
        self.read_key = read_key
        self._key = None
        self._verified = {}

    @property
    def key(self) -> str:
        if self._key is None:
            if self.read_key is not None:
                key = self.read_key()
                if len(key) < 16:
                    raise RuntimeError("the shared signing key is too short")
                self._key = key
            else:
                self._key = ensure_key(self.key_filename)
        return self._key

    def make_token(self, username: str, seed: str, expires: float) -> str:
        import jwt  # imported on first use: keeps the start of the process fast

        payload = {"username": username, "expires": int(expires), "seed": seed}
        return jwt.encode(payload, self.key, algorithm="HS256")

    def make_webtoken(self, username: str, seed: str) -> str:
        return self.make_token(username, seed, int(time.time()) + WEBTOKEN_LIFETIME)

    def make_apitoken(self, username: str, seed: str) -> str:
        return self.make_token(username, seed, APITOKEN_EXPIRES)

    def verify(self, token: str) -> Claims:
        """The claims of a token we signed, as a dict; ``TokenError`` otherwise."""
        key = self.key
        claims = self._verified.get(token)
        if claims is not None:
            return claims
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("the token is too long to be one of ours")
        import jwt

        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature is not valid") from None
        except jwt.InvalidAlgorithmError:
            raise TokenError("the token must be signed with HS256") from None
        except Exception:
            raise TokenError("the token is malformed (not a JWT we issued)") from None
        username = payload.get("username")
        seed = payload.get("seed")
        expires = payload.get("expires")
        if not isinstance(username, str) or username_problem(username):
            raise TokenError("the token has no valid username claim")
        if not isinstance(seed, str):
            raise TokenError("the token has no valid seed claim")
        if not _is_number(expires):
            raise TokenError("the token has no valid expires claim")
        claims = {"username": username, "expires": expires, "seed": seed}
        if len(self._verified) >= CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = claims
        return claims
