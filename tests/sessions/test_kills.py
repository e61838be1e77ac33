"""A real ``python -m server`` killed (SIGKILL) between the steps of a call, and what a
surviving process makes of the state it left (docs/cluster.md, "A call as single-slot
steps").

The doomed process is armed with ``HELPCALL_KILL_AT`` (common/faults.py) and shares Redis
with the survivor, an app of this test process. One side of the call is on each; the
lease is 2 s, so the survivor finds the dead process and its intents fall due within a
few seconds. What is checked is what the people see next, through the survivor: the
expert free again, the wallet holding nothing more than its calls, charged exactly what
the one billing event says, and ``reconcile`` finding nothing wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.keys import RECONCILE, REDIS
from sessions.keys import busy_key
from tests.conftest import Doom, Running, User, billing_entries
from tests.processes import ServerProcess
from tests.signaling.conftest import PROFILE, Connect, funded_client, online_expert, rung
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

pytestmark = pytest.mark.cluster

@pytest.fixture
async def peers() -> AsyncIterator[list[SocketPeer]]:
    made: list[SocketPeer] = []
    yield made
    for peer in made:
        await peer.close()


async def on(server: ServerProcess, user: User, peers: list[SocketPeer]) -> SocketPeer:
    peer = await SocketPeer(server.url, user).connect()
    peers.append(peer)
    return peer


async def expert_on(survivor: Running, server: ServerProcess,
                    peers: list[SocketPeer]) -> tuple[User, SocketPeer]:
    expert = await survivor.user("expert")
    answer = await survivor.client.put("/api/v1/experts/me", json=PROFILE,
                                       headers=expert.headers)
    assert answer.status == 200
    peer = await on(server, expert, peers)
    await peer.ok("presence", {"status": "online"})
    return expert, peer


async def killed_by(server: ServerProcess, peer: SocketPeer, event: str,
                    payload: dict[str, str]) -> None:
    """``peer`` sends ``event`` to ``server``, which dies on it without an answer."""
    unanswered = asyncio.create_task(peer.call(event, payload))
    code = await asyncio.to_thread(server.process.wait, 30)
    assert code == -signal.SIGKILL, server.output()
    unanswered.cancel()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await unanswered


async def read(survivor: Running, user: User, path: str) -> Any:
    answer = await survivor.client.get(path, headers=user.headers)
    assert answer.status == 200
    return await answer.json()


async def healed(survivor: Running, expert: User, client: User, charged: int = 0) -> None:
    """The expert's flag free, the client's wallet holding nothing and charged ``charged``,
    and nothing for reconcile to report."""
    async def done() -> bool:
        wallet = await read(survivor, client, "/api/v1/wallet")
        return (await survivor.app[REDIS].get(busy_key(expert.id)) is None
                and wallet["held_cents"] == 0
                and wallet["balance_cents"] == 10_000 - charged)
    await eventually(done, within=15, what="the survivor healing what the dead process left")
    assert await survivor.app[RECONCILE]() == []


async def test_killed_with_the_expert_and_money_taken_before_the_call_exists(
    survivor: Running, doom: Doom, connect: Connect, peers: list[SocketPeer]
) -> None:
    doomed = await doom("call.taken")
    expert, _ = await online_expert(survivor, connect)
    client, _ = await funded_client(survivor, connect)
    client_socket = await on(doomed, client, peers)
    await killed_by(doomed, client_socket, "call:start", {"expert_id": expert.id,
                                                          "topic": "tap"})
    # Left between the steps: the expert's flag and the client's money taken, no call.
    assert await survivor.app[REDIS].get(busy_key(expert.id)) is not None
    assert (await read(survivor, client, "/api/v1/wallet"))["held_cents"] > 0
    await healed(survivor, expert, client)
    card = await read(survivor, client, f"/api/v1/experts/{expert.id}")
    assert card["status"] == "online"
    assert (await read(survivor, client, "/api/v1/sessions"))["sessions"] == []


async def test_killed_after_a_hang_up_changed_the_call_before_its_money_moved(
    survivor: Running, doom: Doom, connect: Connect, peers: list[SocketPeer]
) -> None:
    doomed = await doom("call.script:act")
    expert, expert_socket = await expert_on(survivor, doomed, peers)
    client, client_socket = await funded_client(survivor, connect)
    session_id = await rung(client_socket, expert_socket, {"expert_id": expert.id,
                                                           "topic": "tap"})
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live")
    await killed_by(doomed, expert_socket, "call:hangup", {"session_id": session_id})

    # The survivor tells the client the call ended, as the dead process never did.
    ended = await client_socket.state("ended", within=15)
    assert ended["session_id"] == session_id
    [event] = [fields for _, fields in await billing_entries(survivor.app[REDIS])]
    assert event["session_id"] == session_id
    await healed(survivor, expert, client, charged=int(event["amount_cents"]))


async def test_killed_after_a_decline_sent_the_call_back_before_it_was_queued_again(
    survivor: Running, doom: Doom, connect: Connect, peers: list[SocketPeer]
) -> None:
    doomed = await doom("call.script:act")
    first, first_socket = await expert_on(survivor, doomed, peers)
    client, client_socket = await funded_client(survivor, connect)
    session_id = await rung(client_socket, first_socket, {"category": "cooking",
                                                          "topic": "sauce"})
    await killed_by(doomed, first_socket, "call:decline", {"session_id": session_id})

    # The call is queued again but out of its queue, until the survivor's reaper puts it
    # back: then the next expert is rung, and the first one's money and flag are free.
    second, second_socket = await online_expert(survivor, connect)
    await second_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id,
                                 within=20)
    await second_socket.ok("call:decline", {"session_id": session_id})
    await client_socket.ok("call:cancel", {"session_id": session_id})
    await healed(survivor, first, client)
    assert await survivor.app[REDIS].get(busy_key(second.id)) is None
