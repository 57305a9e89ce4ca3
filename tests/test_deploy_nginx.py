"""The nginx recipe (deploy/nginx.conf) works: a real nginx, started from the recipe
with only the listen address, the site root and the API address replaced, in front of
the real API process and a built site (see deploy_checks for what is checked)."""

import shutil

import pytest
from deploy_checks import (
    check_everything,
    check_localhost_refused,
    nginx_command,
    run_api,
    site_policy,
    start_web_server,
    stop_web_server,
)

from conftest import free_port


@pytest.fixture
def nginx_for(tmp_path, built_site):
    """``nginx_for(api)`` starts nginx from the recipe in front of ``api``."""
    procs = []

    def start(api):
        n = len(procs)
        www = tmp_path / f"www{n}"
        if not www.exists():
            shutil.copytree(built_site, www / "timetagger")
        port = free_port()
        temp = tmp_path / f"nginx{n}"
        temp.mkdir()
        args = nginx_command(temp, www, port, f"http://127.0.0.1:{api.port}")
        base = f"http://127.0.0.1:{port}"
        procs.append(start_web_server(args, base, temp / "stderr.log"))
        return base

    yield start
    for proc in procs:
        stop_web_server(proc)


def test_nginx_recipe(nginx_for, run_server, built_site):
    check_everything(nginx_for(run_api(run_server)), site_policy(built_site))


def test_nginx_recipe_refuses_localhost_login_even_if_the_api_allows_it(
    nginx_for, run_server
):
    """The forwarding header nginx adds is enough for the API to refuse: a process
    started without --localhost_login=false is not open through the proxy."""
    check_localhost_refused(nginx_for(run_api(run_server, localhost_login=True)))
