"""Blocks through the API and the sockets: once either of a client and an expert blocks the
other, no path joins them (a direct call, a category or brand call routed to them, a
booking, a callback request, the chat of a call under way) until the block is undone."""

from __future__ import annotations

from typing import Any

import pytest

from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import REDIS
from tests.appointments.conftest import (
    book,
    booked,
    expert_with_hours,
    hours_around,
    set_hours,
    soon,
)
from tests.appointments.conftest import funded_client as client_with_money
from tests.appointments.test_bookings import tomorrow_hours
from tests.brands.conftest import brand_admin, member_expert, new_brand
from tests.conftest import Running, User
from tests.marketplace.conftest import admin
from tests.signaling.conftest import funded_client, online_expert
from tests.signaling.test_category_calls import incoming_for
from tests.trust.conftest import Connect, get_json, pair

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

COOKING = {"category": "cooking", "topic": "My sauce splits"}


async def block(running: Running, who: User, whom: User, status: int = 200) -> Any:
    answer = await running.client.put(f"/api/v1/blocks/{whom.id}", headers=who.headers)
    assert answer.status == status, await answer.text()
    return await answer.json()


async def unblock(running: Running, who: User, whom: User) -> None:
    answer = await running.client.delete(f"/api/v1/blocks/{whom.id}", headers=who.headers)
    assert answer.status == 204, await answer.text()


async def test_a_block_stops_direct_calls_bookings_and_chat_both_ways_until_undone(
    running: Running, connect: Connect
) -> None:
    people = await pair(running, connect)
    client, expert = people.client, people.expert
    # A call under way: the block made now silences its chat.
    started = await people.client_socket.ok("call:start", {"expert_id": expert.id,
                                                           "topic": "sauce"})
    session_id = started["session_id"]
    await people.expert_socket.wait_for("call:incoming")
    await people.expert_socket.ok("call:accept", {"session_id": session_id})
    await people.client_socket.ok("chat", {"session_id": session_id, "text": "hello"})

    blocked = await block(running, client, expert)
    assert (blocked["account_id"], blocked["display_name"]) == (expert.id, expert.display_name)
    for socket in (people.client_socket, people.expert_socket):
        assert await socket.error("chat", {"session_id": session_id, "text": "hi"}) == "forbidden"
    await people.client_socket.ok("call:hangup", {"session_id": session_id})
    await people.client_socket.state("ended")

    assert await people.client_socket.error(
        "call:start", {"expert_id": expert.id, "topic": "again"}) == "forbidden"
    start, hours = tomorrow_hours()
    await set_hours(running, expert, **hours)
    booking = await book(running, client, expert, start)
    assert booking.status == 403 and (await booking.json())["error"]["reason"] == "blocked", await booking.text()
    listed = await get_json(running, "/api/v1/blocks", client)
    assert [b["account_id"] for b in listed["blocked"]] == [expert.id]
    # The expert did not block anyone; the client's block binds them all the same.
    assert (await get_json(running, "/api/v1/blocks", expert))["blocked"] == []

    await unblock(running, client, expert)
    assert (await get_json(running, "/api/v1/blocks", client))["blocked"] == []
    again = await people.client_socket.ok("call:start", {"expert_id": expert.id, "topic": "ok"})
    await people.client_socket.ok("call:cancel", {"session_id": again["session_id"]})
    assert (await book(running, client, expert, start)).status == 201

    # The expert blocks the client: the same walls, from the other side.
    await block(running, expert, client)
    assert await people.client_socket.error(
        "call:start", {"expert_id": expert.id, "topic": "again"}) == "forbidden"


async def test_only_the_other_side_is_blocked(running: Running, connect: Connect) -> None:
    client = await running.user("client")
    other_client = await running.user("client")
    expert = await running.user("expert")
    await block(running, client, other_client, 400)
    await block(running, expert, await running.user("expert"), 400)
    answer = await running.client.put("/api/v1/blocks/a_0123456789abcdef0123",
                                      headers=client.headers)
    assert answer.status == 404
    await block(running, client, expert)
    await block(running, client, expert)  # twice is once
    assert len((await get_json(running, "/api/v1/blocks", client))["blocked"]) == 1
    assert (await running.client.get("/api/v1/blocks")).status == 401


async def test_category_routing_skips_an_expert_who_is_blocked(
    running: Running, connect: Connect
) -> None:
    experts = [await online_expert(running, connect) for _ in range(2)]
    client, client_socket = await funded_client(running, connect)
    # Equal ratings, never rung: the first by id would be rung first. Block that one.
    (first, first_socket), (_, second_socket) = sorted(experts, key=lambda e: e[0].id)
    await block(running, first, client)
    started = await client_socket.ok("call:start", COOKING)
    rung = await incoming_for([first_socket, second_socket], started["session_id"])
    assert rung is second_socket
    await second_socket.ok("call:decline", {"session_id": started["session_id"]})
    # Nobody else may be rung: the call is declined rather than given to the blocked expert.
    ended = await client_socket.state("ended")
    assert ended["reason"] == "declined"
    assert "call:incoming" not in first_socket.events or not first_socket.events["call:incoming"]


async def test_a_brand_call_never_reaches_a_blocked_member(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    member, member_socket = await member_expert(running, connect, owner, "acme")
    client, client_socket = await funded_client(running, connect)
    await block(running, client, member)
    await client_socket.ok("call:start", {"brand": "acme", "topic": "Lipstick"})
    assert (await client_socket.state("ended"))["reason"] == "declined"
    assert not member_socket.events.get("call:incoming")


async def test_callback_requests_of_a_blocked_client_are_hidden_and_cannot_be_taken(
    running: Running, connect: Connect
) -> None:
    client = await running.user("client")
    left = await running.client.post("/api/v1/callbacks", json={"category": "cooking",
                                     "topic": "Bread"}, headers=client.headers)
    assert left.status == 201
    request_id = (await left.json())["id"]
    expert, _ = await online_expert(running, connect)
    seen = await get_json(running, "/api/v1/callbacks", expert)
    assert [c["id"] for c in seen["callbacks"]] == [request_id]
    await block(running, expert, client)
    assert (await get_json(running, "/api/v1/callbacks", expert))["callbacks"] == []
    taken = await running.client.post(f"/api/v1/callbacks/{request_id}/take",
                                      headers=expert.headers)
    assert taken.status == 403 and (await taken.json())["error"]["reason"] == "blocked"


async def test_a_booking_made_before_a_block_no_longer_rings(
    running: Running, connect: Connect
) -> None:
    start = soon(60)
    expert = await expert_with_hours(running, {"mode": "per_minute", "amount_cents": 60},
                                     **hours_around(start, 15))
    client = await client_with_money(running, cents=2_000)
    booking = await booked(running, client, expert, start)
    await block(running, expert, client)
    for person in (client, expert):
        socket = await connect(running, person)
        assert await socket.error("booking:join", {"booking_id": booking["id"]}) == "forbidden"


async def test_a_block_of_the_earlier_layout_still_stops_calls(
        running: Running, connect: Connect) -> None:
    # Layout 9 kept blocks in the home slot: the upgrade moves them to the pair's slot and
    # the blocker's, and the block holds as before.
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    redis = running.app[REDIS]
    first, second = sorted((client.id, expert.id))
    await redis.sadd(f"hc:{{0}}:block:{first}|{second}", client.id)
    await redis.zadd(f"hc:{{0}}:blocks:{client.id}", {expert.id: 1_700_000_000_000})
    await redis.set(DONE_KEY, "9")
    assert await migrate_key_layout(redis) == 2
    assert not await redis.exists(f"hc:{{0}}:block:{first}|{second}",
                                  f"hc:{{0}}:blocks:{client.id}")
    assert await client_socket.error(
        "call:start", {"expert_id": expert.id, "topic": "x"}) == "forbidden"
    mine = await get_json(running, "/api/v1/blocks", client)
    assert [b["account_id"] for b in mine["blocked"]] == [expert.id]
