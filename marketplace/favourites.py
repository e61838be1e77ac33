"""A client's favourite experts: a sorted set per client, newest first."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.redisvalues import text_or_none
from marketplace import keys
from sessions.wallet import CLOCK_LUA

MAX_FAVOURITES = 500

# KEYS: the client's favourites. ARGV: expert id, the most kept. Re-adding keeps the date.
_ADD = CLOCK_LUA + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now_ms(), ARGV[1])
return 1
"""


class Favourites:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._add = redis.register_script(_ADD)

    async def add(self, client_id: str, expert_id: str) -> bool:
        """False when the client already keeps the most favourites allowed."""
        added = await self._add(keys=[keys.favourites(client_id)],
                                args=[expert_id, MAX_FAVOURITES])
        return bool(int(added))

    async def remove(self, client_id: str, expert_id: str) -> None:
        await self._redis.zrem(keys.favourites(client_id), expert_id)

    async def of(self, client_id: str) -> list[str]:
        ids = await self._redis.zrevrange(keys.favourites(client_id), 0, -1)
        return [str(text_or_none(i)) for i in ids]
