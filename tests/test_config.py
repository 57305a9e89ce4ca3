"""Tests for timetagger.config: every setting from argv and env, precedence, errors,
and the command line of ``python -m timetagger`` (--help, --version, bad values)."""

import os
import subprocess
import sys

import pytest

from timetagger._config import SETTINGS, Config, ConfigError, parse_network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HASH = "$2b$10$" + "a" * 53

# A valid, non-default value for every setting, and its parsed form.
EXAMPLES = {
    "bind": ("0.0.0.0:9000", "0.0.0.0:9000"),
    "datadir": ("/tmp/tt-data", "/tmp/tt-data"),
    "log_level": ("DEBUG", "debug"),
    "database_url": (" postgresql://tt@db/tt ", "postgresql://tt@db/tt"),
    "credentials": (f"alice:{HASH},bob:{HASH}", f"alice:{HASH},bob:{HASH}"),
    "localhost_login": ("off", False),
    "trusted_proxies": ("127.0.0.1, 10/8, fd00::/8", "127.0.0.1,10/8,fd00::/8"),
    "proxy_auth_enabled": ("yes", True),
    "proxy_auth_trusted": ("10.0.0.0/8, ::1", "10.0.0.0/8,::1"),
    "proxy_auth_header": ("X-Forwarded-User", "X-Forwarded-User"),
    "path_prefix": ("tt", "/tt/"),
    "app_redirect": ("on", True),
    "cors_origins": (
        "https://app.example.com, http://localhost:5000",
        "https://app.example.com,http://localhost:5000",
    ),
    "site_dir": ("/srv/site", "/srv/site"),
    "workers": ("4", 4),
    "request_timeout": ("15", 15),
    "login_failures_per_ip": ("5", 5),
    "login_failures_per_user": ("7", 7),
    "login_window": ("60", 60),
    "metrics": ("on", True),
    "metrics_allowed": ("10.0.0.0/8, ::1", "10.0.0.0/8,::1"),
    "access_log": ("JSON", "json"),
}

# An invalid value for every setting that validates, and a word of the message.
INVALID = {
    "bind": ("localhost", "host:port"),
    "datadir": ("  ", "directory"),
    "log_level": ("loud", "debug, info"),
    "database_url": ("mysql://db/tt", "postgresql://"),
    "credentials": ("alice:notahash", "not a bcrypt hash"),
    "localhost_login": ("maybe", "true/false"),
    "trusted_proxies": ("example.com", "not an IP address"),
    "proxy_auth_enabled": ("maybe", "true/false"),
    "proxy_auth_trusted": ("10.0.0.300", "not an IP address"),
    "proxy_auth_header": ("X Remote", "header name"),
    "path_prefix": ("/a/../b/", ". or .."),
    "app_redirect": ("2", "true/false"),
    "cors_origins": ("https://app.example.com/path", "no path"),
    "workers": ("zero", "whole number"),
    "request_timeout": ("0", "at least 1"),
    "login_failures_per_ip": ("0", "at least 1"),
    "login_failures_per_user": ("-3", "at least 1"),
    "login_window": ("1.5", "whole number"),
    "metrics": ("maybe", "true/false"),
    "metrics_allowed": ("localhost", "not an IP address"),
    "access_log": ("xml", "off, text or json"),
}


def test_every_setting_has_examples():
    names = {s.name for s in SETTINGS}
    assert names == set(EXAMPLES)
    assert names - {"site_dir"} == set(INVALID)


def test_defaults():
    c = Config().load([], {})
    assert c.bind == "127.0.0.1:8080"
    assert c.datadir == "~/_timetagger"
    assert c.log_level == "info"
    assert c.credentials == ""
    assert c.localhost_login is True
    assert c.trusted_proxies == ""
    assert c.proxy_auth_enabled is False
    assert c.proxy_auth_trusted == "127.0.0.1"
    assert c.proxy_auth_header == "X-Remote-User"
    assert c.path_prefix == "/timetagger/"
    assert c.app_redirect is False
    assert c.cors_origins == ""
    assert c.site_dir == ""
    assert c.workers == 1
    assert c.metrics is False
    assert c.metrics_allowed == "127.0.0.1,::1"
    assert c.access_log == "off"
    assert c.errors == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_from_argv_with_equals(name):
    raw, parsed = EXAMPLES[name]
    c = Config().load([f"--{name}={raw}"], {}, strict=True)
    assert getattr(c, name) == parsed


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_from_argv_with_space_and_dashes(name):
    raw, parsed = EXAMPLES[name]
    c = Config().load([f"--{name.replace('_', '-')}", raw], {}, strict=True)
    assert getattr(c, name) == parsed


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_from_env(name):
    raw, parsed = EXAMPLES[name]
    c = Config().load([], {f"TIMETAGGER_{name.upper()}": raw}, strict=True)
    assert getattr(c, name) == parsed


def test_env_wins_over_argv():
    c = Config().load(
        ["--datadir=/from/argv", "--log_level=error"],
        {"TIMETAGGER_DATADIR": "/from/env"},
        strict=True,
    )
    assert c.datadir == "/from/env"
    assert c.log_level == "error"


def test_bool_flags():
    c = Config().load(
        ["--proxy-auth-enabled", "--app_redirect", "false"], {}, strict=True
    )
    assert c.proxy_auth_enabled is True
    assert c.app_redirect is False
    c = Config().load(["--app_redirect", "--datadir=/x"], {}, strict=True)
    assert c.app_redirect is True and c.datadir == "/x"


def test_credentials_separators():
    c = Config().load([f"--credentials=a:{HASH}; b:{HASH}"], {}, strict=True)
    assert c.credentials == f"a:{HASH}; b:{HASH}"


def test_path_prefix_normalised():
    for raw, expected in [
        ("", "/"),
        ("/", "/"),
        ("x", "/x/"),
        ("/x/y", "/x/y/"),
        ("//x//", "/x/"),
    ]:
        assert Config().load([f"--path_prefix={raw}"], {}).path_prefix == expected


def test_trusted_proxy_shorthand_and_ipv6():
    assert str(parse_network("192.168/16")) == "192.168.0.0/16"
    assert str(parse_network("10/8")) == "10.0.0.0/8"
    assert str(parse_network("fd00::/8")) == "fd00::/8"
    assert str(parse_network("::1")) == "::1/128"
    c = Config().load(["--proxy_auth_trusted=,,,192.168/16"], {}, strict=True)
    assert c.proxy_auth_trusted == "192.168/16"


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_values_name_setting_and_value(name):
    raw, word = INVALID[name]
    with pytest.raises(ConfigError) as info:
        Config().load([f"--{name}={raw}"], {}, strict=True)
    msg = str(info.value)
    assert msg.startswith(f"invalid value for {name}: {raw!r}")
    assert word in msg
    assert "\n" not in msg


def test_invalid_env_value_names_the_variable():
    with pytest.raises(ConfigError) as info:
        Config().load([], {"TIMETAGGER_WORKERS": "lots"}, strict=True)
    assert "TIMETAGGER_WORKERS" in str(info.value)
    assert "invalid value for workers: 'lots'" in str(info.value)


def test_unknown_option_is_an_error_when_strict():
    with pytest.raises(ConfigError, match=r"unknown option: --colour"):
        Config().load(["--colour=red"], {}, strict=True)
    with pytest.raises(ConfigError, match=r"unexpected argument: 'serve'"):
        Config().load(["serve"], {}, strict=True)
    with pytest.raises(ConfigError, match=r"missing value for --datadir"):
        Config().load(["--datadir"], {}, strict=True)


def test_lenient_load_ignores_unknown_and_keeps_defaults():
    c = Config().load(["-x", "--colour=red", "--workers=lots", "--datadir=/ok"], {})
    assert c.workers == 1
    assert c.datadir == "/ok"
    assert any("workers" in e for e in c.errors)


def test_set_and_attribute_assignment():
    c = Config()
    c.set("path-prefix", "abc")
    assert c.path_prefix == "/abc/"
    c.set("workers", 3)
    assert c.workers == 3
    c.datadir = "/direct"  # embedders may assign directly
    assert c.datadir == "/direct"
    with pytest.raises(ConfigError, match="unknown setting"):
        c.set("nope", "1")


def test_module_object_is_a_config():
    import timetagger

    assert isinstance(timetagger.config, Config)
    assert timetagger.__version__.count(".") == 2


def run_main(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
    full_env["PYTHONPATH"] = os.path.join(ROOT, "api")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "timetagger", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=30,
    )


def test_main_help_lists_every_setting_with_default():
    r = run_main("--help")
    assert r.returncode == 0
    for s in SETTINGS:
        assert f"--{s.name}" in r.stdout
    assert "[127.0.0.1:8080]" in r.stdout
    assert "[~/_timetagger]" in r.stdout
    assert "[/timetagger/]" in r.stdout
    assert "TIMETAGGER_" in r.stdout


def test_main_version():
    import timetagger

    r = run_main("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"timetagger {timetagger.__version__}"


def test_main_invalid_value_stops_with_one_line():
    r = run_main("--bind=nonsense")
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "timetagger: invalid value for bind: 'nonsense' (expected host:port, e.g. 127.0.0.1:8080)"
    )


def test_main_invalid_env_value_stops():
    r = run_main(env={"TIMETAGGER_LOG_LEVEL": "chatty"})
    assert r.returncode == 2
    assert "log_level" in r.stderr and "'chatty'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_main_unknown_option_stops():
    r = run_main("--datadri=/tmp/x")
    assert r.returncode == 2
    assert "unknown option: --datadri" in r.stderr


def test_main_site_dir_must_hold_a_build(tmp_path):
    r = run_main(f"--site_dir={tmp_path}")
    assert r.returncode == 2
    assert "site_dir" in r.stderr and "make build" in r.stderr
