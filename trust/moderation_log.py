"""The log of moderation decisions: who decided what about whom, when and why.

One stream, ``hc:moderation:log``: an entry per decision (a dispute decided, a report
closed, an account suspended or restored), never changed afterwards. Its entry id is
the Redis time it was written, which is the ``at`` the admin pages show.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from common.timefmt import iso_ms
from trust import keys

ACTIONS = ("dispute_decided", "report_closed", "suspended", "restored")
SHOWN = 200


class ModerationLog:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def record(self, admin_id: str, action: str, subject_id: str, reason: str,
                     detail: str = "") -> None:
        assert action in ACTIONS
        await self._redis.xadd(keys.MODERATION_LOG, {
            "admin_id": admin_id, "action": action, "subject_id": subject_id,
            "reason": reason, "detail": detail})

    async def newest(self, count: int = SHOWN) -> list[dict[str, Any]]:
        entries = await self._redis.xrevrange(keys.MODERATION_LOG, count=count)
        out = []
        for entry_id, raw in entries or []:
            fields = text_map(raw or {})
            at_ms = int(str(text_or_none(entry_id)).split("-")[0])
            out.append({"at": iso_ms(at_ms), **fields})
        return out
