"""conftest.ServerPool: servers started ahead are still one new process, port and data
directory per request, and only for the same settings and environment."""

import os

from conftest import ServerPool, status_of

SETTINGS = {"log_level": "warning"}


def test_each_request_gets_a_new_server_and_the_spare_matches(tmp_path):
    pool = ServerPool(str(tmp_path))
    servers = []
    try:
        servers.append(pool.take(SETTINGS))
        assert pool.spares == {}  # a kind asked for once is not made ahead
        servers.append(pool.take(SETTINGS))
        (spare,) = pool.spares.values()
        assert spare not in servers
        servers.append(pool.take(SETTINGS))
        assert servers[2] is spare
        (next_spare,) = pool.spares.values()
        assert next_spare is not spare

        other = pool.take(SETTINGS, env={"TZ": "UTC"})  # another kind: no spare
        servers.append(other)
        assert other is not next_spare and next_spare in pool.spares.values()

        assert len({s.proc.pid for s in servers}) == 4
        assert len({s.port for s in servers}) == 4
        assert len({s.datadir for s in servers}) == 4
        for server in servers:
            assert status_of(server) == 200
            assert not os.path.exists(os.path.join(server.datadir, "users"))
    finally:
        pool.retire(servers)
        pool.close()
    assert all(s.proc.poll() is not None for s in [*servers, next_spare])
