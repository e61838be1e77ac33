"""Marketplace helpers: profiles, admins, and calls that went live and ended."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

import tests.conftest
from server.api import admin_experts as admin_experts_api
from server.api import reviews as reviews_api
from server.app import create_app
from server.config import Config
from server.keys import ACCOUNTS
from tests.conftest import Running, User
from tests.signaling.conftest import PROFILE, connect
from tests.signaling.peers import SocketPeer

__all__ = ["connect"]  # the socket fixture, shared with the signalling tests

_ROUTE_MODULES = (reviews_api, admin_experts_api)


def _app_with_marketplace_routes(config: Config) -> web.Application:
    # Until server/app.py lists these route modules, add the ones it does not list yet.
    app = create_app(config)
    known = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    for module in _ROUTE_MODULES:
        first = next(iter(module.routes))
        assert isinstance(first, web.RouteDef)
        if (first.method, first.path) not in known:
            app.add_routes(module.routes)
    return app


@pytest.fixture(autouse=True)
def _marketplace_routes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(tests.conftest, "create_app", _app_with_marketplace_routes)
    yield


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

