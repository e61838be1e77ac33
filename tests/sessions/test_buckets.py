"""Sessions spread over buckets (common/keyspace.py), and those of layout 6 moved there."""

from __future__ import annotations

from collections import Counter

import redis.asyncio as aioredis

from common.keyspace import BUCKETS, bucket_of, bucket_stream, every_stream, slot_of
from server.keymigration import DONE_KEY, migrate_key_layout, new_name
from sessions.filestore import file_key
from sessions.keys import (
    HOME_DEADLINES,
    credit_member,
    deadlines_key,
    session_key,
    timeline_key,
)


def _outside_bucket_0(count: int) -> list[str]:
    ids = (f"s_{n}" for n in range(1000))
    return [i for i in ids if bucket_of(i) != 0][:count]


def test_sessions_spread_evenly_and_each_shares_its_buckets_slot() -> None:
    per_bucket = Counter(bucket_of(f"s_{n:08x}") for n in range(16_000))
    assert set(per_bucket) == set(range(BUCKETS))
    assert max(per_bucket.values()) < 2 * min(per_bucket.values())
    for session_id in _outside_bucket_0(3):
        stream = bucket_stream("helpcall:billing:{0}", bucket_of(session_id))
        slots = {slot_of(key) for key in (session_key(session_id), deadlines_key(session_id),
                                          timeline_key(session_id), stream)}
        assert len(slots) == 1
        assert slot_of(session_key(session_id)) != slot_of(HOME_DEADLINES)


def test_one_billing_stream_on_a_single_redis_one_per_bucket_on_a_cluster() -> None:
    assert every_stream("helpcall:billing") == ["helpcall:billing"]
    sharded = every_stream("helpcall:billing:{0}")
    assert sharded[0] == "helpcall:billing:{0}" and len(set(sharded)) == BUCKETS
    assert sharded[7] == "helpcall:billing:{7}"


def test_a_sessions_keys_of_layout_6_get_their_buckets_names() -> None:
    session_id = _outside_bucket_0(1)[0]
    old = f"hc:{{0}}:{{s:{session_id}}}"
    assert new_name(old) == session_key(session_id) != old
    assert new_name(old + ":timeline") == timeline_key(session_id)
    assert new_name(old + ":file:f_1") == file_key(session_id, "f_1")
    assert new_name(old + ":dispute") == old + ":dispute"  # a dispute stays home
    assert new_name(session_key(session_id)) == session_key(session_id)


async def test_a_call_of_layout_6_moves_with_its_deadlines_and_files(
    redis: aioredis.Redis,
) -> None:
    moving, staying = _outside_bucket_0(1)[0], "s_home"
    while bucket_of(staying) != 0:
        staying += "x"
    for session_id in (moving, staying):
        old = f"hc:{{0}}:{{s:{session_id}}}"
        await redis.hset(old, mapping={"id": session_id, "state": "live"})
        await redis.rpush(old + ":timeline", "created")
        await redis.zadd(HOME_DEADLINES, {f"grace|{session_id}": 5})
    await redis.hset(f"hc:{{0}}:{{s:{moving}}}:file:f_1", mapping={"size": 3})
    refund = credit_member(moving, "a_1", 100)  # a dispute's refund stays in bucket 0's
    await redis.zadd(HOME_DEADLINES, {refund: 7})
    await redis.set(DONE_KEY, "6")

    assert await migrate_key_layout(redis) == 4  # hash, timeline, file, deadline
    assert await migrate_key_layout(redis) == 0  # done once
    assert await redis.hget(session_key(moving), "state") == "live"
    assert await redis.lrange(timeline_key(moving), 0, -1) == ["created"]
    assert await redis.hget(file_key(moving, "f_1"), "size") == "3"
    assert await redis.zscore(deadlines_key(moving), f"grace|{moving}") == 5
    assert await redis.zrange(HOME_DEADLINES, 0, -1) == [f"grace|{staying}", refund]
    assert not await redis.exists(f"hc:{{0}}:{{s:{moving}}}")
    assert await redis.hget(session_key(staying), "state") == "live"
