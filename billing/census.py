"""How far each consumer group of the billing streams is behind, for ``/metrics`` and the
admin console. Read at scrape time from the streams and the counters the workers keep
(``billing/worker.py``), so the edges name no billing key or group themselves. On a Cluster
there is one stream per bucket of sessions (``common.keyspace.every_stream``): the figures
add them all up; on a single Redis there is the one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import redis.asyncio as aioredis

from billing.worker import BRAND_GROUP, BRAND_STATS_KEY, GROUP, STATS_KEY
from common.keyspace import every_stream
from common.redisvalues import text_or_none


@dataclass(frozen=True)
class DeliveryCensus:
    """One consumer group of the billing streams, as the workers of any process left it."""

    appended: int  # entries in the streams
    delivered: int  # acknowledged after a 2xx (the workers' own count)
    failed_attempts: int
    undelivered: int  # handed out but not acknowledged, plus not yet read
    oldest_undelivered_ms: int  # its age; 0 when everything is delivered
    last_error: str | None = None
    last_error_at: str | None = None
    last_delivered_at: str | None = None


@dataclass(frozen=True)
class _Backlog:
    """One stream's share: its length, what the group has not acknowledged, and the id
    time of the oldest of those (None: nothing)."""

    length: int
    undelivered: int
    oldest_ms: int | None


# Counting what the group has not read yet stops here, per stream; past it the backlog is
# "at least".
UNREAD_COUNTED = 10_000


async def _backlog(redis: aioredis.Redis, stream: str, group: str) -> _Backlog:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(stream)
        pipe.xinfo_groups(stream)
        pipe.xpending(stream, group)
        length, groups, pending = await pipe.execute(raise_on_error=False)
    groups = groups if not isinstance(groups, Exception) else []
    info = next((g for g in groups if text_or_none(g.get("name")) == group), None)
    pending = pending if not isinstance(pending, Exception) else {}
    # Without the group no worker has read anything yet: the whole stream waits.
    last_read = str(text_or_none(info.get("last-delivered-id"))) if info else "0-0"
    unread = await redis.xrange(stream, f"({last_read}", "+", count=UNREAD_COUNTED) or []
    pending_count = int(pending.get("pending", 0) or 0)
    oldest_ids = [str(text_or_none(pending.get("min")))] if pending_count else []
    if unread:
        oldest_ids.append(str(text_or_none(unread[0][0])))
    return _Backlog(int(length or 0), pending_count + len(unread),
                    min((int(i.split("-")[0]) for i in oldest_ids), default=None))


async def _census(
    redis: aioredis.Redis, home_stream: str, group: str, stats_key: str, now_ms: int
) -> DeliveryCensus:
    backlogs = await asyncio.gather(*(_backlog(redis, stream, group)
                                      for stream in every_stream(home_stream)))
    delivered, failed, last_error, error_at, delivered_at = await redis.hmget(
        stats_key, "delivered", "failed_attempts", "last_error", "last_error_at",
        "last_delivered_at")
    oldest = min((b.oldest_ms for b in backlogs if b.oldest_ms is not None), default=now_ms)
    return DeliveryCensus(
        appended=sum(b.length for b in backlogs),
        delivered=int(delivered or 0),
        failed_attempts=int(failed or 0),
        undelivered=sum(b.undelivered for b in backlogs),
        oldest_undelivered_ms=max(0, now_ms - oldest),
        last_error=text_or_none(last_error),
        last_error_at=text_or_none(error_at),
        last_delivered_at=text_or_none(delivered_at),
    )


async def platform_census(redis: aioredis.Redis, home_stream: str,
                          now_ms: int) -> DeliveryCensus:
    """Delivery to the platform's webhook (``helpcall-webhooks``), over every stream."""
    return await _census(redis, home_stream, GROUP, STATS_KEY, now_ms)


async def brand_census(redis: aioredis.Redis, home_stream: str, now_ms: int) -> DeliveryCensus:
    """Delivery to the brands' webhooks (``helpcall-brand-webhooks``), over every stream."""
    return await _census(redis, home_stream, BRAND_GROUP, BRAND_STATS_KEY, now_ms)
