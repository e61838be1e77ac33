"""An expert's rating, kept in their slot, following their reviews in the home slot.

A card shows each expert's rating (the average of their visible reviews, and how many)
from ``rating_sum`` and ``reviews`` in their hash, read with their profile: listing a
category or ringing one reads nothing of them in the home slot. The reviews stay there
(a review is found by its id, a session's by its marker). Each change of a review (written,
hidden, shown again) is a new version of it, and three steps (docs/cluster.md):

1. the review's own script records ``<review>|<version>`` in ``hc:reviews:counting``, due a
   lease ahead (``review_add.lua``, ``review_hide.lua``);
2. the expert's rating counts that version (``rating_count.lua``: idempotent, and a version
   older than the one counted changes nothing);
3. the intent is dropped.

Any process finishes what a stopped one left: its loop finds the intent past its lease,
reads the review as it is now and counts that version, the latest, so a later change is
never undone by an earlier one.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from common import faults
from common.lua import Lua
from common.redisvalues import text_or_none
from marketplace import keys
from sessions.intents import Intents

log = logging.getLogger(__name__)

HEALED_PER_TICK = 100


class Ratings:
    def __init__(self, redis: aioredis.Redis, lease_ms: int) -> None:
        self._redis = redis
        self.lease_ms = lease_ms
        self._intents = Intents(redis, lease_ms, lambda _member: keys.COUNTING)
        self._count = Lua(redis, "marketplace/lua/rating_count.lua")
        self._due = Lua(redis, "common/lua/due.lua")

    async def count(self, expert_id: str, review_id: str, version: int, rating: int) -> None:
        """Steps 2 and 3 for one version of a review (``rating`` 0 while it is hidden)."""
        faults.reached("review.written")
        await self._counted(expert_id, review_id, version, rating, f"{review_id}|{version}")

    async def heal(self) -> int:
        """Count the changes whose process stopped before; answers how many."""
        due = await self._due(keys={"deadlines": keys.COUNTING}, args={"limit": HEALED_PER_TICK})
        for member in due:
            intent = str(text_or_none(member))
            review_id = intent.partition("|")[0]
            expert_id, rating, hidden, version = (text_or_none(value) for value in (
                await self._redis.hmget(keys.review(review_id), "expert_id", "rating",
                                        "hidden", "version")))
            if expert_id is None or rating is None:  # erased with its expert
                await self._intents.drop(intent)
                continue
            await self._counted(expert_id, review_id, int(version or 1),
                                0 if hidden == "1" else int(rating), intent)
            log.warning("counted review %s in expert %s's rating, left by a stopped process",
                        review_id, expert_id)
        return len(due)

    async def _counted(self, expert_id: str, review_id: str, version: int, rating: int,
                       intent: str) -> None:
        await self._count(keys={"expert": keys.expert(expert_id),
                                "counted": keys.counted(expert_id)},
                          args={"review": review_id, "version": version, "rating": rating})
        await self._intents.drop(intent)
