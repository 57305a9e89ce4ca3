"""The environment the page was built for: version, site root and API base URL.

The build writes ``{version, api_url, root}`` as JSON into every page, in
``<meta name="timetagger-config" content='...'>`` (data, not a script: the
Content-Security-Policy allows no inline script); ``root`` is the path from the page
to the site root. A ``window.timetagger_config`` object, when set (node tests, a page
that embeds the app), is used instead. The API URL is either
absolute (an API on another origin, set with ``build.py --api-url``) or relative to the
site root (default ``api/v2/``: the API beside the site, same origin). PG-06.
"""

from pscript import window

_page_config = {"value": None}


def get_config():
    """The config object the build put in the page (empty when absent)."""
    if window.timetagger_config:
        return window.timetagger_config
    if _page_config.value is None:
        _page_config.value = {}
        meta = None
        if window.document:
            meta = window.document.querySelector('meta[name="timetagger-config"]')
        if meta:
            try:
                _page_config.value = window.JSON.parse(meta.getAttribute("content"))
            except Exception as err:
                window.console.warn("timetagger-config is not JSON:", err)
    return _page_config.value


def page_base_url():
    """The URL relative links resolve against: the <base> the page set, if any
    (a pretty URL served without its trailing slash), else the page's own URL."""
    if window.document and window.document.baseURI:
        return window.document.baseURI
    return window.location.href


def get_version():
    return get_config().version or ""


def site_root_url(page_url=None):
    """Absolute URL of the site root, ending with a slash."""
    page_url = page_url or page_base_url()
    root = get_config().root or "./"
    return window.URL(root, page_url).href


def api_base_url(page_url=None):
    """Absolute URL of the API, ending with a slash."""
    api_url = get_config().api_url or "api/v2/"
    url = window.URL(api_url, site_root_url(page_url)).href
    if not url.endswith("/"):
        url += "/"
    return url


def api_url(endpoint, page_url=None):
    """Absolute URL of an API endpoint, e.g. ``api_url("updates?since=0")``."""
    while endpoint.startswith("/"):
        endpoint = endpoint[1:]
    return api_base_url(page_url) + endpoint


def is_cross_origin(page_url=None):
    """Whether the API lives on another origin than the page (needs CORS)."""
    page_url = page_url or page_base_url()
    return window.URL(api_base_url(page_url)).origin != window.URL(page_url).origin
