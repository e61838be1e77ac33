"""The session of a booked call: which one a booking opened, and the lock that lets only
one side open it (``calls/usecases.py:join_booking``)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from common.lua import Lua
from common.redisvalues import text_or_none
from sessions.errors import WrongState
from sessions.keys import booking_session_key

LOCK_MS = 5000  # a side that dies holding the lock blocks the other this long at most
TRIES, PAUSE_S = 100, 0.02  # how long a side waits for the other (about 2 s)


class BookedSessions:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._release = Lua(redis, "common/lua/release_lock.lua")

    async def session_of_booking(self, booking_id: str) -> str | None:
        return text_or_none(await self._redis.get(booking_session_key(booking_id)))

    async def remember_booking(self, booking_id: str, session_id: str) -> None:
        await self._redis.set(booking_session_key(booking_id), session_id)

    @asynccontextmanager
    async def booking_lock(self, booking_id: str) -> AsyncIterator[None]:
        """Serialises the two sides joining one booking at once (one creates, one accepts).

        A spin lock: the two sides rarely meet, and each holds it for a few round trips."""
        key = booking_session_key(booking_id) + ":lock"
        token = secrets.token_hex(8)
        for _ in range(TRIES):
            if await self._redis.set(key, token, nx=True, px=LOCK_MS):
                break
            await asyncio.sleep(PAUSE_S)
        else:
            raise WrongState("someone is joining this booking right now; try again")
        try:
            yield
        finally:
            await self._release(keys={"lock": key}, args={"token": token})
