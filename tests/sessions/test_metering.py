"""Metering and money with real peers: live time, billing, wallet, guarantee, failures."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from server.keys import REDIS
from sessions.wallet import ledger_key, wallet_key
from tests.conftest import Running, StartApp, User, billing_entries
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer
from tests.signaling.webrtc import RtcPeer
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}  # 10 cents a second


async def billing_events(redis: aioredis.Redis, stream: str = "helpcall:billing") -> list[dict[str, str]]:
    return [fields for _, fields in await billing_entries(redis, stream)]


async def wallet(running: Running, user: User) -> dict[str, Any]:
    answer = await running.client.get("/api/v1/wallet", headers=user.headers)
    body: dict[str, Any] = await answer.json()
    return body


async def accepted_call(
    running: Running, connect: Connect, pricing: dict[str, object] | None = None, cents: int = 10_000
) -> tuple[User, SocketPeer, User, SocketPeer, str]:
    expert, expert_socket = await online_expert(running, connect, pricing)
    client, client_socket = await funded_client(running, connect, cents)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "help"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    await client_socket.state("accepted")
    return client, client_socket, expert, expert_socket, session_id


async def go_live(client_socket: SocketPeer, expert_socket: SocketPeer, session_id: str) -> None:
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")


async def test_a_paid_call_between_real_webrtc_peers(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    client, client_socket, expert, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600
    )
    caller, callee = RtcPeer(client_socket, session_id), RtcPeer(expert_socket, session_id)
    try:
        await caller.offer()
        for peer in (caller, callee):
            assert (await asyncio.wait_for(peer.reported.get(), 20))["ok"] is True
        live = await client_socket.state("live")
        assert live["polite"] is False
        assert (await expert_socket.state("live"))["polite"] is True
        await caller.send_when_open("hello from the client")
        assert await asyncio.wait_for(callee.received.get(), 10) == "hello from the client"
        # Stay live past one billed second, watched through the session's own clock.
        async def live_for_a_second() -> bool:
            answer = await running.client.get(f"/api/v1/sessions/{session_id}", headers=client.headers)
            return bool((await answer.json())["live_seconds"] >= 1)
        from tests.waiting import eventually
        await eventually(live_for_a_second, what="one live second")
        await client_socket.ok("call:hangup", {"session_id": session_id})
    finally:
        await caller.close()
        await callee.close()

    summary = await client_socket.wait_for("call:summary")
    assert summary == await expert_socket.wait_for("call:summary")
    [event] = await billing_events(redis)
    assert event["session_id"] == session_id and event["end_reason"] == "hangup"
    assert event["client_id"] == client.id and event["expert_id"] == expert.id
    assert int(event["billed_seconds"]) == int(event["live_ms"]) // 1000
    amount = int(event["amount_cents"])
    assert amount == (int(event["billed_seconds"]) * 600 + 30) // 60
    assert int(event["platform_fee_cents"]) == (amount * 20 + 50) // 100
    assert int(event["expert_payout_cents"]) == amount - int(event["platform_fee_cents"])
    assert summary["amount_cents"] == amount and summary["billed_seconds"] == int(event["billed_seconds"])
    money = await wallet(running, client)
    assert money == {"balance_cents": 10_000 - amount, "held_cents": 0,
                     "available_cents": 10_000 - amount, "currency": "EUR"}
    session = await (await running.client.get(f"/api/v1/sessions/{session_id}",
                                                 headers=expert.headers)).json()
    assert session["state"] == "ended" and session["amount_cents"] == amount


async def test_under_the_guarantee_nothing_is_charged(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600
    )
    await go_live(client_socket, expert_socket, session_id)
    await expert_socket.ok("call:hangup", {"session_id": session_id})
    [event] = await billing_events(redis)
    assert event["billed_seconds"] == "0" and event["amount_cents"] == "0"
    assert event["live_started_at"].endswith("Z")
    assert (await wallet(running, client))["balance_cents"] == 10_000


async def test_a_call_that_never_goes_live_fails_free(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_CONNECT_TIMEOUT_SECONDS="0.5")
    client, client_socket, _, expert_socket, _ = await accepted_call(
        running, connect, PER_MINUTE_600
    )
    for socket in (client_socket, expert_socket):
        assert (await socket.state("ended"))["reason"] == "failed"
    [event] = await billing_events(redis)
    assert event["end_reason"] == "failed" and event["live_started_at"] == ""
    assert event["amount_cents"] == "0"
    assert (await wallet(running, client))["held_cents"] == 0


async def test_the_balance_runs_out_with_a_warning_first(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(
        HELPCALL_GUARANTEE_SECONDS="0", HELPCALL_START_COVER_SECONDS="2",
        HELPCALL_LOW_BALANCE_SECONDS="2",
    )
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600, cents=35
    )
    await go_live(client_socket, expert_socket, session_id)
    low = await client_socket.wait_for("balance:low")
    assert low["session_id"] == session_id and 0 <= low["seconds_left"] <= 2
    ended = await client_socket.state("ended", within=15)
    assert ended["reason"] == "balance_exhausted"
    assert "balance:low" not in expert_socket.events
    [event] = await billing_events(redis)
    # 35 cents buy 3 whole seconds at 10 cents a second: billed to the moment it ran out.
    assert event["billed_seconds"] == "3" and event["amount_cents"] == "30"
    assert event["live_ms"] == "3999"
    money = await wallet(running, client)
    assert money["balance_cents"] == 5 and money["held_cents"] == 0


async def test_simultaneous_hangups_make_one_event(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)
    answers = await asyncio.gather(
        client_socket.call("call:hangup", {"session_id": session_id}),
        expert_socket.call("call:hangup", {"session_id": session_id}),
        client_socket.call("call:hangup", {"session_id": session_id}),
    )
    assert sum(1 for a in answers if a["ok"]) == 1
    assert all(a["error"]["code"] == "conflict" for a in answers if not a["ok"])
    assert len(await billing_events(redis)) == 1
    assert len(client_socket.events["call:summary"]) == 1


async def test_concurrent_calls_cannot_spend_the_same_money(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    first_expert, _ = await online_expert(running, connect, PER_MINUTE_600)
    second_expert, _ = await online_expert(running, connect, PER_MINUTE_600)
    client, socket = await funded_client(running, connect, cents=900)
    answers = await asyncio.gather(
        socket.call("call:start", {"expert_id": first_expert.id, "topic": "a"}),
        socket.call("call:start", {"expert_id": second_expert.id, "topic": "b"}),
    )
    assert sorted(bool(a["ok"]) for a in answers) == [False, True]
    assert [a["error"]["code"] for a in answers if not a["ok"]] == ["insufficient_funds"]
    money = await wallet(running, client)
    assert money["held_cents"] == 600 and money["balance_cents"] == 900


async def test_reconcile_finds_agreement_and_then_a_tampered_wallet(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    from sessions.reconcile import reconcile

    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600
    )
    await go_live(client_socket, expert_socket, session_id)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    assert await reconcile(redis, "helpcall:billing") == []
    await redis.hincrby(wallet_key(client.id), "balance", 1_000)
    problems = await reconcile(redis, "helpcall:billing")
    assert len(problems) == 1 and client.id in problems[0] and "balance" in problems[0]


async def test_billing_events_and_wallet_movements_survive_a_redis_restart(
    start_app: StartApp, connect: Connect, tmp_path: Path
) -> None:
    from common.redisclient import redis_client
    from server.embedded_redis import EmbeddedRedis

    own = EmbeddedRedis(tmp_path / "own-redis")
    url = own.start_sync()
    try:
        running = await start_app(REDIS_URL=url, HELPCALL_GUARANTEE_SECONDS="0")
        client, client_socket, _, expert_socket, session_id = await accepted_call(
            running, connect, PER_MINUTE_600
        )
        await go_live(client_socket, expert_socket, session_id)
        ledger = ledger_key(client.id)

        async def grown() -> bool:
            # The start holds one minute; soon after going live the hold grows to the rest.
            entries = await running.app[REDIS].xrange(ledger)
            return [fields["kind"] for _, fields in entries] == ["topup", "hold", "hold"]
        await eventually(grown, within=5, what="the hold grown to the whole wallet")
        await client_socket.ok("call:hangup", {"session_id": session_id})
        before = await wallet(running, client)
        own.stop_sync()  # SIGTERM: redis-server fsyncs its AOF and exits
        own.start_sync()
        fresh = redis_client(url)
        try:
            [event] = await billing_events(fresh)
            assert event["session_id"] == session_id
            assert await wallet(running, client) == before
            entries = await fresh.xrange(ledger)
            # The end released both holds in one entry and charged the time live.
            assert [fields["kind"] for _, fields in entries] == [
                "topup", "hold", "hold", "release", "charge"]
        finally:
            await fresh.aclose()
    finally:
        own.stop_sync()


async def test_hangups_racing_a_deadline_make_one_event(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    # The connect deadline and both hang-ups race: whoever wins, one event, one summary.
    running = await start_app(HELPCALL_CONNECT_TIMEOUT_SECONDS="0.1")
    for _ in range(3):
        _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
        answers = await asyncio.gather(
            client_socket.call("call:hangup", {"session_id": session_id}),
            expert_socket.call("call:hangup", {"session_id": session_id}),
        )
        assert sum(1 for a in answers if a["ok"]) <= 1
        ended = await client_socket.state("ended")
        assert ended["reason"] in ("hangup", "failed")
        assert [e["session_id"] for e in await billing_events(redis)].count(session_id) == 1
        await client_socket.wait_for("call:summary", lambda s, sid=session_id: s["session_id"] == sid)
        summaries = [s for s in client_socket.events["call:summary"]
                     if s["session_id"] == session_id]
        assert len(summaries) == 1
