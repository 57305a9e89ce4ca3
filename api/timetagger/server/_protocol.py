"""The HTTP/1.1 connection handler given to uvicorn: its httptools protocol plus two
limits that uvicorn does not offer for httptools.

- The request line and headers together may be at most ``MAX_HEAD`` bytes; a larger
  head is answered ``431`` and the connection closed (uvicorn's
  ``h11_max_incomplete_event_size`` exists for h11 only; httptools keeps reading).
- A request must arrive in time: its head within ``HEAD_TIMEOUT`` seconds (or
  ``request_timeout`` if that is shorter), the whole request, body included, within
  ``config.request_timeout`` seconds of its first byte (of the connection, for the
  first request). Otherwise the answer is ``408`` and the connection is closed.
  uvicorn's ``timeout_keep_alive`` only covers the idle time between requests, and is
  reset by every byte, so a client trickling a request could hold a connection for
  ever. A connection that sends nothing at all gets the same ``408``.

Both answers are plain text ``"meaning: explanation"`` like every error of the API,
and so is the ``400`` for bytes that are not HTTP/1.1 (uvicorn's own text otherwise).
Everything else is uvicorn's own code: this only watches the parser callbacks.
"""

from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .. import config
from ._http import MEANINGS, size_text

MAX_HEAD = 64 * 1024  # bytes of request line and headers
HEAD_TIMEOUT = 10.0  # seconds to receive a request line and headers
RECHECK = 1.0  # seconds between checks while an answer is being sent


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head size limit (431) and a deadline to
    receive each request (408)."""

    def connection_made(self, transport):
        super().connection_made(transport)
        self.refused = False
        self.in_head = True  # between the start of a request and its last header
        self.head_bytes = 0
        self.deadline = None
        self.request_start = self.loop.time()
        self.arm(self.head_timeout())

    @staticmethod
    def head_timeout():
        return min(HEAD_TIMEOUT, config.request_timeout)

    def arm(self, delay):
        self.disarm()
        self.deadline = self.loop.call_later(max(0.0, delay), self.on_deadline)

    def disarm(self):
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def connection_lost(self, exc):
        self.disarm()
        super().connection_lost(exc)

    def data_received(self, data):
        if self.refused:
            return
        super().data_received(data)
        if self.in_head and not self.refused and not self.transport.is_closing():
            # Counted after parsing: httptools buffers an unfinished header itself,
            # so this bounds what it holds to the limit plus one read.
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD:
                self.refuse(431, self.head_too_large())

    @staticmethod
    def head_too_large():
        return f"the request line and headers may be at most {size_text(MAX_HEAD)}"

    # Parser callbacks

    def on_message_begin(self):
        if self.refused:
            return
        super().on_message_begin()
        self.in_head = True
        self.head_bytes = 0
        if self.deadline is None:  # a later request on a kept-alive connection
            self.request_start = self.loop.time()
            self.arm(self.head_timeout())

    def on_headers_complete(self):
        if self.refused:  # a pipelined request after a refused one
            return
        self.in_head = False
        size = len(self.url) + sum(len(k) + len(v) + 4 for k, v in self.headers)
        if size > MAX_HEAD:
            self.refuse(431, self.head_too_large())
            return
        remaining = self.request_start + config.request_timeout - self.loop.time()
        self.arm(remaining)
        super().on_headers_complete()

    def on_body(self, body):
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self):
        if self.refused:
            return
        self.disarm()
        super().on_message_complete()

    # Refusing

    def send_400_response(self, msg):
        """uvicorn's answer to bytes httptools cannot parse as HTTP/1.1, in the form
        of every other error (its own text is ``Invalid HTTP request received.``)."""
        if not self.refused and not self.transport.is_closing():
            self.refuse(400, "the request is not valid HTTP/1.1")

    def on_deadline(self):
        self.deadline = None
        if self.refused or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started:
            if not cycle.response_complete:
                self.arm(RECHECK)  # let the answer finish first
            else:  # answered, but the rest of the body never came
                self.refused = True
                self.transport.close()
            return
        limit = config.request_timeout if not self.in_head else self.head_timeout()
        what = "request" if not self.in_head else "request line and headers"
        self.refuse(408, f"the {what} did not arrive within {limit:g} s")

    def refuse(self, status, explanation):
        """Answer ``status`` with a text and close; the running request (if any) sees
        a disconnect and nothing it sends goes out."""
        self.refused = True
        self.disarm()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        body = f"{MEANINGS[status]}: {explanation}".encode()
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode()
        self.transport.write(head + body)
        self.transport.close()
