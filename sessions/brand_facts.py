"""What the sessions side tells others about a brand's calls: a read, no rules.

Brand analytics (``brands/analytics.py``) asks here instead of reading session keys
itself, so the layout of ``hc:{s:<id>}`` and its ``:rung`` set stays the sessions
package's business. Two round trips whatever the range: the brand's index, then one
pipeline over the sessions it names (hashes are kept after a session ends).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from sessions.keys import brand_sessions_key, rung_key, session_key


@dataclass(frozen=True)
class BrandCall:
    """One session of a brand call, as its hash and ring set say."""

    session_id: str
    created_ms: int
    accepted_ms: int | None  # None: nobody accepted
    expert_id: str  # the session's expert field, "" when none
    rung: frozenset[str]  # experts rung for it (a direct call may ring nobody)
    live_ms: int
    paid_by: str  # "brand", "client" or "none"
    amount_cents: int


def _call(fields: dict[str, str], rung: set[str]) -> BrandCall:
    accepted = fields.get("accepted_at", "")
    return BrandCall(
        session_id=fields["id"],
        created_ms=int(fields["created_at"]),
        accepted_ms=int(accepted) if accepted else None,
        expert_id=fields.get("expert_id", ""),
        rung=frozenset(rung),
        live_ms=int(fields.get("live_ms") or 0),
        paid_by=fields.get("paid_by", "none"),
        amount_cents=int(fields.get("amount_cents") or 0),
    )


class BrandCalls:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def between(self, brand_id: str, from_ms: int, to_ms: int) -> list[BrandCall]:
        """The brand's sessions created in ``[from_ms, to_ms)``, oldest first."""
        ids = [str(text_or_none(i)) for i in await self._redis.zrangebyscore(
            brand_sessions_key(brand_id), from_ms, f"({to_ms}")]
        if not ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                pipe.hgetall(session_key(session_id))
                pipe.smembers(rung_key(session_id))
            replies = await pipe.execute()
        rows = zip(replies[::2], replies[1::2], strict=True)
        # Retention may have dropped a hash between the two reads: such a session is skipped.
        return [_call(text_map(fields), {str(text_or_none(r)) for r in rung})
                for fields, rung in rows if fields]
