"""Tests for build.py: layout, determinism, errors that keep the previous dist/,
gzip copies, cache headers, the API URL option, and serving with a plain static
server (``python -m http.server``)."""

import gzip
import json
import os
import re
import subprocess
import sys
import time

import httpx
import pytest

import build
from conftest import ROOT, SITE_SRC, free_port


def tree(path):
    out = {}
    for dirpath, _, files in os.walk(path):
        for name in files:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = f.read()
    return out


def run_build(*args, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "build.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


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


def test_layout_is_shaped_like_urls(built_site):
    for page in PAGES:
        assert os.path.isfile(os.path.join(built_site, page, "index.html")), page
    assert os.path.isfile(os.path.join(built_site, "app", "sw.js"))
    assert os.path.isfile(os.path.join(built_site, "app", "manifest.json"))
    assert os.path.isfile(os.path.join(built_site, "_headers"))
    static = os.listdir(os.path.join(built_site, "static"))
    assert any(re.fullmatch(r"env\.[0-9a-f]{10}\.js", n) for n in static)
    assert any(re.fullmatch(r"style\.[0-9a-f]{10}\.css", n) for n in static)


def test_app_pages_load_the_modules_app_imports(built_site):
    """The app template names only app.js; the build adds what it imports, so every
    client module under site_src/app/ comes with it, dependencies first."""
    template = open(os.path.join(SITE_SRC, "app", "_template.html")).read()
    assert re.findall(r"<script\b[^>]*>", template) == ['<script src="app.js">']
    modules = set()
    for _dirpath, _, files in os.walk(os.path.join(SITE_SRC, "app")):
        modules.update(f[:-3] for f in files if f.endswith(".py"))
    for page in ["app/", "app/demo/", "app/sandbox/"]:
        html = open(os.path.join(built_site, page, "index.html")).read()
        scripts = re.findall(r'<script src="[./]*static/(\w+)\.[0-9a-f]+\.js"', html)
        assert set(scripts) == modules, page
        assert len(scripts) == len(modules), page
        assert scripts[-1] == "app" and scripts.index("dt") < scripts.index("timeline")


def test_two_builds_are_byte_identical(tmp_path):
    # Different hash seeds make any set/dict-order dependence show up.
    a = run_build("--out", str(tmp_path / "a"), env={"PYTHONHASHSEED": "1"})
    b = run_build("--out", str(tmp_path / "b"), env={"PYTHONHASHSEED": "2"})
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    ta, tb = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert ta.keys() == tb.keys()
    for key in ta:
        assert ta[key] == tb[key], key


def test_summary_line(tmp_path):
    r = run_build("--out", str(tmp_path / "o"))
    assert r.returncode == 0
    line = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        r"built .*: \d+ files, [\d,]+ bytes, [\d,]+ bytes gzipped, \d+\.\d\d s", line
    ), line


def test_gzip_copies(built_site):
    files = tree(built_site)
    for name, data in files.items():
        if name.endswith(".gz"):
            assert gzip.decompress(data) == files[name[:-3]]
            assert len(files[name[:-3]]) > 1024
        elif (
            name.endswith((".html", ".js", ".css", ".json", ".ttf"))
            and len(data) > 1024
        ):
            assert name + ".gz" in files, name
        elif len(data) <= 1024:
            assert name + ".gz" not in files


def test_hashed_references_resolve(built_site):
    files = tree(built_site)
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        html = data.decode()
        for ref in re.findall(r'\s(?:src|href)="([^"\'+ ]+)"', html):
            if ref.startswith(("http:", "https:", "#", "mailto:")) or "{" in ref:
                continue
            ref = ref.split("#")[0].split("?")[0]
            if not ref:
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(name), ref))
            if ref.endswith("/"):
                target = os.path.normpath(os.path.join(target, "index.html"))
            assert target in files, f"{name} refers to missing {ref}"


def test_service_worker_lists_existing_assets(built_site):
    sw = open(os.path.join(built_site, "app", "sw.js")).read()
    m = re.search(r"var assets = (\[.*?\]);", sw)
    assets = json.loads(m.group(1))
    assert "./" in assets and "demo/" in assets and "sandbox/" in assets
    files = tree(built_site)
    for asset in assets:
        target = os.path.normpath(os.path.join("app", asset))
        if asset.endswith("/"):
            target = os.path.join(target, "index.html")
        assert target in files, asset
    assert re.search(r'var cacheName = "timetagger_v[\d.]+_[0-9a-f]{12}";', sw)


def test_headers_file(built_site):
    headers = open(os.path.join(built_site, "_headers")).read()
    assert "/static/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    for url in ["/", "/login/", "/app/", "/app/sw.js", "/app/manifest.json"]:
        assert f"\n{url}\n  Cache-Control: no-cache" in headers, url


def test_api_url_option(tmp_path):
    out = tmp_path / "o"
    r = run_build("--out", str(out), "--api-url", "https://api.example.com/tt/api/v2")
    assert r.returncode == 0, r.stderr
    html = (out / "app" / "index.html").read_text()
    assert '"api_url": "https://api.example.com/tt/api/v2/"' in html
    default = open(os.path.join(ROOT, "site_src", "index.md")).read()
    assert default  # sanity
    r = run_build("--out", str(tmp_path / "bad"), "--api-url", "javascript:alert(1)")
    assert r.returncode == 1
    assert "--api-url" in r.stderr


def make_site(tmp_path):
    """A copy of the real site sources to break."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(SITE_SRC, src)
    return src


def test_broken_module_keeps_previous_dist(tmp_path):
    src = make_site(tmp_path)
    out = tmp_path / "dist"
    assert run_build("--src", str(src), "--out", str(out)).returncode == 0
    before = tree(out)
    (src / "app" / "broken.py").write_text("x = 1\n\ndef f():\n    return {**x}\n")
    r = run_build("--src", str(src), "--out", str(out))
    assert r.returncode == 1
    assert f"{src / 'app' / 'broken.py'}:4: PScript cannot compile this" in r.stderr
    assert r.stderr.startswith("build failed: ")
    assert tree(out) == before
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n or ".old-" in n]


def test_broken_template_and_scss_and_import(tmp_path):
    src = make_site(tmp_path)
    out = tmp_path / "dist"
    (src / "app" / "_template.html").write_text(
        "{% include '_head.html' %}\n\n{{ not_a_var }}\n"
    )
    r = run_build("--src", str(src), "--out", str(out))
    assert r.returncode == 1
    assert "app/_template.html:3:" in r.stderr and "not_a_var" in r.stderr
    assert not out.exists()

    src = make_site(tmp_path / "2")
    (src / "style.scss").write_text("a {}\nb { color: $nope; }\n")
    r = run_build("--src", str(src), "--out", str(out))
    assert r.returncode == 1 and "style.scss:2: undefined variable $nope" in r.stderr

    src = make_site(tmp_path / "3")
    (src / "app" / "uses.py").write_text("from . import ghost\n")
    r = run_build("--src", str(src), "--out", str(out))
    assert r.returncode == 1 and "uses.py:1: 'from . import ghost'" in r.stderr


def test_module_scripts_expand_in_dependency_order(tmp_path):
    src = tmp_path / "src"
    (src / "app").mkdir(parents=True)
    (src / "_template.html").write_text("{{ main }}")
    (src / "app" / "a.py").write_text("X = 1\n")
    (src / "app" / "b.py").write_text("from . import a\nY = 2\n")
    (src / "app" / "c.py").write_text("from . import b, a\nZ = 3\n")
    (src / "app" / "index.md").write_text(
        '% T\n\n<script src="c.js"></script>\n<script src="a.js"></script>\n'
    )
    out = tmp_path / "out"
    _, line = build.build(str(src), str(out))
    html = (out / "app" / "index.html").read_text()
    scripts = re.findall(
        r'<script src="\.\./static/(\w)\.[0-9a-f]+\.js"></script>', html
    )
    assert scripts == ["a", "b", "c"]


def test_modules_in_folders_link_by_their_imports(tmp_path):
    src = tmp_path / "src"
    (src / "app" / "core").mkdir(parents=True)
    (src / "app" / "views").mkdir(parents=True)
    (src / "_template.html").write_text("{{ main }}")
    (src / "app" / "core" / "a.py").write_text("X = 1\n")
    (src / "app" / "core" / "b.py").write_text("from . import a\nY = 2\n")
    (src / "app" / "views" / "c.py").write_text("from ..core import a, b\nZ = 3\n")
    (src / "app" / "main.py").write_text("from .views import c\nW = 4\n")
    (src / "app" / "index.md").write_text('% T\n\n<script src="main.js"></script>\n')
    out = tmp_path / "out"
    build.build(str(src), str(out))
    html = (out / "app" / "index.html").read_text()
    scripts = re.findall(
        r'<script src="\.\./static/(\w+)\.[0-9a-f]+\.js"></script>', html
    )
    assert scripts == ["a", "b", "c", "main"]
    assert not (out / "app" / "core").exists()  # no pages there: nothing but static/

    (src / "app" / "views" / "c.py").write_text("from . import a\nZ = 3\n")
    with pytest.raises(build.BuildError) as info:
        build.build(str(src), str(out))
    assert str(info.value) == (
        f"{src / 'app' / 'views' / 'c.py'}:1: 'from . import a': there is no client "
        "module app/views/a.py (a is app/core/a.py)"
    )
    (src / "app" / "views" / "c.py").write_text("from .... import a\n")
    with pytest.raises(build.BuildError, match="that is outside the sources"):
        build.build(str(src), str(out))


def test_module_names_are_unique_across_folders(tmp_path):
    src = tmp_path / "src"
    (src / "app" / "one").mkdir(parents=True)
    (src / "app" / "two").mkdir(parents=True)
    (src / "app" / "one" / "util.py").write_text("X = 1\n")
    (src / "app" / "two" / "util.py").write_text("X = 2\n")
    with pytest.raises(
        build.BuildError, match="client module name 'util' is also used in app/"
    ):
        build.build(str(src), str(tmp_path / "out"))


def test_circular_imports_are_an_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("from . import b\n")
    (src / "b.py").write_text("from . import a\n")
    with pytest.raises(build.BuildError, match="circular imports"):
        build.build(str(src), str(tmp_path / "out"))


def test_duplicate_asset_names_are_an_error(tmp_path):
    src = tmp_path / "src"
    (src / "app").mkdir(parents=True)
    (src / "x.txt").write_text("1")
    (src / "app" / "x.txt").write_text("2")
    with pytest.raises(build.BuildError, match="asset names must be unique"):
        build.build(str(src), str(tmp_path / "out"))


def test_update_tree_writes_only_changes(tmp_path):
    old = {"a.txt": b"1", "b.txt": b"2"}
    build.write_tree(str(tmp_path), old)
    new = {"a.txt": b"1", "b.txt": b"3", "c.txt": b"4"}
    mtime = os.stat(tmp_path / "a.txt").st_mtime_ns
    assert build.update_tree(str(tmp_path), old, new) == 2
    assert (tmp_path / "b.txt").read_bytes() == b"3"
    assert os.stat(tmp_path / "a.txt").st_mtime_ns == mtime
    assert build.update_tree(str(tmp_path), new, {"a.txt": b"1"}) == 2
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


def test_plain_static_server_serves_pretty_urls(built_site):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            built_site,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with httpx.Client(follow_redirects=True, timeout=5) as client:
            for page in PAGES:
                r = client.get(base + page)
                assert r.status_code == 200, page
                assert "<title>" in r.text
                if page:
                    r = client.get(
                        base + page.rstrip("/")
                    )  # redirected to the slash form
                    assert r.status_code == 200 and str(r.url).endswith(page), page
            html = client.get(base + "app/").text
            for ref in re.findall(r'(?:src|href)="(\.\./static/[^"]+)"', html):
                assert client.get(base + "app/" + ref).status_code == 200
    finally:
        proc.terminate()
        proc.wait(5)
