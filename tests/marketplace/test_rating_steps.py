"""An expert's rating as steps (marketplace/ratings.py): counted in the expert's slot after
each change of a review in the home slot, and what any process makes of a change stopped
between them. Also run on a Redis Cluster (docs/cluster.md)."""

from __future__ import annotations

import signal
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from common.lua import Lua
from marketplace import keys
from marketplace.ratings import Ratings
from server.keymigration import DONE_KEY, migrate_key_layout
from tests.conftest import LEASE, Doom, Running, StartApp
from tests.marketplace.conftest import live_then_ended
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.waiting import eventually

pytestmark = pytest.mark.cluster


async def card_of(running: Running, expert_id: str) -> Any:
    return await (await running.client.get(f"/api/v1/experts/{expert_id}")).json()


async def test_a_review_killed_before_the_rating_counts_it_is_counted_by_a_survivor(
        start_app: StartApp, doom: Doom, connect: Connect) -> None:
    # Calls live for milliseconds are reviewable only without a guarantee (§7.8).
    survivor = await start_app(HELPCALL_LEASE_SECONDS=LEASE, HELPCALL_GUARANTEE_SECONDS="0")
    doomed = await doom("review.written", HELPCALL_GUARANTEE_SECONDS="0")
    expert, expert_socket = await online_expert(survivor, connect)
    client, client_socket = await funded_client(survivor, connect)
    session_id = await live_then_ended(client_socket, expert_socket, expert)
    async with aiohttp.ClientSession(doomed.url) as http:
        with pytest.raises(aiohttp.ClientError):
            await http.post(f"/api/v1/sessions/{session_id}/review", headers=client.headers,
                            json={"rating": 4, "text": "Clear"})
    assert doomed.process.wait(30) == -signal.SIGKILL, doomed.output()
    # Left between the steps: the review is there, the expert's rating does not count it.
    reviews = await survivor.client.get(f"/api/v1/experts/{expert.id}/reviews")
    assert [r["rating"] for r in (await reviews.json())["reviews"]] == [4]
    assert (await card_of(survivor, expert.id))["reviews"] == 0

    async def counted() -> bool:
        card = await card_of(survivor, expert.id)
        return (card["rating"], card["reviews"]) == (4.0, 1)
    await eventually(counted, within=15, what="the survivor counting the review")


async def write_review(redis: aioredis.Redis, review_id: str, rating: int) -> None:
    """Step 1 alone (``review_add.lua``), as a process that stops right after leaves it."""
    await Lua(redis, "marketplace/lua/review_add.lua")(
        keys={"marker": keys.session_review(f"s_{review_id}"), "review": keys.review(review_id),
              "expert_reviews": keys.expert_reviews("e_9"), "counting": keys.COUNTING},
        args={"id": review_id, "session": f"s_{review_id}", "expert": "e_9",
              "client": "a_1", "client_name": "Bo", "rating": rating, "text": "",
              "lease_ms": 0})


async def rating_of(redis: aioredis.Redis) -> tuple[str | None, str | None]:
    total, count = await redis.hmget(keys.expert("e_9"), "rating_sum", "reviews")
    return total, count


async def test_changes_counted_late_or_twice_leave_the_latest(redis: aioredis.Redis) -> None:
    await redis.hset(keys.expert("e_9"), "display_name", "Ada")
    ratings = Ratings(redis, lease_ms=0)
    await write_review(redis, "r_1", 4)
    await write_review(redis, "r_2", 2)
    assert await rating_of(redis) == (None, None)
    assert await ratings.heal() == 2
    assert await rating_of(redis) == ("6", "2")
    assert await ratings.heal() == 0
    # Shown again (version 3) counted before the hiding it undid (version 2): the later
    # stands; each counted again changes nothing.
    await ratings.count("e_9", "r_1", 3, 4)
    await ratings.count("e_9", "r_1", 2, 0)
    await ratings.count("e_9", "r_1", 3, 4)
    assert await rating_of(redis) == ("6", "2")
    await ratings.count("e_9", "r_2", 4, 0)  # hidden
    assert await rating_of(redis) == ("4", "1")
    assert await redis.zcard(keys.COUNTING) == 0


async def test_an_erased_expert_is_not_brought_back_by_a_late_count(
        redis: aioredis.Redis) -> None:
    await write_review(redis, "r_3", 5)
    await redis.delete(keys.review("r_3"))  # erased with the expert, before the count
    assert await Ratings(redis, lease_ms=0).heal() == 1
    await Ratings(redis, lease_ms=0).count("e_9", "r_3", 1, 5)
    assert not await redis.exists(keys.expert("e_9"), keys.counted("e_9"), keys.COUNTING)


async def test_ratings_of_the_earlier_layout_are_counted_from_the_reviews(
        redis: aioredis.Redis) -> None:
    await redis.hset(keys.expert("e_9"), "display_name", "Ada")
    for review_id, rating, hidden in (("r_4", 5, "0"), ("r_5", 2, "0"), ("r_6", 1, "1")):
        await redis.hset(keys.review(review_id), mapping={
            "id": review_id, "expert_id": "e_9", "rating": rating, "hidden": hidden})
    await redis.hset("hc:{0}:experts:ratings", mapping={"e_9:sum": 7, "e_9:n": 2})
    await redis.set(DONE_KEY, "11")
    assert await migrate_key_layout(redis) == 3
    assert await rating_of(redis) == ("7", "2")
    assert not await redis.exists("hc:{0}:experts:ratings")
    # A review of before versions hidden now: its version 2 is counted as any other.
    await Ratings(redis, lease_ms=0).count("e_9", "r_4", 2, 0)
    assert await rating_of(redis) == ("2", "1")
    assert await migrate_key_layout(redis) == 0
