"""Getting the first web token: ``POST bootstrap_authentication`` and its three methods.

- ``localhost``: the server is bound to a loopback address, proxy auth is off, and the
  request names ``localhost``/``127.0.0.1`` in its Host header: user ``defaultuser``.
- ``usernamepassword``: the user is in ``config.credentials`` and bcrypt verifies the
  password. Unknown users cost the same bcrypt check (against a dummy hash of the same
  cost) as known ones. Failed attempts are counted per client address and per user
  name (in ``<datadir>/login_failures.db``, shared by all workers): each failure is
  answered more slowly, and past ``login_failures_per_ip`` / ``login_failures_per_user``
  within ``login_window`` seconds the answer is 429 without checking anything.
- ``proxy``: proxy auth is on, the direct peer is one of ``proxy_auth_trusted`` (IPs or
  CIDR networks, IPv4 or IPv6) and the header ``proxy_auth_header`` names the user.
"""

import asyncio
import base64
import binascii
import ipaddress
import os
import sqlite3
import time

from .. import config
from .._config import parse_network, split_credentials, split_list
from ._http import HTTPError, header, parse_json, read_body
from ._items import is_valid_text
from ._utils import username_problem

MAX_BOOTSTRAP_BODY = 64 * 1024
BCRYPT_MAX_BYTES = 72  # bcrypt only ever used the first 72 bytes; bcrypt 5 refuses more
SLOWDOWN_STEP = 0.25  # seconds added to a failed answer per recent failure
SLOWDOWN_MAX = 3.0


# %% Parsing the body


def decode_bootstrap_body(body):
    """base64 of a JSON object -> dict; 400 with the reason otherwise."""
    text = body.strip()
    if not text:
        raise HTTPError(400, "the body must be base64-encoded JSON, and it is empty")
    try:
        text = "".join(text.decode("ascii").split())  # line breaks are harmless
        text = text.replace("-", "+").replace("_", "/")  # accept URL-safe base64 too
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        raise HTTPError(400, "the body must be base64-encoded JSON") from None
    try:
        raw = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(
            400, "the base64 in the body does not decode to UTF-8"
        ) from None
    ob = parse_json(raw, "the decoded body")
    if not isinstance(ob, dict):
        raise HTTPError(400, "the decoded body must be a JSON object")
    method = ob.get("method")
    if not isinstance(method, str):
        raise HTTPError(400, "the decoded body needs a string field 'method'")
    return ob


# %% Credentials


_creds = {"text": None, "users": {}, "cost": 10}
_dummy_hashes = {}


def credentials():
    """{user: bcrypt hash} from ``config.credentials`` (parsed once per value)."""
    if _creds["text"] != config.credentials:
        users = {}
        costs = []
        for user, pwhash, _ in split_credentials(config.credentials):
            if user and pwhash:
                users[user] = pwhash.encode()
                try:
                    costs.append(int(pwhash.split("$")[2]))
                except (IndexError, ValueError):
                    pass
        _creds["users"] = users
        # The dummy hash for unknown users has the most common cost of the real ones.
        _creds["cost"] = max(set(costs), key=costs.count) if costs else 10
        _creds["text"] = config.credentials
    return _creds["users"]


def dummy_hash():
    import bcrypt

    cost = min(max(_creds["cost"], 4), 31)
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = bcrypt.hashpw(b"no such user", bcrypt.gensalt(cost))
    return _dummy_hashes[cost]


def check_password(password, pwhash):
    import bcrypt

    data = password.encode("utf-8")[:BCRYPT_MAX_BYTES]
    try:
        return bcrypt.checkpw(data, pwhash)
    except ValueError:  # a malformed configured hash, or a password bcrypt refuses
        return False


async def verify_credentials(username, password):
    """True when the pair is valid. Takes as long for an unknown user."""
    loop = asyncio.get_running_loop()
    users = credentials()
    dummy = await loop.run_in_executor(None, dummy_hash)  # made once, for both paths
    pwhash = users.get(username)
    known = pwhash is not None
    ok = await loop.run_in_executor(None, check_password, password, pwhash or dummy)
    return ok and known


# %% Counting failed logins (shared by the workers through a small SQLite file)


class FailureCounter:
    def __init__(self):
        self.conn = None
        self.datadir = None
        self.last_prune = 0

    def db(self):
        if self.conn is None or self.datadir != config.datadir:
            datadir = os.path.abspath(os.path.expanduser(config.datadir))
            os.makedirs(datadir, exist_ok=True)
            conn = sqlite3.connect(
                os.path.join(datadir, "login_failures.db"),
                timeout=10,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS failures (kind TEXT, name TEXT, t REAL)"
            )
            conn.execute(
                "CREATE INDEX IF NOT EXISTS failures_kind_name_t ON failures (kind, name, t)"
            )
            self.conn, self.datadir = conn, config.datadir
        return self.conn

    def recent(self, kind, name):
        """(count, oldest time) of the failures within the window."""
        since = time.time() - config.login_window
        count, oldest = (
            self.db()
            .execute(
                "SELECT count(*), min(t) FROM failures WHERE kind = ? AND name = ? AND t > ?",
                (kind, name, since),
            )
            .fetchone()
        )
        return count, oldest

    def add(self, ip, username):
        now = time.time()
        conn = self.db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO failures (kind, name, t) VALUES (?, ?, ?)",
                [("ip", ip, now), ("user", username, now)],
            )
            if now - self.last_prune > 60:
                self.last_prune = now
                conn.execute(
                    "DELETE FROM failures WHERE t < ?", (now - config.login_window,)
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


failures = FailureCounter()


def check_not_blocked(ip, username):
    """429 when the address or the user name has failed too often recently."""
    now = time.time()
    for kind, name, limit, what in (
        ("ip", ip, config.login_failures_per_ip, f"from {ip}"),
        ("user", username, config.login_failures_per_user, "for this user"),
    ):
        count, oldest = failures.recent(kind, name)
        if count >= limit:
            wait = max(1, int(oldest + config.login_window - now) + 1)
            raise HTTPError(
                429,
                f"too many failed logins {what}; try again in {wait} s",
                {"retry-after": str(wait)},
            )


# %% The methods


def client_ip(request):
    client = request.scope.get("client")
    return client[0] if client else ""


def is_loopback_bind():
    host = config.bind.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(request):
    host = (header(request, "host") or "").strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


async def login_localhost(request, ob):
    if config.proxy_auth_enabled:
        raise HTTPError(403, "localhost login is off while proxy auth is enabled")
    if not is_loopback_bind():
        raise HTTPError(
            403, f"localhost login needs the server bound to 127.0.0.1 ({config.bind})"
        )
    if host_name(request) not in ("localhost", "127.0.0.1", "[::1]"):
        raise HTTPError(
            403, "localhost login needs a request to localhost or 127.0.0.1"
        )
    return "defaultuser"


async def login_password(request, ob):
    username, password = ob.get("username"), ob.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise HTTPError(
            400, "usernamepassword needs string fields username and password"
        )
    for name, text in (("user name", username), ("password", password)):
        if not is_valid_text(text):
            raise HTTPError(400, f"the {name} is not valid text (a lone surrogate)")
    ip = client_ip(request)
    check_not_blocked(ip, username)
    if await verify_credentials(username, password):
        return username
    failures.add(ip, username)
    count = max(failures.recent("ip", ip)[0], failures.recent("user", username)[0])
    await asyncio.sleep(min(SLOWDOWN_MAX, SLOWDOWN_STEP * count))
    raise HTTPError(403, "Invalid credentials")


def trusted_networks():
    if _trusted["text"] != config.proxy_auth_trusted:
        _trusted["nets"] = [
            parse_network(x) for x in split_list(config.proxy_auth_trusted)
        ]
        _trusted["text"] = config.proxy_auth_trusted
    return _trusted["nets"]


_trusted = {"text": None, "nets": []}


def is_trusted_proxy(ip):
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None):
        addr = addr.ipv4_mapped  # ::ffff:10.0.0.1 on a dual-stack socket
    return any(addr in net for net in trusted_networks())


async def login_proxy(request, ob):
    if not config.proxy_auth_enabled:
        raise HTTPError(403, "proxy authentication is not enabled")
    ip = client_ip(request)
    if not is_trusted_proxy(ip):
        raise HTTPError(403, f"{ip} is not a trusted proxy")
    username = (header(request, config.proxy_auth_header.lower()) or "").strip()
    if not username:
        raise HTTPError(
            403, f"the proxy did not send the user name in {config.proxy_auth_header}"
        )
    return username


METHODS = {
    "localhost": login_localhost,
    "usernamepassword": login_password,
    "proxy": login_proxy,
}


async def bootstrap_username(request):
    """The user name a bootstrap request proves, or HTTPError."""
    body = await read_body(request, MAX_BOOTSTRAP_BODY)
    ob = decode_bootstrap_body(body)
    login = METHODS.get(ob["method"])
    if login is None:
        raise HTTPError(401, f"unknown authentication method {ob['method'][:40]!r}")
    username = await login(request, ob)
    problem = username_problem(username)
    if problem:
        raise HTTPError(403, problem)
    return username
