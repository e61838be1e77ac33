"""Single-use links mailed to a person: password resets and email verification.

A link carries a random token; Redis keeps only its SHA-256 (``hc:link:<purpose>:<hash>``
-> account id, expiring with the link), so the keys are not usable links. Taking a link is
one ``GETDEL``: two clicks at once, one wins.
"""

from __future__ import annotations

import hashlib
import secrets

import redis.asyncio as aioredis

from common.keyspace import email_prefix, link_prefix
from common.redisvalues import text_or_none

MAX_TOKEN_LENGTH = 100


def link_counter_key(purpose: str, subject: str) -> str:
    """The count of links of ``purpose`` mailed to ``subject`` (an email) this hour."""
    return email_prefix(subject) + f"links:{purpose}"


def link_key(purpose: str, digest: str) -> str:
    """A link's key, in a slot of its own (nothing else changes with it)."""
    return link_prefix(digest) + f"link:{purpose}"


def _key(purpose: str, token: str) -> str:
    return link_key(purpose, hashlib.sha256(token.encode("utf-8")).hexdigest())


class OneTimeLinks:
    def __init__(self, redis: aioredis.Redis, purpose: str, ttl_seconds: int) -> None:
        self._redis = redis
        self.purpose = purpose
        self.ttl_seconds = ttl_seconds

    async def create(self, account_id: str) -> str:
        token = secrets.token_urlsafe(32)
        await self._redis.set(_key(self.purpose, token), account_id, ex=self.ttl_seconds)
        return token

    async def peek(self, token: str) -> str | None:
        """The account of a live link, without using it (the page that asks for a password)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return text_or_none(await self._redis.get(_key(self.purpose, token)))

    async def take(self, token: str) -> str | None:
        """The account of a live link, which is used up by this: None when unknown, used or
        expired."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return text_or_none(await self._redis.getdel(_key(self.purpose, token)))

    async def allow(self, subject: str, per_hour: int) -> bool:
        """At most ``per_hour`` links per subject (an email): nobody can mail-bomb an
        address through the reset form."""
        key = link_counter_key(self.purpose, subject)
        async with self._redis.pipeline(transaction=True) as pipe:
            # SET NX then INCR: the hour runs from the first request (Redis 6.2 has no
            # EXPIRE NX).
            pipe.set(key, 0, ex=3600, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count) <= per_hour
