"""Intents: deadlines that record a step still owed outside the session's slot.

A call changes things that belong to others, the expert's busy flag and the payer's money,
in steps of their own (``sessions/busy.py``, ``sessions/holds.py``). Before such a step, or
in the script whose change calls for it, a deadline a lease ahead records what must be
undone or finished: ``free|session|expert``, ``pay|session|payer|nonce|charge``. The
process that took the step drops its intent; one that stopped first leaves it to fall due,
and any reaper then finishes the step (docs/cluster.md, "A call as single-slot steps").
"""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua, Step
from sessions.keys import DEADLINES


class Intents:
    """The intents kept in one deadlines zset (the calls', or the bookings')."""

    def __init__(self, redis: aioredis.Redis, lease_ms: int, deadlines: str = DEADLINES) -> None:
        self._redis = redis
        self._lease_ms = lease_ms
        self._deadlines = deadlines
        self._intend = Lua(redis, "sessions/lua/intent.lua")
        self._done: set[str] = set()

    def step(self, *members: str) -> Step:
        """Record ``members`` a lease ahead, as the first step of a sequence."""
        return self._intend.step(keys={"deadlines": self._deadlines},
                                 args={"after_ms": self._lease_ms, "members": list(members)})

    async def drop(self, *members: str) -> None:
        """Nothing is owed any more: the intents go now."""
        await self._redis.zrem(self._deadlines, *members)

    def done(self, member: str) -> None:
        """The step is taken: its intent goes with the others at the reaper's next tick
        (``drop_done``), a round trip less per call. A stop before that leaves the intent to
        fall due, and taking the step again changes nothing."""
        self._done.add(member)

    async def drop_done(self) -> None:
        """The intents of the steps taken since the last tick, in one command."""
        if self._done:
            members, self._done = list(self._done), set()
            await self.drop(*members)
