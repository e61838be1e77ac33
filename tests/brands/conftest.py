"""Brand helpers: a platform admin, brands, member experts."""

from __future__ import annotations

from typing import Any

from tests.conftest import Running, User
from tests.marketplace.conftest import admin
from tests.signaling.conftest import PROFILE, Connect, connect
from tests.signaling.peers import SocketPeer

__all__ = ["admin", "connect"]

async def new_brand(running: Running, platform: User, slug: str, **fields: Any) -> dict[str, Any]:
    body = {"slug": slug, "name": fields.pop("name", slug.title()), **fields}
    answer = await running.client.post("/api/v1/brands", json=body, headers=platform.headers)
    assert answer.status == 201, await answer.text()
    created: dict[str, Any] = await answer.json()
    return created


async def brand_admin(running: Running, platform: User, slug: str) -> User:
    """A client account given the brand-admin right for ``slug`` by a platform admin."""
    user = await running.user("client", name=f"Admin of {slug}")
    answer = await running.client.post(f"/api/v1/brands/{slug}/admins",
                                       json={"account_id": user.id}, headers=platform.headers)
    assert answer.status == 201, await answer.text()
    return user


async def join(running: Running, admin_of_brand: User, slug: str, expert: User) -> None:
    invited = await running.client.post(f"/api/v1/brands/{slug}/invitations",
                                        headers=admin_of_brand.headers)
    assert invited.status == 201, await invited.text()
    token = (await invited.json())["token"]
    accepted = await running.client.post(f"/api/v1/brand-invitations/{token}/accept",
                                         headers=expert.headers)
    assert accepted.status == 200, await accepted.text()


async def member_expert(
    running: Running, connect: Connect, admin_of_brand: User, slug: str,
    pricing: dict[str, object] | None = None, online: bool = True, name: str | None = None,
) -> tuple[User, SocketPeer]:
    expert = await running.user("expert", name=name)
    answer = await running.client.put(
        "/api/v1/experts/me", json={**PROFILE, "pricing": pricing or PROFILE["pricing"]},
        headers=expert.headers)
    assert answer.status == 200, await answer.text()
    await join(running, admin_of_brand, slug, expert)
    socket = await connect(running, expert)
    if online:
        await socket.ok("presence", {"status": "online"})
    return expert, socket


async def top_up_brand(running: Running, platform: User, slug: str, cents: int) -> None:
    answer = await running.client.post(f"/api/v1/brands/{slug}/balance/topups",
                                       json={"amount_cents": cents}, headers=platform.headers)
    assert answer.status == 201, await answer.text()
