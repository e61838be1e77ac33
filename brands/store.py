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
from common.lua import Lua
from common.redisvalues import text_map, text_or_none

log = logging.getLogger(__name__)



class BrandStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = Lua(redis, "brands/lua/brand_create.lua")
        self._link = Lua(redis, "brands/lua/link.lua")
        self._unlink = Lua(redis, "brands/lua/unlink.lua")
        self._put_logo = Lua(redis, "brands/lua/brand_logo.lua")

    async def create(self, request: BrandCreate) -> Brand:
        brand_id = new_id("b")
        flat = [item for pair in request.fields().items() for item in pair]
        created = await self._create(
            keys={"slug": keys.slug(request.slug), "brand": keys.brand(brand_id), "all": keys.ALL},
            args={"id": brand_id, "fields": flat})
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
        url = await self._put_logo(keys={"brand": keys.brand(brand.id),
                                         "old_logo": keys.logo(brand.id)},
                                   args={"url": f"/b/{brand.slug}/logo.jpg"})
        return str(text_or_none(url))

    async def logo(self, brand_id: str, blobs: BlobStore) -> bytes | None:
        return await get_image(blobs, _logo_blob(brand_id), self._redis, keys.logo(brand_id))

    # -- admins and experts -------------------------------------------------------------

    async def add_admin(self, brand_id: str, account_id: str) -> None:
        await self._link(keys={"one": keys.admins(brand_id),
                               "other": keys.account_brands(account_id)},
                         args={"in_one": account_id, "in_other": brand_id})

    async def remove_admin(self, brand_id: str, account_id: str) -> bool:
        removed = await self._unlink(
            keys={"one": keys.admins(brand_id), "other": keys.account_brands(account_id)},
            args={"in_one": account_id, "in_other": brand_id})
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

    async def remove_member(self, brand_id: str, expert_id: str) -> bool:
        removed = await self._unlink(
            keys={"one": keys.experts(brand_id), "other": keys.expert_brands(expert_id)},
            args={"in_one": expert_id, "in_other": brand_id})
        return bool(removed)

    async def brands_of_expert(self, expert_id: str) -> list[str]:
        return sorted(str(text_or_none(b)) for b in
                      await self._redis.smembers(keys.expert_brands(expert_id)))


def _logo_blob(brand_id: str) -> BlobKey:
    return BlobKey(brand_id, "logo.jpg")
