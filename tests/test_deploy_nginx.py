"""The nginx recipe (deploy/nginx.conf) works: a real nginx, started from the recipe
with only the listen address, the site root and the API address replaced, in front of
the real API process and a built site (see deploy_checks for what is checked)."""

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

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
)


@pytest.fixture
def nginx_for(tmp_path, built_site):
    """``nginx_for(api)`` starts nginx from the recipe in front of ``api``."""
    assert NGINX, "nginx is needed for this test: apt-get install nginx-light"
    procs = []

    def start(api):
        n = len(procs)
        www = tmp_path / f"www{n}"
        if not www.exists():
            shutil.copytree(built_site, www / "timetagger")
        port = free_port()
        text = recipe("nginx.conf")
        for old, new in [
            ("listen 443 ssl;", f"listen 127.0.0.1:{port};"),
            ("http2 on;", ""),
            ("/srv/timetagger/www", str(www)),
            ("http://127.0.0.1:8080", f"http://127.0.0.1:{api.port}"),
        ]:
            assert old in text, old
            text = text.replace(old, new)
        temp = tmp_path / f"nginx{n}"
        temp.mkdir()
        # As root, nginx workers would run as nobody and not see pytest's tmp dirs.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = temp / "nginx.conf"
        conf.write_text(
            f"""
{user}
daemon off;
pid {temp}/nginx.pid;
error_log {temp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/javascript js; application/manifest+json webmanifest; }}
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{text}
}}
"""
        )
        base = f"http://127.0.0.1:{port}"
        args = [NGINX, "-c", str(conf), "-p", str(temp)]
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
