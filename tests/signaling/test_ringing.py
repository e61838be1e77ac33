"""Ringing a chosen expert: start, accept, decline, cancel, no answer, busy, two tabs."""

from __future__ import annotations

import pytest
import socketio

from tests.conftest import Running, StartApp
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_a_connection_without_a_valid_token_is_refused(running: Running) -> None:
    for auth in ({}, {"token": "forged.token"}):
        client = socketio.AsyncClient(reconnection=False)
        errors: list[object] = []
        client.on("connect_error", errors.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(running.url, auth=auth, transports=["websocket"], wait_timeout=5)
        assert errors and isinstance(errors[0], dict)
        assert errors[0]["code"] == "unauthorized" and errors[0]["message"]


async def test_ring_accept_and_both_sides_hear_every_change(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)

    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "Béarnaise"})
    assert started["state"] == "ringing"
    session_id = started["session_id"]
    ringing = await client_socket.state("ringing")
    assert ringing["session_id"] == session_id and ringing["reason"] is None
    incoming = await expert_socket.wait_for("call:incoming")
    assert incoming["session_id"] == session_id and incoming["topic"] == "Béarnaise"
    assert incoming["client"] == {"id": client.id, "display_name": client.display_name}
    assert incoming["pricing"] == {"mode": "per_minute", "amount_cents": 120}
    assert incoming["ring_seconds"] == running.config.ring_seconds

    status = await running.client.get(f"/api/v1/experts/{expert.id}")
    assert (await status.json())["status"] == "busy"

    accepted = await expert_socket.ok("call:accept", {"session_id": session_id})
    assert accepted["state"] == "accepted"
    for socket, polite in ((client_socket, False), (expert_socket, True)):
        state = await socket.state("accepted")
        assert state["polite"] is polite and state["ice_servers"] == []

    await client_socket.ok("call:hangup", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        ended = await socket.state("ended")
        assert ended["reason"] == "hangup"
        summary = await socket.wait_for("call:summary")
        assert summary["end_reason"] == "hangup" and summary["amount_cents"] == 0
    status = await running.client.get(f"/api/v1/experts/{expert.id}")
    assert (await status.json())["status"] == "online"


async def test_decline_and_cancel(running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)

    first = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "a"})
    await expert_socket.ok("call:decline", {"session_id": first["session_id"]})
    declined = await client_socket.wait_for(
        "call:state", lambda d: d["session_id"] == first["session_id"] and d["state"] == "ended")
    assert declined["reason"] == "declined"

    second = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "b"})
    await client_socket.ok("call:cancel", {"session_id": second["session_id"]})
    for socket in (client_socket, expert_socket):
        cancelled = await socket.wait_for(
            "call:state", lambda d: d["session_id"] == second["session_id"] and d["state"] == "ended")
        assert cancelled["reason"] == "cancelled"
    assert await client_socket.error("call:cancel", {"session_id": second["session_id"]}) == "conflict"


async def test_no_answer_ends_the_call_and_sets_the_expert_offline(
    start_app: StartApp, connect: Connect
) -> None:
    # Away after rings of two different clients went unanswered (docs/security.md, 6).
    running = await start_app(HELPCALL_RING_SECONDS="0.5")
    expert, expert_socket = await online_expert(running, connect)
    for n in (1, 2):
        _, client_socket = await funded_client(running, connect)
        started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "?"})
        for socket in (client_socket, expert_socket):
            ended = await socket.wait_for("call:state", lambda d, s=started: (
                d["session_id"] == s["session_id"] and d["state"] == "ended"))
            assert ended["reason"] == "no_answer"
            assert (await socket.wait_for("call:summary", lambda d, s=started: (
                d["session_id"] == s["session_id"]))) is not None
        if n == 1:
            assert "presence" not in expert_socket.events
    presence = await expert_socket.wait_for("presence")
    assert presence == {"status": "offline", "reason": "no_answer"}
    assert len(expert_socket.events["presence"]) == 1
    status = await running.client.get(f"/api/v1/experts/{expert.id}")
    assert (await status.json())["status"] == "offline"
    assert await client_socket.error("call:start", {"expert_id": expert.id, "topic": "?"}) == "unavailable"


async def test_one_expert_one_call_at_a_time(running: Running, connect: Connect) -> None:
    expert, _ = await online_expert(running, connect)
    _, first = await funded_client(running, connect)
    _, second = await funded_client(running, connect)
    await first.ok("call:start", {"expert_id": expert.id, "topic": "1"})
    assert await second.error("call:start", {"expert_id": expert.id, "topic": "2"}) == "unavailable"


async def test_accepting_in_one_tab_stops_the_ringing_in_the_others(
    running: Running, connect: Connect
) -> None:
    expert, tab_one = await online_expert(running, connect)
    tab_two = await connect(running, expert)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "tabs"})
    for tab in (tab_one, tab_two):
        assert (await tab.wait_for("call:incoming"))["session_id"] == started["session_id"]
    await tab_two.ok("call:accept", {"session_id": started["session_id"]})
    assert (await tab_one.state("accepted"))["session_id"] == started["session_id"]
    assert await tab_one.error("call:accept", {"session_id": started["session_id"]}) == "conflict"


async def test_calls_need_funds_and_an_online_expert(running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    _, poor = await funded_client(running, connect, cents=119)
    assert await poor.error("call:start", {"expert_id": expert.id, "topic": "x"}) == "insufficient_funds"
    await expert_socket.ok("presence", {"status": "offline"})
    _, rich = await funded_client(running, connect)
    assert await rich.error("call:start", {"expert_id": expert.id, "topic": "x"}) == "unavailable"


async def test_an_expert_with_no_socket_left_is_offline(running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    status = await running.client.get(f"/api/v1/experts/{expert.id}")
    assert (await status.json())["status"] == "online"
    await expert_socket.close()

    async def offline() -> bool:
        answer = await running.client.get(f"/api/v1/experts/{expert.id}")
        return bool((await answer.json())["status"] == "offline")

    await eventually(offline, what="the expert to be offline")


async def _unused(peer: SocketPeer) -> None:  # keeps the import used for typing
    await peer.close()


async def test_a_reconnecting_expert_is_offline_until_they_say_online(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)

    async def status() -> str:
        answer = await running.client.get(f"/api/v1/experts/{expert.id}")
        return str((await answer.json())["status"])

    async def offline() -> bool:
        return await status() == "offline"

    await expert_socket.close()
    await eventually(offline, what="the server to see the socket gone")
    again = await connect(running, expert)
    assert await status() == "offline"
    assert (await again.ok("presence", {"status": "online"}))["status"] == "online"
    assert await status() == "online"
