"""Findings 6 and 11: ringing limits per client, experts set away only by the silence of
different clients, a cap on sockets per account, and a bounded chat fan-out."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from tests.conftest import Running, StartApp, User
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def status_of(running: Running, expert: User) -> str:
    answer = await running.client.get(f"/api/v1/experts/{expert.id}")
    return str((await answer.json())["status"])


async def ring_and_cancel(client: SocketPeer, expert: User) -> None:
    started = await client.ok("call:start", {"expert_id": expert.id, "topic": "again"})
    await client.ok("call:cancel", {"session_id": started["session_id"]})


async def test_one_client_cannot_keep_an_expert_busy_by_ringing_in_a_loop(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_RINGS_PER_EXPERT="3")
    expert, _ = await online_expert(running, connect)
    _, pest = await funded_client(running, connect)
    for _ in range(3):
        await ring_and_cancel(pest, expert)
    assert await pest.error("call:start", {"expert_id": expert.id, "topic": "x"}) == "rate_limited"
    # Cancelled calls never set the expert away, and others reach them.
    assert await status_of(running, expert) == "online"
    _, other = await funded_client(running, connect)
    assert (await other.ok("call:start", {"expert_id": expert.id, "topic": "hi"}))["state"] == \
        "ringing"


async def test_one_client_rings_only_so_many_experts(start_app: StartApp, connect: Connect) -> None:
    running = await start_app(HELPCALL_RINGS_PER_CLIENT="3")
    experts = [(await online_expert(running, connect))[0] for _ in range(4)]
    _, client = await funded_client(running, connect)
    for expert in experts[:3]:
        await ring_and_cancel(client, expert)
    assert await client.error("call:start", {"expert_id": experts[3].id, "topic": "x"}) == \
        "rate_limited"
    assert await client.error("call:start", {"category": "cooking", "topic": "x"}) == \
        "rate_limited"


async def test_a_repeat_ringer_left_to_ring_out_does_not_set_the_expert_away(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_RING_SECONDS="0.5")
    expert, expert_socket = await online_expert(running, connect)
    _, pest = await funded_client(running, connect)
    for _ in range(2):
        await ring_and_cancel(pest, expert)
    started = await pest.ok("call:start", {"expert_id": expert.id, "topic": "ring out"})
    await expert_socket.wait_for("call:summary", lambda d: d["session_id"] == started["session_id"])
    await pest.wait_for("call:summary", lambda d: d["session_id"] == started["session_id"])
    # Another client still reaches the expert: nobody set them offline.
    _, other = await funded_client(running, connect)
    assert (await other.ok("call:start", {"expert_id": expert.id, "topic": "hi"}))["state"] == \
        "ringing"
    assert "presence" not in expert_socket.events


async def test_sockets_per_account_are_capped(start_app: StartApp, connect: Connect) -> None:
    running = await start_app(HELPCALL_MAX_SOCKETS_PER_ACCOUNT="3")
    user = await running.user()
    peers = [await connect(running, user) for _ in range(3)]
    extra = SocketPeer(running.url, user)
    refused: list[object] = []
    extra.sio.on("connect_error", lambda data: refused.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await extra.connect()
    assert refused and refused[0]["code"] == "rate_limited"  # type: ignore[index]
    # Another account is not concerned, and a closed socket frees its place.
    await connect(running, await running.user())
    await peers[0].close()
    later = await connect(running, user)
    assert later.sio.connected


async def test_fifty_sockets_and_a_thousand_messages_stay_bounded(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, first = await funded_client(running, connect)
    session_id = (await first.ok("call:start", {"expert_id": expert.id, "topic": "x"}))["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    sockets = [first]
    for _ in range(49):
        peer = SocketPeer(running.url, client)
        try:
            await peer.connect()
        except socketio.exceptions.ConnectionError:
            continue
        sockets.append(peer)
    assert len(sockets) == running.config.max_sockets_per_account
    for socket in sockets[1:]:
        await socket.ok("call:join", {"session_id": session_id})
    answers = await asyncio.gather(*(
        sockets[n % len(sockets)].call("chat", {"session_id": session_id, "text": f"m{n}"})
        for n in range(1000)))
    accepted = sum(1 for a in answers if a["ok"])
    assert all(a["ok"] or a["error"]["code"] == "rate_limited" for a in answers)
    assert accepted < 200  # the account's own bucket, not one per socket
    await expert_socket.wait_for("chat", nth=accepted)
    received = sum(len(s.events["chat"]) for s in sockets)
    assert received <= accepted * len(sockets)
    for socket in sockets[1:]:
        await socket.close()
