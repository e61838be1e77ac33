"""Who holds an email address: one key per address, in the address's own slot.

An address and the account holding it live in different slots of a Cluster
(common/keyspace.py), so a sign-up cannot claim the one and write the other in one script.
It runs as steps instead (``AccountStore.create``), and the claim is what makes them safe:

1. ``take``: the claim, for ``PENDING_MS`` (60 s) only (``SET NX PX``), names the new account;
2. the account's hash, expiring as well (accounts/lua/create.lua);
3. ``keep``: the claim made permanent, if it is still this account's;
4. the hash made permanent.

A process that stops after step 1 or 2 leaves keys that expire by themselves. One that
stops between 3 and 4 leaves a permanent claim whose account expires: a *dangling* claim.
Erasure leaves one too if it stops between deleting the account and its claim. Whoever
next takes the address finds it dangling (permanent, and its account gone) and frees it,
so an address is never lost to an account that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from common.keyspace import email_prefix
from common.lua import Lua
from common.redisvalues import text_or_none

# How long a sign-up may take between its first and last step before its keys expire.
PENDING_MS = 60_000


def claim_key(email: str) -> str:
    return email_prefix(email) + "email"


class EmailClaims:
    def __init__(self, redis: aioredis.Redis, pending_ms: int = PENDING_MS) -> None:
        self._redis = redis
        self.pending_ms = pending_ms
        self._keep = Lua(redis, "accounts/lua/claim_keep.lua")
        self._release = Lua(redis, "common/lua/release_lock.lua")

    async def holder(self, email: str) -> str | None:
        """The account the address names, pending or kept (it may be dangling)."""
        return text_or_none(await self._redis.get(claim_key(email)))

    async def take(self, email: str, account_id: str,
                   exists: Callable[[str], Awaitable[bool]]) -> bool:
        """Claim the address for ``account_id`` for a while; False when it is someone's
        (``exists`` tells whether an account is there: account keys are not ours)."""
        key = claim_key(email)
        for _ in range(2):
            if await self._redis.set(key, account_id, nx=True, px=self.pending_ms):
                return True
            holder = await self.holder(email)
            ttl = int(await self._redis.pttl(key))
            if holder is None or ttl == -2:
                continue  # it ran out just now: try again
            if ttl != -1 or await exists(holder):
                return False  # another sign-up under way, or an account that exists
            await self.release(email, holder)  # dangling: free it (only if unchanged)
        return False

    async def keep(self, email: str, account_id: str) -> bool:
        """Make the claim permanent; False when it is no longer ``account_id``'s."""
        return bool(await self._keep(keys={"email": claim_key(email)},
                                     args={"id": account_id}))

    async def release(self, email: str, account_id: str) -> None:
        """Free the address if ``account_id`` holds it (a newer holder keeps it)."""
        await self._release(keys={"lock": claim_key(email)}, args={"token": account_id})
