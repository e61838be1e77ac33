"""Saving a profile, and the category indexes that follow it, as steps any process finishes.

The profile lives in the expert's slot, beside what a call reads of them (their busy flag,
their presence); the indexes that list experts by category live together in the home slot
(``marketplace.keys``). A save is therefore three steps (docs/cluster.md):

1. an intent, ``<expert>|<nonce>`` in ``hc:experts:saving``, due a lease from now;
2. the profile written, with a version one more than the last (``expert_put.lua``);
3. the indexes brought in line with that version, the intent dropped (``expert_index.lua``).

The indexes are derived from the profile alone, so finishing a save needs nothing the
process that stopped knew: any process's ``heal`` finds an intent past its lease, reads
the profile as it is now and runs step 3 for it. Two saves crossing each other are
ordered by version: the indexes never go back to an older profile.
"""

from __future__ import annotations

import logging
import secrets

import redis.asyncio as aioredis

from common import faults
from common.loops import Loop, tolerant
from common.lua import Lua, in_order
from common.redisvalues import text_or_none
from marketplace import keys
from marketplace.categories import CATEGORIES
from marketplace.profiles import ProfileUpdate
from sessions.intents import Intents

log = logging.getLogger(__name__)

HEALED_PER_TICK = 100


def _flags(categories: tuple[str, ...]) -> list[str]:
    """What ``expert_index.lua`` needs of each category: wanted, needs verification, slug."""
    return [f"{int(c.slug in categories)}{int(c.requires_verification)}{c.slug}"
            for c in CATEGORIES]


class ExpertIndex:
    def __init__(self, redis: aioredis.Redis, lease_ms: int) -> None:
        self._redis = redis
        self._intents = Intents(redis, lease_ms, lambda _member: keys.SAVING)
        self._put = Lua(redis, "marketplace/lua/expert_put.lua")
        self._index = Lua(redis, "marketplace/lua/expert_index.lua")
        self._due = Lua(redis, "common/lua/due.lua")

    async def save(self, expert_id: str, display_name: str, profile: ProfileUpdate) -> None:
        intent = f"{expert_id}|{secrets.token_hex(6)}"
        await in_order(self._redis, self._intents.step(intent))
        version = int(await self._put(keys={"expert": keys.expert(expert_id)},
                                      args={"profile": profile.to_json(),
                                            "display_name": display_name}))
        faults.reached("expert.saved")
        await self._follow(expert_id, version, intent, profile)

    def loop(self, interval: float) -> Loop:
        """``heal`` every ``interval`` seconds, through Redis outages."""
        async def tick() -> None:
            await self.heal()
        return Loop(tolerant(tick, "finishing saved profiles", log), interval)

    async def heal(self) -> int:
        """Finish the saves whose process stopped between steps; answers how many."""
        due = await self._due(keys={"deadlines": keys.SAVING}, args={"limit": HEALED_PER_TICK})
        for member in due:
            intent = str(text_or_none(member))
            expert_id = intent.partition("|")[0]
            raw, version = await self._redis.hmget(keys.expert(expert_id), "profile", "version")
            if raw is None:  # stopped before the profile was written: nothing to follow
                await self._intents.drop(intent)
                continue
            await self._follow(expert_id, int(text_or_none(version) or 0), intent,
                               ProfileUpdate.from_json(str(text_or_none(raw))))
            log.warning("finished the save of expert %s's profile left by a stopped process",
                        expert_id)
        return len(due)

    async def _follow(self, expert_id: str, version: int, intent: str,
                      profile: ProfileUpdate) -> None:
        await self._index(
            keys={"saving": keys.SAVING, "wants": keys.WANTS, "indexed": keys.INDEXED,
                  "verified": keys.verified(expert_id), "all": keys.ALL_EXPERTS,
                  "categories": [keys.category(c.slug) for c in CATEGORIES]},
            args={"id": expert_id, "version": version, "intent": intent,
                  "flags": _flags(profile.categories)})
