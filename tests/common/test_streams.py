"""Reading every billing stream (``common.streams``): on a Cluster one per bucket, each
trimmed on its own, so reconciliation reads them from the latest id any was trimmed at; one
loop per stream; the pages of one stream. On the single test Redis a name sharded as on a
Cluster gives every bucket's stream as plain keys."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from common.keyspace import BUCKETS, SHARDED_STREAM, bucket_stream, every_stream
from common.streams import (
    all_entries,
    billing_events,
    billing_horizon,
    on_every_stream,
    trimmed_key,
)

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

SHARDED = "helpcall:billing" + SHARDED_STREAM


async def test_reconciliation_reads_every_stream_from_the_latest_trim(
    redis: aioredis.Redis
) -> None:
    zero, five = bucket_stream(SHARDED, 0), bucket_stream(SHARDED, 5)
    for stream, ids in ((zero, ("1000-0", "3000-0")), (five, ("2000-0", "4000-0"))):
        for entry_id in ids:
            await redis.xadd(stream, {"at": entry_id}, id=entry_id)
    assert await billing_horizon(redis, SHARDED) == (0, 0)
    assert sorted([e["at"] async for e in billing_events(redis, SHARDED)]) == [
        "1000-0", "2000-0", "3000-0", "4000-0"]

    # Bucket 5's stream was trimmed below 2500: 1000-0 of bucket 0 may have lost its match
    # in another stream as well, so neither is read; each stream keeps its own record.
    await redis.set(trimmed_key(zero), "500-0")
    await redis.set(trimmed_key(five), "2500-0")
    assert await billing_horizon(redis, SHARDED) == (2500, 0)
    assert sorted([e["at"] async for e in billing_events(redis, SHARDED, (2500, 0))]) == [
        "3000-0", "4000-0"]


async def test_a_single_redis_has_one_stream_read_in_pages(redis: aioredis.Redis) -> None:
    assert every_stream("helpcall:billing") == ["helpcall:billing"]
    assert len(every_stream(SHARDED)) == BUCKETS
    for n in range(1, 8):
        await redis.xadd("helpcall:billing", {"n": str(n)}, id=f"{n}-0")
    assert [e["n"] async for e in all_entries(redis, "helpcall:billing", page=3)] == [
        str(n) for n in range(1, 8)]
    assert [e["n"] async for e in all_entries(redis, "helpcall:billing", "5-0", page=3)] == [
        "5", "6", "7"]


async def test_one_loop_runs_per_stream_and_all_stop_together() -> None:
    started: list[str] = []
    all_started = asyncio.Event()

    async def loop(stream: str) -> None:
        started.append(stream)
        if len(started) == BUCKETS:
            all_started.set()
        await asyncio.get_running_loop().create_future()  # until cancelled

    task = asyncio.create_task(on_every_stream(SHARDED, loop))
    await asyncio.wait_for(all_started.wait(), 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert started == every_stream(SHARDED)
    assert [t for t in asyncio.all_tasks() if t.get_name().startswith("reading ")] == []
