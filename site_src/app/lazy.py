"""Modules loaded on first use: the page's second bundle (the dialogs and what only
they need), fetched when the first of them is wanted.

A module names what it loads on first use in a top-level block::

    if lazy.ON_FIRST_USE:
        from .dialogs import menudialog

The build does not put those modules in the page's first script; it bundles them into
a second one and writes its URL into the first script tag (``data-later``). The
importer reaches them through their globals, inside ``lazy.run``::

    lazy.run(lambda: menudialog.MenuDialog(app).open())

``run(callback, failed=None)`` calls ``callback()`` at once when the bundle is there
(so a dialog opened a second time opens in the same event, as before) and otherwise
loads it first and returns a promise of the callback's result; ``failed(error)`` is
called when the bundle cannot be loaded (offline before the service worker cached it;
the next ``run`` tries again). ``load()`` only loads it (a promise); ``is_loaded()``
and ``is_loading()`` say where it is. The service worker precaches the bundle with the
app shell, so dialogs open offline.
"""

from pscript import window

# Marks the block of imports of modules loaded on first use (read by the build; the
# block never runs).
ON_FIRST_USE = False

_state = {"promise": None, "loaded": False}


def bundle_url():
    """The absolute URL of the page's bundle of modules loaded on first use, or ""
    when the page has none."""
    script = window.document.querySelector("script[data-later]")
    if not script:
        return ""
    return window.URL(script.getAttribute("data-later"), window.document.baseURI).href


def is_loaded():
    return _state.loaded


def is_loading():
    return _state.promise is not None and not _state.loaded


def load():
    """Load the bundle (once); returns a promise that resolves when its modules are
    there."""
    if _state.loaded:
        return window.Promise.resolve(True)
    if _state.promise is not None:
        return _state.promise
    url = bundle_url()
    if not url:
        return window.Promise.reject(
            window.Error("this page has no modules to load on first use")
        )

    def fetch_script(resolve, reject):
        script = window.document.createElement("script")
        script.src = url

        def loaded(e):
            _state.loaded = True
            resolve(True)

        def failed(e):
            _state.promise = None  # the next run tries again
            script.remove()
            reject(window.Error("could not load " + url))

        script.addEventListener("load", loaded)
        script.addEventListener("error", failed)
        window.document.head.appendChild(script)

    _state.promise = window.Promise(fetch_script)
    return _state.promise


def run(callback, failed=None):
    """Call ``callback()`` once the bundle is there: at once when it already is
    (returns the callback's result), else after loading it (returns a promise;
    ``failed(error)`` handles a load that fails)."""
    if _state.loaded:
        return callback()
    return load().then(lambda ok: callback(), failed)
