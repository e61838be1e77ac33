"""The mail scripts' rules, each loaded into the real test Redis on its own: a message is
queued once per key, and its send lock is one worker's at a time; and the records of an
earlier layout still count after an upgrade."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua
from mail.outbox import DEDUP_MS, QUEUED_KEY, SENT_KEY, SENT_MS
from server.keymigration import DONE_KEY, migrate_key_layout


async def test_a_message_is_queued_once_per_key(redis: aioredis.Redis) -> None:
    enqueue = Lua(redis, "mail/lua/enqueue.lua")
    keys = {"queued": "queued", "stream": "mail"}
    fields = ["key", "k1", "to", "ada@example.com", "kind", "welcome", "raw", "..."]
    assert await enqueue(keys=keys, args={"key": "k1", "dedup_ms": 3_600_000,
                                          "fields": fields}) == 1
    assert await enqueue(keys=keys, args={"key": "k1", "dedup_ms": 3_600_000,
                                          "fields": fields}) == 0
    entries = await redis.xrange("mail")
    assert [f for _, f in entries] == [dict(zip(fields[::2], fields[1::2], strict=True))]
    assert await redis.zrange("queued", 0, -1) == ["k1"]


async def test_a_key_queued_longer_ago_than_the_dedup_period_is_queued_again(
        redis: aioredis.Redis) -> None:
    enqueue = Lua(redis, "mail/lua/enqueue.lua")
    keys = {"queued": "queued", "stream": "mail"}
    fields = ["key", "k1", "to", "ada@example.com", "kind", "welcome", "raw", "..."]
    now_s, _ = await redis.time()
    await redis.zadd("queued", {"k1": now_s * 1000 - 3_600_001, "k2": now_s * 1000})
    assert await enqueue(keys=keys, args={"key": "k1", "dedup_ms": 3_600_000,
                                          "fields": fields}) == 1
    assert await redis.xlen("mail") == 1
    assert sorted(await redis.zrange("queued", 0, -1)) == ["k1", "k2"]


async def test_a_send_lock_is_one_workers_and_renewed_by_it_only(redis: aioredis.Redis) -> None:
    lock = Lua(redis, "mail/lua/lock.lua")
    assert await lock(keys={"lock": "l"}, args={"owner": "w1", "lease_ms": 1000}) == 1
    assert await lock(keys={"lock": "l"}, args={"owner": "w2", "lease_ms": 600_000}) == 0
    assert await lock(keys={"lock": "l"}, args={"owner": "w1", "lease_ms": 600_000}) == 1
    assert await redis.get("l") == "w1"
    assert await redis.pttl("l") > 1000  # renewed for the longer lease


async def test_records_of_the_earlier_layout_still_keep_a_message_from_going_twice(
        redis: aioredis.Redis) -> None:
    # Layout 9 kept a key per queued or sent message: the upgrade folds them into the
    # sorted sets, so a message queued (or sent) before it is not queued again after.
    await redis.set("hc:{0}:mail:queued:welcome:a_1", "1", ex=3600)
    await redis.set("hc:{0}:mail:sent:welcome:a_1", "1", ex=3600)
    await redis.set(DONE_KEY, "9")
    assert await migrate_key_layout(redis) == 2
    assert await migrate_key_layout(redis) == 0
    assert not await redis.exists("hc:{0}:mail:queued:welcome:a_1",
                                  "hc:{0}:mail:sent:welcome:a_1")
    now_s, _ = await redis.time()
    queued_at = await redis.zscore(QUEUED_KEY, "welcome:a_1")
    sent_at = await redis.zscore(SENT_KEY, "welcome:a_1")
    # Written an hour before each record would have expired, i.e. long ago.
    assert queued_at is not None and queued_at < now_s * 1000 - DEDUP_MS + 3_601_000
    assert sent_at is not None and sent_at < now_s * 1000 - SENT_MS + 3_601_000
    fields = ["key", "welcome:a_1", "to", "ada@example.com", "kind", "welcome", "raw", "..."]
    added = await Lua(redis, "mail/lua/enqueue.lua")(
        keys={"queued": QUEUED_KEY, "stream": "mail"},
        args={"key": "welcome:a_1", "dedup_ms": DEDUP_MS, "fields": fields})
    assert added == 0
