"""What is due in several deadlines zsets, by Redis time, read in one round trip."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.deadlines import due_in
from common.keyspace import bucket_prefix
from common.redistime import redis_ms


@pytest.mark.cluster  # the zsets of three buckets are on different primaries there
async def test_due_in_answers_what_is_due_in_every_zset_by_redis_time(
    redis: aioredis.Redis,
) -> None:
    now = await redis_ms(redis)
    zsets = [bucket_prefix(n) + "deadlines" for n in (1, 7, 12)]
    await redis.zadd(zsets[0], {"ring|a": now - 5000, "ring|b": now - 4000})
    await redis.zadd(zsets[1], {"grace|c": now + 60_000})
    await redis.zadd(zsets[2], {"noshow|d": now - 1})
    assert await due_in(redis, zsets, 10) == ["ring|a", "ring|b", "noshow|d"]
    # At most ``limit`` of each zset, the earliest first.
    assert await due_in(redis, zsets, 1) == ["ring|a", "noshow|d"]
    assert await due_in(redis, [], 10) == []
