"""The payer's money a call holds is taken and settled as steps of its own
(sessions/holds.py): stopped between any two of them, money is never held without a call
for more than a lease, never charged twice, and never given back during a call.

Each stop is left in Redis as a process killed there would leave it (the steps before it
ran, the rest never did); then the test shows what the people see next: their wallet,
its ledger, the billing event. The lease is 1 s here, not 6.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from appointments.keys import booking_key
from server.keyfolds import LEGACY
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import CALLS, REDIS
from sessions.holds import Hold, hold_args
from sessions.keys import EVERY_DEADLINES, session_key
from sessions.parties import Parties
from sessions.pricing import Pricing, PricingMode
from sessions.reconcile import reconcile
from sessions.store import NewSession, SessionStore
from sessions.wallet import holds_key, ledger_key
from tests.conftest import Running, StartApp, User, billing_entries, on_this_redis
from tests.signaling.conftest import Connect, funded_client, live_for_a_second, online_expert
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

LEASE = "1"
START_HOLD = 120  # the experts' price (tests/signaling/conftest.py), a minute held at start


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS=LEASE, HELPCALL_GUARANTEE_SECONDS="0")


def store_of(running: Running) -> SessionStore:
    return running.app[CALLS].store


async def wallet(running: Running, user: User) -> dict[str, Any]:
    body: dict[str, Any] = await (
        await running.client.get("/api/v1/wallet", headers=user.headers)).json()
    return body


async def ledger(running: Running, user: User) -> list[str]:
    entries = await running.app[REDIS].xrange(ledger_key(user.id))
    return [fields["kind"] for _, fields in entries]


async def pay_intents(running: Running) -> list[str]:
    redis = running.app[REDIS]
    members = [m for zset in EVERY_DEADLINES for m in await redis.zrange(zset, 0, -1)]
    return [m for m in members if m.startswith("pay|")]


async def nothing_held(running: Running, user: User) -> None:
    async def none() -> bool:
        return (await wallet(running, user))["held_cents"] == 0 and not await pay_intents(running)
    await eventually(none, within=5, what=f"{user.id}'s money given back, no intent left")


async def test_a_call_holds_its_payers_money_and_gives_it_back_when_it_ends(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "tap"})
    session_id = started["session_id"]
    held = await running.app[REDIS].hgetall(holds_key(client.id))
    assert list(held.values()) == [str(START_HOLD)]
    assert next(iter(held)).startswith(session_id + "|")
    assert (await wallet(running, client))["held_cents"] == START_HOLD
    assert await pay_intents(running) == []  # the session holds it: nothing to undo

    await client_socket.ok("call:cancel", {"session_id": session_id})
    assert (await wallet(running, client))["held_cents"] == 0  # at once, not at the tick
    await nothing_held(running, client)
    assert await running.app[REDIS].hgetall(holds_key(client.id)) == {}
    assert await ledger(running, client) == ["topup", "hold", "release"]


async def test_stopped_after_holding_the_money_is_given_back_within_a_lease(
    running: Running, connect: Connect
) -> None:
    client, _ = await funded_client(running, connect, cents=150)
    # A process held money for a call (steps 1 and 2), then stopped: no session.
    assert await store_of(running).steps.holds.take(Hold.new("s_never_written", client.id), 150)
    assert (await wallet(running, client))["available_cents"] == 0
    await nothing_held(running, client)  # a reaper found the intent a lease later
    assert (await wallet(running, client))["available_cents"] == 150
    assert await ledger(running, client) == ["topup", "hold", "release"]


async def test_a_hold_given_back_by_a_reaper_is_never_taken_again_nor_used(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    store = store_of(running)
    hold = Hold.new("s_late", client.id)
    assert await store.steps.holds.take(hold, START_HOLD)
    await nothing_held(running, client)  # the process stalled past its lease
    # Its next steps come late: the take again, then the start script. Both refuse.
    assert not await store.steps.holds.take(hold, START_HOLD)
    assert (await wallet(running, client))["held_cents"] == 0
    parties = Parties(client.id, expert.id, "", client.id)
    reply = await store._scripts.run("start", "s_late", parties, {
        **{name: "" for name in ("topic", "brand_id", "category", "booking_id")},
        "client_id": client.id, "expert_id": expert.id, "pricing_mode": "per_minute",
        "rate_cents": START_HOLD, "currency": "EUR", "fee_percent": 20,
        "hold_cents": START_HOLD, "sid": client_socket.sio.get_sid() or "sid", "proc": "p",
        "paid_by": "client", "payer_id": client.id, "rung": "e",
        **hold_args(hold)})
    assert reply[:3] == ["err", "conflict", "expired"]
    assert await running.app[REDIS].exists(session_key("s_late")) == 0


async def ended_without_settling(running: Running, connect: Connect) -> tuple[User, str]:
    """A live call that ended in its script, its process stopped before the hold's step."""
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "tap"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")
    await live_for_a_second(running, client, session_id)
    # The hang-up's script only, as _run would call it, without the steps after it.
    reply = await store_of(running)._scripts.run(
        "act", session_id, None, {"account": client.id, "event": "hangup"})
    assert reply[0] == "ok" and reply[6].startswith(f"pay|{session_id}|{client.id}|")
    assert (await wallet(running, client))["held_cents"] > 0
    return client, reply[6]


async def test_stopped_before_settling_a_reaper_charges_the_call_once(
    running: Running, connect: Connect
) -> None:
    client, intent = await ended_without_settling(running, connect)
    await nothing_held(running, client)
    charged = int(intent.rsplit("|", 1)[1])
    [event] = [fields for _, fields in await billing_entries(running.app[REDIS])]
    assert int(event["amount_cents"]) == charged > 0
    assert (await wallet(running, client))["balance_cents"] == 10_000 - charged
    # Settling it again (a second reaper, the stopped process back) changes nothing.
    hold, charge = Hold.of_intent(intent) or (None, 0)
    assert hold is not None
    await store_of(running).steps.holds.settle(hold, charge)
    assert (await wallet(running, client))["balance_cents"] == 10_000 - charged
    assert (await ledger(running, client)).count("charge") == 1


async def test_a_category_call_sent_back_to_its_queue_gives_back_the_hold_it_took(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"category": "cooking", "topic": "sauce"})
    session_id = started["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    assert (await wallet(running, client))["held_cents"] == START_HOLD
    # The decline's script only: the call is back in its queue, the hold not settled.
    reply = await store_of(running)._scripts.run(
        "act", session_id, None, {"account": expert.id, "event": "decline"})
    assert reply[0] == "requeued" and reply[6].endswith("|0")
    await nothing_held(running, client)
    assert await ledger(running, client) == ["topup", "hold", "release"]


async def test_a_retried_start_never_gives_back_the_money_of_its_own_call(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    new = NewSession(client.id, expert.id, "tap", Pricing(PricingMode.PER_MINUTE, START_HOLD),
                     client_socket.sio.get_sid() or "sid", "p_test")
    store = store_of(running)
    await store.start("s_twice", new)
    with pytest.raises(Exception, match="already exists"):
        await store.start("s_twice", new)  # its reply lost, say
    assert (await wallet(running, client))["held_cents"] == START_HOLD
    nonce = await running.app[REDIS].hget(session_key("s_twice"), "hold_nonce")
    assert await running.app[REDIS].hgetall(holds_key(client.id)) == {
        f"s_twice|{nonce}": str(START_HOLD)}


async def test_calls_and_bookings_in_progress_across_the_upgrade_keep_their_holds(
    redis: aioredis.Redis,
) -> None:
    # A call held 300 cents and a booking 500 the earlier way: in the wallet's sum only.
    await redis.hset(session_key("s_old"), mapping={
        "id": "s_old", "state": "live", "payer_id": "a_payer", "hold_cents": 300})
    await redis.hset(booking_key("bk_old"), mapping={
        "id": "bk_old", "state": "booked", "client_id": "a_payer", "hold_cents": 500})
    await redis.hset(session_key("s_over"), mapping={
        "id": "s_over", "state": "ended", "payer_id": "a_payer", "hold_cents": 300})
    await redis.hset("hc:{0}:{w:a_payer}", mapping={"balance": 1000, "held": 800})
    await redis.set(DONE_KEY, "3")
    assert await migrate_key_layout(redis) == 3  # the wallet moved, two holds recorded
    assert await redis.hgetall(holds_key("a_payer")) == {
        f"s_old|{LEGACY}": "300", f"bk_old|{LEGACY}": "500"}
    assert await redis.hget(session_key("s_old"), "hold_nonce") == LEGACY
    assert await redis.hget(booking_key("bk_old"), "hold_nonce") == LEGACY
    assert await migrate_key_layout(redis) == 0  # done once


async def test_two_processes_ringing_one_expert_for_one_call_hold_its_price_once(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, _ = await funded_client(running, connect)
    steps = store_of(running).steps
    (first, _), (second, _) = await asyncio.gather(
        steps.take(expert.id, "s_routed", client.id, START_HOLD),
        steps.take(expert.id, "s_routed", client.id, START_HOLD))
    assert first == second is not None  # one hold, by the same name
    assert (await wallet(running, client))["held_cents"] == START_HOLD
    assert await ledger(running, client) == ["topup", "hold"]


async def test_a_call_may_hold_again_for_an_expert_it_gave_a_hold_back_for(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, _ = await funded_client(running, connect)
    steps = store_of(running).steps
    given_back, _ = await steps.take(expert.id, "s_again", client.id, START_HOLD)
    assert given_back is not None
    await steps.refused(expert.id, "s_again", given_back)  # its script refused: a new price
    assert (await wallet(running, client))["held_cents"] == 0
    # The price changed back; the router rings the same expert with the same amount.
    again, _ = await steps.take(expert.id, "s_again", client.id, START_HOLD)
    assert again is not None and again.nonce != given_back.nonce
    assert (await wallet(running, client))["held_cents"] == START_HOLD


async def test_reconcile_names_money_held_for_a_call_that_holds_it_no_more(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "tap"})
    session_id = started["session_id"]
    redis = running.app[REDIS]
    stream = on_this_redis(redis, "helpcall:billing")
    assert await reconcile(redis, stream) == []  # the call keeps its hold
    await client_socket.ok("call:cancel", {"session_id": session_id})
    steps = store_of(running).steps
    # Money held for the ended call with its intent still there: settled within a lease.
    stray = Hold(session_id, client.id, "stray")
    assert await steps.holds.take(stray, 50)
    assert await reconcile(redis, stream) == []
    # The same with no intent left (no step leaves that; a bug or a hand would): named.
    await steps.intents.drop(stray.intent())
    assert await reconcile(redis, stream) == [
        f"wallet {client.id}: 50 held for {session_id}, which holds it no more, and nothing "
        "left to settle it"]
