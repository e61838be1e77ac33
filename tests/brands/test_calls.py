"""Brand calls: routed only to the brand's online members, carrying the brand's money rules."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.redisvalues import text_map
from sessions.reconcile import reconcile
from sessions.wallet import ledger_key
from tests.brands.conftest import admin, brand_admin, member_expert, new_brand, top_up_brand
from tests.conftest import Running, StartApp, User, billing_entries, on_this_redis
from tests.signaling.conftest import Connect, funded_client, live_for_a_second, online_expert
from tests.signaling.peers import SocketPeer

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}  # 10 cents a second


async def billing_events(redis: aioredis.Redis) -> list[dict[str, str]]:
    return [text_map(fields or {}) for _, fields in await billing_entries(redis) or []]


async def wallet(running: Running, user: User) -> dict[str, object]:
    body: dict[str, object] = await (await running.client.get(
        "/api/v1/wallet", headers=user.headers)).json()
    return body


async def live_for_a_second_then_hang_up(
    running: Running, client: User, client_socket: SocketPeer, expert_socket: SocketPeer,
    session_id: str,
) -> None:
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")
    await live_for_a_second(running, client, session_id)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.state("ended")


async def test_a_brand_call_rings_only_the_brands_online_members(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    brand = await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    # Same category, online, cheaper and first in line: still never rung for acme.
    outsider, outsider_socket = await online_expert(running, connect,
                                                    {"mode": "free", "amount_cents": 0})
    member, member_socket = await member_expert(running, connect, owner, "acme")
    client, client_socket = await funded_client(running, connect)

    started = await client_socket.ok("call:start", {"brand": "acme", "topic": "Lipstick"})
    assert started["state"] == "queued"
    session_id = started["session_id"]
    await member_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await member_socket.ok("call:decline", {"session_id": session_id})
    # Nobody else of acme is online: the call is given up, never handed to the outsider.
    assert (await client_socket.state("ended"))["reason"] == "declined"
    assert "call:incoming" not in outsider_socket.events

    session = await (await running.client.get(f"/api/v1/sessions/{session_id}",
                                              headers=client.headers)).json()
    assert session["brand_id"] == brand["id"]
    assert session["category"] == f"brand:{brand['id']}"
    # An expert outside the brand cannot even learn that the brand's call exists.
    refused = await running.client.get(f"/api/v1/sessions/{session_id}",
                                       headers=outsider.headers)
    assert refused.status == 404
    assert member.id != outsider.id


async def test_a_brand_call_without_online_members_is_declined_at_once(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    await member_expert(running, connect, owner, "acme", online=False)
    _, outsider_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    await client_socket.ok("call:start", {"brand": "acme", "topic": ""})
    assert (await client_socket.state("ended"))["reason"] == "declined"
    assert "call:incoming" not in outsider_socket.events


async def test_an_unknown_brand_is_not_found(running: Running, connect: Connect) -> None:
    _, client_socket = await funded_client(running, connect)
    assert await client_socket.error("call:start", {"brand": "nobody", "topic": ""}) == \
        "not_found"
    assert await client_socket.error("call:start", {"brand": "Bad Slug!", "topic": ""}) == \
        "invalid"


async def test_a_sponsored_call_debits_the_brand_and_not_the_client(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    platform = await admin(running)
    brand = await new_brand(running, platform, "acme", sponsored=True, fee_percent=5)
    owner = await brand_admin(running, platform, "acme")
    await top_up_brand(running, platform, "acme", 10_000)
    _, member_socket = await member_expert(running, connect, owner, "acme", PER_MINUTE_600)
    # The client has no money at all: the brand pays.
    client = await running.user("client")
    client_socket = await connect(running, client)
    session_id = (await client_socket.ok("call:start", {"brand": "acme", "topic": "x"}))[
        "session_id"]
    await live_for_a_second_then_hang_up(running, client, client_socket, member_socket,
                                         session_id)

    [event] = await billing_events(redis)
    amount = int(event["amount_cents"])
    assert amount == (int(event["billed_seconds"]) * 600 + 30) // 60 and amount > 0
    assert event["brand_id"] == brand["id"] and event["paid_by"] == "brand"
    # The brand's fee override (5 %), not the platform's 20 %.
    assert int(event["platform_fee_cents"]) == (amount * 5 + 50) // 100
    assert int(event["expert_payout_cents"]) == amount - int(event["platform_fee_cents"])
    balance = await (await running.client.get("/api/v1/brands/acme/balance",
                                              headers=owner.headers)).json()
    assert balance["balance_cents"] == 10_000 - amount and balance["held_cents"] == 0
    # Holds as the call went (at start, grown once live), all released, then one charge.
    kinds = [e["kind"] for e in reversed(balance["ledger"])]
    assert kinds[0] == "topup" and kinds[-1] == "charge" and kinds.count("charge") == 1
    assert set(kinds[1:-1]) == {"hold", "release"}
    assert await wallet(running, client) == {"balance_cents": 0, "held_cents": 0,
                                             "available_cents": 0, "currency": "EUR"}
    assert await redis.xlen(ledger_key(client.id)) == 0
    assert await reconcile(redis, on_this_redis(redis)) == []


async def test_a_client_paid_brand_call_charges_the_client_with_the_brand_fee(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    platform = await admin(running)
    await new_brand(running, platform, "acme", fee_percent=0)
    owner = await brand_admin(running, platform, "acme")
    await top_up_brand(running, platform, "acme", 5_000)
    _, member_socket = await member_expert(running, connect, owner, "acme", PER_MINUTE_600)
    client, client_socket = await funded_client(running, connect, 10_000)
    session_id = (await client_socket.ok("call:start", {"brand": "acme", "topic": "x"}))[
        "session_id"]
    await live_for_a_second_then_hang_up(running, client, client_socket, member_socket,
                                         session_id)
    [event] = await billing_events(redis)
    amount = int(event["amount_cents"])
    assert event["paid_by"] == "client" and amount > 0
    assert event["platform_fee_cents"] == "0" and int(event["expert_payout_cents"]) == amount
    assert (await wallet(running, client))["balance_cents"] == 10_000 - amount
    balance = await (await running.client.get("/api/v1/brands/acme/balance",
                                              headers=owner.headers)).json()
    assert balance["balance_cents"] == 5_000


async def test_a_sponsored_call_needs_the_brand_balance_not_the_clients(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme", sponsored=True)
    owner = await brand_admin(running, platform, "acme")
    _, member_socket = await member_expert(running, connect, owner, "acme", PER_MINUTE_600)
    # A rich client does not help: the brand's balance (empty) must cover the call.
    _, client_socket = await funded_client(running, connect, 100_000)
    await client_socket.ok("call:start", {"brand": "acme", "topic": "x"})
    assert (await client_socket.state("ended"))["reason"] == "declined"
    assert "call:incoming" not in member_socket.events
    assert await billing_events(redis) == []
