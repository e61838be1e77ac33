"""The earnings consumer reads every billing stream: on a Cluster there is one per bucket
of sessions (``common.keyspace.every_stream``). Here events go to two buckets' streams of a
name sharded as on a Cluster (on the single test Redis they are just keys): each is
credited once, by two processes' consumers at once, and reconciliation agrees."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from common.keyspace import SHARDED_STREAM, bucket_stream
from common.loops import stop_task
from earnings.consumer import GROUP, EarningsConsumer
from earnings.reconcile import reconcile_earnings
from earnings.store import EarningsStore
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

SHARDED = "helpcall:billing" + SHARDED_STREAM
EXPERT = "a_expert"


def paid(n: int, cents: int) -> dict[str, str]:
    return {"event_id": f"ev_{n}", "type": "session.ended", "session_id": f"s_{n}",
            "expert_id": EXPERT, "expert_payout_cents": str(cents),
            "ended_at": "2026-11-23T07:52:01.500Z"}


async def test_the_events_of_every_buckets_stream_are_credited_once(
    redis: aioredis.Redis
) -> None:
    store = EarningsStore(redis)
    streams = [bucket_stream(SHARDED, bucket) for bucket in (0, 5)]
    for n, stream in enumerate(streams, 1):
        await redis.xadd(stream, paid(n, 100 * n))  # type: ignore[arg-type]
    processes = [asyncio.create_task(EarningsConsumer(redis, store, SHARDED, name).run())
                 for name in ("p1", "p2")]
    try:
        async def credited() -> bool:
            return (await store.balances(EXPERT)).earned_cents == 300

        async def acknowledged() -> bool:
            return all([not int((await redis.xpending(s, GROUP))["pending"])
                        for s in streams])

        await eventually(credited, what="both events credited")
        await eventually(acknowledged, what="both entries acknowledged")
    finally:
        for process in processes:
            await stop_task(process)
    ledger = await store.whole_ledger(EXPERT)
    assert sorted((e["event_id"], e["amount_cents"]) for e in ledger) == [
        ("ev_1", 100), ("ev_2", 200)]
    assert (await store.balances(EXPERT)).earned_cents == 300
    assert await reconcile_earnings(redis, SHARDED) == []
    # An event of a bucket's stream that was not credited is found by reconciliation too.
    await redis.xadd(streams[1], paid(3, 50))  # type: ignore[arg-type]
    assert await reconcile_earnings(redis, SHARDED) == [
        f"expert {EXPERT}: event ev_3 pays 50 but credited None"]
