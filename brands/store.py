"""Brands in Redis: the brand hash, its slug, its admins and its member experts.

Every change that touches several keys is one script, so a slug is never claimed twice
and a membership never exists on one side only.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from blobs.images import get_image, put_image
from blobs.store import BlobKey, BlobStore
from brands import keys
from brands.errors import NoSuchBrand, SlugTaken
from brands.models import Brand, BrandCreate
from common.ids import new_id
from common.redisvalues import text_map, text_or_none
from sessions.wallet import CLOCK_LUA

log = logging.getLogger(__name__)

# KEYS: slug key, brand hash, all brands. ARGV: id, then field/value pairs.
_CREATE = CLOCK_LUA + """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
local now = now_ms()
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'created_at', now, 'webhook_url', '',
           'webhook_secret', '', unpack(ARGV, 2))
redis.call('SADD', KEYS[3], ARGV[1])
return now
"""

# KEYS: brand hash, the logo as it was kept in Redis before the blob store.
# ARGV: the URL before its version.
_PUT_LOGO = CLOCK_LUA + """
local now = now_ms()
redis.call('DEL', KEYS[2])
local url = ARGV[1] .. '?v=' .. now
redis.call('HSET', KEYS[1], 'logo_url', url)
return url
"""

# KEYS: the set on one side, the set on the other. ARGV: member of the first, of the second.
_LINK = """
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1
"""
_UNLINK = """
local removed = redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
return removed
"""


class BrandStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = redis.register_script(_CREATE)
        self._link = redis.register_script(_LINK)
        self._unlink = redis.register_script(_UNLINK)
        self._put_logo = redis.register_script(_PUT_LOGO)

    async def create(self, request: BrandCreate) -> Brand:
        brand_id = new_id("b")
        flat = [item for pair in request.fields().items() for item in pair]
        created = await self._create(
            keys=[keys.slug(request.slug), keys.brand(brand_id), keys.ALL],
            args=[brand_id, *flat])
        if not created:
            raise SlugTaken()
        for account_id in request.admins:
            await self.add_admin(brand_id, account_id)
        log.info("brand %s (%s) created", brand_id, request.slug)
        return await self.by_id(brand_id)

    async def by_id(self, brand_id: str) -> Brand:
        fields = text_map(await self._redis.hgetall(keys.brand(brand_id)))
        if not fields:
            raise NoSuchBrand()
        return Brand.from_hash(fields)

    async def by_slug(self, slug: str) -> Brand:
        brand_id = text_or_none(await self._redis.get(keys.slug(slug)))
        if brand_id is None:
            raise NoSuchBrand()
        return await self.by_id(brand_id)

    async def all(self) -> list[Brand]:
        ids = sorted(str(text_or_none(i)) for i in await self._redis.smembers(keys.ALL))
        return [await self.by_id(i) for i in ids]

    async def update(self, brand_id: str, changes: dict[str, str]) -> Brand:
        # One HSET: the page never shows half of a change.
        await self._redis.hset(keys.brand(brand_id),
                               items=[x for pair in changes.items() for x in pair])
        return await self.by_id(brand_id)

    async def webhook(self, brand_id: str) -> tuple[str, str]:
        url, secret = await self._redis.hmget(keys.brand(brand_id), "webhook_url",
                                              "webhook_secret")
        return str(url or ""), str(secret or "")

    async def set_webhook(self, brand_id: str, url: str, secret: str) -> None:
        await self._redis.hset(keys.brand(brand_id),
                               mapping={"webhook_url": url, "webhook_secret": secret})

    async def put_logo(self, brand: Brand, jpeg: bytes, blobs: BlobStore) -> str:
        """Stores an uploaded logo (already re-encoded) and points the page at it."""
        await put_image(blobs, _logo_blob(brand.id), jpeg)
        url = await self._put_logo(keys=[keys.brand(brand.id), keys.logo(brand.id)],
                                   args=[f"/b/{brand.slug}/logo.jpg"])
        return str(text_or_none(url))

    async def logo(self, brand_id: str, blobs: BlobStore) -> bytes | None:
        return await get_image(blobs, _logo_blob(brand_id), self._redis, keys.logo(brand_id))

    # -- admins and experts -------------------------------------------------------------

    async def add_admin(self, brand_id: str, account_id: str) -> None:
        await self._link(keys=[keys.admins(brand_id), keys.account_brands(account_id)],
                         args=[account_id, brand_id])

    async def remove_admin(self, brand_id: str, account_id: str) -> bool:
        removed = await self._unlink(
            keys=[keys.admins(brand_id), keys.account_brands(account_id)],
            args=[account_id, brand_id])
        return bool(removed)

    async def is_admin(self, brand_id: str, account_id: str) -> bool:
        return bool(await self._redis.sismember(keys.admins(brand_id), account_id))

    async def admins(self, brand_id: str) -> list[str]:
        return sorted(str(text_or_none(a)) for a in
                      await self._redis.smembers(keys.admins(brand_id)))

    async def administered_by(self, account_id: str) -> list[str]:
        return sorted(str(text_or_none(b)) for b in
                      await self._redis.smembers(keys.account_brands(account_id)))

    async def members(self, brand_id: str) -> list[str]:
        return sorted(str(text_or_none(e)) for e in
                      await self._redis.smembers(keys.experts(brand_id)))

    async def is_member(self, brand_id: str, expert_id: str) -> bool:
        return bool(await self._redis.sismember(keys.experts(brand_id), expert_id))

    async def remove_member(self, brand_id: str, expert_id: str) -> bool:
        removed = await self._unlink(
            keys=[keys.experts(brand_id), keys.expert_brands(expert_id)],
            args=[expert_id, brand_id])
        return bool(removed)

    async def brands_of_expert(self, expert_id: str) -> list[str]:
        return sorted(str(text_or_none(b)) for b in
                      await self._redis.smembers(keys.expert_brands(expert_id)))


def _logo_blob(brand_id: str) -> BlobKey:
    return BlobKey(brand_id, "logo.jpg")
