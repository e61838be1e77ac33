"""A category call's place in its queue is kept as steps around the session scripts
(sessions/queueing.py): stopped between any two of them, a queued call is never lost from
its queue for more than a lease, and an entry left behind rings nobody.

Each stop is left in Redis as a process killed there would leave it (the steps before it
ran, the rest never did); then the test shows what the people see next. The lease is 1 s
here, not 6.
"""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.lua import in_order
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import CALLS, REDIS
from sessions.intents import Intents
from sessions.keys import LAST_RUNG, QUEUES, queue_key
from sessions.listing import Listing
from sessions.queueing import CategoryQueues
from sessions.store import SessionStore
from tests.conftest import Running, StartApp
from tests.signaling.conftest import Connect, funded_client, online_expert, rung
from tests.waiting import eventually

LEASE = "1"
COOKING = {"category": "cooking", "topic": "My sauce splits"}


def queues_on(redis: aioredis.Redis, lease_ms: int = 60_000) -> CategoryQueues:
    return CategoryQueues(redis, Intents(redis, lease_ms), Listing(redis), lease_ms)


async def test_an_empty_queue_is_forgotten_and_one_a_call_joined_meanwhile_kept(
    redis: aioredis.Redis,
) -> None:
    queues = queues_on(redis)
    await redis.sadd(QUEUES, "cooking")
    assert await queues.waiting("cooking") == []
    assert await queues.categories() == []
    # A call joined the queue, then its category the set, between the router reading the
    # queue empty and forgetting it: the forgetting looks again and puts it back.
    joined, categorised = queues.joining("s_1", "cooking")
    await in_order(redis, joined, categorised)
    await queues.forget("cooking")
    assert await queues.categories() == ["cooking"]
    assert await queues.waiting("cooking") == ["s_1"]


async def test_an_entry_without_its_session_goes_only_once_a_lease_old(
    redis: aioredis.Redis,
) -> None:
    queues = queues_on(redis, lease_ms=60_000)
    await in_order(redis, *queues.joining("s_young", "cooking"))
    await redis.zadd(queue_key("cooking"), {"s_old": 1})
    for session_id in ("s_young", "s_old"):
        await queues.stray("cooking", session_id, "")
    assert await queues.waiting("cooking") == ["s_young"]
    await queues.stray("cooking", "s_young", "ringing")  # a call rung keeps its place
    assert await queues.waiting("cooking") == ["s_young"]
    await queues.stray("cooking", "s_young", "ended")
    assert await queues.waiting("cooking") == []


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS=LEASE)


def store_of(running: Running) -> SessionStore:
    return running.app[CALLS].store


@pytest.mark.cluster
async def test_a_call_joined_without_its_session_rings_nobody_and_leaves_the_queue(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    queues = store_of(running).queues
    await in_order(running.app[REDIS], *queues.joining("s_stopped", "cooking"))
    # A real call queued after it is routed; the entry without a session goes a lease later.
    _, client_socket = await funded_client(running, connect)
    session_id = await rung(client_socket, expert_socket, COOKING)

    async def gone() -> bool:
        return await queues.waiting("cooking") == []
    await eventually(gone, within=5, what="the entry without its session dropped")
    assert [d["session_id"] for d in expert_socket.events["call:incoming"]] == [session_id]
    assert await running.app[REDIS].zscore(LAST_RUNG, expert.id) is not None


@pytest.mark.cluster
async def test_stopped_before_putting_a_declined_call_back_a_reaper_does_it(
    running: Running, connect: Connect
) -> None:
    first, first_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    session_id = await rung(client_socket, first_socket, COOKING)
    # The decline's script only, as _run would call it, without the steps after it: the
    # call is queued, but not in its queue.
    reply = await store_of(running)._scripts.run(
        "act", session_id, None, {"account": first.id, "event": "decline"})
    assert reply[0] == "requeued"
    assert session_id not in await store_of(running).queues.waiting("cooking")
    _, second_socket = await online_expert(running, connect)
    # A lease later the reaper puts it back, and the router rings the next expert.
    await second_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id,
                                 within=10)
    await client_socket.state("ringing", nth=2)


@pytest.mark.cluster
async def test_an_entry_left_by_a_stopped_router_rings_nobody_and_goes_when_the_call_ends(
    running: Running, connect: Connect
) -> None:
    _, expert_socket = await online_expert(running, connect)
    _, other_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", COOKING)
    session_id = started["session_id"]
    await client_socket.state("ringing")
    # The route's script ran, its process stopped before the call left its queue (which,
    # never empty, kept its category in the set).
    await running.app[REDIS].zadd(queue_key("cooking"), {session_id: 1})
    await running.app[REDIS].sadd(QUEUES, "cooking")
    await client_socket.ok("call:cancel", {"session_id": session_id})

    async def gone() -> bool:
        return await store_of(running).queues.waiting("cooking") == []
    await eventually(gone, within=5, what="the entry of the ended call dropped")
    rung = [s for s in (expert_socket, other_socket) if "call:incoming" in s.events]
    assert len(rung) == 1 and len(rung[0].events["call:incoming"]) == 1


async def test_queues_of_the_earlier_layout_move_to_their_own_slots(
    redis: aioredis.Redis,
) -> None:
    await redis.zadd("hc:{0}:queue:cooking", {"s_1": 1})
    await redis.sadd("hc:{0}:queues", "cooking")
    await redis.zadd("hc:{0}:lastrung", {"a_1": 5})
    await redis.set(DONE_KEY, "5")
    assert await migrate_key_layout(redis) == 3
    assert await redis.zrange(queue_key("cooking"), 0, -1) == ["s_1"]
    assert await redis.smembers(QUEUES) == {"cooking"}
    assert await redis.zscore(LAST_RUNG, "a_1") == 5
