"""Saving a profile as steps (marketplace/index.py): the profile in the expert's slot, the
category indexes in the home slot, and what any process makes of a save stopped between
them. Also run on a Redis Cluster (docs/cluster.md)."""

from __future__ import annotations

import json
import signal
from collections.abc import Awaitable
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from common.lua import Lua
from marketplace import keys
from marketplace.index import ExpertIndex
from marketplace.profiles import ProfileUpdate
from server.keymigration import DONE_KEY, migrate_key_layout
from tests.conftest import Doom, Running
from tests.marketplace.conftest import admin
from tests.signaling.conftest import PROFILE
from tests.waiting import eventually

pytestmark = pytest.mark.cluster


async def listed_in(running: Running, category: str) -> list[str]:
    answer = await running.client.get(f"/api/v1/experts?category={category}")
    assert answer.status == 200
    return [card["id"] for card in (await answer.json())["experts"]]


async def test_a_save_killed_before_its_indexes_is_finished_by_a_survivor(
        survivor: Running, doom: Doom) -> None:
    doomed = await doom("expert.saved")
    expert = await survivor.user("expert")
    profile = PROFILE | {"categories": ["cooking", "computing"]}
    async with aiohttp.ClientSession(doomed.url) as http:
        with pytest.raises(aiohttp.ClientError):
            await http.put("/api/v1/experts/me", json=profile, headers=expert.headers)
    assert doomed.process.wait(30) == -signal.SIGKILL, doomed.output()
    # Left between the steps: the profile written, no category lists the expert yet.
    assert expert.id not in await listed_in(survivor, "cooking")

    async def finished() -> bool:
        return (expert.id in await listed_in(survivor, "cooking")
                and expert.id in await listed_in(survivor, "computing"))
    await eventually(finished, within=15, what="the survivor finishing the save")
    answer = await survivor.client.get("/api/v1/experts/me", headers=expert.headers)
    assert (await answer.json())["categories"] == ["cooking", "computing"]


def profile_of(*categories: str) -> ProfileUpdate:
    return ProfileUpdate.from_json(json.dumps(PROFILE | {"categories": list(categories)}))


def index_step(redis: aioredis.Redis, slug: str, version: int, listed: bool) -> Awaitable[Any]:
    index = keys.category(slug)
    return Lua(redis, "marketplace/lua/expert_index.lua")(
        keys={"index": index, "versions": keys.versions(index)},
        args={"id": "e_1", "version": version, "open": int(listed)})


async def test_two_saves_crossing_leave_the_indexes_on_the_later_profile(
        redis: aioredis.Redis) -> None:
    assert await index_step(redis, "cooking", 2, True) == 1
    assert await index_step(redis, "computing", 2, False) == 1
    assert await index_step(redis, "cooking", 1, False) == 0  # older: changes nothing
    assert await index_step(redis, "computing", 1, True) == 0
    assert await redis.smembers(keys.category("cooking")) == {"e_1"}
    assert not await redis.smembers(keys.category("computing"))


async def test_indexes_of_the_earlier_layout_each_move_to_their_own_slot(
        redis: aioredis.Redis) -> None:
    await redis.sadd("hc:{0}:experts:cat:cooking", "e_1")
    await redis.sadd("hc:{0}:experts", "e_1")
    await redis.hset("hc:{0}:experts:indexed", "e_1", "3")
    await redis.set(DONE_KEY, "11")
    assert await migrate_key_layout(redis) == 3
    assert await redis.smembers(keys.category("cooking")) == {"e_1"}
    assert await redis.smembers(keys.ALL_EXPERTS) == {"e_1"}
    assert not await redis.exists("hc:{0}:experts:cat:cooking", "hc:{0}:experts",
                                  "hc:{0}:experts:indexed")
    # The versions start afresh: the expert's next save is followed.
    index = ExpertIndex(redis, lease_ms=0)
    await index.save("e_1", "Ada", profile_of("computing"))
    assert await redis.smembers(keys.category("computing")) == {"e_1"}
    assert not await redis.smembers(keys.category("cooking"))


async def test_a_save_stopped_before_its_profile_leaves_nothing_once_healed(
        redis: aioredis.Redis) -> None:
    index = ExpertIndex(redis, lease_ms=0)
    await redis.zadd(keys.SAVING, {"e_1|n1": 0})
    assert await index.heal() == 1
    assert not await redis.exists(keys.SAVING, keys.ALL_EXPERTS, keys.expert("e_1"))
    # A save that went through leaves no intent behind.
    await index.save("e_2", "Ada", profile_of("cooking"))
    assert await redis.zcard(keys.SAVING) == 0
    assert await redis.smembers(keys.category("cooking")) == {"e_2"}
    assert await index.heal() == 0


async def test_a_profile_of_the_earlier_layout_keeps_its_rating_photo_and_verifications(
        running: Running, redis: aioredis.Redis) -> None:
    expert = await running.user("expert")
    answer = await running.client.put("/api/v1/experts/me", headers=expert.headers,
                                      json=PROFILE | {"categories": ["cooking", "health"]})
    assert answer.status == 200
    # Written back as layout 9 had it: one hash of the home slot, ratings in it, and the
    # categories asked for and verified in sets beside it.
    fields = await redis.hgetall(keys.expert(expert.id))
    await redis.delete(keys.expert(expert.id))
    old = f"hc:{{0}}:expert:{expert.id}"
    await redis.hset(old, mapping=fields | {"rating_sum": "9", "reviews": "2",
                                            "photo_at": "1700000000000"})
    await redis.sadd(f"{old}:wants", "cooking", "health")
    await redis.sadd(f"{old}:verified", "health")
    await redis.set(DONE_KEY, "9")
    assert await migrate_key_layout(redis) == 3
    assert await migrate_key_layout(redis) == 0
    assert not await redis.exists(old, f"{old}:wants", f"{old}:verified")
    card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    assert (card["rating"], card["reviews"]) == (4.5, 2)
    assert card["photo_url"] == f"/media/experts/{expert.id}.jpg?v=1700000000000"
    assert card["categories"] == ["cooking", "health"]


async def test_an_approval_killed_before_the_experts_hash_is_finished_by_a_survivor(
        survivor: Running, doom: Doom) -> None:
    doomed = await doom("verification.decided")
    expert = await survivor.user("expert")
    answer = await survivor.client.put("/api/v1/experts/me", headers=expert.headers,
                                       json=PROFILE | {"categories": ["health"]})
    assert (await answer.json())["unverified_categories"] == ["health"]
    asked = await survivor.client.post("/api/v1/experts/me/verifications", headers=expert.headers,
                                       json={"category": "health", "evidence": "MD 42"})
    boss = await admin(survivor)
    async with aiohttp.ClientSession(doomed.url) as http:
        with pytest.raises(aiohttp.ClientError):
            await http.post(f"/api/v1/admin/verifications/{(await asked.json())['id']}",
                            json={"decision": "approve"}, headers=boss.headers)
    assert doomed.process.wait(30) == -signal.SIGKILL, doomed.output()
    # Left after the decision: approved, but not yet in the expert's hash nor the index.
    assert expert.id not in await listed_in(survivor, "health")

    async def finished() -> bool:
        return expert.id in await listed_in(survivor, "health")
    await eventually(finished, within=15, what="the survivor finishing the approval")
    answer = await survivor.client.get("/api/v1/experts/me", headers=expert.headers)
    assert (await answer.json())["categories"] == ["health"]


async def test_an_approval_and_a_save_crossing_leave_the_later_version(
        redis: aioredis.Redis) -> None:
    index = ExpertIndex(redis, lease_ms=0)
    await index.save("e_3", "Ada", profile_of("health"))
    assert not await redis.sismember(keys.category("health"), "e_3")
    approval = index.approval("e_3", "health")
    await redis.zadd(keys.SAVING, {approval: 0})  # recorded by the decision, then a stop
    await index.save("e_3", "Ada", profile_of("health", "cooking"))  # verified: not yet
    assert not await redis.sismember(keys.category("health"), "e_3")
    assert await index.heal() == 1
    assert await redis.sismember(keys.category("health"), "e_3")
    assert await redis.hget(keys.expert("e_3"), "verified") == "health"
    await index.finish(approval)  # taken again: changes nothing
    assert await redis.hget(keys.expert("e_3"), "verified") == "health"
    assert await redis.smembers(keys.category("cooking")) == {"e_3"}
