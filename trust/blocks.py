"""Blocks between two people: the one rule every path asks (docs/trust.md).

A client blocks an expert, or an expert a client; from then on neither can ring the other
(a direct call, or a category or brand call routed to them), book the other, take the
other's callback request, or chat with the other, until the blocker unblocks. Every
check reads one key per pair, ``hc:block:<a>|<b>``, so it costs one command.

Blocking writes the pair first and the blocker's list second, unblocking the same order:
both steps are idempotent, so a step lost to a crash is made good by doing it again, and
the pair (what is enforced) is never missing while the list shows a block.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from common.redisvalues import text_or_none
from trust import keys
from trust.errors import Blocked


class Blocks:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def block(self, who: str, whom: str) -> None:
        seconds, micros = await self._redis.time()
        await self._redis.sadd(keys.pair(who, whom), who)
        await self._redis.zadd(keys.blocks(who), {whom: int(seconds) * 1000 + micros // 1000})

    async def unblock(self, who: str, whom: str) -> None:
        await self._redis.srem(keys.pair(who, whom), who)
        await self._redis.zrem(keys.blocks(who), whom)

    async def between(self, one: str, other: str) -> bool:
        """Whether either of the two blocked the other."""
        if not one or not other or one == other:
            return False
        return bool(await self._redis.exists(keys.pair(one, other)))

    async def ensure_unblocked(self, one: str, other: str) -> None:
        """The check each path makes: ``blocked`` (403) when either blocked the other."""
        if await self.between(one, other):
            raise Blocked()

    async def blocked_among(self, one: str, others: Iterable[str]) -> set[str]:
        """Those of ``others`` that ``one`` blocked or was blocked by (the router's filter)."""
        candidates = [o for o in others if o and o != one]
        if not candidates:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for other in candidates:
                pipe.exists(keys.pair(one, other))
            found = await pipe.execute()
        return {o for o, hit in zip(candidates, found, strict=True) if hit}

    async def blocked_by(self, who: str) -> list[tuple[str, int]]:
        """Whom ``who`` blocked, newest first: ``(account id, when in ms)``."""
        rows = await self._redis.zrevrange(keys.blocks(who), 0, -1, withscores=True)
        return [(str(text_or_none(row[0])), int(row[1])) for row in rows]
