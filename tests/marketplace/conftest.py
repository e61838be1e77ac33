"""Marketplace helpers: profiles, admins, and calls that went live and ended."""

from __future__ import annotations

from typing import Any

from server.keys import ACCOUNTS
from tests.conftest import Running, User
from tests.signaling.conftest import PROFILE, connect
from tests.signaling.peers import SocketPeer

__all__ = ["connect"]  # the socket fixture, shared with the signalling tests

async def put_profile(running: Running, expert: User, **changes: Any) -> dict[str, Any]:
    answer = await running.client.put("/api/v1/experts/me", json={**PROFILE, **changes},
                                      headers=expert.headers)
    assert answer.status == 200, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def admin(running: Running, email: str = "admin@example.test") -> User:
    account = await running.app[ACCOUNTS].create_admin(email, "correct horse")
    token = await running.client.post("/api/v1/tokens",
                                      json={"email": email, "password": "correct horse"})
    assert token.status == 200, await token.text()
    return User(account.id, email, (await token.json())["token"], "admin", account.display_name)


async def live_then_ended(client_socket: SocketPeer, expert_socket: SocketPeer,
                          expert: User) -> str:
    """A real call from ringing to live to hung up; answers its session id."""
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "sauce"})
    session_id: str = started["session_id"]

    def this(state: str) -> Any:
        return lambda d: d["session_id"] == session_id and d["state"] == state

    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.wait_for("call:state", this("live"))
    await client_socket.ok("call:hangup", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.wait_for("call:state", this("ended"))
    return session_id

