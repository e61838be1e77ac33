"""What brands hold about one person, for export and erasure (docs/privacy.md).

Export lists the brands the person administers and those they take calls for. Erasure
takes them out of both: an erased account can neither sign in to run a brand nor be rung
for one. A brand left without an admin keeps its experts, keys and balance; the platform's
admins name a new one (``POST /api/v1/brands/{slug}/admins``).
"""

from __future__ import annotations

from typing import Any

from brands.errors import NoSuchBrand
from brands.store import BrandStore


class BrandRecords:
    def __init__(self, store: BrandStore) -> None:
        self._store = store

    async def _named(self, brand_ids: list[str]) -> list[dict[str, str]]:
        named = []
        for brand_id in brand_ids:
            try:
                brand = await self._store.by_id(brand_id)
            except NoSuchBrand:
                continue  # a membership left by a brand removed meanwhile: nothing to show
            named.append({"id": brand.id, "slug": brand.slug, "name": brand.name})
        return named

    async def of(self, account_id: str) -> dict[str, Any]:
        return {
            "administered": await self._named(await self._store.administered_by(account_id)),
            "member_of": await self._named(await self._store.brands_of_expert(account_id)),
        }

    async def forget(self, account_id: str) -> None:
        """Idempotent: an erasure resumed after a crash finds nothing left to remove."""
        for brand_id in await self._store.administered_by(account_id):
            await self._store.remove_admin(brand_id, account_id)
        for brand_id in await self._store.brands_of_expert(account_id):
            await self._store.remove_member(brand_id, account_id)
