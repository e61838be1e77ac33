"""The one way every process builds its Redis client."""

from __future__ import annotations

import redis.asyncio as aioredis


def redis_client(url: str) -> aioredis.Redis:
    # str replies everywhere; fail fast when Redis is away instead of hanging a request.
    return aioredis.Redis.from_url(
        url, decode_responses=True, socket_connect_timeout=2, socket_timeout=10
    )
