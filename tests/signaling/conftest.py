from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.conftest import Running, User
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

PROFILE = {
    "headline": "Home cook for 20 years",
    "bio": "Sauces, bread, knife skills.",
    "categories": ["cooking"],
    "languages": ["fr", "en"],
    "pricing": {"mode": "per_minute", "amount_cents": 120},
}

Connect = Callable[..., Awaitable[SocketPeer]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    peers: list[SocketPeer] = []

    async def make(running: Running, user: User | None = None, **auth: str) -> SocketPeer:
        peer = SocketPeer(running.url, user)
        peers.append(peer)
        return await peer.connect(**auth)

    yield make
    for peer in peers:
        await peer.close()


async def online_expert(
    running: Running, connect: Connect, pricing: dict[str, object] | None = None
) -> tuple[User, SocketPeer]:
    expert = await running.user("expert")
    answer = await running.client.put(
        "/api/v1/experts/me", json={**PROFILE, "pricing": pricing or PROFILE["pricing"]},
        headers=expert.headers,
    )
    assert answer.status == 200, await answer.text()
    peer = await connect(running, expert)
    await peer.ok("presence", {"status": "online"})
    return expert, peer


async def funded_client(running: Running, connect: Connect, cents: int = 10_000) -> tuple[User, SocketPeer]:
    client = await running.user("client")
    answer = await running.client.post(
        "/api/v1/wallet/topups", json={"amount_cents": cents}, headers=client.headers
    )
    assert answer.status == 201
    return client, await connect(running, client)


async def rung(client_socket: SocketPeer, expert_socket: SocketPeer,
               payload: dict[str, str]) -> str:
    """The client starts a call (``payload`` of ``call:start``); once ``expert_socket``
    is rung for it, its session id."""
    started = await client_socket.ok("call:start", payload)
    session_id = str(started["session_id"])
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    return session_id


async def live_for_a_second(running: Running, user: User, session_id: str) -> None:
    """Until the session has been live a whole second, as its participant ``user`` reads it."""
    async def a_live_second() -> bool:
        answer = await running.client.get(f"/api/v1/sessions/{session_id}",
                                          headers=user.headers)
        return bool((await answer.json())["live_seconds"] >= 1)
    await eventually(a_live_second, within=5, what="one live second")
