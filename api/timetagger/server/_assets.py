"""Asset functions: turn a directory of sources into a dict of servable assets.

Public (library reference): ``md2html``, ``create_assets_from_dir`` and
``enable_service_worker``. ``build.py`` uses them to compile ``site_src/`` into
``dist/``; an embedding ASGI app can use them to serve assets from memory.

Per file, by extension:

* ``.md``: a page. The first ``%`` line is the title, the second the description; the
  rest is markdown (with fenced code, tables, attribute lists and markdown inside HTML),
  rendered through a jinja2 template. The asset name is the file name without ``.md``.
* ``.scss``: CSS with ``$variables`` and ``@import "partial";`` (a ``_partial.scss`` in
  the same directory). No nesting: the rest is plain CSS. Name ``<stem>.css``.
* ``.py``: a client module compiled by PScript into a JS module named ``<stem>.js``.
  It names the modules it needs with relative imports, read as Python reads them:
  ``from . import dt`` is ``dt.py`` beside it, ``from .store import stores`` is
  ``store/stores.py`` below it, ``from ..core import tags`` is ``core/tags.py`` in the
  parent folder (``JSModule.imports``; ``build.py`` checks that each exists). The
  module defines the global ``<stem>`` whose attributes are the module's public names,
  sorted; a module is reached at run time by that global, so a site's module names are
  unique whatever folder they live in. Imports in a top-level block
  ``if lazy.ON_FIRST_USE:`` name modules that are loaded on first use
  (``JSModule.later``): the build puts them in a page's second bundle, and the module
  reaches them through their globals once ``lazy`` has loaded that bundle.
* ``.html .js .css .json .txt .svg .xml .webmanifest``: text, as is.
* images, fonts and audio: bytes, as is.

Names starting with ``_`` or ``.`` are skipped (templates, partials). Compiled results
are cached by file path, size and modification time, so a rebuild after a change only
recompiles what changed.
"""

import hashlib
import json
import os
import re
import sys
import threading
from typing import Any, NamedTuple

from .. import __version__

TEXT_EXTENSIONS = {
    ".html",
    ".js",
    ".mjs",
    ".css",
    ".json",
    ".txt",
    ".svg",
    ".xml",
    ".webmanifest",
    ".map",
}
BINARY_EXTENSIONS = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".avif",
    ".ico",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".eot",
    ".ogg",
    ".oga",
    ".mp3",
    ".wav",
    ".pdf",
}

DEFAULT_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<meta name="description" content="{{ description }}">
</head>
<body>
{{ main }}
</body>
</html>
"""


class AssetError(Exception):
    """A source file that cannot be compiled. ``str()`` gives ``file:line: message``."""

    def __init__(self, filename, lineno, message):
        self.filename = filename
        self.lineno = lineno
        self.message = message
        super().__init__(f"{filename}:{lineno or 1}: {message}")


class JSModule(str):
    """The JS text of a compiled client module (standalone: the PScript helpers it
    uses are inside), with its ``name``, the names of the modules it ``requires``
    (their globals, passed to it when it loads), where those live (``imports``: one
    ``ModuleImport`` per required module), the modules it loads on first use
    (``later``: ``ModuleImport`` list, not passed to it), and the names it
    ``exports``. For bundling, ``linkable`` is the same module without the PScript
    helpers, and ``std_functions`` / ``std_methods`` name the helpers it needs (a
    bundle defines each once, see ``pscript_helpers``)."""

    name = ""
    requires = ()
    imports = ()
    later = ()
    exports = ()
    linkable = ""
    std_functions = ()
    std_methods = ()


class ModuleImport(NamedTuple):
    """A client module named by a relative import: ``name`` (its global), ``path``
    (its file relative to the importing module's folder, e.g. ``../core/dt.py``),
    ``lineno`` and ``statement`` (the import as written, for error messages)."""

    name: str
    path: str
    lineno: int
    statement: str


# %% Pages


def _get_markdown():
    import markdown

    return markdown.Markdown(
        extensions=["fenced_code", "tables", "attr_list", "md_in_html", "sane_lists"],
        output_format="html",
    )


_markdown_lock = threading.Lock()
_markdown_instance = None
_ICON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def split_page(text):
    """Split a page source into (title, description, markdown body, body line offset)."""
    lines = text.splitlines(keepends=True)
    meta = []
    while lines and len(meta) < 2 and lines[0].startswith("%"):
        meta.append(lines.pop(0)[1:].strip())
    title = meta[0] if meta else ""
    description = meta[1] if len(meta) > 1 else ""
    return title, description, "".join(lines), len(meta)


def markdown_to_html(text):
    """Convert markdown to HTML. ``\\uXXXX`` escapes (icon glyphs) become characters."""
    global _markdown_instance
    text = _ICON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    with _markdown_lock:
        if _markdown_instance is None:
            _markdown_instance = _get_markdown()
        md = _markdown_instance
        md.reset()
        return md.convert(text)


def _as_template(template):
    import jinja2

    if template is None:
        template = DEFAULT_TEMPLATE
    if isinstance(template, str):
        return jinja2.Template(template)
    return template


def md2html(text: str, template: Any, **variables: Any) -> str:
    """Render a markdown page through a jinja2 template.

    The first line starting with ``%`` is the title, the second the description. The
    template (a ``jinja2.Template`` or template text) gets ``title``, ``description``,
    ``main`` (the page body as HTML) and the given ``variables``.
    """
    title, description, body, _ = split_page(text)
    main = markdown_to_html(body)
    return _as_template(template).render(
        title=title, description=description, main=main, **variables
    )


# %% Styles

_SCSS_VAR_DEF = re.compile(r"^\s*\$([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*(!default\s*)?;\s*$")
_SCSS_VAR_USE = re.compile(r"\$([A-Za-z_][\w-]*)")
_SCSS_IMPORT = re.compile(r"""^\s*@import\s+["']([^"']+)["']\s*;\s*$""")


def compile_scss(text, filename, variables=None, _seen=None):
    """Compile our small SCSS subset (variables, imports, ``//`` comments) to CSS."""
    variables = {} if variables is None else variables
    seen = set() if _seen is None else _seen
    seen.add(os.path.abspath(filename))
    out = []
    in_block_comment = False
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_block_comment:
            out.append(line)
            in_block_comment = "*/" not in line
            continue
        if stripped.startswith("/*") and "*/" not in stripped:
            in_block_comment = True
            out.append(line)
            continue
        if stripped.startswith("//"):
            continue
        m = _SCSS_IMPORT.match(line)
        if m:
            partial = _find_partial(filename, m.group(1))
            if partial is None:
                raise AssetError(
                    filename, lineno, f"cannot find {m.group(1)!r} to import"
                )
            if os.path.abspath(partial) in seen:
                raise AssetError(filename, lineno, f"circular import of {m.group(1)!r}")
            with open(partial, encoding="utf-8") as f:
                out.append(compile_scss(f.read(), partial, variables, seen))
            continue
        m = _SCSS_VAR_DEF.match(line)
        if m:
            name, value, is_default = m.group(1), m.group(2), m.group(3)
            value = _substitute_vars(value, variables, filename, lineno)
            if not (is_default and name in variables):
                variables[name] = value
            continue
        out.append(_substitute_vars(line, variables, filename, lineno))
    seen.discard(os.path.abspath(filename))
    return "\n".join(out).strip() + "\n"


def _substitute_vars(line, variables, filename, lineno):
    def repl(m):
        name = m.group(1)
        if name not in variables:
            raise AssetError(filename, lineno, f"undefined variable ${name}")
        return variables[name]

    return _SCSS_VAR_USE.sub(repl, line)


def _find_partial(filename, name):
    base = os.path.join(os.path.dirname(filename), os.path.dirname(name))
    stem = os.path.basename(name)
    if stem.endswith(".scss"):
        stem = stem[:-5]
    for candidate in (f"_{stem}.scss", f"{stem}.scss"):
        path = os.path.join(base, candidate)
        if os.path.isfile(path):
            return path
    return None


# %% Client modules

_MODULE_WRAPPER = """(function (root, factory) {{
    root.{name} = factory({dep_args});
}}(typeof globalThis !== "undefined" ? globalThis : this, function ({dep_names}) {{
"use strict";

{code}

// A namespace object without a prototype, so that PScript's dict helpers
// (module.get(), .keys(), .pop() ...) call the module's own functions.
return Object.assign(Object.create(null), {{{exports}}});
}}));
"""


def compile_pymodule(source, filename):
    """Compile a client module written in Python into a JS module (see module doc)."""
    from pscript import JSError, Parser

    name = os.path.splitext(os.path.basename(filename))[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise AssetError(filename, 1, "a module name must be a valid identifier")
    imports, later, code = _module_imports(source, filename)
    requires = [imp.name for imp in imports]
    try:
        parser = Parser(code, pysource=(filename, 0), inline_stdlib=False)
        js = parser.dump()
    except SyntaxError as err:
        raise AssetError(filename, err.lineno, f"syntax error: {err.msg}") from None
    except Exception as err:  # JSError, or an internal assertion of PScript's
        lineno = _pscript_error_line(sys.exc_info()[2])
        text = str(err).strip()
        if isinstance(err, JSError) and text:
            msg = text.splitlines()[-1]
        else:
            msg = (
                f"unsupported construct ({type(err).__name__}: {text or 'no details'})"
            )
        raise AssetError(
            filename, lineno, f"PScript cannot compile this: {msg}"
        ) from None
    defined = parser.vars.get_defined()
    exports = sorted(n for n in defined if not n.startswith("_"))
    std_functions = tuple(sorted(parser._std_functions))
    std_methods = tuple(sorted(parser._std_methods))

    def wrap(code):
        return _MODULE_WRAPPER.format(
            name=name,
            dep_args=", ".join(f"root.{dep}" for dep in requires),
            dep_names=", ".join(requires),
            code=code.strip(),
            exports=", ".join(f"{n}: {n}" for n in exports),
        )

    helpers = pscript_helpers(std_functions, std_methods)
    module = JSModule(wrap(helpers + js))
    module.name = name
    module.requires = tuple(requires)
    module.imports = tuple(imports)
    module.later = tuple(later)
    module.exports = tuple(exports)
    module.linkable = wrap(js)
    module.std_functions = std_functions
    module.std_methods = std_methods
    return module


def pscript_helpers(std_functions, std_methods):
    """The JS of PScript's runtime helpers with these names (and what they use)."""
    from pscript.stdlib import get_partial_std_lib

    if not std_functions and not std_methods:
        return ""
    return get_partial_std_lib(set(std_functions), set(std_methods), 0) + "\n"


def _is_on_first_use_block(node):
    """``if lazy.ON_FIRST_USE:`` (the imports of modules loaded on first use)."""
    import ast

    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Attribute)
        and isinstance(test.value, ast.Name)
        and test.value.id == "lazy"
        and test.attr == "ON_FIRST_USE"
    )


def _module_imports(source, filename):
    """The client modules a module imports (``ModuleImport`` list), those it loads on
    first use (the imports in its ``if lazy.ON_FIRST_USE:`` block), and its source
    with those import lines blanked (line numbers stay, for PScript's error
    messages)."""
    import ast

    try:
        tree = ast.parse(source, filename)
    except SyntaxError as err:
        raise AssetError(filename, err.lineno, f"syntax error: {err.msg}") from None
    imports = []
    later = []
    lines = source.splitlines()
    top_level = set()
    statements = []  # (node, the list its modules go to)
    for node in tree.body:
        if _is_on_first_use_block(node):
            if node.orelse or not all(
                isinstance(n, ast.ImportFrom) and n.level > 0 for n in node.body
            ):
                raise AssetError(
                    filename,
                    node.lineno,
                    "'if lazy.ON_FIRST_USE:' holds relative imports only "
                    "(of the modules loaded on first use)",
                )
            statements.extend((n, later) for n in node.body)
            for i in range(node.lineno - 1, node.lineno):
                lines[i] = ""
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            statements.append((node, imports))
    for node, found in statements:
        top_level.add(id(node))
        statement = "from " + "." * node.level + (node.module or "") + " import "
        folder = [".."] * (node.level - 1) + (node.module or "").split(".")
        for alias in node.names:
            if alias.asname is not None:
                raise AssetError(
                    filename,
                    node.lineno,
                    f"'{statement}{alias.name} as {alias.asname}': a client "
                    "module keeps its name (it is a global at run time)",
                )
            if alias.name == "*":
                raise AssetError(
                    filename, node.lineno, f"'{statement}*': name the modules"
                )
            path = "/".join([p for p in folder if p] + [alias.name + ".py"])
            seen = [imp for imp in imports + later if imp.name == alias.name]
            if seen and seen[0].path != path:
                raise AssetError(
                    filename,
                    node.lineno,
                    f"'{statement}{alias.name}' and '{seen[0].statement}' name "
                    f"two modules {alias.name}",
                )
            if seen and seen[0] not in found:
                raise AssetError(
                    filename,
                    node.lineno,
                    f"'{statement}{alias.name}': {alias.name} is imported both "
                    "at load and on first use (line "
                    f"{seen[0].lineno}); keep one",
                )
            if not seen:
                found.append(
                    ModuleImport(alias.name, path, node.lineno, statement + alias.name)
                )
        for i in range(node.lineno - 1, node.end_lineno):
            lines[i] = ""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level > 0
            and id(node) not in top_level
        ):
            raise AssetError(
                filename,
                node.lineno,
                "client modules are imported at the top level of a module",
            )
    return imports, later, "\n".join(lines) + "\n"


def _pscript_error_line(tb):
    """The line of the deepest AST node PScript was processing when it failed."""
    lineno = None
    while tb is not None:
        # "node" in PScript's parser; "n" while it converts the Python AST.
        for local in ("node", "n"):
            candidate = getattr(tb.tb_frame.f_locals.get(local), "lineno", None)
            if isinstance(candidate, int) and candidate > 0:
                lineno = candidate
        tb = tb.tb_next
    return lineno


# %% Directories

_cache = {}
_cache_lock = threading.Lock()


def _cached(path, kind, compute):
    """Compute per file, cached on (path, size, mtime) so rebuilds are incremental."""
    st = os.stat(path)
    key = (os.path.abspath(path), kind)
    stamp = (st.st_size, st.st_mtime_ns)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = compute()
    with _cache_lock:
        _cache[key] = (stamp, value)
    return value


def _read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        lineno = data[: err.start].count(b"\n") + 1
        raise AssetError(path, lineno, "not valid UTF-8") from None


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def create_assets_from_dir(
    dirname: str, template: Any = None, **variables: Any
) -> dict[str, str | bytes]:
    """Get a dictionary of assets (name -> str or bytes) from a directory.

    ``template`` renders the ``.md`` pages: a ``jinja2.Template``, template text, or
    None to use ``_template.html`` in the directory (or a minimal built-in one). Extra
    ``variables`` are passed to the template; when ``root`` is among them (the path
    from the directory to the site root), each page gets the root as seen from where it
    is served: ``index`` at the directory itself, any other page ``X`` at ``X/``.
    Raises ``AssetError`` (with file and line) for a source that does not compile.
    """
    dirname = os.path.abspath(dirname)
    if template is None:
        own = os.path.join(dirname, "_template.html")
        template = _read_text(own) if os.path.isfile(own) else DEFAULT_TEMPLATE
    template = _as_template(template)
    assets = {}
    for fname in sorted(os.listdir(dirname)):
        path = os.path.join(dirname, fname)
        if fname.startswith(("_", ".")) or not os.path.isfile(path):
            continue
        stem, ext = os.path.splitext(fname)
        ext = ext.lower()
        if ext == ".md":
            assets[stem] = _render_page(path, stem, template, variables)
        elif ext == ".scss":
            assets[stem + ".css"] = _cached(
                path, "scss", lambda p=path: compile_scss(_read_text(p), p)
            )
        elif ext == ".py":
            assets[stem + ".js"] = _cached(
                path, "py", lambda p=path: compile_pymodule(_read_text(p), p)
            )
        elif ext in TEXT_EXTENSIONS:
            assets[fname] = _cached(path, "text", lambda p=path: _read_text(p))
        elif ext in BINARY_EXTENSIONS:
            assets[fname] = _cached(path, "bytes", lambda p=path: _read_bytes(p))
        else:
            raise AssetError(path, 1, f"unsupported file type {ext or '(none)'!r}")
    return assets


def _render_page(path, stem, template, variables):
    import jinja2

    def convert():
        title, description, body, offset = split_page(_read_text(path))
        return title, description, markdown_to_html(body)

    title, description, main = _cached(path, "md", convert)
    page_vars = dict(variables)
    if "root" in page_vars and stem != "index":
        page_vars["root"] = "../" + page_vars["root"].removeprefix("./")
    page_vars.setdefault("page", stem)
    try:
        return template.render(
            title=title, description=description, main=main, **page_vars
        )
    except (
        jinja2.TemplateError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
    ) as err:
        tname, lineno = _template_error_location(err, sys.exc_info()[2])
        where = tname or getattr(template, "name", None) or "template"
        raise AssetError(
            where, lineno, f"{err} (rendering {os.path.basename(path)})"
        ) from None


def _template_error_location(err, tb):
    """Find the template file and line of a jinja2 error."""
    name = getattr(err, "filename", None) or getattr(err, "name", None)
    lineno = getattr(err, "lineno", None)
    if lineno:
        return name, lineno
    while tb is not None:  # runtime errors: jinja2 maps frames to template lines
        code = tb.tb_frame.f_code
        if (
            code.co_filename.endswith((".html", ".j2", ".jinja"))
            or "<template>" in code.co_filename
        ):
            name, lineno = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return name, lineno


# %% Service worker

_SW_CACHE_NAME = re.compile(r"""(\bcacheName\s*=\s*)(["'])[^"']*\2""")
_SW_ASSETS = re.compile(r"(\bassets\s*=\s*)\[\s*\]")


def enable_service_worker(assets: dict[str, str | bytes]) -> str:
    """Enable the service worker 'sw.js', by giving it a cacheName based on a hash
    from all the assets.

    ``sw.js`` must assign ``cacheName = "..."`` and ``assets = []``. The cache name
    becomes ``timetagger_v<version>_<first 12 hex of a SHA-1 over every other asset, in
    sorted name order>``, and the sorted list of the other asset names is filled in as
    the list to precache. Without this, the worker caches nothing.
    """
    if "sw.js" not in assets:
        raise ValueError("enable_service_worker: there is no 'sw.js' among the assets")
    sw = assets["sw.js"]
    sw = sw.decode() if isinstance(sw, bytes) else str(sw)
    names = sorted(name for name in assets if name != "sw.js")
    digest = hashlib.sha1()
    for name in names:
        content = assets[name]
        digest.update(content if isinstance(content, bytes) else str(content).encode())
    cache_name = f"timetagger_v{__version__}_{digest.hexdigest()[:12]}"
    if not _SW_CACHE_NAME.search(sw) or not _SW_ASSETS.search(sw):
        raise ValueError(
            'enable_service_worker: sw.js must contain cacheName = "..." and assets = []'
        )
    sw = _SW_CACHE_NAME.sub(lambda m: m.group(1) + json.dumps(cache_name), sw, count=1)
    sw = _SW_ASSETS.sub(lambda m: m.group(1) + json.dumps(names), sw, count=1)
    assets["sw.js"] = sw
    return cache_name
