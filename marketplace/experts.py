"""Expert profiles in Redis, and the cards that join them with live presence.

Keys are listed in ``marketplace.keys``. A profile names the categories an expert asks for;
the per-category index holds only those open to them (verified where required), so the
listing and the router never see an expert where they may not work.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol

import redis.asyncio as aioredis

from accounts.models import Account
from accounts.store import STANDING, account_key
from brands.models import Brand, brand_of_queue
from brands.service import Brands
from common.loops import Loop, tolerant
from common.redisvalues import text_map, text_or_none
from marketplace import keys
from marketplace.callbacks import Callbacks
from marketplace.categories import BY_SLUG
from marketplace.errors import NoSuchExpert
from marketplace.favourites import Favourites
from marketplace.index import ExpertIndex, open_in
from marketplace.listing import ListingQuery
from marketplace.photos import Photos
from marketplace.profiles import ProfileUpdate
from marketplace.ratings import Ratings
from marketplace.reviews import Reviews, rating
from marketplace.verifications import Verifications

log = logging.getLogger(__name__)


class Statuses(Protocol):
    """Where the cards read each expert's live status (the wiring gives the presence store)."""

    async def statuses(self, expert_ids: list[str]) -> Mapping[str, StrEnum]: ...



class Experts:
    """The marketplace's front: profiles and cards, with the stores that feed them."""

    def __init__(self, redis: aioredis.Redis, presence: Statuses, brands: Brands,
                 lease_ms: int) -> None:
        self._redis = redis
        self._presence = presence
        self.index = ExpertIndex(redis, lease_ms)
        self.verifications = Verifications(redis, self.index)
        self.ratings = Ratings(redis, lease_ms)
        self.reviews = Reviews(redis, self.ratings)
        self.favourites = Favourites(redis)
        self.photos = Photos(redis)
        self.callbacks = Callbacks(redis)
        self._brands = brands

    def loop(self, interval: float) -> Loop:
        """Every ``interval`` seconds, through Redis outages, finish the saves, approvals
        and rating counts whose process stopped between their steps."""
        async def tick() -> None:
            await self.index.heal()
            await self.ratings.heal()
        return Loop(tolerant(tick, "finishing the marketplace's steps", log), interval)

    async def save(self, expert: Account, profile: ProfileUpdate) -> dict[str, Any]:
        await self.index.save(expert.id, expert.display_name, profile)
        return await self.own(expert.id)

    def price_key(self, expert_id: str) -> str:
        """The key whose profile a session script reads the current price from."""
        return keys.expert(expert_id)

    def is_category(self, slug: str) -> bool:
        return slug in BY_SLUG

    async def profile(self, expert_id: str) -> ProfileUpdate | None:
        raw = text_or_none(await self._redis.hget(keys.expert(expert_id), "profile"))
        return ProfileUpdate.from_json(raw) if raw else None

    async def verified_for(self, expert_id: str, category: str) -> bool:
        """Whether the expert may take calls in this category (asked for it, and verified
        there if the category requires it)."""
        if category not in BY_SLUG:
            return False
        return bool(await self._redis.sismember(keys.category(category), expert_id))

    async def cards(self, expert_ids: list[str], *,
                    listed: bool = False) -> list[dict[str, Any]]:
        """Public cards, in the order given; experts without a profile, or suspended, are
        left out (neither listed, shown nor routed), and with ``listed`` those whose email
        is not verified too (only they are listed and rung).

        Each expert's own account hash says whether they are suspended or verified, read
        in their slot with their profile: nothing here is read in the home slot.
        """
        if not expert_ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for expert_id in expert_ids:
                pipe.hgetall(keys.expert(expert_id))
                pipe.hmget(account_key(expert_id), *STANDING)
            rows = await pipe.execute()
        hashes, standings = rows[0::2], rows[1::2]
        statuses = await self._presence.statuses(expert_ids)
        cards = []
        for n, (expert_id, raw) in enumerate(zip(expert_ids, hashes, strict=True)):
            fields = text_map(raw)
            email_verified_at, suspended_at = standings[n]
            if ("profile" not in fields or suspended_at is not None  # docs/trust.md
                    or (listed and email_verified_at is None)):
                continue
            profile = ProfileUpdate.from_json(fields["profile"])
            count = int(fields.get("reviews") or 0)
            cards.append({
                "id": expert_id,
                "display_name": fields.get("display_name", ""),
                "headline": profile.headline,
                "bio": profile.bio,
                "categories": open_in(profile, fields.get("verified", "")),
                "languages": list(profile.languages),
                "pricing": profile.pricing.public(),
                "time_zone": profile.time_zone,
                "photo_url": Photos.url(expert_id, fields.get("photo_at")),
                "status": str(statuses[expert_id]),
                "rating": rating(int(fields.get("rating_sum") or 0), count),
                "reviews": count,
            })
        return cards

    async def public(self, expert_id: str) -> dict[str, Any]:
        cards = await self.cards([expert_id])
        if not cards:
            raise NoSuchExpert()
        return cards[0]

    async def own(self, expert_id: str) -> dict[str, Any]:
        """The expert's own view: the card, with the categories still awaiting verification."""
        card = await self.public(expert_id)
        profile = await self.profile(expert_id)
        assert profile is not None
        card["unverified_categories"] = [c for c in profile.categories
                                         if c not in card["categories"]]
        return card

    async def open_categories(self, expert_id: str) -> list[str]:
        """The categories an expert takes calls in (verified where required)."""
        cards = await self.cards([expert_id])
        return list(cards[0]["categories"]) if cards else []

    async def callbacks_for(self, expert_id: str) -> list[dict[str, Any]]:
        return await self.callbacks.open_in(await self.open_categories(expert_id))

    async def in_category(self, category: str) -> list[dict[str, Any]]:
        """Cards of every expert open to calls in a category (verified where required), or
        of a brand's member experts for a brand's queue (``brand:<id>``)."""
        brand_id = brand_of_queue(category)
        ids = (await self._brands.store.members(brand_id) if brand_id
               else await self._members(keys.category(category)))
        return await self.cards(ids, listed=True)

    async def listing(self, query: ListingQuery) -> tuple[list[dict[str, Any]], int]:
        key = keys.category(query.category) if query.category else keys.ALL_EXPERTS
        return query.arrange(await self.cards(await self._members(key), listed=True))

    async def _members(self, key: str) -> list[str]:
        return sorted(str(text_or_none(i)) for i in await self._redis.smembers(key))

    async def brand_call(self, slug: str) -> Brand:
        """The brand a ``call:start {brand}`` names (``not_found`` when none)."""
        return await self._brands.store.by_slug(slug)
