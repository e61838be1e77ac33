"""A call that happened: a paid call with chat and a shared file, then hung up."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import Running, User
from tests.sessions.test_metering import accepted_call, go_live
from tests.signaling.conftest import Connect, connect
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


async def past_call(running: Running, connect: Connect, data: bytes = PNG,
                    name: str = "leaking tap.png") -> PastCall:
    """A live call in which the client chats and sends a file, then hangs up."""
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
