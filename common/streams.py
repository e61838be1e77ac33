"""Reading a whole Redis stream in pages, oldest first (reconciliation, exports)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none


async def all_entries(redis: aioredis.Redis, stream: str,
                      page: int = 1000) -> AsyncIterator[dict[str, str]]:
    """Every entry's fields, 1000 at a time, without holding the stream in memory."""
    last = "-"
    while True:
        batch = await redis.xrange(stream, min=last, count=page) or []
        if last != "-":
            batch = batch[1:]  # the first entry is the last one of the previous page
        if not batch:
            return
        for entry_id, raw in batch:
            yield text_map(raw or {})
            last = str(text_or_none(entry_id))
