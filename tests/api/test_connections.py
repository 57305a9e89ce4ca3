"""Connections over raw sockets: a request head over 64 KiB is answered 431, a
request that does not arrive within request_timeout (or its head within 10 s) is
answered 408 and its connection closed, while slow but timely requests and kept-alive
connections work; and every API answer says Cache-Control: no-store."""

import socket
import time

import pytest

from .conftest import USERS, Client, credentials_for


def connect(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_answer(sock):
    """(status, headers, body) of one answer on the socket, and whether the server
    then closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed without an answer (got {data[:200]!r})")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def closed_by_server(sock, within=5):
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def status_request(extra=b""):
    return b"GET /timetagger/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n"


# %% Head size


def test_a_head_over_64_kib_is_431(run_server):
    server = run_server()
    # Just under the limit is fine.
    with connect(server) as sock:
        sock.sendall(status_request(b"X-Big: " + b"a" * 60000 + b"\r\n"))
        status, _, body = read_answer(sock)
        assert status == 200 and body == "ok"
    # Over it, in one piece.
    with connect(server) as sock:
        sock.sendall(status_request(b"X-Big: " + b"a" * 70000 + b"\r\n"))
        status, headers, body = read_answer(sock)
        assert status == 431, body
        assert body == (
            "request header fields too large: "
            "the request line and headers may be at most 64 KiB"
        )
        assert headers["connection"] == "close"
        assert closed_by_server(sock)
    # Many small headers count together, and a long URL too.
    with connect(server) as sock:
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 90) for i in range(1000))
        sock.sendall(status_request(many))
        assert read_answer(sock)[0] == 431
    with connect(server) as sock:
        sock.sendall(b"GET /timetagger/status?" + b"q" * 70000 + b" HTTP/1.1\r\n\r\n")
        assert read_answer(sock)[0] == 431


def test_an_endless_header_is_cut_off(run_server):
    """32 MB of one header, sent as fast as possible: answered 431 long before the
    end, and the connection closed (it used to be read to the end)."""
    server = run_server()
    with connect(server) as sock:
        sock.sendall(b"GET /timetagger/status HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        try:
            while sent < 32 * 2**20:
                sock.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert sent < 8 * 2**20, sent
        try:
            status, _, _ = read_answer(sock)
            assert status == 431
        except ConnectionResetError:
            pass  # the answer was lost to the reset of the unread data
    assert server.proc.poll() is None


# %% Deadlines


@pytest.fixture
def quick(run_server):
    """A server that gives requests 2 seconds."""
    return run_server(credentials=credentials_for(USERS), request_timeout=2)


def test_a_half_sent_head_is_408(quick):
    with connect(quick) as sock:
        t0 = time.monotonic()
        sock.sendall(b"GET /timetagger/status HTTP/1.1\r\nHost: x\r\n")
        status, headers, body = read_answer(sock)
        assert status == 408
        assert (
            body
            == "request timeout: the request line and headers did not arrive within 2 s"
        )
        assert 1.5 < time.monotonic() - t0 < 5
        assert closed_by_server(sock)


def test_a_trickled_head_is_408(quick):
    """One byte every 0.3 s: each byte used to restart the clock."""
    with connect(quick) as sock:
        t0 = time.monotonic()
        with pytest.raises(AssertionError, match="408"):
            for byte in b"GET /timetagger/status HTTP/1.1\r\nX-Slow: " + b"s" * 100:
                sock.sendall(bytes([byte]))
                sock.settimeout(0.3)
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    continue
                raise AssertionError(data[:60].decode("latin-1"))
        assert time.monotonic() - t0 < 5


def test_a_silent_connection_is_408(quick):
    with connect(quick) as sock:
        status, _, _ = read_answer(sock)
        assert status == 408
        assert closed_by_server(sock)


def test_a_half_sent_body_is_408(quick):
    token = Client(quick).login("alice", USERS["alice"])
    with connect(quick) as sock:
        sock.sendall(
            b"PUT /timetagger/api/v2/records HTTP/1.1\r\nHost: x\r\n"
            b"authtoken: " + token.encode() + b"\r\n"
            b'content-type: application/json\r\ncontent-length: 1000\r\n\r\n[{"key"'
        )
        t0 = time.monotonic()
        status, _, body = read_answer(sock)
        assert status == 408, body
        assert body == "request timeout: the request did not arrive within 2 s"
        assert time.monotonic() - t0 < 5
        assert closed_by_server(sock)
    # Nothing was written, and the server is fine.
    assert Client(quick, token).updates()["records"] == []


def test_slow_but_timely_requests_and_kept_alive_connections_work(quick):
    token = Client(quick).login("alice", USERS["alice"])
    body = b'[{"key": "k1", "t1": 1, "t2": 2, "mt": 1}]'
    head = (
        b"PUT /timetagger/api/v2/records HTTP/1.1\r\nHost: x\r\n"
        b"authtoken: " + token.encode() + b"\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )
    with connect(quick) as sock:
        for _ in range(3):  # three requests on one connection, each taking 1.2 s
            for piece in [head[:20], head[20:], body[:10], body[10:]]:
                sock.sendall(piece)
                time.sleep(0.4)
            status, headers, answer = read_answer(sock)
            assert status == 200, answer
            assert headers.get("connection", "keep-alive") != "close"
        # Idle between requests is the keep-alive's business, not a request's: a
        # request started after a pause gets its own 2 s.
        time.sleep(1.5)
        sock.sendall(status_request())
        assert read_answer(sock)[0] == 200


# %% Cache-Control


def test_api_answers_are_not_stored(run_server):
    server = run_server(
        credentials=credentials_for(USERS), cors_origins="https://app.example.com"
    )
    client = Client(server)
    client.login("alice", USERS["alice"])
    answers = [
        client.get(""),
        client.get("updates?since=0"),
        client.get("records?timerange=0-1"),
        client.get("nope"),
        client.get("version", token="bad"),
        client.put("records", []),
        client.bootstrap(
            {"method": "usernamepassword", "username": "x", "password": "y"}
        ),
        client.http.get(server.url("status")),
        client.request(
            "OPTIONS", "updates", headers={"origin": "https://app.example.com"}
        ),
    ]
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", (r.url, r.status_code)
