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


def trimmed_key(stream: str) -> str:
    """Where the retention job records the id below which a stream was trimmed."""
    return f"{stream}:trimmed_before"


def stream_id(raw: str) -> tuple[int, int]:
    """``1733212800000-3`` as (ms, sequence), to compare ids."""
    ms, _, seq = raw.partition("-")
    return int(ms), int(seq or 0)


async def trimmed_before(redis: aioredis.Redis, stream: str) -> tuple[int, int]:
    """The id below which entries were trimmed on purpose ((0, 0): none), for
    reconciliation: a ledger entry older than that has no billing event left to match."""
    raw = text_or_none(await redis.get(trimmed_key(stream)))
    return stream_id(raw) if raw else (0, 0)
