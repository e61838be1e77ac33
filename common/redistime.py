"""Redis time in milliseconds: the clock every process agrees on (the scripts' ``now_ms``,
``common/lua/clock.lua``, is the same clock read inside a script)."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis


def ms_of(reply: Any) -> int:
    """Milliseconds from a ``TIME`` reply (seconds, microseconds), e.g. read in a pipeline."""
    seconds, micros = reply
    return int(seconds) * 1000 + int(micros) // 1000


async def redis_ms(redis: aioredis.Redis) -> int:
    return ms_of(await redis.time())
