"""Login and sign-up throttling, shared by every process (docs/security.md, 5, 10 and 13).

Logins: each attempt is counted atomically *before* the password is checked (one script
admits it or names the wait), so two hundred parallel guesses cannot all slip through
before the first failure is recorded. Counting is per email-and-IP: after a few free
attempts each further one must wait a growing delay (1 s, 2 s, 4 s ... capped), which slows
a guesser to a crawl without ever locking the account's owner out from anywhere else. A
per-IP count (more free attempts, a lower cap) slows one address spraying many accounts.
A right password resets its email-and-IP count.

Sign-ups: a fixed number per IP and hour.

The counters of one IP address share its slot (``hc:{ip:<address>}:login``,
``:login:<email>``, ``:signups``, common/keyspace.py), so the login script that changes the
address's and the pair's counts together is single-slot on a Cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import redis.asyncio as aioredis

from accounts.errors import TooManyAttempts, TooManySignUps
from common.keyspace import ip_prefix
from common.lua import Lua

# The per-IP cap stays low: people behind one NAT must never wait long because of another.
IP_MAX_DELAY_SECONDS = 60.0
PAIR_TTL_MS = 3600 * 1000
IP_TTL_MS = 900 * 1000
SIGNUP_WINDOW_MS = 3600 * 1000


@dataclass(frozen=True)
class ThrottleRules:
    free_attempts: int = 5
    ip_free_attempts: int = 50
    delay_seconds: float = 1.0
    max_delay_seconds: float = 300.0
    signups_per_ip_per_hour: int = 20


class LoginThrottle:
    def __init__(self, redis: aioredis.Redis, rules: ThrottleRules | None = None) -> None:
        self._redis = redis
        self.rules = rules or ThrottleRules()
        self._attempt = Lua(redis, "accounts/lua/login_attempt.lua")
        self._success = Lua(redis, "accounts/lua/login_success.lua")
        self._signup = Lua(redis, "accounts/lua/signup.lua")

    @staticmethod
    def _keys(email: str, ip: str) -> dict[str, str]:
        return {"pair": ip_prefix(ip) + f"login:{email}", "ip": ip_prefix(ip) + "login"}

    async def attempt(self, email: str, ip: str) -> None:
        """Count this attempt now, or raise ``TooManyAttempts`` with the wait."""
        r = self.rules
        wait_ms = int(await self._attempt(keys=self._keys(email, ip), args={
            "free_pair": r.free_attempts, "free_ip": r.ip_free_attempts,
            "base_ms": int(r.delay_seconds * 1000),
            "cap_pair_ms": int(r.max_delay_seconds * 1000),
            "cap_ip_ms": int(min(r.max_delay_seconds, IP_MAX_DELAY_SECONDS) * 1000),
            "ttl_pair_ms": PAIR_TTL_MS, "ttl_ip_ms": IP_TTL_MS}))
        if wait_ms > 0:
            raise TooManyAttempts(max(1, math.ceil(wait_ms / 1000)))

    async def succeeded(self, email: str, ip: str) -> None:
        await self._success(keys=self._keys(email, ip))

    async def sign_up(self, ip: str) -> None:
        wait_ms = int(await self._signup(
            keys={"counter": ip_prefix(ip) + "signups"},
            args={"limit": self.rules.signups_per_ip_per_hour, "window_ms": SIGNUP_WINDOW_MS}))
        if wait_ms > 0:
            raise TooManySignUps(max(1, math.ceil(wait_ms / 1000)))
