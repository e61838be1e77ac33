"""How far each consumer group of the billing stream is behind, for ``/metrics`` and the
admin console. Read at scrape time from the stream and the counters the workers keep
(``billing/worker.py``), so the edges name no billing key or group themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from billing.worker import BRAND_GROUP, BRAND_STATS_KEY, GROUP, STATS_KEY
from common.redisvalues import text_or_none


@dataclass(frozen=True)
class DeliveryCensus:
    """One consumer group of the billing stream, as a worker of any process left it."""

    appended: int  # entries in the stream
    delivered: int  # acknowledged after a 2xx (the worker's own count)
    failed_attempts: int
    undelivered: int  # handed out but not acknowledged, plus not yet read
    oldest_undelivered_ms: int  # its age; 0 when everything is delivered
    last_error: str | None = None
    last_error_at: str | None = None
    last_delivered_at: str | None = None


# Counting what the group has not read yet stops here; past it the backlog is "at least".
UNREAD_COUNTED = 10_000


async def _census(
    redis: aioredis.Redis, stream: str, group: str, stats_key: str, now_ms: int
) -> DeliveryCensus:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(stream)
        pipe.hmget(stats_key, "delivered", "failed_attempts", "last_error", "last_error_at",
                   "last_delivered_at")
        pipe.xinfo_groups(stream)
        pipe.xpending(stream, group)
        answers = await pipe.execute(raise_on_error=False)
    length, (delivered, failed, last_error, error_at, delivered_at) = answers[0], answers[1]
    groups = answers[2] if not isinstance(answers[2], Exception) else []
    info = next((g for g in groups if text_or_none(g.get("name")) == group), None)
    pending: dict[str, object] = answers[3] if not isinstance(answers[3], Exception) else {}
    # Without the group no worker has read anything yet: the whole stream waits.
    last_read = str(text_or_none(info.get("last-delivered-id"))) if info else "0-0"
    unread = await redis.xrange(stream, f"({last_read}", "+", count=UNREAD_COUNTED) or []
    pending_count = int(pending.get("pending", 0) or 0)  # type: ignore[call-overload]
    oldest_ids = [str(text_or_none(pending.get("min")))] if pending_count else []
    if unread:
        oldest_ids.append(str(text_or_none(unread[0][0])))
    oldest = min((int(i.split("-")[0]) for i in oldest_ids), default=now_ms)
    return DeliveryCensus(
        appended=int(length or 0),
        delivered=int(delivered or 0),
        failed_attempts=int(failed or 0),
        undelivered=pending_count + len(unread),
        oldest_undelivered_ms=max(0, now_ms - oldest),
        last_error=text_or_none(last_error),
        last_error_at=text_or_none(error_at),
        last_delivered_at=text_or_none(delivered_at),
    )


async def platform_census(redis: aioredis.Redis, stream: str, now_ms: int) -> DeliveryCensus:
    """Delivery to the platform's webhook (``helpcall-webhooks``)."""
    return await _census(redis, stream, GROUP, STATS_KEY, now_ms)


async def brand_census(redis: aioredis.Redis, stream: str, now_ms: int) -> DeliveryCensus:
    """Delivery to the brands' webhooks (``helpcall-brand-webhooks``)."""
    return await _census(redis, stream, BRAND_GROUP, BRAND_STATS_KEY, now_ms)
