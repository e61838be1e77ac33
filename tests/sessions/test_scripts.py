"""Session scripts whose rule stands alone, loaded into the real test Redis on their own
(the call scripts are exercised through the store, in test_metering and test_crash)."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua


async def test_an_empty_queue_is_forgotten_and_a_refilled_one_kept(
        redis: aioredis.Redis) -> None:
    forget = Lua(redis, "sessions/lua/queue_forget.lua")
    names = {"queue": "queue:cooking", "queues": "queues"}
    await redis.sadd("queues", "cooking")
    # A declined call came back to the queue after the router had read it empty.
    await redis.zadd("queue:cooking", {"s1": 1})
    assert await forget(keys=names, args={"category": "cooking"}) == 0
    assert await redis.smembers("queues") == {"cooking"}
    await redis.zrem("queue:cooking", "s1")
    assert await forget(keys=names, args={"category": "cooking"}) == 1
    assert await redis.smembers("queues") == set()
