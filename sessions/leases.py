"""Process leases: how the survivors learn that a web process died.

Each web process renews its entry in ``hc:procs`` (scored by Redis time) every third of
a lease; one whose entry is older than a lease is dead, and a survivor claims it for
one lease at a time until it has cleaned up after it. The cost is one command per process
per renewal, whatever the number of calls.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from common.loops import Loop, tolerant
from common.lua import Lua
from common.redisvalues import text_or_none

log = logging.getLogger(__name__)

PROCS = "hc:{0}:procs"
LAST_SEEN = "hc:{0}:procs:dead"



class Leases:
    def __init__(self, redis: aioredis.Redis, proc: str, lease_seconds: float) -> None:
        self.proc = proc
        self._redis = redis
        self.lease_ms = int(lease_seconds * 1000)
        self._renew = Lua(redis, "sessions/lua/lease_renew.lua")
        self._claim = Lua(redis, "sessions/lua/lease_claim.lua")

    async def renew(self) -> None:
        await self._renew(keys={"procs": PROCS}, args={"proc": self.proc})

    def keep_alive(self) -> Loop:
        """A loop renewing the lease every third of it; a failure is retried next beat."""
        return Loop(tolerant(self.renew, "lease renewal", log), self.lease_ms / 3000)

    async def claim_dead(self) -> list[tuple[str, int]]:
        """Processes whose lease ran out, each with its last heartbeat (ms); claimed once."""
        flat = await self._claim(keys={"procs": PROCS, "last_seen": LAST_SEEN},
                                 args={"lease_ms": self.lease_ms, "proc": self.proc})
        values = [str(text_or_none(v)) for v in flat]
        return [(values[i], int(float(values[i + 1]))) for i in range(0, len(values), 2)]

    async def buried(self, proc: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(PROCS, proc)
            pipe.hdel(LAST_SEEN, proc)
            await pipe.execute()

    async def release(self) -> None:
        await self.buried(self.proc)
