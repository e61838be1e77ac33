"""What is due in deadlines zsets (members scored by their due time, Redis ms), as every
reaper tick reads them: the Redis clock once, then one ``ZRANGEBYSCORE`` per zset, all in
one round trip (on a Cluster, one per primary at once).

A script per zset (``common/lua/due.lua``) read the clock inside each: three commands per
zset and tick, which with 16 buckets and two loops (calls, bookings) four times a second
was most of what an idle process asked of Redis. On a Cluster the clock read is one
node's; a member read a little early is left by the script that fires it, which checks
its own node's clock, and read again at the next tick.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis

from common.lua import Step, in_order
from common.redistime import redis_ms
from common.redisvalues import text_or_none


async def due_in(redis: aioredis.Redis, zsets: Sequence[str], limit: int) -> list[str]:
    """The members due now in ``zsets``, at most ``limit`` of each."""
    now = await redis_ms(redis)
    replies = await in_order(redis, first=[
        Step(("ZRANGEBYSCORE", zset, "-inf", now, "LIMIT", 0, limit)) for zset in zsets])
    return [str(text_or_none(member)) for members in replies for member in members]
