"""Category calls: queued, routed one expert at a time, falling through, fair, never lost."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from sessions.keys import busy_key
from tests.conftest import Running, StartApp, billing_entries
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

COOKING = {"category": "cooking", "topic": "My sauce splits"}


async def incoming_for(sockets: list[SocketPeer], session_id: str) -> SocketPeer:
    """The one expert socket that is rung for a session."""
    async def rung(socket: SocketPeer) -> SocketPeer:
        await socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
        return socket

    tasks = [asyncio.create_task(rung(s)) for s in sockets]
    done, pending = await asyncio.wait(tasks, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    assert done, "nobody was rung"
    return next(iter(done)).result()


async def test_a_declined_category_call_rings_the_next_expert(
    running: Running, connect: Connect
) -> None:
    experts = [await online_expert(running, connect) for _ in range(2)]
    sockets = [socket for _, socket in experts]
    _, client = await funded_client(running, connect)
    started = await client.ok("call:start", COOKING)
    assert started["state"] == "queued"
    session_id = started["session_id"]
    first_queue = await client.wait_for("queue")
    assert first_queue == {"session_id": session_id, "position": 0,
                           "estimated_wait_seconds": first_queue["estimated_wait_seconds"]}
    first = await incoming_for(sockets, session_id)
    await client.state("ringing")
    await first.ok("call:decline", {"session_id": session_id})
    stopped = await first.wait_for("call:state", lambda d: d["session_id"] == session_id)
    assert stopped["state"] == "queued" and stopped["reason"] == "declined"
    second = next(s for s in sockets if s is not first)
    await second.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await second.ok("call:accept", {"session_id": session_id})
    assert (await client.state("accepted"))["polite"] is False
    assert "call:incoming" not in first.events or len(first.events["call:incoming"]) == 1


async def test_no_answer_falls_through_and_sets_the_silent_expert_offline(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_RING_SECONDS="0.5")
    sockets = [(await online_expert(running, connect))[1] for _ in range(2)]
    _, client = await funded_client(running, connect)
    session_id = (await client.ok("call:start", COOKING))["session_id"]
    silent = await incoming_for(sockets, session_id)
    other = next(s for s in sockets if s is not silent)
    await other.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    # Nobody else is left: the second silence ends the call.
    ended = await client.state("ended")
    assert ended["reason"] == "declined"
    # One client's unanswered ring alone sets nobody away (docs/security.md, 6); a second
    # client's call left to ring out on the same expert does.
    assert "presence" not in silent.events
    _, second = await funded_client(running, connect)
    again = (await second.ok("call:start", COOKING))["session_id"]
    rung = await incoming_for(sockets, again)
    assert (await rung.wait_for("presence"))["status"] == "offline"


async def test_without_any_online_expert_the_call_is_declined_at_once(
    running: Running, connect: Connect
) -> None:
    _, client = await funded_client(running, connect)
    session_id = (await client.ok("call:start", COOKING))["session_id"]
    ended = await client.state("ended")
    assert ended["session_id"] == session_id and ended["reason"] == "declined"
    assert (await client.wait_for("call:summary"))["end_reason"] == "declined"


async def test_queue_positions_update_and_nobody_is_lost(running: Running, connect: Connect) -> None:
    _, expert_socket = await online_expert(running, connect)
    clients = [(await funded_client(running, connect))[1] for _ in range(3)]
    first = (await clients[0].ok("call:start", COOKING))["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == first)
    await expert_socket.ok("call:accept", {"session_id": first})
    second = (await clients[1].ok("call:start", COOKING))["session_id"]
    third = (await clients[2].ok("call:start", COOKING))["session_id"]
    assert (await clients[1].wait_for("queue"))["position"] == 0
    assert (await clients[2].wait_for("queue"))["position"] == 1
    # A page reloaded while queued gets its place back from call:join.
    joined = await clients[2].ok("call:join", {"session_id": third})
    assert joined["state"] == "queued" and joined["queue"]["position"] == 1

    await clients[0].ok("call:hangup", {"session_id": first})
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == second)
    moved = await clients[2].wait_for("queue", lambda d: d["position"] == 0)
    assert moved["session_id"] == third
    await expert_socket.ok("call:accept", {"session_id": second})
    await expert_socket.ok("call:hangup", {"session_id": second})
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == third)


async def test_the_wait_runs_out(start_app: StartApp, connect: Connect) -> None:
    running = await start_app(HELPCALL_QUEUE_MAX_SECONDS="0.5")
    _, expert_socket = await online_expert(running, connect)
    _, busy_client = await funded_client(running, connect)
    first = (await busy_client.ok("call:start", COOKING))["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == first)
    await expert_socket.ok("call:accept", {"session_id": first})
    _, waiting = await funded_client(running, connect)
    await waiting.ok("call:start", COOKING)
    assert (await waiting.state("ended"))["reason"] == "declined"


async def test_two_processes_route_concurrent_clients_fairly(
    start_app: StartApp, connect: Connect
) -> None:
    apps = [await start_app(), await start_app()]
    sockets = [(await online_expert(apps[n % 2], connect))[1] for n in range(3)]
    clients = [(await funded_client(apps[n % 2], connect))[1] for n in range(3)]
    started = await asyncio.gather(*(c.ok("call:start", COOKING) for c in clients))
    sessions = {s["session_id"] for s in started}
    for client in clients:
        await client.state("ringing")
    rung = {}
    for socket in sockets:
        incoming = await socket.wait_for("call:incoming")
        rung[incoming["session_id"]] = socket
    # Each expert rung for exactly one call, each call ringing exactly one expert.
    assert set(rung) == sessions
    assert all(len(s.events["call:incoming"]) == 1 for s in sockets)


async def test_a_process_that_knew_the_call_while_queued_follows_its_new_expert(
    redis: aioredis.Redis, start_app: StartApp, connect: Connect
) -> None:
    # The client's process learns who the session concerns while it is queued (no expert
    # yet) and keeps that; the call is then declined by one expert and accepted by another,
    # both on the other process. Everything the client does afterwards must concern the
    # expert who accepted: the live state, the chat, the bill and the freed expert.
    client_app, experts_app = await start_app(), await start_app()
    experts = [await online_expert(experts_app, connect) for _ in range(2)]
    sockets = [socket for _, socket in experts]
    _, client = await funded_client(client_app, connect)
    session_id = (await client.ok("call:start", COOKING))["session_id"]
    first = await incoming_for(sockets, session_id)
    await first.ok("call:decline", {"session_id": session_id})
    second = next(s for s in sockets if s is not first)
    await second.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await second.ok("call:accept", {"session_id": session_id})
    await client.state("accepted")

    for socket in (client, second):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client.state("live")
    await client.ok("chat", {"session_id": session_id, "text": "Thanks for taking it"})
    assert (await second.wait_for("chat"))["text"] == "Thanks for taking it"
    await client.ok("call:hangup", {"session_id": session_id})
    await second.state("ended")
    [(_, event)] = await billing_entries(redis)  # the session's bucket's, on a Cluster
    assert event["expert_id"] == second.user.id  # type: ignore[union-attr]
    assert await redis.get(busy_key(second.user.id)) is None  # type: ignore[union-attr]
