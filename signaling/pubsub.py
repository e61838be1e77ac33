"""python-socketio's Redis manager, on a connection pool that waits instead of failing.

Every emit of a process is published to Redis; with the stock client, the 101st
concurrent publish raised ``MaxConnectionsError`` and python-socketio dropped it after a
retry (measured in bench/: sockets lost under load). Publishes now queue for a
connection.
"""

from __future__ import annotations

import redis.asyncio as aioredis
import socketio

MAX_CONNECTIONS = 32


class RedisManager(socketio.AsyncRedisManager):
    def _redis_connect(self) -> None:
        pool = aioredis.BlockingConnectionPool.from_url(
            self.redis_url, max_connections=MAX_CONNECTIONS, timeout=10, **self.redis_options
        )
        self.redis = aioredis.Redis.from_pool(pool)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True
