"""Invitations: a link a brand admin hands to an expert, accepted once by an expert account.

Only the SHA-256 of the token is stored (``hc:brandinv:<hash>``, with a TTL), so the keys
in Redis are not usable invitations. Accepting adds the expert to the brand and deletes the
invitation in one script: a link works once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

import redis.asyncio as aioredis

from brands import keys
from brands.errors import NoSuchInvitation

log = logging.getLogger(__name__)

TTL_SECONDS = 7 * 24 * 3600
MAX_TOKEN_LENGTH = 100

# KEYS: invitation, the brand's experts, the expert's brands. ARGV: expert id, brand id
# (read just before: the invitation must still name it). Answers 1, or 0 when gone.
_ACCEPT = """
if redis.call('HGET', KEYS[1], 'brand_id') ~= ARGV[2] then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('DEL', KEYS[1])
return 1
"""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invitation:
    token: str
    ttl_seconds: int


class Invitations:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._accept = redis.register_script(_ACCEPT)

    async def create(self, brand_id: str, by: str, ttl_seconds: int = TTL_SECONDS) -> Invitation:
        token = secrets.token_urlsafe(24)
        key = keys.invitation(_hash(token))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"brand_id": brand_id, "by": by})
            pipe.expire(key, ttl_seconds)
            await pipe.execute()
        return Invitation(token, ttl_seconds)

    async def brand_of(self, token: str) -> str:
        brand_id = await self._redis.hget(keys.invitation(_hash(token)), "brand_id")
        if brand_id is None:
            raise NoSuchInvitation()
        return str(brand_id)

    async def accept(self, token: str, expert_id: str) -> str:
        brand_id = await self.brand_of(token)
        accepted = await self._accept(
            keys=[keys.invitation(_hash(token)), keys.experts(brand_id),
                  keys.expert_brands(expert_id)],
            args=[expert_id, brand_id])
        if not accepted:
            raise NoSuchInvitation()
        log.info("expert %s joined brand %s", expert_id, brand_id)
        return brand_id
