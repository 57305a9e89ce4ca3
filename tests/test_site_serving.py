"""The API process serving a built site (``make run``): prefix routing, redirects, the
health check, pretty URLs, gzip, revalidation and cache headers, and no way out of the
site directory."""

import gzip

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
    import re

    js = re.search(r'src="\.\./(static/env\.[0-9a-f]+\.js)"', html).group(1)
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
