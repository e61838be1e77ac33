"""Process leases: how the survivors learn that a web process died.

Each web process renews its entry in ``hc:procs`` (scored by Redis time) every third of
a lease; one whose entry is older than a lease is dead, and a survivor claims it for
one lease at a time until it has cleaned up after it. The cost is one command per process
per renewal, whatever the number of calls.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from common.loops import Loop
from common.redisvalues import text_or_none

log = logging.getLogger(__name__)

PROCS = "hc:{0}:procs"
LAST_SEEN = "hc:{0}:procs:dead"

_RENEW = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
"""

# A dead process is claimed by pushing its score one lease ahead, not by removing it:
# if the survivor that claimed it dies while cleaning up, another one claims it again.
# Its last heartbeat is kept aside so that every claimant bills to the same moment.
_CLAIM_DEAD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - lease, 'WITHSCORES')
local claimed = {}
for i = 1, #dead, 2 do
  if dead[i] == ARGV[2] then
    -- Our own lease ran late (an overloaded loop): we are alive, so renew, never bury.
    redis.call('ZADD', KEYS[1], now, dead[i])
  else
    redis.call('HSETNX', KEYS[2], dead[i], dead[i + 1])
    redis.call('ZADD', KEYS[1], now, dead[i])
    table.insert(claimed, dead[i]); table.insert(claimed, redis.call('HGET', KEYS[2], dead[i]))
  end
end
return claimed
"""


class Leases:
    def __init__(self, redis: aioredis.Redis, proc: str, lease_seconds: float) -> None:
        self.proc = proc
        self._redis = redis
        self.lease_ms = int(lease_seconds * 1000)
        self._renew = redis.register_script(_RENEW)
        self._claim = redis.register_script(_CLAIM_DEAD)

    async def renew(self) -> None:
        await self._renew(keys=[PROCS], args=[self.proc])

    async def _guarded_renew(self) -> None:
        try:
            await self.renew()
        except (aioredis.RedisError, OSError) as exc:
            log.warning("lease renewal failed: %s", exc)

    def keep_alive(self) -> Loop:
        """A loop renewing the lease every third of it; a failure is retried next beat."""
        return Loop(self._guarded_renew, self.lease_ms / 3000)

    async def claim_dead(self) -> list[tuple[str, int]]:
        """Processes whose lease ran out, each with its last heartbeat (ms); claimed once."""
        flat = await self._claim(keys=[PROCS, LAST_SEEN], args=[self.lease_ms, self.proc])
        values = [str(text_or_none(v)) for v in flat]
        return [(values[i], int(float(values[i + 1]))) for i in range(0, len(values), 2)]

    async def buried(self, proc: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(PROCS, proc)
            pipe.hdel(LAST_SEEN, proc)
            await pipe.execute()

    async def release(self) -> None:
        await self.buried(self.proc)
