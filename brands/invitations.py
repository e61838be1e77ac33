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
from common.lua import Lua

log = logging.getLogger(__name__)

TTL_SECONDS = 7 * 24 * 3600
MAX_TOKEN_LENGTH = 100



def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invitation:
    token: str
    ttl_seconds: int


class Invitations:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._accept = Lua(redis, "brands/lua/invitation_accept.lua")

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
            keys={"invitation": keys.invitation(_hash(token)),
                  "brand_experts": keys.experts(brand_id),
                  "expert_brands": keys.expert_brands(expert_id)},
            args={"expert": expert_id, "brand": brand_id})
        if not accepted:
            raise NoSuchInvitation()
        log.info("expert %s joined brand %s", expert_id, brand_id)
        return brand_id
