"""What the trust package holds about one person, for export and erasure (docs/privacy.md).

Export gives the person their blocks, the reports they filed and the disputes of their
calls. Erasure removes every block by or against them (nobody is left to protect, or to
keep away) and blanks the free text they wrote in reports and disputes, and the text of
reports about them, which may name them; reasons, states and decisions stay, under the
bare account ids, as the moderation record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from trust import keys
from trust.blocks import Blocks
from trust.reports import public as public_report


class TrustRecords:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._blocks = Blocks(redis)

    async def _reports_touching(self, account_id: str) -> list[dict[str, str]]:
        found = []
        for state in keys.REPORT_STATES:
            for report_id in await self._redis.zrange(keys.reports_in(state), 0, -1):
                fields = text_map(await self._redis.hgetall(
                    keys.report(str(text_or_none(report_id)))))
                if account_id in (fields.get("reporter_id"), fields.get("account_id")):
                    found.append(fields)
        return found

    async def of(self, account_id: str, session_ids: Iterable[str]) -> dict[str, Any]:
        blocked = await self._blocks.blocked_by(account_id)
        disputes = [d for d in [text_map(await self._redis.hgetall(keys.dispute(s)))
                                for s in session_ids] if d]
        return {
            "blocked": [{"account_id": whom, "since_ms": ms} for whom, ms in blocked],
            "reports_filed": [public_report(r) for r in await self._reports_touching(account_id)
                              if r.get("reporter_id") == account_id],
            "disputes": disputes,
        }

    async def forget(self, account_id: str, session_ids: Iterable[str]) -> None:
        """Idempotent: a crashed erasure runs it again."""
        for pattern in keys.pairs_of(account_id):
            async for pair in self._redis.scan_iter(match=pattern):
                members = [str(text_or_none(m)) for m in await self._redis.smembers(pair)]
                for who in members:
                    await self._redis.zrem(keys.blocks(who), *pair_others(pair, who))
                await self._redis.delete(pair)
        await self._redis.delete(keys.blocks(account_id))
        for fields in await self._reports_touching(account_id):
            await self._redis.hset(keys.report(fields["id"]), "text", "")
        for session_id in session_ids:
            key = keys.dispute(session_id)
            client, expert = (text_or_none(v) for v in
                              await self._redis.hmget(key, "client_id", "expert_id"))
            if account_id in (client, expert):
                await self._redis.hset(key, "text" if account_id == client else "answer", "")


def pair_others(pair: Any, who: str) -> list[str]:
    """The other account of a block pair key."""
    first, second = keys.pair_ids(str(text_or_none(pair)))
    return [second if first == who else first]
