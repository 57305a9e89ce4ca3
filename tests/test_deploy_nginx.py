"""The nginx example in deploy/ works: a real nginx serves the built site with the
API process behind it, pretty URLs, precompressed files and the cache policy.

The server block of deploy/nginx.conf is used as is, with only the listen address,
the site root and the API address replaced for the test."""

import os
import re
import shutil
import subprocess
import time

import httpx
import pytest

from conftest import ROOT, free_port

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
)


@pytest.fixture
def nginx_site(tmp_path, run_server, built_site):
    assert NGINX, "nginx is needed for this test: apt-get install nginx-light"
    api = run_server()
    www = tmp_path / "www"
    shutil.copytree(built_site, www / "timetagger")
    with open(os.path.join(ROOT, "deploy", "nginx.conf"), encoding="utf-8") as f:
        example = f.read()
    block = re.search(r"^server \{.*?^\}", example, re.M | re.S).group(0)
    port = free_port()
    block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    block = block.replace("http2 on;", "")
    block = block.replace("/srv/timetagger/www", str(www))
    block = block.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{api.port}")
    temp = tmp_path / "nginx"
    temp.mkdir()
    conf = temp / "nginx.conf"
    # As root, nginx workers would run as nobody and not see pytest's private tmp dirs.
    user = "user root;" if os.geteuid() == 0 else ""
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
{block}
}}
"""
    )
    proc = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(temp)], stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(base + "/timetagger/status", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not start: {proc.stderr.read().decode()}"
                    ) from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_nginx_example(nginx_site):
    base = nginx_site
    r = httpx.get(base + "/")
    assert r.status_code == 307 and r.headers["location"].endswith("/timetagger/")
    for page in [
        "",
        "login/",
        "account/",
        "cred/",
        "app/",
        "app/demo/",
        "app/sandbox/",
    ]:
        r = httpx.get(f"{base}/timetagger/{page}")
        assert r.status_code == 200, page
        assert "<title>" in r.text
        assert r.headers["cache-control"] == "no-cache"
        if page:  # without the slash: redirected, as relative links need it
            r = httpx.get(f"{base}/timetagger/{page.rstrip('/')}")
            assert r.status_code == 301, page
            assert r.headers["location"].endswith(f"/timetagger/{page}")
    r = httpx.get(base + "/timetagger/status")
    assert r.text == "ok"
    assert httpx.get(base + "/timetagger/api/v2/").status_code == 200
    html = httpx.get(base + "/timetagger/app/").text
    asset = re.search(r'src="\.\./(static/[^"]+\.js)"', html).group(1)
    r = httpx.get(f"{base}/timetagger/{asset}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    with httpx.stream(
        "GET", base + "/timetagger/app/", headers={"accept-encoding": "gzip"}
    ) as r:
        assert r.headers.get("content-encoding") == "gzip"
    sw = httpx.get(base + "/timetagger/app/sw.js")
    assert sw.status_code == 200 and sw.headers["cache-control"] == "no-cache"
    assert httpx.get(base + "/timetagger/_headers").status_code == 404
    assert httpx.get(base + "/timetagger/nope").status_code == 404
