"""The mail scripts' rules, each loaded into the real test Redis on its own: a message is
queued once per key, and its send lock is one worker's at a time."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua


async def test_a_message_is_queued_once_per_key(redis: aioredis.Redis) -> None:
    enqueue = Lua(redis, "mail/lua/enqueue.lua")
    keys = {"dedup": "queued:k1", "stream": "mail"}
    fields = ["key", "k1", "to", "ada@example.com", "kind", "welcome", "raw", "..."]
    assert await enqueue(keys=keys, args={"dedup_seconds": 3600, "fields": fields}) == 1
    assert await enqueue(keys=keys, args={"dedup_seconds": 3600, "fields": fields}) == 0
    entries = await redis.xrange("mail")
    assert [f for _, f in entries] == [dict(zip(fields[::2], fields[1::2], strict=True))]
    assert 3000 < await redis.ttl("queued:k1") <= 3600


async def test_a_send_lock_is_one_workers_and_renewed_by_it_only(redis: aioredis.Redis) -> None:
    lock = Lua(redis, "mail/lua/lock.lua")
    assert await lock(keys={"lock": "l"}, args={"owner": "w1", "lease_ms": 1000}) == 1
    assert await lock(keys={"lock": "l"}, args={"owner": "w2", "lease_ms": 600_000}) == 0
    assert await lock(keys={"lock": "l"}, args={"owner": "w1", "lease_ms": 600_000}) == 1
    assert await redis.get("l") == "w1"
    assert await redis.pttl("l") > 1000  # renewed for the longer lease
