"""What an admin sees of webhook delivery: counters the workers keep, and the stream's state."""

from __future__ import annotations

from typing import TypedDict

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from billing.worker import GROUP, STATS_KEY, WorkerSettings
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




async def delivery_stats(redis: aioredis.Redis, config: WorkerSettings) -> WorkerStats:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(STATS_KEY)
        pipe.xlen(config.billing_stream)
        raw, length = await pipe.execute()
    try:
        pending = int((await redis.xpending(config.billing_stream, GROUP))["pending"])
    except ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        pending = 0  # no worker has run yet: nothing handed out
    stats = text_map(raw)
    return WorkerStats(
        webhook_configured=bool(config.webhook_url),
        delivered=int(stats.get("delivered", 0)),
        failed_attempts=int(stats.get("failed_attempts", 0)),
        last_error=stats.get("last_error"),
        last_error_at=stats.get("last_error_at"),
        last_delivered_at=stats.get("last_delivered_at"),
        stream_length=int(length),
        pending=pending,
    )
