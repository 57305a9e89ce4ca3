"""The configuration object, ``timetagger.config``.

Every setting is declared once in ``SETTINGS`` (name, type, default, help, validator).
Values come from, in increasing precedence: the defaults, command-line arguments
(``--name=value`` or ``--name value``, with ``_`` or ``-`` in the name) and environment
variables (``TIMETAGGER_NAME``).

On import, the config is loaded leniently from ``sys.argv`` and ``os.environ``: unknown
arguments belong to whoever embeds us and are ignored, and an invalid value keeps the
default (the error is remembered). ``python -m timetagger`` loads strictly: an unknown
option or an invalid value stops the start with a one-line message.
"""

import ipaddress
import os
import re
import sys
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "TIMETAGGER_"


class ConfigError(ValueError):
    """An invalid setting, an unknown option, or a malformed command line."""


# %% Validators: each takes the raw string and returns the typed, normalised value,
# or raises ValueError with a short explanation of what is expected.

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n"})
TRUE_FALSE_HELP = "1, true, yes, on, y / 0, false, no, off, n"


def parse_flag_word(text: str) -> bool:
    """The one parser of true/false words, for settings and query strings alike:
    ``1 true yes on y`` / ``0 false no off n`` in any case, surrounding blanks
    ignored. Anything else raises ValueError (empty text included: the caller
    decides what an empty value means)."""
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected true/false ({TRUE_FALSE_HELP})")


def parse_bool(text: str) -> bool:
    """A boolean setting: a true/false word, or empty for false."""
    if not str(text).strip():
        return False
    return parse_flag_word(text)


def parse_int(text: str, minimum: int | None = None, maximum: int | None = None) -> int:
    text = str(text).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError("expected a whole number")
    value = int(text)
    if minimum is not None and value < minimum:
        raise ValueError(f"expected a number of at least {minimum}")
    if maximum is not None and value > maximum:
        raise ValueError(f"expected a number of at most {maximum}")
    return value


def parse_bind(text: str) -> str:
    text = text.strip()
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ValueError("expected host:port, e.g. 127.0.0.1:8080")
    if host.startswith("[") and host.endswith("]"):
        ipaddress.IPv6Address(host[1:-1])  # raises ValueError when invalid
    elif not re.fullmatch(r"[A-Za-z0-9.\-]+", host):
        raise ValueError("expected host:port, e.g. 127.0.0.1:8080")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError("the port must be a number from 0 to 65535")
    return text


def parse_log_level(text: str) -> str:
    level = text.strip().lower()
    if level not in ("debug", "info", "warning", "error", "critical"):
        raise ValueError("expected debug, info, warning, error or critical")
    return level


def parse_datadir(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError("expected a directory")
    return text


BCRYPT_HASH = re.compile(r"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}")


def split_credentials(text: str) -> list[tuple[str, str, str]]:
    """Split ``user1:hash1,user2:hash2`` (``;`` also separates) into pairs."""
    pairs = []
    for entry in re.split(r"[,;]", text):
        entry = entry.strip()
        if not entry:
            continue
        user, sep, pwhash = entry.partition(":")
        pairs.append((user.strip(), pwhash.strip(), sep))
    return pairs


def parse_credentials(text: str) -> str:
    seen = set()
    for user, pwhash, sep in split_credentials(text):
        if not sep or not user:
            raise ValueError("expected user:bcrypthash entries separated by commas")
        if not BCRYPT_HASH.fullmatch(pwhash):
            raise ValueError(f"the hash for user {user!r} is not a bcrypt hash")
        if user in seen:
            raise ValueError(f"user {user!r} is listed twice")
        seen.add(user)
    return text.strip()


def parse_network(
    entry: str,
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parse one trusted-proxy entry: an IPv4/IPv6 address or network (CIDR).

    The legacy shorthand ``192.168/16`` (missing trailing zero octets) is accepted.
    """
    entry = entry.strip()
    addr, sep, bits = entry.partition("/")
    if ":" not in addr and addr.count(".") < 3 and re.fullmatch(r"[\d.]+", addr):
        addr = ".".join((addr.strip(".").split(".") + ["0", "0", "0"])[:4])
    return ipaddress.ip_network(addr + sep + bits, strict=False)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_trusted(text: str) -> str:
    for entry in split_list(text):
        try:
            parse_network(entry)
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return ",".join(split_list(text))


def parse_header_name(text: str) -> str:
    text = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", text):
        raise ValueError("expected an HTTP header name, e.g. X-Remote-User")
    return text


def parse_path_prefix(text: str) -> str:
    text = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]*", text):
        raise ValueError("expected a URL path such as /timetagger/")
    parts = [part for part in text.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError("the path may not contain . or .. segments")
    return "/" + "".join(part + "/" for part in parts)


ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?"
)


def parse_origins(text: str) -> str:
    origins = []
    for entry in split_list(text):
        entry = entry.rstrip("/")
        if entry != "*" and not ORIGIN.fullmatch(entry):
            raise ValueError(
                f"{entry!r} is not an origin like https://app.example.com (no path)"
            )
        origins.append(entry)
    return ",".join(origins)


def parse_site_dir(text: str) -> str:
    return text.strip()


def parse_database_url(text: str) -> str:
    text = text.strip()
    if text and not re.match(r"postgres(ql)?://", text):
        raise ValueError(
            "expected empty (SQLite files in datadir) or postgresql://user@host/db"
        )
    return text


ACCESS_LOG_FORMATS = ("off", "text", "json")


def parse_access_log(text):
    word = text.strip().lower()
    if word not in ACCESS_LOG_FORMATS:
        raise ValueError("expected off, text or json")
    return word


# %% The settings


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    kind: str = "str"  # "str", "bool" or "int"; bools can be given as bare flags


SETTINGS = [
    Setting("bind", "127.0.0.1:8080", parse_bind, "The address and port to bind on."),
    Setting(
        "datadir",
        "~/_timetagger",
        parse_datadir,
        "The directory to store data; user databases live in <datadir>/users.",
    ),
    Setting(
        "database_url",
        "",
        parse_database_url,
        "Store the data in PostgreSQL (postgresql://user:password@host/db) instead "
        "of one SQLite file per user in datadir; see docs/postgresql.md.",
    ),
    Setting(
        "log_level",
        "info",
        parse_log_level,
        "Log level for timetagger and asgineer (not the ASGI server).",
    ),
    Setting(
        "credentials",
        "",
        parse_credentials,
        "Login credentials: user1:bcrypthash1,user2:bcrypthash2 (';' also separates).",
    ),
    Setting(
        "localhost_login",
        True,
        parse_bool,
        "Allow the one-click localhost login (user defaultuser) for requests made on "
        "this machine straight to the server; turn off behind a reverse proxy.",
        "bool",
    ),
    Setting(
        "trusted_proxies",
        "",
        parse_trusted,
        "Reverse proxies (IPs or CIDR networks, comma-separated) whose "
        "X-Forwarded-For names the client address; empty trusts no such header.",
    ),
    Setting(
        "proxy_auth_enabled",
        False,
        parse_bool,
        "Accept the user name from a trusted reverse proxy's header.",
        "bool",
    ),
    Setting(
        "proxy_auth_trusted",
        "127.0.0.1",
        parse_trusted,
        "Trusted reverse proxies: IPs or CIDR networks, comma-separated.",
    ),
    Setting(
        "proxy_auth_header",
        "X-Remote-User",
        parse_header_name,
        "The proxy header that holds the user name.",
    ),
    Setting(
        "path_prefix",
        "/timetagger/",
        parse_path_prefix,
        "URL path under which the site and the API live (always ends with '/').",
    ),
    Setting(
        "app_redirect",
        False,
        parse_bool,
        "Redirect / to the app instead of to the landing page.",
        "bool",
    ),
    Setting(
        "cors_origins",
        "",
        parse_origins,
        "Origins of a site on another host that may call the API, comma-separated.",
    ),
    Setting(
        "site_dir",
        "",
        parse_site_dir,
        "A built site (dist/) to serve under path_prefix; empty serves the API only.",
    ),
    Setting(
        "workers",
        1,
        lambda text: parse_int(text, 1, 64),
        "Number of worker processes.",
        "int",
    ),
    Setting(
        "request_timeout",
        60,
        lambda text: parse_int(text, 1, 3600),
        "Seconds a client has to send a whole request (its line and headers within "
        "10 s at most); past it: 408 and the connection is closed.",
        "int",
    ),
    Setting(
        "login_failures_per_ip",
        10,
        lambda text: parse_int(text, 1),
        "Failed logins per client address within login_window before 429.",
        "int",
    ),
    Setting(
        "login_failures_per_user",
        20,
        lambda text: parse_int(text, 1),
        "Failed logins per user name within login_window after which each address "
        "that failed 3 times for it gets 429 (other addresses can still log in).",
        "int",
    ),
    Setting(
        "login_window",
        600,
        lambda text: parse_int(text, 1),
        "Seconds over which failed logins are counted.",
        "int",
    ),
    Setting(
        "metrics",
        False,
        parse_bool,
        "Serve Prometheus metrics at <path_prefix>metrics (to metrics_allowed only).",
        "bool",
    ),
    Setting(
        "metrics_allowed",
        "127.0.0.1,::1",
        parse_trusted,
        "Peers that may read the metrics: IPs or CIDR networks, comma-separated (the "
        "direct peer of the connection, never a forwarding header).",
    ),
    Setting(
        "access_log",
        "off",
        parse_access_log,
        "One line per request on standard error: off, text or json.",
    ),
]

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}

# A frozen copy of every setting's value, taken by ``Config.snapshot()``: what the
# server's application object is built from (see ``server._server``).
Settings = namedtuple("Settings", [setting.name for setting in SETTINGS])


class Config:
    """Object that holds config values. See ``SETTINGS`` for the names and defaults.

    Attributes are the setting names (``config.bind``, ``config.datadir``, ...).
    ``generation`` counts the assignments to settings (however they are made, a
    test's ``monkeypatch.setattr`` included), so that whoever built something from
    the values can tell cheaply that they changed.
    """

    generation = 0

    def __init__(self):
        self.reset()

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if name in SETTINGS_BY_NAME:
            object.__setattr__(self, "generation", self.generation + 1)

    def __delattr__(self, name):  # monkeypatch's undo of a new attribute
        object.__delattr__(self, name)
        if name in SETTINGS_BY_NAME:
            object.__setattr__(self, "generation", self.generation + 1)

    def snapshot(self) -> Settings:
        """The current values, frozen."""
        return Settings(*(getattr(self, s.name) for s in SETTINGS))

    def reset(self):
        """Set every value back to its default."""
        for setting in SETTINGS:
            setattr(self, setting.name, setting.default)
        self.errors = []

    def __repr__(self):
        items = ", ".join(f"{s.name}={getattr(self, s.name)!r}" for s in SETTINGS)
        return f"<Config {items}>"

    def set(self, name: str, value: Any) -> None:
        """Set a value from a string (or an already typed value), validated."""
        setting = SETTINGS_BY_NAME.get(_normalize_name(name))
        if setting is None:
            raise ConfigError(f"unknown setting: {name}")
        if not isinstance(value, str):
            value = _to_text(value)
        try:
            typed = setting.parse(value)
        except ValueError as err:
            raise ConfigError(
                f"invalid value for {setting.name}: {value!r} ({err})"
            ) from None
        setattr(self, setting.name, typed)

    def load(self, argv=None, env=None, strict: bool = False) -> "Config":
        """(Re)load the values from defaults, then argv, then env (env wins).

        ``argv`` excludes the program name. With ``strict``, an unknown option, a stray
        argument or an invalid value raises ``ConfigError``; otherwise such problems are
        collected in ``config.errors`` and the defaults stay.
        """
        argv = sys.argv[1:] if argv is None else list(argv)
        env = os.environ if env is None else env
        self.reset()
        errors = []
        pairs = _parse_argv(argv, strict, errors)
        for name, value in pairs:
            self._try_set(name, value, errors, f"--{name}")
        for setting in SETTINGS:
            key = ENV_PREFIX + setting.name.upper()
            if key in env:
                self._try_set(setting.name, env[key], errors, key)
        self.errors = errors
        if strict and errors:
            raise ConfigError(errors[0])
        return self

    def _try_set(self, name, value, errors, origin):
        try:
            self.set(name, value)
        except ConfigError as err:
            msg = str(err)
            if origin.startswith(ENV_PREFIX):
                msg += f" (from environment variable {origin})"
            errors.append(msg)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: getattr(self, s.name) for s in SETTINGS}


def _normalize_name(name):
    return name.strip().lstrip("-").replace("-", "_").lower()


def _to_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_argv(argv, strict, errors):
    """Turn argv into (name, value) pairs for known settings."""
    pairs = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("--") or arg == "--":
            if strict:
                errors.append(
                    f"unexpected argument: {arg!r} (options look like --name=value)"
                )
            continue
        name, has_value, value = arg[2:].partition("=")
        setting = SETTINGS_BY_NAME.get(_normalize_name(name))
        if setting is None:
            if strict:
                errors.append(f"unknown option: --{name} (see --help for the settings)")
            continue
        if not has_value:
            nxt = argv[i] if i < len(argv) else None
            if setting.kind == "bool":
                # A bare flag means true; an explicit true/false word may follow.
                if nxt is not None and nxt.strip().lower() in TRUE_WORDS | FALSE_WORDS:
                    value = nxt
                    i += 1
                else:
                    value = "true"
            elif nxt is None or nxt.startswith("--"):
                errors.append(f"missing value for --{name}")
                continue
            else:
                value = nxt
                i += 1
        pairs.append((setting.name, value))
    return pairs


def help_text() -> str:
    """The settings table shown by ``python -m timetagger --help``."""
    lines = [
        "usage: python -m timetagger [--name=value ...]",
        "",
        "Starts the TimeTagger API process. Every setting can also be given as an",
        "environment variable TIMETAGGER_<NAME>, which wins over the command line.",
        "",
        "settings (default in brackets):",
    ]
    for s in SETTINGS:
        default = _to_text(s.default) if s.default != "" else ""
        flag = f"--{s.name}" + ("" if s.kind == "bool" else "=VALUE")
        lines.append(f"  {flag:<32} {s.help} [{default}]")
    lines += [
        "",
        "other options:",
        "  --help                           show this help and exit",
        "  --version                        show the version and exit",
    ]
    return "\n".join(lines)


config = Config()
config.load(strict=False)
