"""A client's favourite experts: a sorted set per client, newest first."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua
from common.redisvalues import text_or_none
from marketplace import keys

MAX_FAVOURITES = 500



class Favourites:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._add = Lua(redis, "marketplace/lua/favourite_add.lua")

    async def add(self, client_id: str, expert_id: str) -> bool:
        """False when the client already keeps the most favourites allowed."""
        added = await self._add(keys={"favourites": keys.favourites(client_id)},
                                args={"expert": expert_id, "most": MAX_FAVOURITES})
        return bool(int(added))

    async def remove(self, client_id: str, expert_id: str) -> None:
        await self._redis.zrem(keys.favourites(client_id), expert_id)

    async def of(self, client_id: str) -> list[str]:
        ids = await self._redis.zrevrange(keys.favourites(client_id), 0, -1)
        return [str(text_or_none(i)) for i in ids]
