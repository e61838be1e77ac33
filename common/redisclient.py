"""The one way every process builds its Redis client."""

from __future__ import annotations

import redis.asyncio as aioredis

# Connections one process may open; beyond that, commands wait for a free one.
MAX_CONNECTIONS = 64


def redis_client(url: str) -> aioredis.Redis:
    # A blocking pool: redis-py's default pool raises MaxConnectionsError on the first
    # command past its size, which under a burst (hundreds of sockets connecting at once)
    # failed requests instead of queueing them. str replies everywhere; fail fast when
    # Redis is away instead of hanging a request.
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=10,
        decode_responses=True, socket_connect_timeout=2, socket_timeout=10,
    )
    return aioredis.Redis.from_pool(pool)
