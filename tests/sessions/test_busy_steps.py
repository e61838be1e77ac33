"""An expert's busy flag is taken and given back as steps of their own (sessions/busy.py):
stopped between any two of them, the expert is never left busy without a call for more
than a lease, and never free during one.

Each stop is left in Redis as a process killed there would leave it (the steps before it
ran, the rest never did); then the test shows what the people see next. The lease is 1 s
here, not 6.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis

from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import CALLS, REDIS
from sessions.keys import EVERY_DEADLINES, busy_key, free_member
from sessions.pricing import Pricing, PricingMode
from sessions.store import NewSession, SessionStore
from tests.conftest import Running, StartApp, User
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

LEASE = "1"


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS=LEASE)


def store_of(running: Running) -> SessionStore:
    return running.app[CALLS].store


def to(expert: User) -> dict[str, str]:
    """What ``call:start`` is given to call ``expert``."""
    return {"expert_id": expert.id, "topic": "tap"}


async def status(running: Running, expert: User) -> str:
    card: dict[str, Any] = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    return str(card["status"])


async def shown_online(running: Running, expert: User) -> None:
    async def online() -> bool:
        return await status(running, expert) == "online"
    await eventually(online, within=5, what=f"expert {expert.id} shown online")


async def intents(running: Running) -> list[str]:
    redis = running.app[REDIS]
    members = [m for zset in EVERY_DEADLINES for m in await redis.zrange(zset, 0, -1)]
    return [m for m in members if m.startswith("free|")]


async def no_intents_left(running: Running) -> None:
    async def none() -> bool:
        return await intents(running) == []
    await eventually(none, within=5, what="no free intent left")


async def test_a_call_holds_its_expert_and_frees_them_when_it_ends(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", to(expert))
    assert await running.app[REDIS].get(busy_key(expert.id)) == started["session_id"]
    assert await status(running, expert) == "busy"
    assert await intents(running) == []  # the session holds the expert: nothing to undo

    await client_socket.ok("call:cancel", {"session_id": started["session_id"]})
    assert await status(running, expert) == "online"
    assert await running.app[REDIS].get(busy_key(expert.id)) is None
    await no_intents_left(running)  # dropped at the reaper's next tick


async def test_a_refused_start_frees_the_expert_at_once(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    broke = await running.user("client")
    broke_socket = await connect(running, broke)
    answer = await broke_socket.call("call:start", to(expert))
    assert answer["error"]["code"] == "insufficient_funds"
    assert await status(running, expert) == "online"
    await no_intents_left(running)


async def test_stopped_after_taking_the_flag_the_expert_is_free_again_within_a_lease(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    # A process took the flag for a call (steps 1 and 2), then stopped: no session.
    assert await store_of(running).steps.busy.take(expert.id, "s_never_written")
    assert await status(running, expert) == "busy"
    refused = await client_socket.call("call:start", to(expert))
    assert refused["error"]["code"] == "unavailable"  # a start may still be on its way

    await shown_online(running, expert)  # a reaper found the intent a lease later
    started = await client_socket.ok("call:start", to(expert))
    assert started["state"] == "ringing"
    await no_intents_left(running)


async def ended_without_giving_back(running: Running, connect: Connect) -> tuple[User, str]:
    """A call that ended in its script, its process stopped before the flag's step."""
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", to(expert))
    session_id = started["session_id"]
    # The cancel's script only, as _run would call it, without the step after it.
    reply = await store_of(running)._scripts.run(
        "act", session_id, None, {"account": client.id, "event": "cancel"})
    assert reply[0] == "ok" and reply[5] == expert.id
    assert await running.app[REDIS].get(busy_key(expert.id)) == session_id
    assert await intents(running) == [free_member(session_id, expert.id)]
    return expert, session_id


async def test_stopped_before_giving_the_flag_back_a_reaper_frees_the_expert(
    running: Running, connect: Connect
) -> None:
    expert, _ = await ended_without_giving_back(running, connect)
    assert await status(running, expert) == "busy"
    await shown_online(running, expert)
    assert await running.app[REDIS].get(busy_key(expert.id)) is None
    await no_intents_left(running)


async def test_stopped_before_giving_the_flag_back_the_next_caller_gets_through_at_once(
    running: Running, connect: Connect
) -> None:
    expert, _ = await ended_without_giving_back(running, connect)
    _, other_socket = await funded_client(running, connect)
    # Well within the lease: the flag's session has ended, so the caller frees it.
    started = await other_socket.ok("call:start", to(expert))
    assert await running.app[REDIS].get(busy_key(expert.id)) == started["session_id"]


async def test_a_category_call_sent_back_to_its_queue_frees_the_expert_it_rang(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"category": "cooking", "topic": "sauce"})
    session_id = started["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    # The decline's script only: the call is back in its queue, the flag not given back.
    reply = await store_of(running)._scripts.run(
        "act", session_id, None, {"account": expert.id, "event": "decline"})
    assert reply[0] == "requeued" and reply[5] == expert.id
    assert await running.app[REDIS].get(busy_key(expert.id)) == session_id
    await shown_online(running, expert)
    await no_intents_left(running)


async def test_a_retried_start_never_frees_the_expert_of_its_own_call(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    new = NewSession(client.id, expert.id, "tap", Pricing(PricingMode.PER_MINUTE, 100),
                     client_socket.sio.get_sid() or "sid", "p_test")
    store = store_of(running)
    await store.start("s_twice", new)
    # The same start again (its reply lost, say): refused, and the expert stays held.
    with pytest.raises(Exception, match="already exists"):
        await store.start("s_twice", new)
    assert await running.app[REDIS].get(busy_key(expert.id)) == "s_twice"
    assert await status(running, expert) == "busy"


async def test_a_busy_flag_of_the_home_slot_layout_moves_to_its_expert(
    redis: aioredis.Redis,
) -> None:
    await redis.set("hc:{0}:busy:a_old", "s_old")
    await redis.set(DONE_KEY, "2")
    assert await migrate_key_layout(redis) == 1
    assert await redis.get(busy_key("a_old")) == "s_old"
    assert await redis.exists("hc:{0}:busy:a_old") == 0
