"""The API process serving a built site (``make run``): prefix routing, redirects, the
health check, pretty URLs, gzip, revalidation and cache headers, and no way out of the
site directory."""

import gzip
import os
import re
import shutil

import httpx
import pytest

PAGES = [
    "",
    "login/",
    "logout/",
    "account/",
    "cred/",
    "app/",
    "app/demo/",
    "app/sandbox/",
]


@pytest.fixture
def site_server(run_server, built_site):
    return run_server(site_dir=built_site)


def test_every_page_at_its_pretty_url(site_server):
    for page in PAGES:
        r = httpx.get(site_server.url(page))
        assert r.status_code == 200, page
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["cache-control"] == "no-cache"
        assert "<title>" in r.text


def test_pages_without_trailing_slash_redirect(site_server):
    for page in PAGES:
        if not page:
            continue
        r = httpx.get(site_server.url(page.rstrip("/")) + "?x=1")
        assert r.status_code == 301, page
        assert r.headers["location"] == "/timetagger/" + page + "?x=1"
        r = httpx.get(site_server.url(page.rstrip("/")), follow_redirects=True)
        assert r.status_code == 200 and str(r.url) == site_server.url(page)


def test_root_redirects_to_prefix(site_server):
    r = httpx.get(site_server.base + "/")
    assert r.status_code == 307
    assert r.headers["location"] == "/timetagger/"
    r = httpx.get(site_server.base + "/timetagger")
    assert r.status_code == 307 and r.headers["location"] == "/timetagger/"


def test_app_redirect(run_server, built_site):
    server = run_server(site_dir=built_site, app_redirect=True)
    r = httpx.get(server.base + "/")
    assert r.status_code == 307 and r.headers["location"] == "/timetagger/app/"


def test_prefix_root(run_server, built_site):
    server = run_server(site_dir=built_site, path_prefix="/")
    assert httpx.get(server.base + "/").status_code == 200
    assert httpx.get(server.base + "/status").text == "ok"


def test_status_and_outside_prefix(site_server):
    r = httpx.get(site_server.url("status"))
    assert r.status_code == 200 and r.text == "ok"
    r = httpx.get(site_server.base + "/elsewhere")
    assert r.status_code == 404
    assert r.text == "not found: only serving at /timetagger/"


def test_static_assets_immutable_and_gzip(site_server, built_site):
    html = httpx.get(site_server.url("app/")).text
    js = re.search(r'src="\.\./(static/app\.[0-9a-f]+\.js)"', html).group(1)
    r = httpx.get(site_server.url(js), headers={"accept-encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "content-encoding" not in r.headers
    raw = httpx.get(site_server.url("app/"), headers={"accept-encoding": "gzip"})
    assert raw.headers.get("content-encoding") == "gzip"
    assert "<title>" in raw.text  # httpx decoded the gzip body
    with httpx.stream(
        "GET", site_server.url("app/"), headers={"accept-encoding": "gzip"}
    ) as r:
        body = b"".join(r.iter_raw())
    assert gzip.decompress(body).startswith(b"<!DOCTYPE html>")


def site_policy(built_site):
    """The Content-Security-Policy the build wrote into _headers."""
    with open(os.path.join(built_site, "_headers"), encoding="utf-8") as f:
        return re.search(r"\n  Content-Security-Policy: (.*)\n", f.read()).group(1)


SECURITY = {
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def test_security_headers_on_every_answer_of_the_site(site_server, built_site):
    """Pages, static files, redirects and not-modified answers carry the build's
    Content-Security-Policy (with the hash of the pages' inline script) and the
    other security headers."""
    policy = site_policy(built_site)
    assert "script-src 'self' 'sha256-" in policy
    html = httpx.get(site_server.url("app/")).text
    bundle = re.search(r'src="\.\./(static/app\.[0-9a-f]+\.js)"', html).group(1)
    page = httpx.get(site_server.url("login/"))
    answers = [
        page,
        httpx.get(site_server.url("app/demo/")),
        httpx.get(site_server.url(bundle)),
        httpx.get(site_server.url("app/sw.js")),
        httpx.get(site_server.url("app/manifest.json")),
        httpx.get(site_server.url("login")),  # 301
        httpx.get(
            site_server.url("login/"), headers={"if-none-match": page.headers["etag"]}
        ),
    ]
    assert [r.status_code for r in answers] == [200] * 5 + [301, 304]
    for r in answers:
        assert r.headers["content-security-policy"] == policy, r.url
        for name, value in SECURITY.items():
            assert r.headers[name] == value, (r.url, name)


def test_security_headers_follow_a_new_build(run_server, tmp_path, built_site):
    """The policy comes from the site's _headers, read again when it changes; a
    site without one gets a policy without inline scripts."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    server = run_server(site_dir=str(site))
    r = httpx.get(server.url("app/"))
    assert r.headers["content-security-policy"] == site_policy(built_site)
    headers = (site / "_headers").read_text()
    (site / "_headers").write_text(
        headers.replace("connect-src 'self'", "connect-src 'self' https://api.example")
    )
    r = httpx.get(server.url("app/"))
    assert (
        "connect-src 'self' https://api.example;"
        in r.headers["content-security-policy"]
    )
    (site / "_headers").unlink()
    r = httpx.get(server.url("app/"))
    policy = r.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"


def test_etag_revalidation(site_server):
    r = httpx.get(site_server.url("login/"))
    etag = r.headers["etag"]
    r2 = httpx.get(site_server.url("login/"), headers={"if-none-match": etag})
    assert r2.status_code == 304 and r2.content == b""


def test_missing_and_traversal(site_server):
    for path in [
        "nope",
        "static/nope.js",
        "../../etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "app/..%2f..%2f..%2fetc/passwd",
        "_headers",
    ]:
        r = httpx.get(site_server.url(path))
        assert r.status_code == 404, path
        assert r.text.startswith("not found:")


def test_api_only_without_site_dir(run_server):
    server = run_server()
    r = httpx.get(server.url("login"))
    assert r.status_code == 404
    assert "serves the API only" in r.text


# %% Odd bytes and paths


def raw_get(server, target, headers=b""):
    """Send a GET with raw bytes; returns (status, headers dict, body) or None when
    the server closed the connection without an answer."""
    import socket

    request = (
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers
        + b"Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower().decode()] = value.strip().decode("latin-1")
    return int(lines[0].split()[1]), fields, body


@pytest.mark.parametrize("name", [b"Cookie", b"User-Agent", b"Referer", b"X-Odd"])
def test_non_utf8_header_bytes_are_harmless(site_server, name):
    odd = name + b": caf\xe9=\xff\xfe\x80\r\n"
    for target in [b"/timetagger/login/", b"/timetagger/app/sw.js"]:
        answer = raw_get(site_server, target, odd + b"Accept-Encoding: gzip\r\n")
        assert answer is not None and answer[0] == 200, (target, answer)
    answer = raw_get(site_server, b"/timetagger/login", odd)
    assert answer[0] == 301 and answer[1]["location"] == "/timetagger/login/"
    answer = raw_get(site_server, b"/timetagger/api/v2/", odd)
    assert answer[0] == 200
    answer = raw_get(site_server, b"/timetagger/login/", b"If-None-Match: \xff\r\n")
    assert answer[0] == 200


def test_control_characters_in_a_folder_path_get_a_clean_redirect(site_server):
    for target in [
        b"/timetagger/x%0d%0aSet-Cookie:%20a=b/../login",
        b"/timetagger/x%0a/../app",
        b"/timetagger/%0d/../login",
    ]:
        answer = raw_get(site_server, target)
        assert answer is not None, f"{target}: the connection closed without answer"
        status, fields, _ = answer
        assert status == 301, target
        assert fields["location"] in ("/timetagger/login/", "/timetagger/app/")
        assert "set-cookie" not in fields
    # The query string is kept, encoded.
    status, fields, _ = raw_get(site_server, b"/timetagger/login?a=%0d%0a&b=<x>")
    assert status == 301
    assert fields["location"] == "/timetagger/login/?a=%0d%0a&b=%3Cx%3E"


def test_redirects_stay_on_the_site_with_prefix_root(run_server, built_site):
    server = run_server(site_dir=built_site, path_prefix="/")
    for target in [b"//login", b"///login", b"//evil.example/../login", b"/./login"]:
        answer = raw_get(server, target)
        assert answer is not None and answer[0] == 301, target
        assert answer[1]["location"] == "/login/", (target, answer[1])
    r = httpx.get(server.base + "//login", follow_redirects=True)
    assert r.status_code == 200 and str(r.url) == server.base + "/login/"


def test_folder_names_are_percent_encoded_in_redirects(run_server, tmp_path):
    site = tmp_path / "site"
    for folder in ["", "a b", "caf\u00e9", "x%41"]:
        (site / folder).mkdir(parents=True, exist_ok=True)
        (site / folder / "index.html").write_text("<title>t</title>")
    server = run_server(site_dir=str(site))
    expected = {
        b"/timetagger/a%20b": "/timetagger/a%20b/",
        b"/timetagger/caf%C3%A9": "/timetagger/caf%C3%A9/",
        # The path is decoded once (%25 is a percent sign), never twice.
        b"/timetagger/x%2541": "/timetagger/x%2541/",
    }
    for target, location in expected.items():
        status, fields, _ = raw_get(server, target)
        assert status == 301 and fields["location"] == location, target
    assert raw_get(server, b"/timetagger/xA")[0] == 404
