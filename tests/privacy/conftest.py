"""A call that happened: a paid call with chat and a shared file, then hung up."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import Running, User
from tests.sessions.test_metering import accepted_call, go_live
from tests.signaling.conftest import PROFILE, Connect, connect
from tests.signaling.peers import SocketPeer

__all__ = ["connect"]  # the socket fixture, for the tests here

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@dataclass
class PastCall:
    client: User
    expert: User
    session_id: str
    file_id: str
    client_socket: SocketPeer
    expert_socket: SocketPeer


async def share(running: Running, user: User, session_id: str, data: bytes,
                name: str) -> dict[str, object]:
    answer = await running.client.post(
        f"/api/v1/sessions/{session_id}/files", params={"name": name}, data=data,
        headers=user.headers)
    assert answer.status == 201, await answer.text()
    body: dict[str, object] = await answer.json()
    return body


async def named_call(running: Running, connect: Connect, client_name: str, expert_name: str
                     ) -> tuple[User, SocketPeer, User, SocketPeer, str]:
    """An accepted call between people of these names (the client funded)."""
    expert = await running.user("expert", name=expert_name)
    answer = await running.client.put("/api/v1/experts/me", json=PROFILE, headers=expert.headers)
    assert answer.status == 200, await answer.text()
    expert_socket = await connect(running, expert)
    await expert_socket.ok("presence", {"status": "online"})
    client = await running.user("client", name=client_name)
    answer = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 10_000},
                                       headers=client.headers)
    assert answer.status == 201
    client_socket = await connect(running, client)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "help"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    await client_socket.state("accepted")
    return client, client_socket, expert, expert_socket, session_id


async def past_call(running: Running, connect: Connect, data: bytes = PNG,
                    name: str = "leaking tap.png", client_name: str | None = None,
                    expert_name: str | None = None) -> PastCall:
    """A live call in which the client chats and sends a file, then hangs up."""
    if client_name and expert_name:
        client, client_socket, expert, expert_socket, session_id = await named_call(
            running, connect, client_name, expert_name)
    else:
        client, client_socket, expert, expert_socket, session_id = await accepted_call(
            running, connect)
    await go_live(client_socket, expert_socket, session_id)
    await client_socket.ok("chat", {"session_id": session_id, "text": "the tap under the sink"})
    await expert_socket.ok("chat", {"session_id": session_id, "text": "turn the valve left"})
    shared = await share(running, client, session_id, data, name)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.state("ended")
    file = shared["file"]
    assert isinstance(file, dict)
    return PastCall(client, expert, session_id, str(file["file_id"]), client_socket,
                    expert_socket)
