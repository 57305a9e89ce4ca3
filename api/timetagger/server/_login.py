"""Getting the first web token: ``POST bootstrap_authentication`` and its three methods.

- ``localhost``: user ``defaultuser``, only for a request made on the machine itself,
  straight to us: ``localhost_login`` is on, proxy auth is off, the server is bound to
  a loopback address, the direct peer of the connection is a loopback address, the
  request carries no forwarding header (``Forwarded``, ``X-Forwarded-*``,
  ``X-Real-IP``) and its Host is ``localhost``/``127.0.0.1``.
- ``usernamepassword``: the user is in ``credentials`` and bcrypt verifies the
  password. Unknown users cost the same bcrypt check (against a dummy hash of the same
  cost) as known ones. Checks are counted in ``<datadir>/login_failures.db`` (shared
  by all workers) and reserved before bcrypt runs (see ``AttemptCounter``), per client
  address (the real client behind a trusted proxy, see ``_app``) and per user name,
  within ``login_window`` seconds: an address with ``login_failures_per_ip`` failures
  gets 429; a user name with ``login_failures_per_user`` failures is *under attack*,
  and then each address that has failed ``GUARDED_TRIES`` times for it gets 429 for
  it, while other addresses (the real user's) can still log in. On a full disk the
  checks that cannot be written are counted in memory instead (per process, same
  limits), so that logins go on and a wrong password stays a 403; the same when the
  file is damaged. Each failure is
  answered more slowly (``SLOWDOWN_STEP`` per recent failure of the address or the
  user name, at most ``SLOWDOWN_MAX``); a success is never slowed.
- ``proxy``: proxy auth is on, the direct peer is one of ``proxy_auth_trusted`` (IPs or
  CIDR networks, IPv4 or IPv6) and the header ``proxy_auth_header`` names the user.

The settings, the parsed credentials, the trusted networks and the attempt counter
come from the application object (``_server.Server``) the login functions are given.
"""

import asyncio
import base64
import binascii
import ipaddress
import logging
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from .._config import Settings, parse_network, split_credentials, split_list
from ._health import is_damage, is_out_of_space
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


class Credentials:
    """The ``credentials`` setting parsed: {user: bcrypt hash}, and a dummy hash for
    unknown users, made on first use with the most common cost of the real ones."""

    def __init__(self, text: str):
        self.users = {}
        costs = []
        for user, pwhash, _ in split_credentials(text):
            if user and pwhash:
                self.users[user] = pwhash.encode()
                try:
                    costs.append(int(pwhash.split("$")[2]))
                except (IndexError, ValueError):
                    pass
        cost = max(set(costs), key=costs.count) if costs else 10
        self.cost = min(max(cost, 4), 31)
        self._dummy = None

    def dummy_hash(self) -> bytes:
        if self._dummy is None:
            import bcrypt

            self._dummy = bcrypt.hashpw(b"no such user", bcrypt.gensalt(self.cost))
        return self._dummy

    async def verify(self, username: str, password: str) -> bool:
        """True when the pair is valid. Takes as long for an unknown user."""
        loop = asyncio.get_running_loop()
        # The dummy is made once (in a thread), and checked only for unknown users.
        dummy = await loop.run_in_executor(None, self.dummy_hash)
        pwhash = self.users.get(username)
        known = pwhash is not None
        ok = await loop.run_in_executor(None, check_password, password, pwhash or dummy)
        return ok and known


def check_password(password: str, pwhash: bytes) -> bool:
    import bcrypt

    data = password.encode("utf-8")[:BCRYPT_MAX_BYTES]
    try:
        return bcrypt.checkpw(data, pwhash)
    except ValueError:  # a malformed configured hash, or a password bcrypt refuses
        return False


# %% Counting password checks (shared by the workers through a small SQLite file)

GUARDED_TRIES = 3  # checks per address for a user name that is under attack
LOGIN_WAL_PAGES = 64  # login_failures.db is checkpointed at 256 KiB of WAL
logger = logging.getLogger("timetagger")


class Blocked(Exception):
    """A password check refused before bcrypt: ``what`` and seconds to wait."""

    def __init__(self, what, wait):
        super().__init__(what)
        self.what = what
        self.wait = wait


def judge_checks(count, ip: str, user: str, limits: Settings, now: float):
    """The rule of login checks, for every place they are kept: ``count(ip=...,
    user=...)`` gives (number, oldest time) of the checks in the window that match.
    Returns (failures of the address, of the user name) counting this one, or raises
    ``Blocked``."""
    window = limits.login_window
    ip_count, ip_oldest = count(ip=ip)
    if ip_count >= limits.login_failures_per_ip:
        raise Blocked(f"from {ip}", ip_oldest + window - now)
    user_count, _ = count(user=user)
    if user_count >= limits.login_failures_per_user:
        # The user name is under attack: addresses that have failed for it a few
        # times wait; others (the real user's) may still try.
        mine, mine_oldest = count(ip=ip, user=user)
        if mine >= GUARDED_TRIES:
            raise Blocked(f"for this user from {ip}", mine_oldest + window - now)
    return ip_count + 1, user_count + 1


def checks_counter(conn, table: str, user_column: str, mark: str, since: float):
    """``count`` for ``judge_checks`` on a table of checks (columns ip, the user
    column, t) through a DB-API connection whose parameter mark is ``mark``."""

    def count(ip=None, user=None):
        terms = [(c, v) for c, v in (("ip", ip), (user_column, user)) if v is not None]
        where = "".join(f"{column} = {mark} AND " for column, _ in terms)
        sql = f"SELECT count(*), min(t) FROM {table} WHERE {where}t > {mark}"
        return conn.execute(sql, [v for _, v in terms] + [since]).fetchone()

    return count


class AttemptCounter:
    """Password checks of the last ``login_window`` seconds, one row each in the
    SQLite file ``path`` (``<datadir>/login_failures.db``): ``(ip, user, t)``.

    A check is *reserved* (its row written) in the same SQLite transaction that
    counts the rows before it, so that any number of concurrent requests, in any
    number of worker processes, get at most the allowed number of bcrypt checks. A
    check that succeeds deletes the rows of its user name and address (the real user
    starts afresh); one that fails keeps its row, which is the failure. All SQLite
    calls run in one thread of their own, never on the event loop.
    """

    def __init__(self, path: str):
        self.conn = None
        self.path = path
        self.last_prune = 0.0
        self.in_memory = []  # (ip, user, t) of checks the full disk kept out of the file
        self.in_trouble = False  # the file cannot be written: logged once
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="timetagger-logins")

    async def call(self, func, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, func, *args)

    def close(self) -> None:
        """Close the file once the checks under way are done (in their thread)."""

        def close_connection():
            if self.conn is not None:
                self.conn.close()
                self.conn = None

        self.executor.submit(close_connection)
        self.executor.shutdown(wait=False)

    def db(self):
        path = self.path
        if self.conn is None:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            conn = sqlite3.connect(
                path, timeout=10, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                # A small WAL, cut back after each checkpoint: a small disk stays free.
                conn.execute(f"PRAGMA wal_autocheckpoint={LOGIN_WAL_PAGES}")
                conn.execute(f"PRAGMA journal_size_limit={LOGIN_WAL_PAGES * 4096}")
                conn.execute(
                    "DROP TABLE IF EXISTS failures"
                )  # the layout before 2026-12
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS checks (ip TEXT, user TEXT, t REAL)"
                )
                conn.execute("CREATE INDEX IF NOT EXISTS checks_ip ON checks (ip, t)")
                conn.execute(
                    "CREATE INDEX IF NOT EXISTS checks_user ON checks (user, ip, t)"
                )
            except BaseException:
                conn.close()
                raise
            self.conn = conn
        return self.conn

    def reserve(self, ip: str, user: str, limits: Settings) -> tuple[int, int]:
        """Count and reserve one check (within the ``login_*`` settings of
        ``limits``); returns (failures of the address, of the user name) or raises
        ``Blocked``. On a full disk, in memory."""
        try:
            counts = self.reserve_in_file(ip, user, limits)
        except (sqlite3.Error, OSError) as err:
            path = self.path
            if is_out_of_space(err, path):
                trouble = "out of disk space"
            elif is_damage(err):  # the file only holds recent failures
                trouble = f"{path} is damaged (stop the server and delete it)"
            else:
                raise
            if not self.in_trouble:
                self.in_trouble = True
                logger.warning(
                    "%s: failed logins are counted in memory (%s)", trouble, err
                )
            return self.reserve_in_memory(ip, user, limits)
        if self.in_trouble:
            self.in_trouble = False
            logger.warning("failed logins are counted in %s again", self.path)
        return counts

    def reserve_in_memory(self, ip, user, limits):
        """``reserve`` for a full disk: the checks in the file (if it can be read)
        and those kept in memory, judged by the same rules as ``reserve_in_file``."""
        now = time.time()
        since = now - limits.login_window
        self.in_memory = [row for row in self.in_memory if row[2] > since]
        rows = [row for row in self.in_memory if row[0] == ip or row[1] == user]
        try:
            rows += (
                self.db()
                .execute(
                    "SELECT ip, user, t FROM checks WHERE (ip = ? OR user = ?) AND t > ?",
                    (ip, user, since),
                )
                .fetchall()
            )
        except (sqlite3.Error, OSError):
            pass  # not even readable: what is in memory must do

        def count(ip=None, user=None):
            times = [
                t
                for row_ip, row_user, t in rows
                if ip in (None, row_ip) and user in (None, row_user)
            ]
            return len(times), min(times, default=None)

        counts = judge_checks(count, ip, user, limits, now)
        self.in_memory.append((ip, user, now))
        return counts

    def reserve_in_file(self, ip, user, limits):
        conn = self.db()
        now = time.time()
        window = limits.login_window
        since = now - window
        conn.execute("BEGIN IMMEDIATE")
        try:
            counts = judge_checks(
                checks_counter(conn, "checks", "user", "?", since),
                ip,
                user,
                limits,
                now,
            )
            conn.execute(
                "INSERT INTO checks (ip, user, t) VALUES (?, ?, ?)", (ip, user, now)
            )
            if now - self.last_prune > 60:
                self.last_prune = now
                conn.execute("DELETE FROM checks WHERE t <= ?", (since,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return counts

    def succeeded(self, ip: str, user: str) -> None:
        self.in_memory = [row for row in self.in_memory if row[:2] != (ip, user)]
        try:
            self.db().execute(
                "DELETE FROM checks WHERE user = ? AND ip = ?", (user, ip)
            )
        except (sqlite3.Error, OSError) as err:
            # On a full disk the rows stay (and expire): the login succeeds anyway.
            path = self.path
            if not (is_out_of_space(err, path) or is_damage(err)):
                raise


def address_key(ip):
    """The address that failed logins are counted for: IPv6 clients by their /64
    network (one subscriber's block), IPv4-mapped IPv6 as IPv4, others as given."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if addr.version == 6:
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


# %% The methods


def client_ip(request):
    """The client's address: the direct peer, or (when the peer is one of
    ``trusted_proxies``) the address its X-Forwarded-For names (see ``_app``)."""
    client = request.scope.get("client")
    return client[0] if client else ""


def peer_ip(request):
    """The address of the direct peer of the connection, whatever headers say."""
    scope = request.scope
    peer = scope.get(PEER_KEY, scope.get("client"))
    return peer[0] if peer else ""


PEER_KEY = "timetagger.peer"  # set by _app before any proxy header is applied
FORWARDING = ("forwarded", "x-real-ip")


def forwarding_header(request):
    """The name of a forwarding header the request carries, or None."""
    for name, _ in request.scope["headers"]:
        name = name.decode("latin-1").lower()
        if name in FORWARDING or name.startswith("x-forwarded-"):
            return name
    return None


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None):
        addr = addr.ipv4_mapped
    return addr.is_loopback


def is_loopback_bind(bind):
    return is_loopback(bind.rpartition(":")[0].strip("[]"))


def host_name(request):
    host = (header(request, "host") or "").strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


async def login_localhost(server, request, ob):
    settings = server.settings
    if not settings.localhost_login:
        raise HTTPError(403, "localhost login is switched off (localhost_login)")
    if settings.proxy_auth_enabled:
        raise HTTPError(403, "localhost login is off while proxy auth is enabled")
    if not is_loopback_bind(settings.bind):
        raise HTTPError(
            403,
            f"localhost login needs the server bound to 127.0.0.1 ({settings.bind})",
        )
    if not is_loopback(peer_ip(request)):
        raise HTTPError(
            403, "localhost login needs a connection from this machine itself"
        )
    forwarded = forwarding_header(request)
    if forwarded:
        raise HTTPError(
            403,
            f"localhost login is refused through a proxy (the request carries "
            f"{forwarded})",
        )
    if host_name(request) not in ("localhost", "127.0.0.1", "[::1]"):
        raise HTTPError(
            403, "localhost login needs a request to localhost or 127.0.0.1"
        )
    return "defaultuser"


async def login_password(server, request, ob):
    username, password = ob.get("username"), ob.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise HTTPError(
            400, "usernamepassword needs string fields username and password"
        )
    for name, text in (("user name", username), ("password", password)):
        if not is_valid_text(text):
            raise HTTPError(400, f"the {name} is not valid text (a lone surrogate)")
    ip = address_key(client_ip(request))
    attempts = server.attempts
    try:
        ip_count, user_count = await attempts.call(
            attempts.reserve, ip, username, server.settings
        )
    except Blocked as err:
        wait = max(1, int(err.wait) + 1)
        raise HTTPError(
            429,
            f"too many failed logins {err.what}; try again in {wait} s",
            {"retry-after": str(wait)},
        ) from None
    if await server.credentials.verify(username, password):
        await attempts.call(attempts.succeeded, ip, username)
        return username
    # Each failure is answered more slowly (whoever guessed wrong, and the more so
    # the more the address or the user name failed), up to SLOWDOWN_MAX.
    await asyncio.sleep(min(SLOWDOWN_MAX, SLOWDOWN_STEP * max(ip_count, user_count)))
    raise HTTPError(403, "Invalid credentials")


def trusted_networks(text: str) -> list:
    """The networks of a list setting (``proxy_auth_trusted``, ``metrics_allowed``)."""
    return [parse_network(entry) for entry in split_list(text)]


def address_in(ip: str, networks) -> bool:
    """Whether the address ``ip`` is in one of ``networks`` (IPv4-mapped IPv6
    addresses, a dual-stack socket's peers, count as their IPv4 address)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None):
        addr = addr.ipv4_mapped
    return any(addr in net for net in networks)


async def login_proxy(server, request, ob):
    settings = server.settings
    if not settings.proxy_auth_enabled:
        raise HTTPError(403, "proxy authentication is not enabled")
    ip = peer_ip(request)  # the proxy itself, never an address a header names
    if not address_in(ip, server.proxy_auth_networks):
        raise HTTPError(403, f"{ip} is not a trusted proxy")
    name = settings.proxy_auth_header
    username = (header(request, name.lower()) or "").strip()
    if not username:
        raise HTTPError(403, f"the proxy did not send the user name in {name}")
    return username


METHODS = {
    "localhost": login_localhost,
    "usernamepassword": login_password,
    "proxy": login_proxy,
}


async def bootstrap_username(server, request) -> str:
    """The user name a bootstrap request proves, or HTTPError."""
    body = await read_body(request, MAX_BOOTSTRAP_BODY)
    ob = decode_bootstrap_body(body)
    login = METHODS.get(ob["method"])
    if login is None:
        raise HTTPError(401, f"unknown authentication method {ob['method'][:40]!r}")
    username = await login(server, request, ob)
    problem = username_problem(username)
    if problem:
        raise HTTPError(403, problem)
    return username
