"""What an admin sees of webhook delivery: counters the workers keep, and the state of the
billing streams (on a Cluster one per bucket, added up)."""

from __future__ import annotations

from typing import TypedDict

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from billing.worker import GROUP, STATS_KEY, WorkerSettings
from common.keyspace import every_stream
from common.redisvalues import text_map


class WorkerStats(TypedDict):
    """What an admin sees of webhook delivery (times ISO 8601 UTC, ``None`` before any)."""

    webhook_configured: bool
    delivered: int
    failed_attempts: int
    last_error: str | None
    last_error_at: str | None
    last_delivered_at: str | None
    stream_length: int
    pending: int


async def _stream_counts(redis: aioredis.Redis, stream: str) -> tuple[int, int]:
    """(length, entries handed out and not acknowledged) of one billing stream."""
    length = int(await redis.xlen(stream))
    try:
        pending = int((await redis.xpending(stream, GROUP))["pending"])
    except ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        pending = 0  # no worker has run yet: nothing handed out
    return length, pending


async def delivery_stats(redis: aioredis.Redis, config: WorkerSettings) -> WorkerStats:
    """The counters, and the length and pending entries of every billing stream added up
    (on a Cluster one stream per bucket)."""
    stats = text_map(await redis.hgetall(STATS_KEY))
    counts = [await _stream_counts(redis, s) for s in every_stream(config.billing_stream)]
    return WorkerStats(
        webhook_configured=bool(config.webhook_url),
        delivered=int(stats.get("delivered", 0)),
        failed_attempts=int(stats.get("failed_attempts", 0)),
        last_error=stats.get("last_error"),
        last_error_at=stats.get("last_error_at"),
        last_delivered_at=stats.get("last_delivered_at"),
        stream_length=sum(length for length, _ in counts),
        pending=sum(pending for _, pending in counts),
    )
