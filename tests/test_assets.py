"""Tests for the asset functions: md2html, create_assets_from_dir (every file kind and
the ``_`` rule), SCSS variables, PScript modules, and enable_service_worker."""

import re

import jinja2
import pytest

from timetagger import __version__
from timetagger.server import create_assets_from_dir, enable_service_worker, md2html
from timetagger.server._assets import (
    AssetError,
    JSModule,
    compile_pymodule,
    compile_scss,
)

TEMPLATE = "<title>{{ title }}</title><meta content='{{ description }}'>{{ extra }}<main>{{ main }}</main>"


def test_md2html_title_description_body():
    text = "% My title\n% My description\n\n# Heading\n\nSome *text*.\n"
    html = md2html(text, TEMPLATE, extra="X")
    assert "<title>My title</title>" in html
    assert "<meta content='My description'>" in html
    assert "<h1>Heading</h1>" in html
    assert "<em>text</em>" in html
    assert "X<main>" in html
    assert "% My" not in html


def test_md2html_accepts_jinja_template_object():
    html = md2html("% T\n\nhi", jinja2.Template("[{{ title }}|{{ main }}]"))
    assert html == "[T|<p>hi</p>]"


def test_md2html_without_meta_lines():
    html = md2html("just text", "{{ title }}|{{ description }}|{{ main }}")
    assert html == "||<p>just text</p>"


def test_md2html_fenced_code_and_tables():
    text = "% T\n\n```python\nx = 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = md2html(text, "{{ main }}")
    assert '<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_md2html_icon_escapes():
    html = md2html("% T\n\nicon: \\uf017", "{{ main }}")
    assert "\uf017" in html


def test_md2html_raw_html_passes():
    html = md2html('% T\n\n<div id="x"><b>bold</b></div>\n', "{{ main }}")
    assert '<div id="x"><b>bold</b></div>' in html


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def test_create_assets_every_file_kind(tmp_path):
    write(tmp_path / "_template.html", "<h1>{{ title }}</h1>{{ main }}")
    write(tmp_path / "index.md", "% Home\n% The home page\n\nHello")
    write(tmp_path / "about.md", "% About\n\nAbout us")
    write(tmp_path / "style.scss", "$c: #123456;\nbody { color: $c; }\n")
    write(tmp_path / "mod.py", "def double(x):\n    return x * 2\n")
    write(tmp_path / "page.html", "<p>raw</p>")
    write(tmp_path / "lib.js", "var x = 1;")
    write(tmp_path / "plain.css", "a{}")
    write(tmp_path / "data.json", '{"a": 1}')
    write(tmp_path / "notes.txt", "hello")
    write(tmp_path / "logo.svg", "<svg></svg>")
    write(tmp_path / "icon.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path / "font.woff2", b"wOF2")
    write(tmp_path / "ding.ogg", b"OggS")
    write(tmp_path / "_partial.scss", "$x: 1;")
    write(tmp_path / "_private.py", "x = 1")
    write(tmp_path / ".hidden.txt", "no")
    (tmp_path / "subdir").mkdir()
    assets = create_assets_from_dir(str(tmp_path))
    assert sorted(assets) == sorted(
        [
            "index",
            "about",
            "style.css",
            "mod.js",
            "page.html",
            "lib.js",
            "plain.css",
            "data.json",
            "notes.txt",
            "logo.svg",
            "icon.png",
            "font.woff2",
            "ding.ogg",
        ]
    )
    assert assets["index"] == "<h1>Home</h1><p>Hello</p>"
    assert assets["style.css"] == "body { color: #123456; }\n"
    assert isinstance(assets["mod.js"], JSModule) and "double" in assets["mod.js"]
    for name in [
        "page.html",
        "lib.js",
        "plain.css",
        "data.json",
        "notes.txt",
        "logo.svg",
    ]:
        assert isinstance(assets[name], str)
    for name in ["icon.png", "font.woff2", "ding.ogg"]:
        assert isinstance(assets[name], bytes)
    assert assets["icon.png"] == b"\x89PNG\r\n\x1a\n"


def test_create_assets_template_argument_and_variables(tmp_path):
    write(tmp_path / "index.md", "% Home\n\nHi")
    write(tmp_path / "login.md", "% Login\n\nHi")
    assets = create_assets_from_dir(
        str(tmp_path),
        "{{ title }} {{ root }} {{ page }} {{ version }}",
        root="./",
        version="9",
    )
    assert assets["index"] == "Home ./ index 9"
    assert assets["login"] == "Login ../ login 9"  # served at login/


def test_create_assets_default_template(tmp_path):
    write(tmp_path / "index.md", "% Home\n% desc\n\nHi")
    html = create_assets_from_dir(str(tmp_path))["index"]
    assert (
        "<title>Home</title>" in html
        and '<meta name="description" content="desc">' in html
    )


def test_create_assets_unknown_extension_is_an_error(tmp_path):
    write(tmp_path / "weird.xyz", "?")
    with pytest.raises(AssetError, match=r"weird.xyz:1: unsupported file type '.xyz'"):
        create_assets_from_dir(str(tmp_path))


def test_create_assets_bad_utf8_names_line(tmp_path):
    write(tmp_path / "bad.txt", b"line1\nline2 \xff\n")
    with pytest.raises(AssetError, match=r"bad.txt:2: not valid UTF-8"):
        create_assets_from_dir(str(tmp_path))


def test_create_assets_recompiles_only_changed(tmp_path):
    write(tmp_path / "a.py", "def a():\n    return 1\n")
    first = create_assets_from_dir(str(tmp_path))["a.js"]
    again = create_assets_from_dir(str(tmp_path))["a.js"]
    assert again is first  # cached
    write(tmp_path / "a.py", "def a():\n    return 22\n")
    changed = create_assets_from_dir(str(tmp_path))["a.js"]
    assert "22" in changed


def test_template_error_names_template_and_line(tmp_path):
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"t.html": "ok\n{{ missing.attr }}"}),
        undefined=jinja2.StrictUndefined,
    )
    write(tmp_path / "index.md", "% T\n\nx")
    with pytest.raises(AssetError) as info:
        create_assets_from_dir(str(tmp_path), env.get_template("t.html"))
    assert ":2:" in str(info.value) and "missing" in str(info.value)


# %% SCSS


def test_scss_variables_imports_comments(tmp_path):
    write(tmp_path / "_vars.scss", "$a: red;\n$b: $a;\n")
    src = '@import "vars";\n// a comment\n$pad: 4px;\n.x { color: $b; padding: $pad $pad; }\n/* kept\n   block */\n'
    css = compile_scss(src, str(tmp_path / "main.scss"))
    assert css == ".x { color: red; padding: 4px 4px; }\n/* kept\n   block */\n"


def test_scss_default_flag():
    css = compile_scss("$a: 1px;\n$a: 2px !default;\np { m: $a; }", "x.scss")
    assert css == "p { m: 1px; }\n"


def test_scss_undefined_variable_error():
    with pytest.raises(AssetError, match=r"x.scss:3: undefined variable \$nope"):
        compile_scss("$a: 1;\np {}\nq { m: $nope; }", "x.scss")


def test_scss_missing_import_error(tmp_path):
    with pytest.raises(AssetError, match=r"main.scss:1: cannot find 'ghost' to import"):
        compile_scss('@import "ghost";', str(tmp_path / "main.scss"))


# %% PScript modules


def test_pymodule_exports_sorted_and_private_hidden():
    js = compile_pymodule(
        '"""Doc."""\nfrom pscript import window\n\nZED = 1\n_hidden = 2\n\n'
        "def alpha():\n    return ZED\n\nclass Mid:\n    pass\n",
        "/x/mymod.py",
    )
    assert js.name == "mymod"
    assert js.exports == ("Mid", "ZED", "alpha")
    assert (
        "Object.assign(Object.create(null), {Mid: Mid, ZED: ZED, alpha: alpha})" in js
    )
    assert "root.mymod = factory();" in js


def test_pymodule_sibling_imports():
    js = compile_pymodule(
        "from . import dt, tags\n\ndef f():\n    return dt.now()\n", "m.py"
    )
    assert js.requires == ("dt", "tags")
    assert "root.m = factory(root.dt, root.tags);" in js
    assert "function (dt, tags)" in js


def test_pymodule_imports_are_read_as_python_reads_them():
    js = compile_pymodule(
        "from pscript import window\n"
        "from ..core import (\n    dt,\n    tags,\n)\n"
        "from .store import stores\n"
        "from . import helper\n"
        "from .. import app\n\n"
        "def f():\n    return dt.now()\n",
        "/src/app/timeline/m.py",
    )
    assert js.requires == ("dt", "tags", "stores", "helper", "app")
    assert [(i.name, i.path, i.lineno) for i in js.imports] == [
        ("dt", "../core/dt.py", 2),
        ("tags", "../core/tags.py", 2),
        ("stores", "store/stores.py", 6),
        ("helper", "helper.py", 7),
        ("app", "../app.py", 8),
    ]
    assert js.imports[0].statement == "from ..core import dt"
    assert (
        "root.m = factory(root.dt, root.tags, root.stores, root.helper, root.app);"
        in js
    )
    assert "function (dt, tags, stores, helper, app)" in js


def test_pymodule_import_errors_name_the_line():
    with pytest.raises(AssetError, match=r"m.py:2: 'from \.\.core import dt as d'"):
        compile_pymodule("x = 1\nfrom ..core import dt as d\n", "m.py")
    with pytest.raises(
        AssetError, match=r"m.py:3: client modules are imported at the top"
    ):
        compile_pymodule("def f():\n    x = 1\n    from . import dt\n", "m.py")
    with pytest.raises(AssetError, match=r"m.py:2: .* name two modules dt"):
        compile_pymodule("from . import dt\nfrom ..core import dt\n", "m.py")


def test_pymodule_imports_on_first_use():
    """Imports in ``if lazy.ON_FIRST_USE:`` are not passed to the module: it reaches
    them through their globals once lazy has loaded them."""
    js = compile_pymodule(
        "from . import lazy\n"
        "from .core import dt\n\n"
        "if lazy.ON_FIRST_USE:  # the dialogs\n"
        "    from .dialogs import (\n        menudialog,\n    )\n"
        "    from .reports import reportdialog\n\n"
        "def open_menu(app):\n"
        "    lazy.run(lambda: menudialog.MenuDialog(app).open())\n",
        "/src/app/main.py",
    )
    assert js.requires == ("lazy", "dt")
    assert [(i.name, i.path, i.lineno) for i in js.later] == [
        ("menudialog", "dialogs/menudialog.py", 5),
        ("reportdialog", "reports/reportdialog.py", 8),
    ]
    assert "root.main = factory(root.lazy, root.dt);" in js
    assert "function (lazy, dt)" in js
    assert "menudialog.MenuDialog(app)" in js  # the global, at call time
    assert "ON_FIRST_USE" not in js


def test_pymodule_first_use_block_errors():
    with pytest.raises(AssetError, match=r"m.py:1: 'if lazy.ON_FIRST_USE:' holds"):
        compile_pymodule("if lazy.ON_FIRST_USE:\n    x = 1\n", "m.py")
    with pytest.raises(AssetError, match=r"m.py:1: 'if lazy.ON_FIRST_USE:' holds"):
        compile_pymodule(
            "if lazy.ON_FIRST_USE:\n    from . import a\nelse:\n    pass\n", "m.py"
        )
    with pytest.raises(
        AssetError, match=r"m.py:3: 'from \. import a': a is imported both at load"
    ):
        compile_pymodule(
            "from . import a\nif lazy.ON_FIRST_USE:\n    from . import a\n", "m.py"
        )
    with pytest.raises(AssetError, match=r"m.py:3: client modules are imported at"):
        compile_pymodule(
            "def f():\n    if lazy.ON_FIRST_USE:\n        from . import a\n", "m.py"
        )


def test_pymodule_linkable_text_leaves_the_helpers_to_the_bundle():
    """The standalone module defines the PScript helpers it uses; ``linkable`` is the
    same module without them, and names them for the bundle that defines them once."""
    js = compile_pymodule(
        "def f(items):\n    out = []\n    for x in items:\n        out.append(x)\n"
        "    return len(out)\n",
        "m.py",
    )
    assert "append" in js.std_methods
    assert "var _pymeth_append = " in js
    assert "var _pymeth_append = " not in js.linkable
    assert "_pymeth_append.call(" in js.linkable
    assert js.linkable.startswith("(function (root, factory) {")


def test_pymodule_error_has_file_and_line():
    with pytest.raises(AssetError) as info:
        compile_pymodule("x = 1\n\ndef f():\n    return {**x}\n", "/src/app/bad.py")
    assert str(info.value).startswith("/src/app/bad.py:4: PScript cannot compile this")


def test_pymodule_syntax_error_has_file_and_line():
    with pytest.raises(AssetError, match=r"bad.py:2: syntax error"):
        compile_pymodule("x = 1\ndef f(:\n", "bad.py")


def test_pymodule_import_error():
    with pytest.raises(
        AssetError,
        match=r"bad.py:3: PScript cannot compile this: PScript does not support imports",
    ):
        compile_pymodule("x = 1\n\nimport os\n", "bad.py")


# %% Service worker

SW = 'var cacheName = "dev";\nvar assets = [];\n'


def test_enable_service_worker_fills_name_and_list():
    assets = {"sw.js": SW, "b.js": "b", "a.css": "a", "": "index", "img.png": b"\x00"}
    name = enable_service_worker(assets)
    assert re.fullmatch(rf"timetagger_v{re.escape(__version__)}_[0-9a-f]{{12}}", name)
    assert f'var cacheName = "{name}";' in assets["sw.js"]
    assert 'var assets = ["", "a.css", "b.js", "img.png"];' in assets["sw.js"]


def cache_name(assets):
    assets = dict(assets, **{"sw.js": SW})
    return enable_service_worker(assets)


def test_service_worker_hash_changes_when_any_asset_changes_and_only_then():
    base = {"a.js": "a", "b.css": "b", "c.png": b"\x01\x02"}
    name = cache_name(base)
    assert cache_name(dict(base)) == name  # same assets: same name
    assert cache_name(dict(reversed(list(base.items())))) == name  # order-independent
    for key, new in [("a.js", "a2"), ("b.css", "b "), ("c.png", b"\x01\x03")]:
        assert cache_name(dict(base, **{key: new})) != name
    assert cache_name(dict(base, **{"d.txt": "d"})) != name
    changed_sw = dict(base, **{"sw.js": SW + "// edit\n"})
    assert enable_service_worker(changed_sw) == name  # sw.js itself is not hashed


def test_enable_service_worker_requires_sw_and_markers():
    with pytest.raises(ValueError, match="no 'sw.js'"):
        enable_service_worker({"a.js": "a"})
    with pytest.raises(ValueError, match="cacheName"):
        enable_service_worker({"sw.js": "nothing here"})
