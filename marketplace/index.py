"""Saving a profile or approving a verification, and the category indexes that follow
them, as steps any process finishes.

The profile and the categories an admin verified the expert in live in the expert's hash,
in their slot, beside what a call reads of them (their busy flag, their presence); each
index that lists experts (a category's, beside its queue, and that of every expert) is in a
slot of its own (``marketplace.keys``). A save is therefore three steps (docs/cluster.md):

1. an intent, ``<expert>|<nonce>`` in ``hc:experts:saving`` (home), due a lease from now;
2. the profile written, with a version one more than the last (``expert_put.lua``);
3. each index brought in line with that version (``expert_index.lua``, one per index, in
   any order), then the intent dropped.

An approval is the same with ``<expert>|<nonce>|<category>``, recorded by the decision's
own script (``verification_decide.lua``), and step 2 adding the category to the hash's
``verified`` (``expert_verify.lua``, which changes nothing when taken again).

The indexes are derived from the hash alone, so finishing either needs nothing the process
that stopped knew: any process's ``heal`` finds an intent past its lease, takes step 2 again
if it is an approval, reads the hash as it is now and runs step 3 for it. Two changes
crossing each other are ordered by version: the indexes never go back to an older one.
"""

from __future__ import annotations

import logging
import secrets

import redis.asyncio as aioredis

from common import faults
from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from marketplace import keys
from marketplace.categories import BY_SLUG, CATEGORIES
from marketplace.profiles import ProfileUpdate
from sessions.intents import Intents

log = logging.getLogger(__name__)

HEALED_PER_TICK = 100


def open_in(profile: ProfileUpdate, verified: str) -> list[str]:
    """The categories the expert takes calls in: those the profile asks for, verified by an
    admin (``verified``: comma separated, as in their hash) where the category requires it."""
    admitted = set(verified.split(","))
    return [slug for slug in profile.categories
            if slug in BY_SLUG and (not BY_SLUG[slug].requires_verification
                                    or slug in admitted)]


def _indexes(open_slugs: list[str]) -> list[tuple[str, bool]]:
    """Each index, and whether the expert is listed there."""
    return [(keys.ALL_EXPERTS, True),
            *((keys.category(c.slug), c.slug in open_slugs) for c in CATEGORIES)]


class ExpertIndex:
    def __init__(self, redis: aioredis.Redis, lease_ms: int) -> None:
        self._redis = redis
        self.lease_ms = lease_ms
        self._intents = Intents(redis, lease_ms, lambda _member: keys.SAVING)
        self._put = Lua(redis, "marketplace/lua/expert_put.lua")
        self._verify = Lua(redis, "marketplace/lua/expert_verify.lua")
        self._index = Lua(redis, "marketplace/lua/expert_index.lua")
        self._due = Lua(redis, "common/lua/due.lua")

    async def save(self, expert_id: str, display_name: str, profile: ProfileUpdate) -> None:
        intent = f"{expert_id}|{secrets.token_hex(6)}"
        await in_order(self._redis, self._intents.step(intent))
        version, verified = await self._put(keys={"expert": keys.expert(expert_id)},
                                            args={"profile": profile.to_json(),
                                                  "display_name": display_name})
        faults.reached("expert.saved")
        await self._follow(expert_id, int(version), intent,
                           open_in(profile, str(text_or_none(verified))))

    @staticmethod
    def approval(expert_id: str, category: str) -> str:
        """The intent an approval records (step 1, in the decision's script)."""
        return f"{expert_id}|{secrets.token_hex(6)}|{category}"

    async def finish(self, intent: str) -> None:
        """Steps 2 and 3 of a save or an approval, from what the expert's hash holds now."""
        parts = intent.split("|")
        expert_id, category = parts[0], parts[2] if len(parts) > 2 else ""
        if category:
            await self._verify(keys={"expert": keys.expert(expert_id)},
                               args={"category": category})
        raw, version, verified = await self._redis.hmget(keys.expert(expert_id), "profile",
                                                         "version", "verified")
        if raw is None:  # no profile (yet): nothing to list; a save will follow
            await self._intents.drop(intent)
            return
        profile = ProfileUpdate.from_json(str(text_or_none(raw)))
        await self._follow(expert_id, int(text_or_none(version) or 0), intent,
                           open_in(profile, str(text_or_none(verified) or "")))

    async def heal(self) -> int:
        """Finish the saves and approvals whose process stopped between steps; answers
        how many."""
        due = await self._due(keys={"deadlines": keys.SAVING}, args={"limit": HEALED_PER_TICK})
        for member in due:
            intent = str(text_or_none(member))
            await self.finish(intent)
            log.warning("finished %s left by a stopped process",
                        "an approval" if intent.count("|") == 2 else "a profile's save")
        return len(due)

    async def _follow(self, expert_id: str, version: int, intent: str,
                      open_slugs: list[str]) -> None:
        """Step 3: every index at once (each its own slot, none waiting on another), then
        the intent; a stop before it leaves the intent, and following again is harmless."""
        await in_order(self._redis, Step(("ZREM", keys.SAVING, intent)), first=[
            self._index.step(keys={"index": index, "versions": keys.versions(index)},
                             args={"id": expert_id, "version": version, "open": int(listed)})
            for index, listed in _indexes(open_slugs)])
