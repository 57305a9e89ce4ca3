"""HTTP plumbing shared by the API handlers: error answers, JSON answers, gzip, and
careful reading of headers, query strings and bodies.

Every error is raised as ``HTTPError(status, explanation)`` and answered as plain text
``"<meaning>: <explanation>"`` (``"unauthorized: the token has expired"``). Nothing here
trusts its input: headers and query strings that are not valid UTF-8, bodies over the
limit, JSON with ``NaN`` or absurd nesting all become a specific 4xx, never a 500.
"""

import json
import re
import zlib
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from .._config import TRUE_FALSE_HELP, parse_flag_word
from ._memory import release_memory_soon

try:  # zlib-ng writes the same gzip format about twice as fast at level 1
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - an optional speed-up
    _deflate = zlib

MAX_BODY = 10 * 2**20  # 10 MiB
GZIP_MIN_SIZE = 1024  # smaller answers are not worth compressing
GZIP_LEVEL = 1  # JSON compresses ~6x at level 1, and level 1 is several times faster
STREAM_AFTER = 64 * 1024  # bytes of an answer after which it is compressed as written
BIG_ANSWER = 2**20  # bytes of JSON after which the freed memory is given back

MEANINGS = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    408: "request timeout",
    413: "payload too large",
    429: "too many requests",
    431: "request header fields too large",
    500: "internal server error",
    503: "service unavailable",
    507: "insufficient storage",
}

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"

# An answer as asgineer takes it: (status, headers, body); the body is bytes, text,
# or an async generator of bytes (see ``JSONAnswer``).
Answer = tuple[int, dict[str, str], Any]


class HTTPError(Exception):
    """An error answer: ``status`` and a specific explanation (plus extra headers)."""

    def __init__(self, status, explanation, headers=None):
        super().__init__(explanation)
        self.status = status
        self.explanation = explanation
        self.headers = headers or {}

    @property
    def text(self):
        return f"{MEANINGS.get(self.status, 'error')}: {self.explanation}"

    def response(self) -> Answer:
        return self.status, {"content-type": TEXT, **self.headers}, self.text


def text_response(status: int, text: str, headers: dict | None = None) -> Answer:
    return status, {"content-type": TEXT, **(headers or {})}, text


def json_response(ob: Any, status: int = 200) -> Answer:
    """A JSON answer (the body is encoded here, not by asgineer, to control it)."""
    return status, {"content-type": JSON}, json.dumps(ob).encode()


def raw_json_response(body: str | bytes) -> Answer:
    """A JSON answer whose body (str or bytes) is already encoded."""
    if isinstance(body, str):
        body = body.encode()
    return 200, {"content-type": JSON}, body


# %% Headers and query strings


def header(request, name: str, default: str | None = None) -> str | None:
    """The value of one request header (``name`` in lower case), decoded leniently.

    Headers are bytes on the wire; UTF-8 is tried first and Latin-1 (which never
    fails) second, so a stray byte cannot crash a handler.
    """
    key = name.encode("latin-1")
    for k, v in request.scope["headers"]:
        if k == key:
            try:
                return v.decode("utf-8")
            except UnicodeDecodeError:
                return v.decode("latin-1")
    return default


def accepts_gzip(request) -> bool:
    value = header(request, "accept-encoding", "")
    for part in value.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            params = params.replace(" ", "")
            return params not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def query_params(request) -> dict[str, str]:
    """The query string as a dict (the last value wins). Raises 400 when malformed."""
    raw = request.scope.get("query_string", b"")
    if not raw:
        return {}
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise HTTPError(
            400, "the query string must be ASCII (percent-encode the rest)"
        ) from None
    params = {}
    plain = "%" not in text and "+" not in text  # the usual case: nothing to decode
    for part in text.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if plain:
            params[name] = value
            continue
        try:
            name = unquote(name.replace("+", " "), errors="strict")
            value = unquote(value.replace("+", " "), errors="strict")
        except UnicodeDecodeError:
            raise HTTPError(
                400, "the query string holds percent-escapes that are not UTF-8"
            ) from None
        params[name] = value
    return params


BLANKS = " \t"  # around a number or a flag in a query string

# A number in a query string (``since``, the ends of a ``timerange``): decimal,
# optionally signed, with an optional fraction and exponent. At most 30 digits on
# either side of the point and 2 in the exponent, so that every such number fits a
# float (``1e999`` or 400 nines would be infinite). docs/openapi.yaml has the same
# grammar, which clients never come near (they send Unix seconds).
NUMBER = r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?"
_NUMBER = re.compile(NUMBER)


def query_flag(params: dict[str, str], name: str) -> bool | None:
    """A flag in the query string: True, False, or None when absent or empty.

    The one rule for every flag (``running``, ``hidden``, ``reset``): the true and
    false words of ``_config.parse_flag_word`` in any case, with spaces or tabs
    around them; anything else is a 400 naming the parameter.
    """
    value = params.get(name, "")
    word = value.strip(BLANKS)
    if not word:
        return None
    try:
        if not word.isascii() or word != word.strip():
            raise ValueError("not a flag word")  # no other blanks, no look-alikes
        return parse_flag_word(word)
    except ValueError:
        raise HTTPError(
            400,
            f"{name} must be true or false ({TRUE_FALSE_HELP}), not {value[:40]!r}",
        ) from None


def parse_number(text: str, what: str) -> float:
    """A float from a number in a query string (``NUMBER``, spaces or tabs around
    it allowed); 400 naming ``what`` otherwise."""
    number = text.strip(BLANKS) if isinstance(text, str) else ""
    if not _NUMBER.fullmatch(number):
        raise HTTPError(400, f"{what} must be a number, not {str(text)[:40]!r}")
    value = float(number)
    if value != value or value in (float("inf"), float("-inf")):  # cannot happen
        raise HTTPError(400, f"{what} must be a finite number, not {text[:40]!r}")
    return value


# %% Bodies


def size_text(nbytes: int) -> str:
    if nbytes >= 2**20 and nbytes % 2**20 == 0:
        return f"{nbytes // 2**20} MiB"
    if nbytes >= 1024 and nbytes % 1024 == 0:
        return f"{nbytes // 1024} KiB"
    return f"{nbytes} bytes"


async def read_body(request, limit: int = MAX_BODY) -> bytes:
    """The request body as bytes; 413 when it is larger than ``limit``."""
    length = header(request, "content-length")
    if length is not None:
        length = length.strip()
        if not length.isdigit():
            raise HTTPError(400, "the content-length header is not a number")
        if int(length) > limit:
            raise HTTPError(
                413, f"the body may be at most {size_text(limit)}, got {length} bytes"
            )
    # Read chunk by chunk (a client disconnecting raises asgineer's DisconnectedError,
    # which the app lets through; it is not an error of ours).
    chunks = []
    size = 0
    async for chunk in request.iter_body():
        size += len(chunk)
        if size > limit:
            raise HTTPError(413, f"the body may be at most {size_text(limit)}")
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name):
    raise ValueError(f"{name} is not allowed in JSON")


def parse_json(data: str | bytes, what: str = "the body") -> Any:
    """Decode JSON strictly: no NaN/Infinity, no absurd nesting or number sizes."""
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise HTTPError(400, f"{what} is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise HTTPError(400, f"{what} is not valid JSON ({str(err)[:120]})") from None


# %% JSON answers built piece by piece


class JSONAnswer:
    """A 200 JSON answer written piece by piece (``write(bytes)``), then turned into
    ``(status, headers, body)`` by ``response()``.

    When the client accepts gzip, the text is compressed as it is written once it
    passes STREAM_AFTER bytes: a big answer is held once, compressed, never as a
    whole text next to its gzip copy. A big answer is sent piece by piece (each piece
    let go once it is sent, with a Content-Length, so no chunked encoding), and once
    it is sent, the memory it needed is given back to the system (see ``_memory``).
    Small answers are joined and sent as one body.
    """

    def __init__(self, gzip):
        self.gzip = gzip
        self.pieces = deque()
        self.held = 0  # bytes in self.pieces
        self.written = 0  # bytes of JSON written
        self.compressor = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.written += len(data)
        if self.compressor is not None:
            self._keep(self.compressor.compress(data))
            return
        self._keep(data)
        if self.gzip and self.held >= STREAM_AFTER:
            self._start_compressing()

    def write_joined(self, pieces: Iterable[bytes], separator: bytes = b", ") -> None:
        """Write pieces with a separator between them (``read_pieces`` of the store
        gives items joined within a piece, not across pieces)."""
        first = True
        for piece in pieces:
            if not first:
                self.write(separator)
            first = False
            self.write(piece)

    def _keep(self, data):
        if data:
            self.pieces.append(data)
            self.held += len(data)

    def _start_compressing(self):
        self.compressor = _deflate.compressobj(GZIP_LEVEL, _deflate.DEFLATED, 31)
        plain, self.pieces, self.held = self.pieces, deque(), 0
        while plain:
            self._keep(self.compressor.compress(plain.popleft()))

    def response(self) -> Answer:
        headers = {"content-type": JSON}
        if self.compressor is None and self.gzip and self.held >= GZIP_MIN_SIZE:
            self.pieces = deque([b"".join(self.pieces)])
            self._start_compressing()
        if self.compressor is not None:
            self._keep(self.compressor.flush())
            self.compressor = None
            headers["content-encoding"] = "gzip"
            headers["vary"] = "accept-encoding"
        if self.written < STREAM_AFTER or len(self.pieces) < 2:
            return 200, headers, b"".join(self.pieces)
        headers["content-length"] = str(self.held)
        big = self.written >= BIG_ANSWER
        return 200, headers, _send_pieces(self.pieces, big)


async def _send_pieces(pieces, release):
    while pieces:
        yield pieces.popleft()
    if release:
        release_memory_soon()  # once every piece has been let go
