"""Several app servers share one anonymous throttle when their cache is Redis (KB_CACHE_URL)."""

from __future__ import annotations

import socket

import pytest

from kbdev.load.server import Gunicorn
from kbdev.load.traffic import request

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied first


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def two_servers(tmp_path):
    if not redis_running():
        pytest.skip("no Redis at 127.0.0.1:6379: the shared throttle needs one (CI runs it)")
    import redis

    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        "KB_CACHE_URL": REDIS_URL,
        "KB_API_ANON_RATE": "6/minute",
    }
    servers = [Gunicorn(workers=2, log=tmp_path / f"gunicorn-{n}.log", env=env) for n in range(2)]
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
        for server in servers:
            server.wait_ready()  # one request each, well within the limit
        redis.Redis.from_url(REDIS_URL).flushdb()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_one_limit_holds_across_two_servers_of_two_workers(two_servers):
    # Twelve anonymous requests spread over two servers (four worker processes): the limit of
    # six a minute is counted once, in Redis, not once per process.
    statuses = [request(two_servers[n % 2].port, "GET", "/api/v1/")[0] for n in range(12)]
    assert statuses.count(200) == 6, statuses
    assert statuses.count(429) == 6, statuses
    assert statuses[:6] == [200] * 6
