"""The brands front: the stores, and who may act for a brand.

A brand is managed by a platform admin, by an account with the brand-admin right for it,
or by one of its API keys. Anybody else is refused with ``forbidden`` on every brand
resource, whatever exists behind it (isolation: one brand never sees another's data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis.asyncio as aioredis

from accounts.models import Account, Role
from brands.apikeys import BrandKeys
from brands.errors import OtherBrand
from brands.invitations import Invitations
from brands.models import Brand
from brands.store import BrandStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acting:
    """Who acts for a brand: ``platform_admin``, ``brand_admin`` or ``api_key``."""

    brand: Brand
    via: str
    account: Account | None = None

    @property
    def is_platform_admin(self) -> bool:
        return self.via == "platform_admin"


class Brands:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.store = BrandStore(redis)
        self.invitations = Invitations(redis)
        self.keys = BrandKeys(redis)

    async def acting_account(self, slug: str, account: Account) -> Acting:
        brand = await self.store.by_slug(slug)
        if account.role == Role.ADMIN:
            return Acting(brand, "platform_admin", account)
        if await self.store.is_admin(brand.id, account.id):
            return Acting(brand, "brand_admin", account)
        raise OtherBrand()

    async def acting_key(self, slug: str, secret: str) -> Acting:
        brand_id = await self.keys.brand_of(secret)
        brand = await self.store.by_slug(slug)
        if brand.id != brand_id:
            raise OtherBrand()
        return Acting(brand, "api_key")

    async def visible_to(self, account: Account) -> list[Brand]:
        if account.role == Role.ADMIN:
            return await self.store.all()
        return [await self.store.by_id(b) for b in await self.store.administered_by(account.id)]
