"""The brand delivery scripts' rules, each loaded into the real test Redis on its own: an
event is queued once, a brand is claimed only when due and one head at a time, a failure
makes only that brand wait, and a delivered head leaves the brand due again if more wait."""

from __future__ import annotations

import json

import redis.asyncio as aioredis

from billing.brand_hooks import _script

KEYS = {"due": "due", "queue": "q:b1", "attempts": "attempts", "backoff": "backoff",
        "failures": "failures"}


async def test_an_event_is_queued_once_then_delivered_in_order(redis: aioredis.Redis) -> None:
    enqueue, claim = _script(redis, "hook_enqueue"), _script(redis, "hook_claim")
    done = _script(redis, "hook_done")

    async def queue(entry_id: str, element: str) -> int:
        return int(await enqueue(
            keys={"queued": f"queued:{entry_id}", "queue": "q:b1", "due": "due"},
            args={"element": element, "brand": "b1", "keep_ms": 60_000}))

    assert await queue("1-0", "evt_1") == 1
    assert await queue("1-0", "evt_1") == 0  # marked queued: not queued twice
    assert 0 < await redis.pttl("queued:1-0") <= 60_000  # a mark left behind goes by itself
    assert await queue("2-0", "evt_2") == 1
    assert await redis.lrange("q:b1", 0, -1) == ["evt_1", "evt_2"]
    claim_keys = {k: KEYS[k] for k in ("due", "queue", "attempts", "backoff")}
    args = {"brand": "b1", "lease_ms": 3_600_000}
    assert await claim(keys=claim_keys, args=args) == ["evt_1", 0]
    assert await claim(keys=claim_keys, args=args) is None  # leased to this worker
    assert await done(keys=KEYS, args={"brand": "b1", "element": "evt_1"}) == 1
    assert await claim(keys=claim_keys, args=args) == ["evt_2", 0]  # due again at once
    await done(keys=KEYS, args={"brand": "b1", "element": "evt_2"})
    assert await redis.exists("q:b1", "due") == 0


async def test_a_failure_makes_only_its_brand_wait_and_counts_attempts(
        redis: aioredis.Redis) -> None:
    claim, retry = _script(redis, "hook_claim"), _script(redis, "hook_retry")
    await redis.rpush("q:b1", "evt_1")
    await redis.rpush("q:b2", "evt_9")
    await redis.zadd("due", {"b1": 0, "b2": 0})
    retry_keys = {k: KEYS[k] for k in ("due", "attempts", "backoff", "failures")}
    failed = {"brand": "b1", "delay_ms": 3_600_000, "error": "HTTP 500", "event_id": "evt_1"}
    assert [await retry(keys=retry_keys, args=failed) for _ in range(2)] == [1, 2]
    failure = json.loads(await redis.hget("failures", "b1"))
    assert (failure["event_id"], failure["attempts"], failure["error"]) == (
        "evt_1", 2, "HTTP 500")
    assert int(await redis.hget("backoff", "b1")) == failure["next_at"]
    claim_keys = {k: KEYS[k] for k in ("due", "attempts", "backoff")}
    assert await claim(keys={**claim_keys, "queue": "q:b1"},
                       args={"brand": "b1", "lease_ms": 1000}) is None  # waiting its hour
    assert await claim(keys={**claim_keys, "queue": "q:b2"},
                       args={"brand": "b2", "lease_ms": 1000}) == ["evt_9", 0]
    # A due brand whose queue is empty is simply no longer due.
    await redis.zadd("due", {"b3": 0})
    assert await claim(keys={**claim_keys, "queue": "q:b3"},
                       args={"brand": "b3", "lease_ms": 1000}) is None
    assert await redis.zscore("due", "b3") is None
