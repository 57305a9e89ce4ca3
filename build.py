"""Build the static site: compile ``site_src/`` into ``dist/``.

    python build.py [--out dist] [--api-url URL] [--watch] [--serve] [--quiet]

Every directory of ``site_src/`` is compiled with the library's
``create_assets_from_dir`` (pages from markdown through ``_template.html``, styles,
client modules by PScript, static files). The output is shaped like the URLs:

* a page ``X.md`` in directory ``D`` becomes ``D/X/index.html`` (``index.md`` becomes
  ``D/index.html``), so any static server answers ``D/X/`` (and ``D/X``, which static
  servers redirect; the template handles both);
* ``sw.js``, ``manifest.json``, ``robots.txt``, ``favicon.ico`` and ``.html`` files stay
  at ``D/<name>``;
* every other asset goes to ``static/<stem>.<hash>.<ext>``, named by its content, and is
  cached for a year. In HTML, ``src``/``href`` attributes naming an asset (e.g.
  ``src="icon.svg"``) are rewritten to the hashed file; ``url(...)`` in CSS and icon
  ``src`` in the manifest are rewritten the same way.

Client modules are never served one by one. A page's ``<script src="app.js">`` (a
module's name) becomes one deferred script: a bundle of the module and everything it
imports, in dependency order, minified (rjsmin) with PScript's helpers defined once,
ending with a call of the module's ``main()`` if it has one. What the page's modules
import in ``if lazy.ON_FIRST_USE:`` goes into a second bundle, named by the tag's
``data-later`` and fetched by ``lazy`` when first needed. Consecutive stylesheet links
become one (minified, rcssmin) stylesheet.

Every answer of the site gets security headers (``_headers``, and ``python -m
timetagger`` reads them from there): a Content-Security-Policy that allows scripts
only from the site itself plus the inline scripts of the pages by their hashes, which
the build computes (there is one, the ``<base>`` of ``_head.html``), and the API's
origin for ``connect-src`` when ``--api-url`` is absolute.

``CHANGELOG.md`` (the release notes) becomes the page ``app/help/changes/``, beside the
guide (``app/help/guide/``); the app shows both in dialogs (SY-23, SK-09).

The service worker of a directory precaches that directory's pages and every asset
they reference, both bundles included (``enable_service_worker``). Text files over 1 KiB
get a ``.gz`` twin, and ``_headers`` gives static hosts the cache policy. The same
sources give byte-identical output. A compile error stops the build with ``file:line: message`` and exit code 1,
leaving the previous output untouched (the new tree is built aside, then swapped in).
With ``--watch``, changed sources are recompiled (unchanged ones come from a cache) and
only changed output files are written; ``--serve`` also runs the API process serving the
output on 127.0.0.1:8080 (``make dev``).
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "api"))

from timetagger import __version__  # noqa: E402
from timetagger.server._assets import (  # noqa: E402
    AssetError,
    JSModule,
    create_assets_from_dir,
    enable_service_worker,
    md2html,
    pscript_helpers,
)

DEFAULT_SRC = os.path.join(HERE, "site_src")
DEFAULT_OUT = os.path.join(HERE, "dist")
DEFAULT_API_URL = "api/v2/"
# The release notes (SY-23): CHANGELOG.md of the repository becomes the page
# "changes" of the folder HELP_DIR of the sources (app/help/changes/), beside the guide.
CHANGELOG = os.path.join(HERE, "CHANGELOG.md")
HELP_DIR = "app/help"

FIXED_NAMES = {"sw.js", "manifest.json", "robots.txt", "favicon.ico"}
COMPRESSIBLE = {
    ".html",
    ".js",
    ".css",
    ".json",
    ".svg",
    ".txt",
    ".xml",
    ".webmanifest",
    ".map",
    ".ttf",  # uncompressed font formats (woff2 is already compressed)
    ".otf",
}
GZIP_MIN_SIZE = 1024
HASH_LEN = 10

HEADERS_FILE = """\
# Headers for static hosts that read _headers (Netlify, Cloudflare Pages), for a site
# deployed at the root of its host. Every answer gets the security headers (the
# Content-Security-Policy is the build's: the hashes of the pages' inline scripts,
# the API's origin when it is on another one). Files under static/ are named by
# their content: cache them for a year. Pages, the service worker and the manifest
# are revalidated on every load, so a deploy reaches users at once.
/*
{security}/static/*
  Cache-Control: public, max-age=31536000, immutable
{revalidate}"""


class BuildError(Exception):
    """A problem that stops the build; ``str()`` names the file and line."""


# %% Compiling


def find_source_dirs(src):
    """All directories of the source tree (relative, posix), parents first."""
    found = []
    for dirpath, dirnames, _ in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        rel = os.path.relpath(dirpath, src).replace(os.sep, "/")
        found.append("" if rel == "." else rel)
    return found


def make_template_env(src):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(src),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def get_template(env, src, reldir):
    """The ``_template.html`` of a directory, or of its nearest parent."""
    import jinja2

    parts = reldir.split("/") if reldir else []
    while True:
        name = "/".join(parts + ["_template.html"])
        if os.path.isfile(os.path.join(src, name)):
            try:
                return env.get_template(name)
            except jinja2.TemplateSyntaxError as err:
                path = os.path.join(src, name)
                raise AssetError(
                    path, err.lineno, f"template error: {err.message}"
                ) from None
        if not parts:
            return None
        parts.pop()


def compile_sources(src, api_url):
    """Compile every directory. Returns {reldir: {asset name: str|bytes}}."""
    env = make_template_env(src)
    compiled = {}
    for reldir in find_source_dirs(src):
        depth = len(reldir.split("/")) if reldir else 0
        variables = {
            "root": "../" * depth or "./",
            "api_url": api_url,
            "version": __version__,
        }
        template = get_template(env, src, reldir)
        dirname = os.path.join(src, reldir) if reldir else src
        compiled[reldir] = create_assets_from_dir(dirname, template, **variables)
        if reldir == HELP_DIR and os.path.isfile(CHANGELOG):
            compiled[reldir]["changes"] = changelog_page(template, variables)
    return compiled


def changelog_page(template, variables):
    """CHANGELOG.md as the page "changes" of the help folder (a page that is not the
    folder's index sits one level deeper: its root is one "../" further)."""
    with open(CHANGELOG, encoding="utf-8") as f:
        text = f.read()
    page_vars = dict(variables, page="changes")
    page_vars["root"] = "../" + page_vars["root"].removeprefix("./")
    try:
        return md2html(text, template, **page_vars)
    except Exception as err:
        raise AssetError(
            CHANGELOG, 1, f"cannot render the release notes: {err}"
        ) from None


# %% Laying out the output


def content_hash(content):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:HASH_LEN]


def to_bytes(content):
    return content if isinstance(content, bytes) else content.encode("utf-8")


def page_path(reldir, name):
    parts = [reldir] if reldir else []
    if name != "index":
        parts.append(name)
    return "/".join(parts + ["index.html"])


_ATTR_REF = re.compile(r"""(\s(?:src|href)=)(["'])([^"'<>\s]+)\2""")
_SCRIPT_TAG = re.compile(
    r"""<script\s+src=(["'])([A-Za-z_][A-Za-z0-9_]*\.js)\1\s*>\s*</script>"""
)
_STYLESHEETS = re.compile(
    r"""(?:<link\s+rel=(["'])stylesheet\1\s+href=(["'])[^"'<>\s]+\.css\2\s*/?>\s*){2,}"""
)
_STYLESHEET_HREF = re.compile(r"""href=(["'])([^"'<>\s]+\.css)\1""")
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")


def relative_url(from_file, target):
    """The URL of ``target`` as seen from the page at ``from_file`` (both dist paths)."""
    return posixpath.relpath(target, posixpath.dirname(from_file) or ".")


_minified = {}  # (kind, sha256 of the text) -> minified text (watch mode)


def _minify(kind, text, minifier):
    key = (kind, hashlib.sha256(text.encode("utf-8")).digest())
    found = _minified.get(key)
    if found is None:
        if len(_minified) > 200:
            _minified.clear()
        found = _minified[key] = minifier(text).strip() + "\n"
    return found


def minify_js(text):
    """JS without comments and needless whitespace (rjsmin; names are kept)."""
    import rjsmin

    return _minify("js", text, rjsmin.jsmin)


def minify_css(text):
    import rcssmin

    return _minify("css", text, rcssmin.cssmin)


def script_hash(text):
    """The CSP source that allows an inline script with this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def api_origin(api_url):
    """The origin of an absolute API URL (``https://api.example.com``), else None."""
    m = re.match(r"^(https?://[^/?#\s]+)", api_url, re.I)
    return m.group(1).lower() if m else None


def content_security_policy(script_hashes=(), api_url=DEFAULT_API_URL):
    """The site's Content-Security-Policy: scripts only from the site itself (and the
    inline scripts with these hashes), no plugins, no framing, no <base> or form
    target elsewhere; connections to the site and the API; images also from data:
    and blob: URLs (exports, PDF); style attributes (tag colours) but no inline
    style elements."""
    connect = ["'self'"]
    origin = api_origin(api_url)
    if origin:
        connect.append(origin)
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", *sorted(set(script_hashes))]),
        ("style-src", ["'self'"]),
        ("style-src-attr", ["'unsafe-inline'"]),
        ("img-src", ["'self'", "data:", "blob:"]),
        ("font-src", ["'self'"]),
        ("connect-src", connect),
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("frame-src", ["'none'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def security_headers(policy):
    """The headers every answer of the site carries (pages and static files)."""
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


class Layout:
    """Decides where every compiled asset goes, bundles the client modules of each
    page, and rewrites references to them."""

    def __init__(self, compiled, src, api_url=DEFAULT_API_URL):
        self.src = src
        self.api_url = api_url
        self.compiled = compiled
        self.modules = {}  # module name -> JSModule
        self.static_sources = {}  # asset name -> (reldir, content)
        self.static_paths = {}  # asset name -> dist path
        self.outputs = {}  # dist path -> bytes
        self.references = {}  # dist path of page -> set of static dist paths it uses
        self.css_deps = {}  # css asset name -> dist paths its url()s point at
        self.bundles = {}  # (modules, main) -> dist path of the bundle
        self.script_hashes = set()  # CSP sources of the pages' inline scripts

    def run(self):
        for reldir, assets in self.compiled.items():
            for name, content in assets.items():
                if self.is_page(name) or name in FIXED_NAMES or name.endswith(".html"):
                    continue
                if name in self.static_sources:
                    other = self.static_sources[name][0] or "."
                    if isinstance(content, JSModule):
                        raise BuildError(
                            f"{self.src_path(reldir, content.name + '.py')}:1: the "
                            f"client module name {content.name!r} is also used in "
                            f"{other}/; module names must be unique (each is the "
                            f"global {content.name} at run time)"
                        )
                    raise BuildError(
                        f"{self.src_path(reldir, name)}:1: the asset name {name!r} is "
                        f"also used in {other}/; asset names must be unique"
                    )
                self.static_sources[name] = (reldir, content)
                if isinstance(content, JSModule):
                    self.modules[content.name] = content
        self.check_modules()
        self.place_static()
        for reldir, assets in self.compiled.items():
            for name, content in assets.items():
                if self.is_page(name):
                    path = page_path(reldir, name)
                    self.outputs[path] = self.rewrite_html(path, content)
                elif name.endswith(".html"):
                    path = posixpath.join(reldir, name)
                    self.outputs[path] = self.rewrite_html(path, content)
                elif name == "manifest.json":
                    path = posixpath.join(reldir, name)
                    self.outputs[path] = self.rewrite_manifest(path, content)
                elif name in FIXED_NAMES and name != "sw.js":
                    self.outputs[posixpath.join(reldir, name)] = to_bytes(content)
        for reldir, assets in self.compiled.items():
            if "sw.js" in assets:
                self.add_service_worker(reldir, assets["sw.js"])
        self.outputs["_headers"] = self.headers_file().encode()
        return self.outputs

    @staticmethod
    def is_page(name):
        return "." not in name

    def src_path(self, reldir, name):
        return os.path.join(self.src, reldir, name)

    def check_modules(self):
        """Every import names the module file it means (relative to the importer)."""
        for name, module in self.modules.items():
            for imp in module.imports + module.later:
                target = posixpath.normpath(
                    posixpath.join(self.module_dir(name), imp.path)
                )
                found = imp.name in self.modules and target == posixpath.join(
                    self.module_dir(imp.name), imp.name + ".py"
                )
                if found:
                    continue
                if target.startswith("../"):
                    problem = "that is outside the sources"
                else:
                    problem = f"there is no client module {target}"
                    if imp.name in self.modules:
                        other = posixpath.join(
                            self.module_dir(imp.name), imp.name + ".py"
                        )
                        problem += f" ({imp.name} is {other})"
                raise BuildError(
                    f"{self.module_source(name)}:{imp.lineno}: '{imp.statement}': "
                    f"{problem}"
                )
        for name in self.modules:
            self.module_order(name)  # raises on cycles

    def module_dir(self, name):
        """The folder of a client module, relative to the sources ("" at the top)."""
        return self.static_sources[name + ".js"][0]

    def module_source(self, name):
        return self.src_path(self.module_dir(name), name + ".py")

    def module_order(self, name, _stack=()):
        """The module and everything it needs, dependencies first."""
        if name in _stack:
            cycle = " -> ".join(_stack + (name,))
            raise BuildError(f"{self.module_source(name)}:1: circular imports: {cycle}")
        order = []
        for dep in self.modules[name].requires:
            for item in self.module_order(dep, _stack + (name,)):
                if item not in order:
                    order.append(item)
        order.append(name)
        return order

    def later_modules(self, included):
        """What the modules ``included`` load on first use, and everything that needs
        (except what is included), dependencies first."""
        order = []
        todo = [imp.name for name in included for imp in self.modules[name].later]
        while todo:
            for item in self.module_order(todo.pop(0)):
                if item not in included and item not in order:
                    order.append(item)
                    todo.extend(imp.name for imp in self.modules[item].later)
        return order

    def place_static(self):
        """Name static assets by content; CSS after what it references. Client
        modules are not placed one by one: pages get them in bundles."""
        names = sorted(
            n
            for n in self.static_sources
            if not (n.endswith(".js") and n[:-3] in self.modules)
        )
        css = [n for n in names if n.endswith(".css")]
        for name in names:
            if name not in css:
                self.put_static(name, self.static_sources[name][1])
        for name in css:
            content = self.static_sources[name][1]
            content = _CSS_URL.sub(lambda m, n=name: self.css_url(m, n), content)
            self.put_static(name, minify_css(content))

    def put_static(self, name, content):
        self.static_paths[name] = self.place(name, content)

    def place(self, name, content):
        """Write ``content`` to ``static/<stem>.<hash>.<ext>``; returns that path."""
        stem, ext = posixpath.splitext(name)
        path = f"static/{stem}.{content_hash(content)}{ext}"
        self.outputs[path] = to_bytes(content)
        return path

    def css_url(self, m, css_name):
        target = m.group(2)
        if target in self.static_paths:
            self.css_deps.setdefault(css_name, set()).add(self.static_paths[target])
            return f"url({posixpath.basename(self.static_paths[target])})"
        return m.group(0)

    def bundle(self, name, modules, main=False):
        """The dist path of one script holding ``modules`` (in that order), minified,
        with PScript's helpers defined once; with ``main``, it ends by calling
        ``name.main()`` (the page is parsed by then: bundles are deferred)."""
        key = (tuple(modules), main)
        if key not in self.bundles:
            mods = [self.modules[m] for m in modules]
            helpers = pscript_helpers(
                sorted({f for m in mods for f in m.std_functions}),
                sorted({f for m in mods for f in m.std_methods}),
            )
            parts = ["(function () {", '"use strict";', helpers]
            parts += [m.linkable for m in mods]
            if main:
                parts.append(f"globalThis.{name}.main();")
            parts.append("}());")
            text = minify_js("\n".join(parts))
            self.bundles[key] = self.place(name + ".js", text)
        return self.bundles[key]

    def expand_scripts(self, path, content, used):
        """Each script tag naming a client module becomes one deferred script: the
        module and what it needs that the page does not have yet. The last one
        names, in ``data-later``, the bundle of what the page's modules load on
        first use (``lazy`` fetches it)."""
        tags = [
            m for m in _SCRIPT_TAG.finditer(content) if m.group(2)[:-3] in self.modules
        ]
        if not tags:
            return content
        included = []
        plans = []
        for m in tags:
            name = m.group(2)[:-3]
            mods = [x for x in self.module_order(name) if x not in included]
            included += mods
            plans.append((m, name, mods))
        later = self.later_modules(included)
        last = max(i for i, plan in enumerate(plans) if plan[2])
        pieces = []
        pos = 0
        for i, (m, name, mods) in enumerate(plans):
            pieces.append(content[pos : m.start()])
            pos = m.end()
            if not mods:
                continue
            main = "main" in self.modules[name].exports
            target = self.bundle(name, mods, main)
            used.add(target)
            tag = f'<script src="{relative_url(path, target)}" defer'
            if later and i == last:
                later_target = self.bundle(name + ".later", later)
                used.add(later_target)
                tag += f' data-later="{relative_url(path, later_target)}"'
            pieces.append(tag + "></script>")
        pieces.append(content[pos:])
        return "".join(pieces)

    def combine_styles(self, path, content, used):
        """Consecutive stylesheet links of the site's own sheets become one link to
        their concatenation (one request), named after the first."""

        def combine(m):
            names = [h.group(2) for h in _STYLESHEET_HREF.finditer(m.group(0))]
            if not all(n in self.static_paths for n in names):
                return m.group(0)
            text = "".join(self.outputs[self.static_paths[n]].decode() for n in names)
            key = ("css",) + tuple(names)
            if key not in self.bundles:
                self.bundles[key] = self.place(names[0], text)
            target = self.bundles[key]
            used.add(target)
            for n in names:
                used.update(self.css_deps.get(n, ()))
            trailing = m.group(0)[len(m.group(0).rstrip()) :]
            url = relative_url(path, target)
            return f'<link rel="stylesheet" href="{url}">{trailing}'

        return _STYLESHEETS.sub(combine, content)

    def rewrite_html(self, path, content):
        used = self.references.setdefault(path, set())

        def rewrite_ref(m):
            target = m.group(3)
            if target not in self.static_paths:
                return m.group(0)
            used.add(self.static_paths[target])
            used.update(self.css_deps.get(target, ()))
            url = relative_url(path, self.static_paths[target])
            return f"{m.group(1)}{m.group(2)}{url}{m.group(2)}"

        content = self.combine_styles(path, content, used)
        content = self.expand_scripts(path, content, used)
        content = _ATTR_REF.sub(rewrite_ref, content)
        for m in _INLINE_SCRIPT.finditer(content):
            self.script_hashes.add(script_hash(m.group(1)))
        return content.encode("utf-8")

    def rewrite_manifest(self, path, content):
        try:
            data = json.loads(content)
        except json.JSONDecodeError as err:
            raise BuildError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None

        def walk(ob):
            if isinstance(ob, dict):
                return {k: walk(v) for k, v in ob.items()}
            if isinstance(ob, list):
                return [walk(v) for v in ob]
            if isinstance(ob, str) and ob in self.static_paths:
                self.references.setdefault(path, set()).add(self.static_paths[ob])
                return relative_url(path, self.static_paths[ob])
            return ob

        return (json.dumps(walk(data), indent=2, ensure_ascii=False) + "\n").encode()

    def add_service_worker(self, reldir, sw):
        """Precache the pages of this directory (and below) and what they reference
        (the bundles loaded on first use included, so that dialogs open offline)."""
        prefix = reldir + "/" if reldir else ""
        sw_path = prefix + "sw.js"
        cached = {}
        for path in sorted(self.outputs):
            if not path.startswith(prefix) or path.startswith("static/"):
                continue
            if path.endswith("index.html"):
                rel = posixpath.relpath(posixpath.dirname(path) or ".", reldir or ".")
                key = "./" if rel == "." else rel + "/"
            elif posixpath.basename(path) in FIXED_NAMES:
                key = relative_url(sw_path, path)
            else:
                continue
            cached[key] = self.outputs[path]
            for target in sorted(self.references.get(path, ())):
                cached[relative_url(sw_path, target)] = self.outputs[target]
        cached["sw.js"] = sw
        enable_service_worker(cached)
        self.outputs[sw_path] = to_bytes(cached["sw.js"])

    def policy(self):
        return content_security_policy(self.script_hashes, self.api_url)

    def headers_file(self):
        urls = []
        for path in sorted(self.outputs):
            if path.endswith("index.html"):
                folder = posixpath.dirname(path)
                urls += [f"/{folder}/" if folder else "/", f"/{path}"]
            elif posixpath.basename(path) in (
                "sw.js",
                "manifest.json",
            ) or path.endswith(".html"):
                urls.append(f"/{path}")
        rules = "".join(f"{url}\n  Cache-Control: no-cache\n" for url in urls)
        security = "".join(
            f"  {name}: {value}\n"
            for name, value in security_headers(self.policy()).items()
        )
        return HEADERS_FILE.format(security=security, revalidate=rules)


_gzip_cache = {}


def add_gzip(outputs):
    """Add a ``.gz`` twin (deterministic: no name, no time) to text files over 1 KiB."""
    used = {}
    for path in sorted(outputs):
        data = outputs[path]
        ext = posixpath.splitext(path)[1]
        if ext in COMPRESSIBLE and len(data) > GZIP_MIN_SIZE:
            key = hashlib.sha256(data).digest()
            gz = _gzip_cache.get(key)  # watch mode: only compress what changed
            if gz is None:
                gz = gzip.compress(data, compresslevel=9, mtime=0)
            used[key] = outputs[path + ".gz"] = gz
    _gzip_cache.clear()
    _gzip_cache.update(used)
    return outputs


def build_outputs(src=DEFAULT_SRC, api_url=DEFAULT_API_URL):
    """Compile the sources into {dist path: bytes}. Raises BuildError."""
    try:
        compiled = compile_sources(src, api_url)
        layout = Layout(compiled, src, api_url)
        outputs = layout.run()
    except AssetError as err:
        raise BuildError(str(err)) from None
    return add_gzip(outputs)


# %% Writing


def summary(outputs, seconds):
    files = [p for p in outputs if not p.endswith(".gz")]
    total = sum(len(outputs[p]) for p in files)
    transfer = sum(len(outputs.get(p + ".gz", outputs[p])) for p in files)
    return (
        f"{len(files)} files, {total:,} bytes, {transfer:,} bytes gzipped, "
        f"{seconds:.2f} s"
    )


def write_tree(root, outputs):
    for path in sorted(outputs):
        full = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(outputs[path])


def write_atomically(out, outputs):
    """Write the whole tree beside ``out``, then swap it in."""
    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    tmp = f"{out}.tmp-{tag}"
    old = f"{out}.old-{tag}"
    try:
        write_tree(tmp, outputs)
        if os.path.exists(out):
            os.rename(out, old)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def update_tree(out, old_outputs, outputs):
    """Write only what changed since the previous build; remove what is gone."""
    changed = 0
    for path, data in outputs.items():
        if old_outputs.get(path) != data:
            full = os.path.join(out, *path.split("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            tmp = full + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, full)
            changed += 1
    for path in old_outputs.keys() - outputs.keys():
        try:
            os.remove(os.path.join(out, *path.split("/")))
        except FileNotFoundError:
            pass
        changed += 1
    return changed


def build(src=DEFAULT_SRC, out=DEFAULT_OUT, api_url=DEFAULT_API_URL):
    """Build ``src`` into ``out``. Returns (outputs, summary line). Raises BuildError."""
    t0 = time.perf_counter()
    outputs = build_outputs(src, api_url)
    write_atomically(out, outputs)
    return outputs, summary(outputs, time.perf_counter() - t0)


# %% Command line


def normalize_api_url(url):
    url = url.strip()
    if not url:
        return DEFAULT_API_URL
    if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) and not re.match(
        r"^https?://[^/\s]+", url, re.I
    ):
        raise BuildError(f"--api-url: {url!r} is not an http(s) URL or a relative path")
    if any(c in url for c in " \"'<>\\"):
        raise BuildError(f"--api-url: {url!r} contains characters not allowed in a URL")
    return url if url.endswith("/") else url + "/"


def watch(src, out, api_url, quiet=False):
    from watchfiles import watch as watch_changes

    outputs, line = build(src, out, api_url)
    print(f"built {os.path.relpath(out)}: {line}", flush=True)
    print(f"watching {os.path.relpath(src)} for changes (Ctrl+C stops)", flush=True)
    for changes in watch_changes(src, step=10, debounce=400, rust_timeout=5000):
        t0 = time.perf_counter()
        try:
            new_outputs = build_outputs(src, api_url)
        except BuildError as err:
            print(f"build failed: {err}", file=sys.stderr, flush=True)
            continue
        n = update_tree(out, outputs, new_outputs)
        outputs = new_outputs
        if not quiet:
            names = ", ".join(sorted({os.path.relpath(p, src) for _, p in changes}))
            print(
                f"rebuilt in {time.perf_counter() - t0:.3f} s: {n} output files "
                f"changed ({names})",
                flush=True,
            )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="build.py", description="Compile site_src/ into a static site."
    )
    parser.add_argument(
        "--src", default=DEFAULT_SRC, help="source tree (default site_src)"
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help="output directory (default dist)"
    )
    parser.add_argument(
        "--api-url",
        default=DEFAULT_API_URL,
        help="API base URL the pages use: absolute (https://api.example.com/timetagger/api/v2/) "
        "or relative to the site root (default api/v2/, same origin)",
    )
    parser.add_argument("--watch", action="store_true", help="rebuild on every change")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="with --watch: also run the API process serving the output on 127.0.0.1:8080",
    )
    parser.add_argument("--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    try:
        api_url = normalize_api_url(args.api_url)
        if not os.path.isdir(args.src):
            raise BuildError(f"--src: {args.src!r} is not a directory")
        if args.watch:
            server = None
            if args.serve:
                server = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "timetagger",
                        f"--site_dir={os.path.abspath(args.out)}",
                    ],
                    env={**os.environ, "PYTHONPATH": os.path.join(HERE, "api")},
                )
            try:
                watch(args.src, args.out, api_url, args.quiet)
            except KeyboardInterrupt:
                pass
            finally:
                if server is not None:
                    server.terminate()
                    server.wait(10)
            return 0
        _, line = build(args.src, args.out, api_url)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"built {os.path.relpath(args.out)}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
