"""Expert profiles in Redis, and the listing that joins them with live presence.

Keys: ``hc:expert:<id>`` (hash: ``profile`` JSON, ``display_name``), ``hc:experts``
(set of experts with a profile), ``hc:experts:cat:<slug>`` (set per category).
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from accounts.models import Account
from common.redisvalues import text_map, text_or_none
from marketplace.errors import NoSuchExpert
from marketplace.profiles import ProfileUpdate
from signaling.presence import PresenceStore, Status

ALL = "hc:experts"


def _key(expert_id: str) -> str:
    return f"hc:expert:{expert_id}"


def _category_key(slug: str) -> str:
    return f"hc:experts:cat:{slug}"


class Experts:
    def __init__(self, redis: aioredis.Redis, presence: PresenceStore) -> None:
        self._redis = redis
        self._presence = presence

    async def save(self, expert: Account, profile: ProfileUpdate) -> dict[str, Any]:
        old = await self.profile(expert.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            if old is not None:
                for slug in old.categories:
                    pipe.srem(_category_key(slug), expert.id)
            pipe.hset(_key(expert.id), mapping={
                "profile": profile.to_json(), "display_name": expert.display_name})
            pipe.sadd(ALL, expert.id)
            for slug in profile.categories:
                pipe.sadd(_category_key(slug), expert.id)
            await pipe.execute()
        return await self.public(expert.id)

    async def profile(self, expert_id: str) -> ProfileUpdate | None:
        raw = text_or_none(await self._redis.hget(_key(expert_id), "profile"))
        return ProfileUpdate.from_json(raw) if raw else None

    async def _cards(self, expert_ids: list[str]) -> list[dict[str, Any]]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for expert_id in expert_ids:
                pipe.hgetall(_key(expert_id))
            rows = await pipe.execute()
        statuses = await self._presence.statuses(expert_ids)
        cards = []
        for expert_id, raw in zip(expert_ids, rows, strict=True):
            fields = text_map(raw)
            if "profile" not in fields:
                continue
            profile = ProfileUpdate.from_json(fields["profile"])
            cards.append({
                "id": expert_id,
                "display_name": fields.get("display_name", ""),
                "headline": profile.headline,
                "bio": profile.bio,
                "categories": list(profile.categories),
                "languages": list(profile.languages),
                "pricing": profile.pricing.public(),
                "status": statuses[expert_id].value,
                "rating": None,
                "reviews": 0,
            })
        return cards

    async def public(self, expert_id: str) -> dict[str, Any]:
        cards = await self._cards([expert_id])
        if not cards:
            raise NoSuchExpert()
        return cards[0]

    async def listing(self, category: str | None, online_only: bool) -> list[dict[str, Any]]:
        key = _category_key(category) if category else ALL
        ids = sorted(str(text_or_none(i)) for i in await self._redis.smembers(key))
        cards = await self._cards(ids)
        if online_only:
            cards = [c for c in cards if c["status"] != Status.OFFLINE.value]
        order = {Status.ONLINE.value: 0, Status.BUSY.value: 1, Status.OFFLINE.value: 2}
        return sorted(cards, key=lambda c: (order[c["status"]], c["display_name"]))
