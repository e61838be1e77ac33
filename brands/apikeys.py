"""Brand API keys: ``hcb_`` and a random secret, shown once, stored as its SHA-256.

``hc:brandkey:<sha256>`` names the brand and the key id (what a request is checked
against); ``hc:brand:<id>:keys`` lists the brand's keys (id, name, a short prefix to
recognise it, creation time) and never the secret. Both change in one script.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from brands import keys
from brands.errors import BadBrandKey, NoSuchKey
from common.ids import new_id
from common.lua import Lua
from common.redisvalues import text_map, text_or_none

log = logging.getLogger(__name__)

PREFIX = "hcb_"




def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_brand_key(token: str | None) -> bool:
    return bool(token) and str(token).startswith(PREFIX)


@dataclass(frozen=True)
class NewKey:
    listing: dict[str, Any]
    secret: str  # shown once, never stored


class BrandKeys:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = Lua(redis, "brands/lua/apikey_create.lua")
        self._revoke = Lua(redis, "brands/lua/apikey_revoke.lua")

    async def create(self, brand_id: str, name: str) -> NewKey:
        secret = PREFIX + secrets.token_urlsafe(32)
        key_id = new_id("k")
        digest = hash_key(secret)
        listing = {"id": key_id, "name": name, "prefix": secret[:8], "hash": digest}
        await self._create(keys={"lookup": keys.api_key(digest),
                                 "brand_keys": keys.brand_keys(brand_id)},
                           args={"brand": brand_id, "key_id": key_id,
                                 "listing": json.dumps(listing)})
        log.info("API key %s created for brand %s", key_id, brand_id)
        return NewKey(await self._listing(brand_id, key_id), secret)

    async def _listing(self, brand_id: str, key_id: str) -> dict[str, Any]:
        raw = text_or_none(await self._redis.hget(keys.brand_keys(brand_id), key_id))
        if raw is None:
            raise NoSuchKey()
        return _public(json.loads(raw))

    async def list(self, brand_id: str) -> list[dict[str, Any]]:
        rows = text_map(await self._redis.hgetall(keys.brand_keys(brand_id)))
        listed = [_public(json.loads(raw)) for raw in rows.values()]
        return sorted(listed, key=lambda k: (k["created_at"], k["id"]))

    async def revoke(self, brand_id: str, key_id: str) -> None:
        raw = text_or_none(await self._redis.hget(keys.brand_keys(brand_id), key_id))
        if raw is None:
            raise NoSuchKey()
        digest = str(json.loads(raw)["hash"])
        if not await self._revoke(keys={"brand_keys": keys.brand_keys(brand_id),
                                        "lookup": keys.api_key(digest)},
                                  args={"key_id": key_id}):
            raise NoSuchKey()
        log.info("API key %s of brand %s revoked", key_id, brand_id)

    async def brand_of(self, secret: str) -> str:
        """The brand a key acts for; ``unauthorized`` when unknown or revoked."""
        brand_id = text_or_none(await self._redis.hget(keys.api_key(hash_key(secret)),
                                                       "brand_id"))
        if brand_id is None:
            raise BadBrandKey()
        return brand_id


def _public(listing: dict[str, Any]) -> dict[str, Any]:
    return {k: listing[k] for k in ("id", "name", "prefix", "created_at")}


