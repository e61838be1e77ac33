"""Presence is the expert's, not one socket's: with several tabs (sockets) open, closing
one keeps the expert online; closing the last makes them offline until they ask again."""

from __future__ import annotations

import redis.asyncio as aioredis

from tests.conftest import Running
from tests.signaling.conftest import Connect, online_expert
from tests.waiting import eventually


async def test_closing_one_tab_of_several_keeps_the_expert_online(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    expert, first = await online_expert(running, connect)
    second = await connect(running, expert)  # another tab: joins without asking again
    sockets = f"hc:{{0}}:presence:socks:{expert.id}"

    async def status() -> str:
        answer = await running.client.get(f"/api/v1/experts/{expert.id}")
        found: str = (await answer.json())["status"]
        return found

    async def sockets_left(count: int) -> bool:
        return int(await redis.scard(sockets)) == count

    await eventually(lambda: sockets_left(2), what="two sockets")
    assert await status() == "online"
    await first.close()
    await eventually(lambda: sockets_left(1), what="one socket left")
    assert await status() == "online"
    await second.close()
    await eventually(lambda: sockets_left(0), what="no socket left")
    assert await status() == "offline"

    # A new socket starts offline: the last one's going was the end of the presence.
    third = await connect(running, expert)
    await eventually(lambda: sockets_left(1), what="a new socket")
    assert await status() == "offline"
    await third.ok("presence", {"status": "online"})
    assert await status() == "online"
