"""Receipts against a known call with a pause: the timeline, the live spans, the billed
seconds and how they follow, the amount, and the expert's copy; strangers refused."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis

from server.keys import CALLS
from sessions.receipt import Entry, spans
from tests.conftest import Running, StartApp, User
from tests.marketplace.conftest import admin
from tests.sessions.test_metering import accepted_call, billing_events, go_live
from tests.signaling.conftest import Connect
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}


async def get_receipt(running: Running, user: User, session_id: str) -> tuple[int, Any]:
    answer = await running.client.get(f"/api/v1/sessions/{session_id}/receipt",
                                      headers=user.headers)
    return answer.status, await answer.json()


async def live_for(running: Running, user: User, session_id: str, seconds: int) -> None:
    async def reached() -> bool:
        answer = await running.client.get(f"/api/v1/sessions/{session_id}",
                                          headers=user.headers)
        return bool((await answer.json())["live_seconds"] >= seconds)

    await eventually(reached, what=f"{seconds} live seconds")


async def media(socket: SocketPeer, session_id: str, state: str) -> None:
    await socket.ok("media", {"session_id": session_id, "state": state})


async def call_with_a_pause(
    running: Running, connect: Connect, before_the_end: Any = None
) -> tuple[User, User, str]:
    """A paid call, live, paused by the client's media, live again, hung up by the client:
    (client, expert, session id). ``before_the_end(client, session_id)`` runs while live."""
    client, client_socket, expert, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600)
    await go_live(client_socket, expert_socket, session_id)
    if before_the_end is not None:
        await before_the_end(client, session_id)
    await live_for(running, client, session_id, 1)
    # The client's connection reports its media lost: the call pauses, then comes back.
    await media(client_socket, session_id, "disconnected")
    await client_socket.state("paused")
    await media(client_socket, session_id, "connected")
    await client_socket.state("live", nth=2)
    await live_for(running, client, session_id, 2)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.wait_for("call:summary")
    return client, expert, session_id


async def test_the_receipt_of_a_call_with_a_pause(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0",
                              HELPCALL_BILLING_INCREMENT_SECONDS="5")

    async def too_early(client: User, session_id: str) -> None:
        status, _ = await get_receipt(running, client, session_id)
        assert status == 409  # not before the call has ended

    client, expert, session_id = await call_with_a_pause(running, connect, too_early)
    [event] = await billing_events(redis)

    status, mine = await get_receipt(running, client, session_id)
    assert status == 200, mine
    assert [(e["event"], e["cause"], e["by"]) for e in mine["timeline"]] == [
        ("rung", None, "expert"), ("accepted", None, "expert"), ("live", None, None),
        ("paused", "media_lost", "client"), ("live", None, None),
        ("ended", "hangup", "client")]
    assert mine["copy"] == "client" and "expert_payout_cents" not in mine
    assert mine["pricing"] == PER_MINUTE_600 and mine["currency"] == "EUR"
    assert mine["client"] == {"id": client.id, "display_name": client.display_name}
    assert mine["expert"]["display_name"] == expert.display_name
    [first, second] = mine["live_spans"]
    [pause] = mine["pauses"]
    assert (pause["cause"], pause["by"]) == ("media_lost", "client")
    assert (pause["from"], pause["to"]) == (first["to"], second["from"])
    # The spans add up to the live time billed, to the millisecond.
    live_ms = int(event["live_ms"])
    assert first["ms"] + second["ms"] == live_ms
    billing = mine["billing"]
    live_seconds = live_ms // 1000
    billed = -(-live_seconds // 5) * 5
    assert billing == {
        "live_ms": live_ms, "live_seconds": live_seconds, "guarantee_seconds": 0,
        "under_guarantee": False, "increment_seconds": 5,
        "rounded_up_seconds": billed - live_seconds, "billed_seconds": billed,
        "amount_at_rate_cents": (billed * 600 + 30) // 60,
        "balance_cap_cents": billing["balance_cap_cents"], "capped_by_balance": False,
        "consistent": True}
    assert billing["balance_cap_cents"] >= int(event["amount_cents"])
    assert mine["billed_seconds"] == billed == int(event["billed_seconds"])
    assert mine["amount_cents"] == int(event["amount_cents"]) == billed * 10

    status, theirs = await get_receipt(running, expert, session_id)
    assert status == 200 and theirs["copy"] == "expert"
    assert theirs["fee_percent"] == 20
    assert theirs["platform_fee_cents"] == int(event["platform_fee_cents"])
    assert theirs["expert_payout_cents"] == int(event["expert_payout_cents"])
    assert theirs["timeline"] == mine["timeline"]

    boss = await admin(running)
    status, admins = await get_receipt(running, boss, session_id)
    assert status == 200 and admins["copy"] == "expert"
    for stranger in (await running.user("client"), await running.user("expert")):
        status, body = await get_receipt(running, stranger, session_id)
        assert status == 404 and body["error"]["code"] == "not_found"
    assert (await get_receipt(running, client, "s_nothere"))[0] == 404
    assert (await get_receipt(running, client, "../x"))[0] == 404
    anonymous = await running.client.get(f"/api/v1/sessions/{session_id}/receipt")
    assert anonymous.status == 401


async def test_a_dropped_socket_pauses_and_a_free_call_has_no_receipt(
    running: Running, connect: Connect
) -> None:
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, {"mode": "free"})
    await go_live(client_socket, expert_socket, session_id)
    await expert_socket.close()
    await client_socket.state("paused")
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.wait_for("call:summary")
    status, body = await get_receipt(running, client, session_id)
    assert status == 404 and "no receipt" in body["error"]["message"]


def test_spans_and_pauses_from_a_timeline() -> None:
    entries = [Entry.parse(raw) for raw in (
        "rung|1000||e", "accepted|2000||e", "live|3000||", "paused|5000|dropped|e",
        "live|9000||", "ended|12500|balance_exhausted||12000")]
    live, pauses = spans(entries)
    assert [s["ms"] for s in live] == [2000, 3000]
    assert pauses == [{"from": "1970-01-01T00:00:05.000Z", "to": "1970-01-01T00:00:09.000Z",
                       "ms": 4000, "cause": "dropped", "by": "expert"}]
    # Ended while paused: the pause runs to the end.
    live, pauses = spans([Entry.parse(raw) for raw in (
        "live|0||", "paused|1000|media_lost|c", "ended|4000|dropped|")])
    assert [s["ms"] for s in live] == [1000] and pauses[0]["ms"] == 3000


async def test_the_timeline_is_bounded_and_the_bill_stays_exact(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600)
    await go_live(client_socket, expert_socket, session_id)
    # A flapping connection: 110 changes, faster than a socket may report them (its rate
    # limit), so straight through the service that the socket handler calls.
    calls, sid = running.app[CALLS], client_socket.sio.get_sid()
    assert sid is not None
    for _ in range(55):
        for state in ("disconnected", "connected"):
            await calls.media(session_id, client.id, state, sid)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.wait_for("call:summary")
    [event] = await billing_events(redis)
    status, receipt = await get_receipt(running, client, session_id)
    assert status == 200
    assert len(receipt["timeline"]) == 100 and receipt["timeline"][-1]["event"] == "ended"
    assert receipt["timeline_omitted"] == 3 + 110 - 99
    assert receipt["billing"]["consistent"] is True
    assert receipt["billing"]["live_ms"] == int(event["live_ms"])
