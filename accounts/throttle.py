"""Failed-login throttling per email and per IP address, shared by every process."""

from __future__ import annotations

import redis.asyncio as aioredis

from accounts.errors import TooManyAttempts

_FAIL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class LoginThrottle:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        per_email: int = 10,
        per_ip: int = 50,
        window_seconds: int = 900,
    ) -> None:
        self._redis = redis
        self._limits = {"email": per_email, "ip": per_ip}
        self._window_ms = window_seconds * 1000
        self._fail = redis.register_script(_FAIL)

    @staticmethod
    def _key(kind: str, value: str) -> str:
        return f"hc:throttle:login:{kind}:{value}"

    async def check(self, email: str, ip: str) -> None:
        keys = {"email": self._key("email", email), "ip": self._key("ip", ip)}
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys.values():
                pipe.get(key)
                pipe.pttl(key)
            replies = await pipe.execute()
        for index, kind in enumerate(keys):
            count, ttl_ms = replies[2 * index], replies[2 * index + 1]
            if count is not None and int(count) >= self._limits[kind]:
                raise TooManyAttempts(max(1, int(ttl_ms) // 1000))

    async def failed(self, email: str, ip: str) -> None:
        for kind, value in (("email", email), ("ip", ip)):
            await self._fail(keys=[self._key(kind, value)], args=[self._window_ms])

    async def succeeded(self, email: str) -> None:
        await self._redis.delete(self._key("email", email))
