"""Revoked tokens: refused at once on HTTP, and their open sockets disconnected."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from tests.conftest import Running, StartApp, User
from tests.signaling.conftest import Connect, connect
from tests.signaling.peers import SocketPeer

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

__all__ = ["connect"]


async def new_token(running: Running, user: User, password: str = "correct horse") -> str:
    answer = await running.client.post("/api/v1/tokens",
                                       json={"email": user.email, "password": password})
    assert answer.status == 200, await answer.text()
    token: str = (await answer.json())["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def me(running: Running, token: str) -> int:
    return (await running.client.get("/api/v1/me", headers=bearer(token))).status


def disconnected(peer: SocketPeer) -> asyncio.Event:
    gone = asyncio.Event()
    peer.sio.on("disconnect", lambda *_: gone.set())
    return gone


async def test_log_out_revokes_only_that_token_on_every_process(
    start_app: StartApp, connect: Connect
) -> None:
    first, second = await start_app(), await start_app()
    user = await first.user("client")
    other_token = await new_token(first, user)
    # The token's socket is on the other process: it is closed all the same.
    peer = await connect(second, user)
    gone = disconnected(peer)
    kept = await connect(second, User(user.id, user.email, other_token, "client", "x"))

    answer = await first.client.delete("/api/v1/tokens/current", headers=user.headers)
    assert answer.status == 204
    for running in (first, second):
        assert await me(running, user.token) == 401
        assert await me(running, other_token) == 200
    await asyncio.wait_for(gone.wait(), 10)
    assert kept.sio.connected
    again = await first.client.delete("/api/v1/tokens/current", headers=user.headers)
    assert again.status == 401
    refused = SocketPeer(second.url, user)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect()
    await refused.close()


async def test_a_password_change_revokes_every_other_token(
    running: Running, connect: Connect
) -> None:
    user = await running.user("expert")
    others = [await new_token(running, user) for _ in range(2)]
    peer = await connect(running, User(user.id, user.email, others[0], "expert", "x"))
    gone = disconnected(peer)
    wrong = await running.client.put("/api/v1/me/password", headers=user.headers, json={
        "current_password": "not it", "new_password": "a new horse"})
    assert wrong.status == 400
    assert (await wrong.json())["error"]["code"] == "invalid"
    changed = await running.client.put("/api/v1/me/password", headers=user.headers, json={
        "current_password": "correct horse", "new_password": "a new horse"})
    assert changed.status == 204
    assert await me(running, user.token) == 200  # the token that changed it stays
    for token in others:
        assert await me(running, token) == 401
    await asyncio.wait_for(gone.wait(), 10)
    fresh = await new_token(running, user, "a new horse")
    assert await me(running, fresh) == 200
    # A second change, from the fresh token, ends the first one too.
    again = await running.client.put("/api/v1/me/password", headers=bearer(fresh), json={
        "current_password": "a new horse", "new_password": "third horse"})
    assert again.status == 204
    assert await me(running, user.token) == 401
    assert await me(running, fresh) == 200


async def test_a_forged_or_cookie_logout_without_csrf_header_is_refused(
    running: Running
) -> None:
    user = await running.user("client")
    answer = await running.client.delete("/api/v1/tokens/current",
                                         cookies={"helpcall_session": user.token})
    assert answer.status == 403
    assert await me(running, user.token) == 200
    junk = await running.client.delete("/api/v1/tokens/current", headers=bearer("junk.junk"))
    assert junk.status == 401
