"""Serving a built site (``dist/``) from disk, for single-machine use (``make run``).

Production deployments put ``dist/`` on a static host or CDN; this is the same
behaviour for one process: pretty URLs (``login/`` serves ``login/index.html``, and
``login`` redirects there, as static hosts do), precompressed ``.gz`` copies when the client accepts gzip,
``ETag`` revalidation, and the cache policy of ``dist/_headers`` (hashed files under
``static/`` are immutable for a year, everything else is revalidated).

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


def content_type(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTRA_TYPES:
        return EXTRA_TYPES[ext]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class SiteServer:
    """Answers GET/HEAD requests for files of a built site directory."""

    def __init__(self, dirname):
        self.root = os.path.realpath(dirname)

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
                },
                b"",
            )
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        headers = {
            "content-type": content_type(path),
            "cache-control": IMMUTABLE if rel.startswith("static/") else REVALIDATE,
            "vary": "accept-encoding",
            "x-content-type-options": "nosniff",
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
