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
    assert any(re.fullmatch(r"app\.[0-9a-f]{10}\.js", n) for n in static)
    assert any(re.fullmatch(r"app\.later\.[0-9a-f]{10}\.js", n) for n in static)
    assert any(re.fullmatch(r"pages\.[0-9a-f]{10}\.js", n) for n in static)
    assert any(re.fullmatch(r"style\.[0-9a-f]{10}\.css", n) for n in static)
    # Client modules come in bundles only, not one file each.
    assert not any(
        re.fullmatch(r"(env|dt|stores)\.[0-9a-f]{10}\.js", n) for n in static
    )


def bundle_modules(text):
    """The client modules a bundle defines, in order."""
    return re.findall(r"\broot\.(\w+)=factory\(", text)


def page_scripts(built_site, page):
    """The script tags of a built page: [(src, data-later or None)]."""
    html = open(os.path.join(built_site, page, "index.html")).read()
    return [
        (m.group(1), m.group(3))
        for m in re.finditer(
            r'<script src="([^"]+)"( defer)?(?: data-later="([^"]+)")?></script>', html
        )
    ]


def read_static(built_site, page, url):
    with open(os.path.normpath(os.path.join(built_site, page, url))) as f:
        return f.read()


def test_app_pages_load_one_bundle_and_the_dialogs_on_first_use(built_site):
    """The app template names only app.js; the build bundles app and everything it
    imports into one deferred script (dependencies first), and what app loads on
    first use (the dialogs) into a second one named by data-later. Together they
    hold every client module under site_src/app/, each once."""
    template = open(os.path.join(SITE_SRC, "app", "_template.html")).read()
    assert re.findall(r"<script\b[^>]*>", template) == ['<script src="app.js">']
    modules = set()
    for _dirpath, _, files in os.walk(os.path.join(SITE_SRC, "app")):
        modules.update(f[:-3] for f in files if f.endswith(".py"))
    for page in ["app/", "app/demo/", "app/sandbox/"]:
        html = open(os.path.join(built_site, page, "index.html")).read()
        assert html.count("<script") == 2  # the <base> script of the head, and ours
        [(src, later)] = page_scripts(built_site, page)
        assert re.fullmatch(r"(\.\./)+static/app\.[0-9a-f]{10}\.js", src)
        assert re.fullmatch(r"(\.\./)+static/app\.later\.[0-9a-f]{10}\.js", later)
        first = bundle_modules(read_static(built_site, page, src))
        second = bundle_modules(read_static(built_site, page, later))
        assert set(first) | set(second) == modules, page
        assert len(first) + len(second) == len(modules), page
        assert first[-1] == "app" and first.index("dt") < first.index("timeline")
        assert first.index("lazy") < first.index("app")
        # What draws the timeline is there at once; what only dialogs need is not.
        for name in ["stores", "timeline", "overview", "topbar", "basedialog"]:
            assert name in first, name
        for name in ["menudialog", "recorddialog", "reportdialog", "importer"]:
            assert name in second, name
        assert second.index("autocomplete") < second.index("recorddialog")


def test_bundles_are_minified_and_define_pscript_helpers_once(built_site):
    [(src, later)] = page_scripts(built_site, "app/")
    for url in (src, later):
        text = read_static(built_site, "app/", url)
        assert text.startswith('(function(){"use strict";')
        assert text.count("var _pyfunc_op_instantiate=") == 1
        assert "\n\n" not in text and "// " not in text
        # Docstrings (PScript turns them into comments) are gone.
        assert "The app page: bootstrap" not in text
    first = read_static(built_site, "app/", src)
    # The page's script runs app.main() when the page is parsed (it is deferred).
    assert first.rstrip().endswith("globalThis.app.main();}());")


def test_pages_have_no_inline_script_but_the_one_allowed_by_the_policy(built_site):
    """Every inline script of every page has its hash in the Content-Security-Policy
    of _headers; there is one, the same on every page (the <base> of _head.html)."""
    headers = open(os.path.join(built_site, "_headers")).read()
    policy = re.search(r"\n  Content-Security-Policy: (.*)\n", headers).group(1)
    found = set()
    for name, data in tree(built_site).items():
        if name.endswith(".html"):
            for script in re.findall(
                r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", data.decode(), re.S
            ):
                found.add(build.script_hash(script))
    assert len(found) == 1
    assert policy == build.content_security_policy(found)
    assert f"script-src 'self' {found.pop()};" in policy
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "connect-src 'self';",
        "img-src 'self' data: blob:",
    ]:
        assert directive in policy, directive
    assert "unsafe-eval" not in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    for line in [
        "  Referrer-Policy: same-origin",
        "  X-Content-Type-Options: nosniff",
        "  X-Frame-Options: DENY",
    ]:
        assert f"\n{line}\n" in headers.split("/static/*")[0], line


def test_app_page_gets_one_stylesheet(built_site):
    """Consecutive stylesheets of the site become one file (one request)."""
    html = open(os.path.join(built_site, "app", "index.html")).read()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert len(sheets) == 1
    css = read_static(built_site, "app/", sheets[0])
    for selector in [".ttapp", ".tt-dialog", ".tt-report"]:  # app, dialogs, tools
        assert selector in css, selector
    assert "\n\n" not in css and "/*" not in css  # minified


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
        for ref in re.findall(r'\s(?:src|href|data-later)="([^"\'+ ]+)"', html):
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
    # Both bundles: the dialogs open offline. Not the PDF library (loaded on demand).
    assert any(re.fullmatch(r"\.\./static/app\.[0-9a-f]{10}\.js", a) for a in assets)
    assert any(re.fullmatch(r"\.\./static/app\.later\.\w+\.js", a) for a in assets)
    assert not any("jspdf" in a for a in assets)
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
    headers = (out / "_headers").read_text()
    assert "connect-src 'self' https://api.example.com;" in headers
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


def built_scripts(out, page="app"):
    """[(the modules of the bundle, the modules of its data-later bundle or None)]
    for each script tag of a built page."""
    html = (out / page / "index.html").read_text()
    found = []
    for src, later in re.findall(
        r'<script src="([^"]+)" defer(?: data-later="([^"]+)")?></script>', html
    ):
        first = bundle_modules((out / page / src).read_text())
        second = bundle_modules((out / page / later).read_text()) if later else None
        found.append((first, second))
    return found


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
    assert built_scripts(out) == [(["a", "b", "c"], None)]
    html = (out / "app" / "index.html").read_text()
    assert "a.js" not in html  # already in c's bundle
    bundle = re.search(r'src="([^"]+)"', html).group(1)
    assert ".main()" not in (out / "app" / bundle).read_text()  # c has no main()


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
    assert built_scripts(out) == [(["a", "b", "c", "main"], None)]
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


def test_modules_loaded_on_first_use_go_to_a_second_bundle(tmp_path):
    """What a page's modules import in 'if lazy.ON_FIRST_USE:' (and what that needs,
    on first use too) is bundled apart, without what the first bundle has; the first
    bundle's tag names it in data-later, the service worker precaches both, and a
    module with main() has it called at the end of its bundle."""
    src = tmp_path / "src"
    (src / "app" / "dialogs").mkdir(parents=True)
    (src / "_template.html").write_text("{{ main }}")
    (src / "app" / "lazy.py").write_text("ON_FIRST_USE = False\n")
    (src / "app" / "shared.py").write_text("S = 1\n")
    (src / "app" / "dialogs" / "helper.py").write_text("from .. import shared\nH=1\n")
    (src / "app" / "dialogs" / "later2.py").write_text("L2 = 1\n")
    (src / "app" / "dialogs" / "dialog.py").write_text(
        "from .. import shared\nfrom . import helper\n\n"
        "if lazy.ON_FIRST_USE:\n    from . import later2\n\nD = 1\n"
    )
    (src / "app" / "main.py").write_text(
        "from . import lazy, shared\n\n"
        "if lazy.ON_FIRST_USE:\n    from .dialogs import dialog\n\n"
        "def main():\n    return dialog.D\n"
    )
    (src / "app" / "index.md").write_text('% T\n\n<script src="main.js"></script>\n')
    (src / "app" / "sw.js").write_text('var cacheName = "x";\nvar assets = [];\n')
    out = tmp_path / "out"
    build.build(str(src), str(out))
    assert built_scripts(out) == [
        (["lazy", "shared", "main"], ["helper", "dialog", "later2"])
    ]
    html = (out / "app" / "index.html").read_text()
    src_url, later_url = re.search(
        r'<script src="\.\./(static/main\.\w+\.js)" defer '
        r'data-later="\.\./(static/main\.later\.\w+\.js)"></script>',
        html,
    ).groups()
    assert (out / src_url).read_text().endswith("globalThis.main.main();}());\n")
    sw = (out / "app" / "sw.js").read_text()
    assert f'"../{src_url}"' in sw and f'"../{later_url}"' in sw


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


def test_release_notes_and_guide_are_pages_of_the_app(built_site):
    """SY-23, SK-09: CHANGELOG.md has the notes of this version, and the build makes
    it and the guide pages under app/help/ that the app's worker precaches."""
    from timetagger import __version__

    with open(os.path.join(ROOT, "CHANGELOG.md"), encoding="utf-8") as f:
        notes = f.read()
    assert re.search(rf"^## {re.escape(__version__)}\s*$", notes, re.M), (
        f"CHANGELOG.md has no '## {__version__}' section for this version"
    )
    changes = open(os.path.join(built_site, "app/help/changes/index.html")).read()
    assert f"<h2>{__version__}</h2>" in changes
    assert "<title>What's new in TimeTagger</title>" in changes
    assert 'href="../../../app/"' in changes  # its root is three levels up
    guide = open(os.path.join(built_site, "app/help/guide/index.html")).read()
    assert "<h2>Start recording</h2>" in guide and "<h2>Tips</h2>" in guide
    sw = open(os.path.join(built_site, "app/sw.js")).read()
    for url in ["help/guide/", "help/changes/"]:
        assert f'"{url}"' in sw
    for name in ["windup", "alarm", "manual"]:
        assert re.search(rf'"\.\./static/sound-{name}\.[0-9a-f]{{10}}\.wav"', sw)


def test_the_sounds_are_the_ones_the_script_makes(tmp_path):
    """TP-11: tools/make_sounds.py makes exactly the committed WAV files."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    try:
        import make_sounds
    finally:
        sys.path.pop(0)
    make_sounds.OUT = str(tmp_path)
    make_sounds.main()
    for name in ["sound-windup.wav", "sound-alarm.wav", "sound-manual.wav"]:
        made = (tmp_path / name).read_bytes()
        with open(os.path.join(SITE_SRC, "app", name), "rb") as f:
            assert f.read() == made, name
        assert made[:4] == b"RIFF" and len(made) < 40000
