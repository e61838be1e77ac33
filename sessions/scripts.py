"""How the session scripts are called: one layout of keys and arguments for the family.

Every script of ``sessions/lua/`` (but the file and lease ones) uses ``prelude.lua``, which
names the keys and arguments they all share; a script declares its own after them. This
module names the shared ones from a session's parties and the configured rules, and calls
a script again, with its parties read afresh, when it answers that they changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common.keyspace import bucket_of, bucket_stream
from common.lua import ArgValue, KeyValue, Lua, Step, in_order
from sessions.keys import (
    chat_key,
    deadlines_key,
    rung_key,
    session_key,
    sockets_key,
    timeline_key,
)
from sessions.parties import KnownParties, Parties
from sessions.pricing import Pricing, PricingMode
from sessions.replies import is_stale
from sessions.states import lua_table

NAMES = ("start", "accept", "act", "attach", "detach", "media", "fire", "chat", "share",
         "enqueue", "route", "abandon", "queue_position")
STALE_TRIES = 5  # a category call changes expert rarely; five changes in a row is a bug


@dataclass(frozen=True)
class Timing:
    """The session rules from configuration, in the units the scripts use."""

    ring_ms: int
    connect_ms: int
    grace_ms: int
    queue_ms: int
    guarantee_seconds: int
    increment_seconds: int
    fee_percent: int
    currency: str
    billing_stream: str  # bucket 0's: each session's is its bucket's (common/keyspace.py)
    low_balance_ms: int = 60_000
    start_cover_seconds: int = 60  # how much of a per-minute call must be covered to start
    # How soon a step a stopped process left unfinished is finished by another (the
    # process lease): freeing an expert (sessions/busy.py), settling a hold (holds.py).
    lease_ms: int = 6_000

    def start_hold_cents(self, pricing: Pricing) -> int:
        if pricing.mode == PricingMode.PER_MINUTE:
            return -(-pricing.amount_cents * self.start_cover_seconds // 60)
        return pricing.start_hold_cents()


class SessionScripts:
    """The session scripts, registered once, called by name with their own keys and args."""

    def __init__(self, redis: aioredis.Redis, timing: Timing, parties: KnownParties) -> None:
        self.timing = timing
        self._redis = redis
        self._parties = parties
        self._scripts = {name: Lua(redis, f"sessions/lua/{name}.lua", prefix=lua_table())
                         for name in NAMES}

    def _keys(self, session_id: str) -> dict[str, KeyValue]:
        """The keys every session script shares (``sessions/lua/prelude.lua``): all in the
        slot of the session's bucket."""
        stream = bucket_stream(self.timing.billing_stream, bucket_of(session_id))
        return {
            "session": session_key(session_id), "socks": sockets_key(session_id),
            "deadlines": deadlines_key(session_id), "billing": stream,
            "chat": chat_key(session_id), "rung": rung_key(session_id),
            "timeline": timeline_key(session_id),
        }

    def _args(self, session_id: str, parties: Parties) -> dict[str, ArgValue]:
        """The arguments every session script shares: the session, the expert its keys
        were named for, and the rules."""
        t = self.timing
        return {"id": session_id, "expert": parties.expert_id or "-",
                "guarantee": t.guarantee_seconds,
                "increment": t.increment_seconds, "connect_ms": t.connect_ms,
                "grace_ms": t.grace_ms, "ring_ms": t.ring_ms, "low_ms": t.low_balance_ms,
                "queue_ms": t.queue_ms, "lease_ms": t.lease_ms}

    async def run(
        self, name: str, session_id: str, parties: Parties | None,
        args: Mapping[str, ArgValue] | None = None,
        keys: Mapping[str, KeyValue] | None = None, first: Sequence[Step] = (),
        before: Sequence[Step] = (),
    ) -> Any:
        """A session script's reply: ``keys`` and ``args`` are its own, after the shared
        ones. The keys are named from ``parties`` (None: what this process knows of them);
        a script that finds them stale gets them read again. Steps in others' slots go
        ahead of it, in its pipeline (``in_order``): ``first`` in any order, then
        ``before`` in order (``sessions/listing.py``, ``sessions/queueing.py``)."""
        if parties is None:
            parties = await self._parties.of(session_id)
        for _ in range(STALE_TRIES):
            script = self._scripts[name]
            named = {**self._keys(session_id), **(keys or {})}
            given = {**self._args(session_id, parties), **(args or {})}
            if first or before:
                replies = await in_order(self._redis, *before, script.step(named, given),
                                         first=first)
                reply, first, before = replies[-1], (), ()
            else:
                reply = await script(keys=named, args=given)
            if not is_stale(reply):
                return reply
            parties = await self._parties.of(session_id, fresh=True)
        raise RuntimeError(f"session {session_id} kept changing under {name}")
