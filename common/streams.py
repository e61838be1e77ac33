"""Reading Redis streams: a whole stream in pages, oldest first (reconciliation, exports),
and every billing stream at once (protocol §5).

On a Redis Cluster the billing events of each bucket of sessions are in a stream of their
own, in the bucket's slot (``common.keyspace.every_stream``): whoever reads the billing
events reads every one of those streams, through the helpers below. On a single Redis there
is one stream, and they cost nothing more than reading it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import redis.asyncio as aioredis

from common.keyspace import every_stream
from common.loops import stop_task
from common.redisvalues import text_map, text_or_none


async def all_entries(redis: aioredis.Redis, stream: str, since: str = "-",
                      page: int = 1000) -> AsyncIterator[dict[str, str]]:
    """Every entry's fields from ``since`` on, 1000 at a time, without holding the stream
    in memory."""
    start = since
    while True:
        batch = await redis.xrange(stream, min=start, count=page) or []
        for _, raw in batch:
            yield text_map(raw or {})
        if len(batch) < page:
            return
        start = f"({text_or_none(batch[-1][0])}"  # exclusive: after the last one read


def trimmed_key(stream: str) -> str:
    """Where the retention job records the id below which a stream was trimmed (each
    billing stream has its own: it is trimmed on its own)."""
    return f"{stream}:trimmed_before"


def stream_id(raw: str) -> tuple[int, int]:
    """``1733212800000-3`` as (ms, sequence), to compare ids."""
    ms, _, seq = raw.partition("-")
    return int(ms), int(seq or 0)


async def trimmed_before(redis: aioredis.Redis, stream: str) -> tuple[int, int]:
    """The id below which entries were trimmed on purpose ((0, 0): none)."""
    raw = text_or_none(await redis.get(trimmed_key(stream)))
    return stream_id(raw) if raw else (0, 0)


async def billing_horizon(redis: aioredis.Redis, home_stream: str) -> tuple[int, int]:
    """The id below which billing events may be gone, for reconciliation: a ledger entry
    older than that has no event left to match. Each stream is trimmed on its own (on a
    Cluster, one per bucket); the latest of their ids is the one below which any may miss,
    so reconciliation reads no event older than it either (``billing_events``)."""
    return max([await trimmed_before(redis, s) for s in every_stream(home_stream)])


async def billing_events(redis: aioredis.Redis, home_stream: str,
                         since: tuple[int, int] = (0, 0)) -> AsyncIterator[dict[str, str]]:
    """Every billing event from the id ``since`` on, stream after stream (on a Cluster one
    per bucket, in no order between them), given the home stream (``stream_on``'s)."""
    start = f"{since[0]}-{since[1]}" if since > (0, 0) else "-"
    for stream in every_stream(home_stream):
        async for fields in all_entries(redis, stream, start):
            yield fields


async def read_new(reads: aioredis.Redis, stream: str, group: str, consumer: str, count: int,
                   wait_ms: int) -> Any:
    """XREADGROUP's answer for entries no consumer of ``group`` has had yet, blocked in Redis
    up to ``wait_ms`` for some when there are none: Redis answers as soon as one comes.
    ``reads``: the process's client for blocking reads (``redisclient.stream_reads``; on a
    Cluster one of their own, since a reader blocks on every bucket's stream at once)."""
    return await reads.xreadgroup(group, consumer, {stream: ">"}, count=count, block=wait_ms)


async def on_every_stream(home_stream: str,
                          loop: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    """Run ``loop(stream)`` for each billing stream at once until cancelled (on a Cluster one
    per bucket: a consumer group is per stream, and a loop each keeps a busy or failing
    bucket from delaying the others). One that raises stops the others."""
    tasks = [asyncio.create_task(loop(stream), name=f"reading {stream}")
             for stream in every_stream(home_stream)]
    try:
        await asyncio.gather(*tasks)
    finally:
        # stop_task, not one cancel: a loop may miss one (common.loops.stop_task).
        await stop_task(*tasks)
