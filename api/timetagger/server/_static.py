"""Serving a built site (``dist/``) from disk, for single-machine use (``make run``).

Production deployments put ``dist/`` on a static host or CDN; this is the same
behaviour for one process: pretty URLs (``login/`` serves ``login/index.html``, and
``login`` redirects there, as static hosts do), precompressed ``.gz`` copies when the client accepts gzip,
``ETag`` revalidation, and the cache policy of ``dist/_headers`` (hashed files under
``static/`` are immutable for a year, everything else is revalidated).

Every answer (pages, static files, redirects, not-modified) carries the security
headers of the build: the ``/*`` block of ``dist/_headers`` (its
Content-Security-Policy holds the hashes of the pages' inline scripts and the API's
origin, which only the build knows), re-read when that file changes. A site without
``_headers`` gets ``DEFAULT_SECURITY_HEADERS`` (a policy without inline scripts).

The path it gets is already percent-decoded (by the ASGI server) and is never decoded
again. Request headers are read leniently (a stray non-UTF-8 byte in a Cookie or a
User-Agent is harmless). A redirect's ``Location`` is built from the normalised path
below the prefix, percent-encoded, and always starts with the prefix (a single ``/``):
never a protocol-relative ``//host`` link, never a raw control character.
"""

import mimetypes
import os
import posixpath
from urllib.parse import quote, quote_from_bytes

from ._http import header

EXTRA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ogg": "audio/ogg",
    ".ico": "image/x-icon",
}

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

DEFAULT_SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def read_site_headers(text):
    """The headers of the ``/*`` block of a ``_headers`` file (lower-case names)."""
    found = {}
    in_block = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            in_block = line.strip() == "/*"
            continue
        if in_block and ":" in line:
            name, value = line.split(":", 1)
            found[name.strip().lower()] = value.strip()
    return found


def content_type(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTRA_TYPES:
        return EXTRA_TYPES[ext]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class SiteServer:
    """Answers GET/HEAD requests for files of a built site directory."""

    def __init__(self, dirname):
        self.root = os.path.realpath(dirname)
        self._headers = (None, DEFAULT_SECURITY_HEADERS)

    def security_headers(self):
        """The ``/*`` headers of the site's ``_headers`` (cached on its mtime)."""
        path = os.path.join(self.root, "_headers")
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            return DEFAULT_SECURITY_HEADERS
        if self._headers[0] != stamp:
            with open(path, encoding="utf-8", errors="replace") as f:
                found = read_site_headers(f.read())
            self._headers = (stamp, found or DEFAULT_SECURITY_HEADERS)
        return self._headers[1]

    def resolve(self, subpath):
        """Map a URL path below the prefix to a file, or None. Never leaves the root.

        A folder asked for without its trailing slash resolves to its index.html;
        ``respond`` redirects such requests, as static hosts do."""
        if "\x00" in subpath or "\\" in subpath:
            return None
        norm = posixpath.normpath("/" + subpath).lstrip("/")
        if norm == ".":
            norm = ""
        if any(part in ("..", ".") for part in norm.split("/")):
            return None
        candidates = []
        if subpath == "" or subpath.endswith("/"):
            candidates.append(posixpath.join(norm, "index.html"))
        else:
            candidates.append(norm)
            candidates.append(posixpath.join(norm, "index.html"))
        for rel in candidates:
            path = os.path.realpath(os.path.join(self.root, rel))
            if path != self.root and not path.startswith(self.root + os.sep):
                continue
            if os.path.isfile(path):
                return path
        return None

    def respond(self, request, subpath, prefix="/"):
        """Return (status, headers, body) for the file, or None when there is none.

        ``subpath`` is the decoded path below ``prefix`` (which starts and ends with
        ``/``)."""
        path = self.resolve(subpath)
        if path is None or os.path.basename(path).startswith("_"):
            return None
        if (
            subpath
            and not subpath.endswith("/")
            and path.endswith(os.sep + "index.html")
        ):
            # Relative links in the page assume the slash: redirect like static hosts.
            folder = os.path.relpath(os.path.dirname(path), self.root)
            return (
                301,
                {
                    "location": folder_location(prefix, folder, request),
                    "cache-control": REVALIDATE,
                    **self.security_headers(),
                },
                b"",
            )
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        headers = {
            "content-type": content_type(path),
            "cache-control": IMMUTABLE if rel.startswith("static/") else REVALIDATE,
            "vary": "accept-encoding",
            **self.security_headers(),
        }
        serve = path
        accept = header(request, "accept-encoding", "")
        if "gzip" in accept and os.path.isfile(path + ".gz"):
            serve = path + ".gz"
            headers["content-encoding"] = "gzip"
        st = os.stat(serve)
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        headers["etag"] = etag
        if etag in header(request, "if-none-match", ""):
            return 304, headers, b""
        if request.method == "HEAD":
            headers["content-length"] = str(st.st_size)
            return 200, headers, b""
        with open(serve, "rb") as f:
            return 200, headers, f.read()


# Characters left as they are in a Location: RFC 3986's unreserved and sub-delims,
# ":" and "@" (and "/" between segments); everything else is percent-encoded.
PATH_SAFE = "-._~!$&'()*+,;=:@/"
QUERY_SAFE = "-._~!$&'()*+,;=:@/?%"


def folder_location(prefix, folder, request):
    """The path-absolute URL of a folder of the site (``prefix`` + folder + ``/``),
    percent-encoded, with the request's query string."""
    folder = folder.replace(os.sep, "/").strip("/")
    location = prefix
    if folder not in ("", "."):
        location += quote(folder, safe=PATH_SAFE) + "/"
    query = request.scope.get("query_string", b"")
    if query:
        location += "?" + quote_from_bytes(query, safe=QUERY_SAFE)
    return location
