"""Limits per account, across processes (docs/security.md, findings 6 and 11).

- Rings: a client may start only so many calls of one expert, and of all experts, per
  window, so that nobody can keep an expert ``busy`` (unavailable to everyone else) by
  starting and cancelling calls in a loop.
- Sockets: an account holds at most ``HELPCALL_MAX_SOCKETS_PER_ACCOUNT`` sockets on all
  processes together; each one costs memory, and receives a copy of every chat message
  and state change of the account, so the cap bounds the account's fan-out.
- Chat: one token bucket per account and process (on top of each socket's own), so that
  more sockets never means more messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from common.errors import RateLimited
from common.keyspace import account_prefix
from common.lua import Lua
from sessions.leases import PROCS
from signaling.ratelimit import SocketLimits

RING_WINDOW_MS = 10 * 60 * 1000
# Events limited per account too: each chat message is copied to every socket in the call.
PER_ACCOUNT_EVENTS = frozenset({"chat"})


@dataclass(frozen=True)
class LimitRules:
    rings_per_expert: int = 5
    rings_per_client: int = 30
    max_sockets: int = 10


def _sockets_key(account_id: str) -> str:
    return f"hc:{{0}}:acct:{account_id}:socks"


class AccountLimits:
    def __init__(self, redis: aioredis.Redis, proc: str, rules: LimitRules) -> None:
        self._redis = redis
        self._proc = proc
        self.rules = rules
        self._ring = Lua(redis, "signaling/lua/ring_limit.lua")
        self._open = Lua(redis, "signaling/lua/socket_open.lua")
        # account -> (buckets, sockets of this process sharing them)
        self._buckets: dict[str, tuple[SocketLimits, set[str]]] = {}

    async def ring(self, client_id: str, expert_id: str | None) -> None:
        """Count a ``call:start``, or raise ``RateLimited``."""
        # The client's counters, in its own slot: one script changes both.
        rings = account_prefix(client_id) + "rings"
        wait_ms = int(await self._ring(
            keys={"pair": f"{rings}:{expert_id or '-'}", "client": rings},
            args={"per_expert": self.rules.rings_per_expert,
                  "per_client": self.rules.rings_per_client, "window_ms": RING_WINDOW_MS,
                  "named": "1" if expert_id else "0"}))
        if wait_ms > 0:
            raise RateLimited(f"too many calls started; try again in {-(-wait_ms // 1000)} s")

    async def socket_opened(self, account_id: str, sid: str) -> bool:
        """False when the account already holds its cap of sockets."""
        admitted = await self._open(
            keys={"sockets": _sockets_key(account_id), "procs": PROCS},
            args={"member": f"{self._proc}|{sid}", "cap": self.rules.max_sockets,
                  "now_ms": int(time.time() * 1000)})
        if admitted:
            self._buckets.setdefault(account_id, (SocketLimits(), set()))[1].add(sid)
        return bool(admitted)

    async def socket_closed(self, account_id: str, sid: str) -> None:
        shared = self._buckets.get(account_id)
        if shared is not None:
            shared[1].discard(sid)
            if not shared[1]:
                del self._buckets[account_id]
        await self._redis.zrem(_sockets_key(account_id), f"{self._proc}|{sid}")

    def allow(self, account_id: str, event: str) -> bool:
        """The account's own bucket for events whose cost grows with its sockets."""
        shared = self._buckets.get(account_id)
        return event not in PER_ACCOUNT_EVENTS or shared is None or shared[0].allow(event)
