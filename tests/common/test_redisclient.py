"""The Redis client every process builds (common/redisclient.py), on whatever Redis the
suite runs on: a burst of commands beyond its connections waits its turn, nothing fails."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from common.redisclient import MAX_CONNECTIONS

BURST = 8 * MAX_CONNECTIONS


@pytest.mark.cluster  # on a Cluster, redis-py alone raised MaxConnectionsError here
async def test_a_burst_past_the_connections_waits_and_every_command_lands(
        redis: aioredis.Redis) -> None:
    key = "hc:{0}:burst"

    async def piped() -> None:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.incr(key)
            await pipe.execute()

    # Each command waits for Redis while the others are sent: all are in flight at once.
    await asyncio.gather(*(redis.incr(key) for _ in range(BURST)),
                         *(piped() for _ in range(BURST)))
    assert int(await redis.get(key)) == 3 * BURST
