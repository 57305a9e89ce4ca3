"""What every web server recipe in deploy/ must do, checked against the real server
started from the recipe (see tests/test_deploy_*.py): in front of a real API process
and a built site it serves the pages (pretty URLs, cache policy, gzip), passes a login
and a sync round trip through, refuses a ``Host: localhost`` bootstrap, sends the
security headers on every answer, and tells the API the client's address so that its
per-address login limits count each client, not the proxy.

Clients at different addresses are made by binding the client socket to other
loopback addresses (127.0.0.2, 127.0.0.3: all of 127/8 is local on Linux).
"""

import base64
import json
import os
import re
import shutil
import subprocess
import time

import bcrypt
import httpx

USERS = {"alice": "alice-password"}
PAGES = ["", "login/", "account/", "cred/", "app/", "app/demo/", "app/sandbox/"]
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def credentials():
    return ",".join(
        f"{user}:{bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode()}"
        for user, pw in USERS.items()
    )


def run_api(run_server, **settings):
    """The API as the recipes say to run it: on loopback, behind the proxy at
    127.0.0.1 (trusted_proxies), without the localhost login. ``settings`` may
    override (a test of the proxy's own defences turns localhost_login back on)."""
    options = {
        "credentials": credentials(),
        "localhost_login": False,
        "trusted_proxies": "127.0.0.1",
        "login_failures_per_ip": 3,
    }
    options.update(settings)
    return run_server(**options)


def start_web_server(args, base, log_path, env=None):
    """Start a web server (not as a daemon) and wait until ``base`` answers."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(base + "/timetagger/status", timeout=1)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                with open(log_path, encoding="utf-8", errors="replace") as f:
                    raise RuntimeError(
                        f"{args[0]} did not start:\n{f.read()}"
                    ) from None
            time.sleep(0.05)


def stop_web_server(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def client_at(address):
    """An HTTP client whose connections come from ``address`` (a loopback one)."""
    return httpx.Client(
        transport=httpx.HTTPTransport(local_address=address), timeout=30
    )


def bootstrap(http, base, ob, **headers):
    body = base64.b64encode(json.dumps(ob).encode())
    url = base + "/timetagger/api/v2/bootstrap_authentication"
    return http.post(url, content=body, headers=headers)


def password_login(http, base, password):
    ob = {"method": "usernamepassword", "username": "alice", "password": password}
    return bootstrap(http, base, ob)


def site_policy(site_dir):
    """The Content-Security-Policy a build wrote into its _headers."""
    with open(os.path.join(site_dir, "_headers"), encoding="utf-8") as f:
        return re.search(r"\n  Content-Security-Policy: (.*)\n", f.read()).group(1)


def recipe_policy(text):
    """The Content-Security-Policy a recipe (nginx.conf, Caddyfile) sends."""
    [policy] = re.findall(r'Content-Security-Policy "([^"]*)"', text)
    return policy


def assert_security_headers(r, policy):
    """The security headers, and exactly the build's Content-Security-Policy."""
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value, (str(r.url), name, r.headers)
    assert r.headers.get_list("content-security-policy") == [policy], str(r.url)


# %% The checks


def check_pages(base, policy):
    r = httpx.get(base + "/")
    assert r.status_code == 307 and r.headers["location"].endswith("/timetagger/")
    assert_security_headers(r, policy)
    for page in PAGES:
        r = httpx.get(f"{base}/timetagger/{page}")
        assert r.status_code == 200, page
        assert "<title>" in r.text
        assert r.headers["cache-control"] == "no-cache"
        assert_security_headers(r, policy)
        if page:  # without the slash: redirected, as relative links need it
            r = httpx.get(f"{base}/timetagger/{page.rstrip('/')}")
            assert r.status_code in (301, 308), page
            assert r.headers["location"].endswith(f"/timetagger/{page}")
    html = httpx.get(base + "/timetagger/app/").text
    asset = re.search(r'src="\.\./(static/[^"]+\.js)"', html).group(1)
    r = httpx.get(f"{base}/timetagger/{asset}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_security_headers(r, policy)
    with httpx.stream(
        "GET", base + "/timetagger/app/", headers={"accept-encoding": "gzip"}
    ) as r:
        assert r.headers.get("content-encoding") == "gzip"
    sw = httpx.get(base + "/timetagger/app/sw.js")
    assert sw.status_code == 200 and sw.headers["cache-control"] == "no-cache"
    assert httpx.get(base + "/timetagger/_headers").status_code == 404
    assert httpx.get(base + "/timetagger/app/_headers").status_code == 404
    assert httpx.get(base + "/timetagger/nope").status_code == 404


def check_api_headers(base, policy):
    for r in [
        httpx.get(base + "/timetagger/status"),
        httpx.get(base + "/timetagger/api/v2/"),
        httpx.get(base + "/timetagger/api/v2/updates?since=0"),  # 401
    ]:
        assert r.status_code in (200, 401), r.text
        # Exactly one Cache-Control, no-store (the process sends it, the recipe too).
        assert r.headers.get_list("cache-control") == ["no-store"], str(r.url)
        assert_security_headers(r, policy)


def check_login_and_sync(base):
    with client_at("127.0.0.1") as http:
        r = password_login(http, base, USERS["alice"])
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        api = base + "/timetagger/api/v2/"
        now = int(time.time())
        ob = {"key": "deploy1", "t1": now - 60, "t2": now, "mt": now, "st": 0}
        ob["ds"] = "through the proxy #deploy"
        r = http.put(api + "records", json=[ob], headers={"authtoken": token})
        assert r.status_code == 200 and r.json()["accepted"] == ["deploy1"], r.text
        assert r.headers.get_list("cache-control") == ["no-store"]
        r = http.get(api + "updates?since=0", headers={"authtoken": token})
        assert r.status_code == 200
        got = {item["key"]: item for item in r.json()["records"]}
        assert got["deploy1"]["ds"] == "through the proxy #deploy"
        # A big PUT (near the 10 MiB limit) passes the proxy's body limit.
        many = [{**ob, "key": f"big{i}", "ds": "x" * 200} for i in range(36000)]
        r = http.put(api + "records", json=many, headers={"authtoken": token})
        assert r.status_code == 200 and len(r.json()["accepted"]) == 36000


def check_localhost_refused(base):
    """A request to the proxy with ``Host: localhost`` must not get a token, even
    though the proxy connects to the API from 127.0.0.1."""
    with client_at("127.0.0.1") as http:
        for host in ["localhost", "127.0.0.1", "localhost:80"]:
            r = bootstrap(http, base, {"method": "localhost"}, host=host)
            assert r.status_code == 403, (host, r.status_code, r.text)
            assert "token" not in r.text


def check_per_client_limits(base):
    """Three wrong passwords lock out the address that sent them (and what it
    claims in X-Forwarded-For does not change it), not another client."""
    with client_at("127.0.0.2") as attacker, client_at("127.0.0.3") as user:
        for _ in range(3):
            assert password_login(attacker, base, "guess").status_code == 403
        r = password_login(attacker, base, USERS["alice"])
        assert r.status_code == 429 and "127.0.0.2" in r.text, r.text
        ob = {"method": "usernamepassword", "username": "alice", "password": "x"}
        for claimed in ["203.0.113.1", "127.0.0.3", "127.0.0.1"]:
            r = bootstrap(attacker, base, ob, **{"x-forwarded-for": claimed})
            assert r.status_code == 429 and "127.0.0.2" in r.text, (claimed, r.text)
        r = password_login(user, base, USERS["alice"])
        assert r.status_code == 200, r.text


def check_everything(base, policy):
    """Everything above; ``policy`` is the Content-Security-Policy of the build the
    server serves (``site_policy``)."""
    check_pages(base, policy)
    check_api_headers(base, policy)
    check_login_and_sync(base)
    check_localhost_refused(base)
    check_per_client_limits(base)


def recipe(name):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "deploy", name), encoding="utf-8") as f:
        return f.read()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_command(
    folder, www, port, api_url, replace=(), http_extra="", connections=64
):
    """deploy/nginx.conf made runnable by a test in ``folder``: on 127.0.0.1:``port``
    without TLS, the site under ``www``/timetagger, the API at ``api_url``, then the
    further ``replace`` pairs; ``http_extra`` goes into the http block before the
    recipe's server. Returns the nginx command line."""
    assert os.path.exists(NGINX), (
        "nginx is needed for this test: apt-get install nginx-light"
    )
    text = recipe("nginx.conf")
    for old, new in [
        ("listen 443 ssl;", f"listen 127.0.0.1:{port};"),
        ("http2 on;", ""),
        ("/srv/timetagger/www", str(www)),
        ("http://127.0.0.1:8080", api_url),
        *replace,
    ]:
        assert old in text, old
        text = text.replace(old, new)
    # As root, nginx workers would run as nobody and not see pytest's tmp dirs.
    user = "user root;" if os.geteuid() == 0 else ""
    temps = "".join(
        f"    {kind}_temp_path {folder}/{kind.split('_')[0]};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = os.path.join(folder, "nginx.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(
            f"""
{user}
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/javascript js; application/manifest+json webmanifest; }}
    access_log off;
{temps}{http_extra}
{text}
}}
"""
        )
    return [NGINX, "-c", conf, "-p", str(folder)]
