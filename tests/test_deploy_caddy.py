"""The Caddy recipe (deploy/Caddyfile) works: a real caddy (Debian's), started from
the recipe with only the site address, the site root and the API address replaced
(plus global options for a test: no admin endpoint, no HTTPS, state in a temporary
folder), in front of the real API process and a built site (see deploy_checks)."""

import os
import shutil

import pytest
from deploy_checks import (
    check_everything,
    check_localhost_refused,
    recipe,
    run_api,
    site_policy,
    start_web_server,
    stop_web_server,
)

from conftest import free_port

CADDY = shutil.which("caddy")


@pytest.fixture
def caddy_for(tmp_path, built_site):
    """``caddy_for(api)`` starts caddy from the recipe in front of ``api``."""
    assert CADDY, "caddy is needed for this test: apt-get install caddy"
    procs = []

    def start(api):
        n = len(procs)
        www = tmp_path / f"www{n}"
        shutil.copytree(built_site, www / "timetagger")
        port = free_port()
        text = recipe("Caddyfile")
        # The site answers for localhost too, as a proxy that passes any Host on
        # would: the API must refuse the localhost login by itself.
        for old, new in [
            (
                "time.example.com {",
                f"http://127.0.0.1:{port}, http://localhost:{port} {{",
            ),
            ("/srv/timetagger/www", str(www)),
            ("reverse_proxy 127.0.0.1:8080", f"reverse_proxy 127.0.0.1:{api.port}"),
        ]:
            assert old in text, old
            text = text.replace(old, new)
        temp = tmp_path / f"caddy{n}"
        temp.mkdir()
        conf = temp / "Caddyfile"
        conf.write_text(
            "{\n\tadmin off\n\tauto_https off\n"
            f"\tstorage file_system {{\n\t\troot {temp}/storage\n\t}}\n}}\n\n" + text
        )
        env = {
            **os.environ,
            "HOME": str(temp),
            "XDG_CONFIG_HOME": str(temp / "config"),
            "XDG_DATA_HOME": str(temp / "data"),
        }
        args = [CADDY, "run", "--config", str(conf), "--adapter", "caddyfile"]
        base = f"http://127.0.0.1:{port}"
        procs.append(start_web_server(args, base, temp / "caddy.log", env=env))
        return base

    yield start
    for proc in procs:
        stop_web_server(proc)


def test_caddy_recipe(caddy_for, run_server, built_site):
    check_everything(caddy_for(run_api(run_server)), site_policy(built_site))


def test_caddy_recipe_refuses_localhost_login_even_if_the_api_allows_it(
    caddy_for, run_server
):
    check_localhost_refused(caddy_for(run_api(run_server, localhost_login=True)))
