"""``--workers 2``: two processes share the port and the data. A token revoked
through one worker is refused by the other at once, and writes through one are seen
by the other's next poll.

Which worker holds a connection is read from /proc (Linux): the server side of our
TCP connection is a socket inode, and exactly one worker has it open.
"""

import http.client
import json
import os
import time

from .conftest import USERS, Client, credentials_for, record


def server_socket_inode(server_port, client_port):
    """The inode of the server side of the connection 127.0.0.1:client_port."""
    want_local = f"0100007F:{server_port:04X}"
    want_remote = f"0100007F:{client_port:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if parts[1] == want_local and parts[2] == want_remote:
                return parts[9]
    return None


def worker_of(server, conn):
    """The pid of the worker process that accepted this connection."""
    client_port = conn.sock.getsockname()[1]
    for _ in range(100):
        inode = server_socket_inode(server.port, client_port)
        if inode:
            target = f"socket:[{inode}]"
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    fds = os.listdir(f"/proc/{pid}/fd")
                except OSError:
                    continue
                for fd in fds:
                    try:
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                            return int(pid)
                    except OSError:
                        continue
        time.sleep(0.02)
    raise RuntimeError("could not find the worker of a connection")


def call(conn, method, path, token, body=None):
    headers = {"authtoken": token}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read().decode()


def connections_to_two_workers(server):
    """Two kept-alive connections, accepted by two different workers."""
    seen = {}
    spare = []
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", server.prefix + "status")
        assert conn.getresponse().read() == b"ok"
        pid = worker_of(server, conn)
        if pid not in seen:
            seen[pid] = conn
            if len(seen) == 2:
                for c in spare:
                    c.close()
                return list(seen.values()), list(seen)
        else:
            spare.append(conn)
    raise AssertionError("every connection went to the same worker")


def test_revocation_reaches_every_worker(run_server):
    server = run_server(credentials=credentials_for(USERS), workers=2)
    token = Client(server).login("alice", USERS["alice"])
    (one, two), pids = connections_to_two_workers(server)
    assert pids[0] != pids[1] and server.proc.pid not in pids
    api = server.prefix + "api/v2/"
    # Both workers know the token (and have the user's database open).
    assert call(one, "GET", api + "version", token)[0] == 200
    assert call(two, "GET", api + "version", token)[0] == 200
    # Revoke through worker one; worker two refuses the old token right away.
    status, body = call(one, "GET", api + "webtoken?reset=1", token)
    assert status == 200
    fresh = json.loads(body)["token"]
    status, body = call(two, "GET", api + "updates?since=0", token)
    assert status == 401 and "revoked" in body
    assert call(two, "GET", api + "updates?since=0", fresh)[0] == 200
    # The same for API tokens.
    apitoken = json.loads(call(two, "GET", api + "apitoken", fresh)[1])["token"]
    assert call(one, "GET", api + "version", apitoken)[0] == 200
    assert call(two, "GET", api + "apitoken?reset=1", fresh)[0] == 200
    assert call(one, "GET", api + "version", apitoken)[0] == 401

    # A write through one worker is in the other's next poll.
    since = json.loads(call(two, "GET", api + "updates?since=0", fresh)[1])[
        "server_time"
    ]
    body = json.dumps([record("from-one", 1, 2)])
    assert call(one, "PUT", api + "records", fresh, body)[0] == 200
    up = json.loads(call(two, "GET", api + f"updates?since={since}", fresh)[1])
    assert [ob["key"] for ob in up["records"]] == ["from-one"]
    # A reset through two is seen by one.
    assert call(two, "PUT", api + "forcereset", fresh)[0] == 200
    up = json.loads(
        call(one, "GET", api + f"updates?since={time.time() - 1}", fresh)[1]
    )
    assert up["reset"] is True
    one.close()
    two.close()
