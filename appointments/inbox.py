"""Which in-app notifications an account has read.

The notifications themselves are posted by the booking steps (newest first, the last
100 kept, ``appointments/steps.py``); reading them moves a per-account mark,
``hc:{a:<account>}:notifications:seen``,
to the time of the newest one seen. Unread are those after the mark. The mark only ever
moves forward, so two tabs marking at once cannot make anything unread again.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from appointments.keys import notifications_key, seen_key
from common.lua import Lua
from common.redisvalues import text_or_none


class Inbox:
    def __init__(self, redis: aioredis.Redis, kept: int) -> None:
        self._redis = redis
        self._kept = kept
        self._mark = Lua(redis, "appointments/lua/inbox_mark.lua")

    async def push(self, account_id: str, notice: dict[str, Any]) -> None:
        """Store a notification made outside the booking scripts (a dispute's news, say),
        newest first, keeping the last ones as the scripts do."""
        key = notifications_key(account_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, json.dumps(notice))
            pipe.ltrim(key, 0, self._kept - 1)
            await pipe.execute()

    async def _read(self, account_id: str) -> tuple[list[dict[str, Any]], str]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lrange(notifications_key(account_id), 0, self._kept - 1)
            pipe.get(seen_key(account_id))
            raw, seen = await pipe.execute()
        return [json.loads(str(text_or_none(n))) for n in raw], text_or_none(seen) or ""

    async def notifications(self, account_id: str) -> tuple[list[dict[str, Any]], int]:
        """The notifications, newest first, each with ``read``; and how many are unread."""
        notes, seen = await self._read(account_id)
        for note in notes:
            note["read"] = str(note.get("at", "")) <= seen
        return notes, sum(1 for note in notes if not note["read"])

    async def unread(self, account_id: str) -> int:
        return (await self.notifications(account_id))[1]

    async def mark_read(self, account_id: str, until: str | None = None) -> int:
        """Mark read up to ``until`` (default: everything there is); answers how many are
        still unread (those that arrived after ``until``)."""
        notes, _ = await self._read(account_id)
        newest = str(notes[0].get("at", "")) if notes else ""
        # Never past the newest notification: a mark in the future would hide later ones.
        target = min(until, newest) if until else newest
        if target:
            await self._mark(keys={"seen": seen_key(account_id)}, args={"mark": target})
        return await self.unread(account_id)
