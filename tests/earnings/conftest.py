"""Earnings helpers: experts who were paid for real calls, and reading their earnings."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from common.streams import billing_events
from tests.conftest import Running, User, on_this_redis
from tests.sessions.test_receipt import live_for
from tests.signaling.conftest import Connect, connect
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

__all__ = ["connect"]  # the socket fixture

IBAN = "FR76 3000 6000 0112 3456 7890 189"


async def paid_call(running: Running, client: User, client_socket: SocketPeer,
                    expert: User, expert_socket: SocketPeer) -> str:
    """A call live for at least a second, hung up: its session id."""
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "sauce"})
    session_id: str = started["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await live_for(running, client, session_id, 1)
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.wait_for("call:summary", lambda d: d["session_id"] == session_id)
    return session_id


async def payouts_by_expert(redis: aioredis.Redis) -> dict[str, dict[str, int]]:
    """expert -> {session id: payout} from the billing streams (on a Cluster one per bucket)."""
    found: dict[str, dict[str, int]] = {}
    async for event in billing_events(redis, on_this_redis(redis)):
        found.setdefault(event["expert_id"], {})[event["session_id"]] = int(
            event["expert_payout_cents"])
    return found


async def earnings(running: Running, expert: User) -> dict[str, Any]:
    answer = await running.client.get("/api/v1/earnings", headers=expert.headers)
    assert answer.status == 200, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def credited(running: Running, expert: User, cents: int) -> dict[str, Any]:
    """The expert's earnings once ``cents`` have been credited in all."""
    async def done() -> bool:
        return bool((await earnings(running, expert))["earned_cents"] >= cents)

    await eventually(done, what=f"{cents} cents credited")
    return await earnings(running, expert)


__all__ += ["Connect"]
