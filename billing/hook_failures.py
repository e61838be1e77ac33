"""Failed webhook deliveries as an admin sees them, and "retry now" (protocol §5, §7.6).

Both kinds of delivery keep, in Redis, a record of each delivery that is failing: the
platform worker one per stream entry it is retrying (``hc:worker:failing``), the brand
queues one per brand whose head event is failing (``hc:hooks:failures``, written by
``hook_retry.lua``). A record says which event, how many attempts, the last error and when
the next attempt is due; it goes away when the event is delivered.

"Retry now" only moves the next attempt's time to the present, in one script: the worker
that holds the event (the platform entry's consumer, or whoever claims the brand) still
makes the attempt, so the event is never sent twice at once, and a second click finds the
attempt already due and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis.asyncio as aioredis

from billing.brand_hooks import BACKOFF_KEY, DUE_KEY, FAILURES_KEY, queue_key
from common.lua import Lua
from common.redisvalues import text_map
from common.timefmt import iso_ms

PLATFORM_FAILING_KEY = "hc:{0}:worker:failing"


class Target(StrEnum):
    PLATFORM = "platform"
    BRAND = "brand"


@dataclass(frozen=True)
class FailedDelivery:
    target: Target
    key: str  # the platform's stream entry id (another bucket's: <stream>/<id>), or the brand
    event_id: str
    attempts: int
    last_error: str
    last_error_at: str  # ISO 8601 UTC
    next_attempt_at: str
    waiting: int  # events held back behind it (a brand's queue; 1 for the platform)


def _record(target: Target, key: str, raw: str, waiting: int) -> FailedDelivery | None:
    try:
        record: dict[str, Any] = json.loads(raw)
        return FailedDelivery(target, key, str(record["event_id"]), int(record["attempts"]),
                              str(record["error"]), iso_ms(int(record["at"])),
                              iso_ms(int(record["next_at"])), waiting)
    except (ValueError, KeyError, TypeError):
        return None  # written by another version: not shown rather than a broken page


async def failed_deliveries(redis: aioredis.Redis) -> list[FailedDelivery]:
    """Every delivery failing now, platform first, oldest failure first within each."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(PLATFORM_FAILING_KEY)
        pipe.hgetall(FAILURES_KEY)
        platform, brands = await pipe.execute()
    platform, brands = text_map(platform), text_map(brands)
    async with redis.pipeline(transaction=False) as pipe:
        for brand_id in brands:
            pipe.llen(queue_key(brand_id))
        lengths = await pipe.execute()
    found = [_record(Target.PLATFORM, key, raw, 1) for key, raw in sorted(platform.items())]
    found += [_record(Target.BRAND, key, raw, int(length))
              for (key, raw), length in zip(brands.items(), lengths, strict=True)]
    return [f for f in found if f is not None]


class HookFailures:
    """The scripts behind the records: the platform worker's, and retry now for both."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._failed = Lua(redis, "billing/lua/platform_failed.lua")
        self._wait = Lua(redis, "billing/lua/platform_wait.lua")
        self._retry_platform = Lua(redis, "billing/lua/platform_retry_now.lua")
        self._retry_brand = Lua(redis, "billing/lua/hook_retry_now.lua")

    async def platform_failed(self, entry_id: str, event_id: str, consumer: str,
                              attempts: int, error: str, delay_ms: int) -> None:
        await self._failed(keys={"failing": PLATFORM_FAILING_KEY},
                           args={"entry": entry_id, "event": event_id, "consumer": consumer,
                                 "attempts": attempts, "error": error, "delay_ms": delay_ms})

    async def platform_wait_ms(self, entry_id: str) -> int:
        """How long the next attempt at this entry is still due in (0: now)."""
        return int(await self._wait(keys={"failing": PLATFORM_FAILING_KEY},
                                    args={"entry": entry_id}))

    async def retry_now(self, target: Target, key: str) -> bool:
        """True when the next attempt was brought forward; False when nothing waited."""
        if target is Target.PLATFORM:
            done = await self._retry_platform(keys={"failing": PLATFORM_FAILING_KEY},
                                              args={"entry": key})
        else:
            done = await self._retry_brand(keys={"due": DUE_KEY, "backoff": BACKOFF_KEY},
                                           args={"brand": key})
        return bool(done)
