"""Intents: deadlines that record a step still owed outside the session's slot.

A call changes things that belong to others, the expert's busy flag and the payer's money,
in steps of their own (``sessions/busy.py``, ``sessions/holds.py``). Before such a step, or
in the script whose change calls for it, a deadline a lease ahead records what must be
undone or finished: ``free|session|expert``, ``pay|session|payer|nonce|charge``. The
process that took the step drops its intent; one that stopped first leaves it to fall due,
and any reaper then finishes the step (docs/cluster.md, "A call as single-slot steps").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import redis.asyncio as aioredis

from common.lua import Lua, Step
from sessions.keys import intent_deadlines


class Intents:
    """The intents of calls (each in its session's bucket's deadlines: ``where``), or of
    bookings (all in theirs)."""

    def __init__(self, redis: aioredis.Redis, lease_ms: int,
                 where: Callable[[str], str] = intent_deadlines) -> None:
        self._redis = redis
        self._lease_ms = lease_ms
        self._where = where
        self._intend = Lua(redis, "sessions/lua/intent.lua")
        self._done: set[str] = set()

    def zset_of(self, member: str) -> str:
        """The deadlines zset an intent is in."""
        return self._where(member)

    def step(self, *members: str) -> Step:
        """Record ``members`` (of one session or booking) a lease ahead, as the first step
        of a sequence."""
        zsets = {self._where(member) for member in members}
        if len(zsets) != 1:
            raise ValueError(f"intents of one step in {len(zsets)} deadlines: {members}")
        return self._intend.step(keys={"deadlines": zsets.pop()},
                                 args={"after_ms": self._lease_ms, "members": list(members)})

    async def drop(self, *members: str) -> None:
        """Nothing is owed any more: the intents go now (one command per deadlines zset,
        in one round trip)."""
        by_zset: defaultdict[str, list[str]] = defaultdict(list)
        for member in members:
            by_zset[self._where(member)].append(member)
        async with self._redis.pipeline(transaction=False) as pipe:
            for zset, named in by_zset.items():
                pipe.zrem(zset, *named)
            await pipe.execute()

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
