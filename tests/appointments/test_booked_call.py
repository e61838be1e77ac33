"""Joining a booked call: either side opens it, the other is rung, then an ordinary call."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from sessions.keys import deadlines_key
from sessions.reconcile import reconcile
from tests.appointments.conftest import (
    HOLDERS,
    booked,
    expert_with_hours,
    funded_client,
    hours_around,
    soon,
    wallet,
)
from tests.conftest import Running, billing_entries, on_this_redis
from tests.sessions.test_metering import go_live
from tests.signaling.conftest import Connect, connect
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

__all__ = ["connect"]

PER_MINUTE = {"mode": "per_minute", "amount_cents": 60}


async def hang_up_billed(
    redis: aioredis.Redis, socket: SocketPeer, session_id: str, booking_id: str
) -> None:
    """One side hangs up: the session's one billing event carries the booking."""
    await socket.ok("call:hangup", {"session_id": session_id})
    [event] = [f for _, f in await billing_entries(redis)
               if f["type"] == "session.ended"]
    assert event["booking_id"] == booking_id


async def test_the_client_joins_first_and_the_expert_is_rung(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    start = soon(60)
    expert = await expert_with_hours(running, PER_MINUTE, **hours_around(start, 15))
    client = await funded_client(running, cents=2_000)
    booking = await booked(running, client, expert, start)
    assert (await wallet(running, client))["held_cents"] == 900  # 15 min at 60 c/min
    client_socket = await connect(running, client)
    expert_socket = await connect(running, expert)

    opened = await client_socket.ok("booking:join", {"booking_id": booking["id"]})
    assert opened["state"] == "ringing"
    incoming = await expert_socket.wait_for("call:incoming")
    assert incoming["booking_id"] == booking["id"] and incoming["session_id"] == opened["session_id"]
    answered = await expert_socket.ok("booking:join", {"booking_id": booking["id"]})
    assert answered["session_id"] == opened["session_id"] and answered["state"] == "accepted"
    # Both came: the booking's hold is released, the session holds its own minute.
    assert (await wallet(running, client))["held_cents"] == 60

    await go_live(client_socket, expert_socket, opened["session_id"])
    await hang_up_billed(redis, client_socket, opened["session_id"], booking["id"])
    state = await running.client.get(f"/api/v1/bookings/{booking['id']}", headers=client.headers)
    assert (await state.json())["state"] == "attended"
    assert (await wallet(running, client))["held_cents"] == 0
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []


async def test_the_expert_joins_first_and_the_client_is_rung(
    running: Running, connect: Connect
) -> None:
    start = soon(60)
    expert = await expert_with_hours(running, PER_MINUTE, **hours_around(start, 15))
    client = await funded_client(running, cents=2_000)
    booking = await booked(running, client, expert, start)
    client_socket = await connect(running, client)
    expert_socket = await connect(running, expert)
    opened = await expert_socket.ok("booking:join", {"booking_id": booking["id"]})
    assert opened["state"] == "ringing"
    incoming = await client_socket.wait_for("call:incoming")
    assert incoming["expert"] == {"id": expert.id, "display_name": expert.display_name}
    accepted = await client_socket.ok("call:accept", {"session_id": opened["session_id"]})
    assert accepted["state"] == "accepted"
    state = await expert_socket.state("accepted")
    assert state["polite"] is True


async def test_a_booked_call_opens_five_minutes_early_and_only_for_its_parties(
    running: Running, connect: Connect
) -> None:
    start = soon(900)
    expert = await expert_with_hours(running, PER_MINUTE, **hours_around(start, 15))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start)
    socket = await connect(running, client)
    assert await socket.error("booking:join", {"booking_id": booking["id"]}) == "conflict"
    stranger = await connect(running, await funded_client(running))
    code = await stranger.error("booking:join", {"booking_id": booking["id"]})
    assert code in ("forbidden", "not_found")
    assert await socket.error("booking:join", {"booking_id": "../x"}) == "invalid"


async def test_joining_after_the_start_is_still_the_booked_call_and_may_run_long(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    start = soon(1)
    expert = await expert_with_hours(running, PER_MINUTE, **hours_around(start, 15))
    client = await funded_client(running, cents=2_000)
    booking = await booked(running, client, expert, start)
    client_socket = await connect(running, client)
    expert_socket = await connect(running, expert)
    # Late on purpose: the start must be in the past (the no-show check is 10 min away).
    await asyncio.sleep(max(0.0, start / 1000 - time.time()) + 0.2)

    opened = await client_socket.ok("booking:join", {"booking_id": booking["id"]})
    assert opened["state"] == "ringing"
    await expert_socket.wait_for("call:incoming")
    answered = await expert_socket.ok("booking:join", {"booking_id": booking["id"]})
    assert answered["session_id"] == opened["session_id"]
    await go_live(client_socket, expert_socket, opened["session_id"])
    # Nothing ends it at the booked end: its only deadlines are the wallet's (the warning,
    # then the end of 2,000 cents at 60 a minute, well past the 15 booked minutes, once
    # the hold has grown to the whole wallet, just after going live).
    session_id = opened["session_id"]

    async def wallet_deadlines_only() -> bool:
        deadlines = dict(await redis.zrange(deadlines_key(session_id), 0, -1,
                                             withscores=True))
        return (set(deadlines) == {f"low|{session_id}", f"balance|{session_id}"}
                and deadlines[f"balance|{session_id}"] > start + 15 * 60_000)
    await eventually(wallet_deadlines_only, within=5, what="the wallet's deadlines only")
    await hang_up_billed(redis, expert_socket, opened["session_id"], booking["id"])
    state = await running.client.get(f"/api/v1/bookings/{booking['id']}", headers=client.headers)
    assert (await state.json())["state"] == "attended"
