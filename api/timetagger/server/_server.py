"""The application object: ``Server``, everything the API process makes from its
configuration, built once per configuration by ``build_server``.

A Server holds a frozen copy of the settings and what is made from them: the parsed
credentials, the networks of trusted proxies (for X-Forwarded-For and for the proxy
login), the CORS origins, the peers that may read the metrics, the site served from ``site_dir``, the token signer
(``<datadir>/jwt.key``), the counter of login attempts (``<datadir>/login_failures.db``)
and the user stores (see ``storage_backend``, the one place where the storage
backend is chosen). With ``database_url`` set, the last three are made from the
PostgreSQL database instead (``_pgstore``): the key shared in the database, the
checks counted there, and ``PgBackend``.

``current_server()`` returns the Server of the current ``timetagger.config``. The
config object counts the changes of its values (``config.generation``); after a change
the next call builds a new Server. Parts whose inputs did not change are carried over
from the previous Server (the open user databases, the signing key and the attempt
counter while ``datadir`` stays the same, the site while ``site_dir`` does), so that
nothing is answered from an older configuration and nothing is opened twice. The
ASGI app puts the Server it routes with into the request scope (``server_of``), so a
request is answered by one Server from start to end.
"""

import logging
from typing import Any

from .. import config as _config_object
from .._config import Config, Settings, parse_network, split_list
from ._login import AttemptCounter, Credentials, trusted_networks
from ._static import SiteServer
from ._store import SQLiteFiles, UserStores
from ._tokens import TokenSigner
from ._utils import datadir_path

logger = logging.getLogger("timetagger")

SERVER_KEY = "timetagger.server"  # the request scope's Server (set by ``_app``)


def storage_backend(settings: Settings):
    """The storage backend: where user data lives, by user name.

    The selection point for backends. A backend has ``exists(username)`` and
    ``open(username)`` (which creates the user's store when absent), and its store
    objects have the public methods of ``_store.UserDB``. There are two: a SQLite
    file per user under ``<datadir>/users`` (the default), and with
    ``database_url`` the PostgreSQL database (``_pgstore.PgBackend``).
    """
    if settings.database_url:
        from ._pgstore import PgBackend  # imported only when used (psycopg)

        return PgBackend(settings.database_url)
    return SQLiteFiles(settings.datadir, settings.workers)


def token_signer(settings: Settings) -> TokenSigner:
    """The token signer: with the key file in the data directory, or with
    ``database_url`` the key shared in the database (every host the same)."""
    if settings.database_url:
        from ._pgstore import shared_signing_key

        url = settings.database_url
        return TokenSigner(read_key=lambda: shared_signing_key(url))
    return TokenSigner(datadir_path(settings.datadir, "jwt.key"))


def attempt_counter(settings: Settings):
    """The counter of password checks: a SQLite file in the data directory, or with
    ``database_url`` a table of the database (checks counted across hosts)."""
    if settings.database_url:
        from ._pgstore import PgAttemptCounter

        return PgAttemptCounter(settings.database_url)
    return AttemptCounter(datadir_path(settings.datadir, "login_failures.db"))


def proxy_hosts(text: str) -> list[str]:
    """The networks of a ``trusted_proxies`` value as uvicorn takes them, IPv4 ones
    also in their IPv4-mapped IPv6 form (a dual-stack socket's peer addresses)."""
    networks = []
    for entry in split_list(text):
        net = parse_network(entry)
        networks.append(str(net))
        if net.version == 4:
            networks.append(f"::ffff:{net.network_address}/{96 + net.prefixlen}")
    return networks


def origin_set(text: str) -> frozenset[str]:
    """The origins of a ``cors_origins`` value, in lower case."""
    return frozenset(o.strip().lower() for o in text.split(",") if o.strip())


class Server:
    """Everything made from one configuration (see the module docstring). Build it
    with ``build_server``."""

    def __init__(self, settings: Settings, generation: int, parts: dict[str, Any]):
        self.settings = settings
        self.generation = generation  # of the config it was built from
        self.credentials: Credentials = parts["credentials"]
        self.proxy_hosts: list[str] = parts["proxy_hosts"]
        self.proxy_auth_networks: list = parts["proxy_auth_networks"]
        self.origins: frozenset[str] = parts["origins"]
        self.metrics_networks: list = parts["metrics_networks"]  # may read metrics
        self.site: SiteServer | None = parts["site"]
        self.signer: TokenSigner = parts["signer"]
        self.attempts: AttemptCounter = parts["attempts"]
        self.stores: UserStores = parts["stores"]
        self._inputs = parts["inputs"]  # part name -> the settings it was made from
        self._proxied = None

    def __repr__(self):
        return f"<Server generation {self.generation} of {self.settings.datadir!r}>"

    def behind_proxies(self, app):
        """``app`` behind uvicorn's ``ProxyHeadersMiddleware`` for the trusted
        proxies (made once per Server; ``_app`` has one app to wrap)."""
        if self._proxied is None or self._proxied[0] is not app:
            from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

            middleware = ProxyHeadersMiddleware(app, trusted_hosts=self.proxy_hosts)
            self._proxied = (app, middleware)
        return self._proxied[1]

    def close(self) -> None:
        """Let go of the files this Server opened (see ``build_server``)."""
        self.stores.close()
        self.attempts.close()


def build_server(config: Config | Settings, previous: Server | None = None) -> Server:
    """A Server for the values of ``config`` (a ``Config`` or its ``snapshot()``).

    Parts of ``previous`` whose settings are the same are used again; the parts of
    ``previous`` that are replaced are closed.
    """
    if isinstance(config, Config):
        generation, settings = config.generation, config.snapshot()
    else:
        generation, settings = -1, config
    s = settings
    # Where the key, the login checks and the user data are kept.
    shared_place = (s.database_url,) if s.database_url else (s.datadir,)
    makers = {
        "credentials": ((s.credentials,), lambda: Credentials(s.credentials)),
        "proxy_hosts": ((s.trusted_proxies,), lambda: proxy_hosts(s.trusted_proxies)),
        "proxy_auth_networks": (
            (s.proxy_auth_trusted,),
            lambda: trusted_networks(s.proxy_auth_trusted),
        ),
        "origins": ((s.cors_origins,), lambda: origin_set(s.cors_origins)),
        "metrics_networks": (
            (s.metrics_allowed,),
            lambda: trusted_networks(s.metrics_allowed),
        ),
        "site": ((s.site_dir,), lambda: SiteServer(s.site_dir) if s.site_dir else None),
        "signer": (shared_place, lambda: token_signer(s)),
        "attempts": (shared_place, lambda: attempt_counter(s)),
        "stores": ((*shared_place, s.workers), lambda: UserStores(storage_backend(s))),
    }
    old_inputs = previous._inputs if previous is not None else {}
    parts = {"inputs": {}}
    replaced = []
    for name, (inputs, make) in makers.items():
        if name in old_inputs and old_inputs[name] == inputs:
            parts[name] = getattr(previous, name)
        else:
            parts[name] = make()
            if previous is not None:
                replaced.append(getattr(previous, name))
        parts["inputs"][name] = inputs
    for part in replaced:
        close = getattr(part, "close", None)
        if close is not None:
            close()
    return Server(settings, generation, parts)


_current: Server | None = None


def current_server() -> Server:
    """The Server of the current ``timetagger.config`` (built again after a change)."""
    global _current
    server = _current
    if server is None or server.generation != _config_object.generation:
        server = _current = build_server(_config_object, previous=server)
        logger.debug("built %r", server)
    return server


def server_of(request) -> Server:
    """The Server answering ``request``: the one ``_app`` routed it with, else (for
    an app that embeds our handlers) the current one."""
    server = request.scope.get(SERVER_KEY)
    return server if server is not None else current_server()
