"""Trust helpers: a paid call between a funded client and an online expert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import Running, User
from tests.earnings.conftest import paid_call
from tests.signaling.conftest import Connect, connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer

__all__ = ["Connect", "connect"]

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}


@dataclass
class Pair:
    client: User
    client_socket: SocketPeer
    expert: User
    expert_socket: SocketPeer


async def pair(running: Running, connect: Connect,
               pricing: dict[str, Any] | None = None) -> Pair:
    expert, expert_socket = await online_expert(running, connect, pricing or PER_MINUTE_600)
    client, client_socket = await funded_client(running, connect)
    return Pair(client, client_socket, expert, expert_socket)


async def called(running: Running, people: Pair) -> str:
    """One paid call between the two, live a second and hung up: its session id."""
    return await paid_call(running, people.client, people.client_socket, people.expert,
                           people.expert_socket)


async def get_json(running: Running, path: str, user: User, status: int = 200) -> Any:
    answer = await running.client.get(path, headers=user.headers)
    assert answer.status == status, await answer.text()
    return await answer.json()


async def post_json(running: Running, path: str, user: User, body: Any,
                    status: int) -> Any:
    answer = await running.client.post(path, json=body, headers=user.headers)
    assert answer.status == status, await answer.text()
    return await answer.json()
