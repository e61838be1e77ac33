"""The billing worker (protocol §5): delivers every billing event by signed webhook.

Workers share the billing stream through the consumer group ``helpcall-webhooks``. An entry
is POSTed until the receiver answers 2xx, and only then acknowledged: delivery is at least
once (a crash or a stop between the answer and the XACK sends the event again), so
receivers deduplicate on ``event_id``. A worker delivers its entries one at a time, in
stream order, and retries the oldest before it reads anything newer.

An entry read by a worker that died stays pending; once idle for
``worker_claim_idle_seconds`` another worker takes it over (XAUTOCLAIM). A worker that is
still retrying keeps its claims fresh (XCLAIM on its own entries), so it is not robbed of
them however long the receiver stays down.

Brand webhooks (docs/brands.md): a second consumer group, ``helpcall-brand-webhooks``, reads
the same stream with the same rules; it moves each event that has a ``brand_id`` with a
webhook into that brand's own delivery queue (``billing.brand_hooks``) and acknowledges the
others at once. Being its own group, it never delays the platform's delivery, nor the
platform's it; and since each brand has its own queue and retry schedule, a brand receiver
that is down never delays another brand's events (protocol §7.6).

``python -m server.worker`` (``server/worker.py``) runs one worker of each group (external
Redis only); the web process runs them in-process with ``running_worker`` when it uses the
embedded Redis. Settings come in as ``WorkerSettings`` and a brand's webhook through
``BrandWebhook``: the wiring provides both, so this package knows neither the server's
configuration nor the brands' keys.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol
from urllib.parse import urlparse

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from billing.brand_hooks import BrandDeliveries
from billing.hook_failures import PLATFORM_FAILING_KEY, HookFailures
from billing.webhook_targets import Network
from billing.webhooks import backoff_seconds, delivery_headers, webhook_body
from common.loops import stop_task
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map
from common.timefmt import iso_ms

log = logging.getLogger(__name__)

GROUP = "helpcall-webhooks"
STATS_KEY = "hc:{0}:worker:stats"
BRAND_GROUP = "helpcall-brand-webhooks"
BRAND_STATS_KEY = "hc:{0}:worker:brand-stats"
BATCH = 10
POST_TIMEOUT_SECONDS = 10.0
MAX_BLOCK_MS = 1000
# How often a worker waiting out a backoff looks whether an admin asked to retry now.
RETRY_POLL_SECONDS = 0.2



class WorkerSettings(Protocol):
    """What the workers read of the configuration (``server.config.Config`` provides it)."""

    @property
    def billing_stream(self) -> str: ...
    @property
    def webhook_url(self) -> str | None: ...
    @property
    def webhook_secret(self) -> str | None: ...
    @property
    def webhook_max_backoff_seconds(self) -> float: ...
    @property
    def webhook_first_backoff_seconds(self) -> float: ...
    @property
    def webhook_allowed_networks(self) -> tuple[Network, ...]: ...
    @property
    def worker_claim_idle_seconds(self) -> float: ...


# A brand's webhook URL and secret ("" when it has none).
BrandWebhook = Callable[[str], Awaitable[tuple[str, str]]]


Entry = tuple[str, dict[str, str]]


def _entries(reply: Any) -> list[Entry]:
    # XREADGROUP answers [[stream, [(id, fields), ...]]]; a deleted entry has empty fields.
    return [(str(entry_id), text_map(fields or {}))
            for _, entries in reply or [] for entry_id, fields in entries]


def _origin(url: str) -> str:
    # The URL may carry credentials (user:password@ or a token in the query): log no more.
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}" + (f":{parsed.port}" if parsed.port else "")


class BillingWorker:
    group = GROUP
    stats_key = STATS_KEY

    def __init__(self, redis: aioredis.Redis, config: WorkerSettings, consumer: str) -> None:
        if config.webhook_url and not config.webhook_secret:
            raise ValueError("a webhook URL needs a webhook secret to sign events")
        self._redis = redis
        self._config = config
        self.consumer = consumer
        self._stream = config.billing_stream
        self._rng = random.Random()
        self._refresh = Lua(redis, "billing/lua/worker_refresh.lua")
        self._failures = HookFailures(redis)
        idle = config.worker_claim_idle_seconds
        self._claim_idle_ms = max(1, int(idle * 1000))
        # Short enough that entries left by a dead worker are noticed soon after they are due.
        self._block_ms = max(10, min(MAX_BLOCK_MS, int(idle * 500)))
        # Three refreshes per idle period: one late or failed refresh loses nothing.
        self._refresh_every = idle / 3
        self._claim_cursor = "0-0"
        self._group_ready = False
        self._held: set[str] = set()  # entries of the batch in hand, not yet acknowledged
        self._lost: set[str] = set()  # of those, the ones another worker took over

    def _enabled(self) -> bool:
        url = self._config.webhook_url
        if not url:
            log.warning("HELPCALL_WEBHOOK_URL is not set: billing events are kept in the "
                        "stream %s until a webhook URL is configured", self._stream)
            return False
        log.info("billing worker %s delivers %s to %s", self.consumer, self._stream, _origin(url))
        return True

    async def _target(self, fields: Mapping[str, str]) -> tuple[str, str] | None:
        """Where an event goes and the secret that signs it; None: nowhere (acknowledged)."""
        return self._config.webhook_url or "", self._config.webhook_secret or ""

    async def run(self) -> None:
        """Deliver until cancelled; an event being delivered stays pending (redelivered)."""
        if not self._enabled():
            await asyncio.get_running_loop().create_future()
            return
        keeper = asyncio.create_task(self._keep_claims_fresh())
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                await self._loop(http)
        finally:
            await stop_task(keeper)

    async def _loop(self, http: aiohttp.ClientSession) -> None:
        failures = 0
        while True:
            try:
                if not self._group_ready:
                    await self._ensure_group()
                await self._step(http)
                failures = 0
            except Exception as exc:
                # Redis down, the stream deleted, or a bug: a worker that died here would
                # silently stop every delivery, so it says why and tries again.
                if "NOGROUP" in str(exc):
                    self._group_ready = False
                failures += 1
                log.warning("billing worker %s: %s: %s; retrying", self.consumer,
                            type(exc).__name__, exc,
                            exc_info=not isinstance(exc, RedisError | OSError))
                await asyncio.sleep(self._backoff(failures))

    def _backoff(self, attempt: int) -> float:
        return backoff_seconds(attempt, self._config.webhook_max_backoff_seconds, self._rng,
                               self._config.webhook_first_backoff_seconds)

    async def _ensure_group(self) -> None:
        # From id 0, not $: events appended before any worker ever ran are delivered too.
        try:
            await self._redis.xgroup_create(self._stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _step(self, http: aiohttp.ClientSession) -> None:
        await self._claim_abandoned()
        # Own pending entries first (taken over, or left by a failed step): they are older.
        entries = _entries(await self._redis.xreadgroup(
            self.group, self.consumer, {self._stream: "0"}, count=BATCH))
        if not entries:
            entries = _entries(await self._redis.xreadgroup(
                self.group, self.consumer, {self._stream: ">"}, count=BATCH,
                block=self._block_ms))
        self._held.update(entry_id for entry_id, _ in entries)
        try:
            for entry_id, fields in entries:
                await self._deliver(http, entry_id, fields)
                self._held.discard(entry_id)
        finally:
            self._held.clear()
            self._lost.clear()

    async def _claim_abandoned(self) -> None:
        # SCAN-like: the cursor walks the whole pending list over successive steps.
        cursor, claimed, *_ = await self._redis.xautoclaim(
            self._stream, self.group, self.consumer, self._claim_idle_ms,
            start_id=self._claim_cursor, count=BATCH)
        self._claim_cursor = str(cursor)
        if claimed:
            log.info("billing worker %s took over %d entries idle for %d ms or more",
                     self.consumer, len(claimed), self._claim_idle_ms)

    async def _deliver(
        self, http: aiohttp.ClientSession, entry_id: str, fields: Mapping[str, str]
    ) -> None:
        if not fields:
            log.warning("billing entry %s was deleted from the stream before delivery; "
                        "acknowledging it", entry_id)
            await self._redis.xack(self._stream, self.group, entry_id)
            return
        body = webhook_body(fields)
        event_id = fields.get("event_id") or entry_id
        attempt = 0
        while entry_id not in self._lost:
            # Read again before each attempt: a brand may change or remove its webhook.
            target = await self._target(fields)
            if target is None:
                await self._redis.xack(self._stream, self.group, entry_id)
                return
            url, secret = target
            # webhook-timestamp is this attempt's: a receiver refuses an old one replayed.
            headers = delivery_headers(event_id, int(time.time()), body, secret)
            error = await _post(http, url, body, headers)
            if error is None:
                await self._record_delivered(entry_id)
                return
            attempt += 1
            log.warning("billing event %s: webhook attempt %d failed: %s; retrying",
                        event_id, attempt, error)
            await self._record_failure(error)
            await self._failures.platform_failed(entry_id, event_id, self.consumer, attempt,
                                                 error, int(self._backoff(attempt) * 1000))
            await self._pause(entry_id)
        log.info("billing event %s was taken over by another worker", event_id)

    async def _pause(self, entry_id: str) -> None:
        # Polled rather than slept: an admin's "retry now" shortens the wait from outside.
        while entry_id not in self._lost:
            left_ms = await self._failures.platform_wait_ms(entry_id)
            if left_ms <= 0:
                return
            await asyncio.sleep(min(RETRY_POLL_SECONDS, left_ms / 1000))

    async def _now_iso(self) -> str:
        return iso_ms(await redis_ms(self._redis))

    async def _record_delivered(self, entry_id: str) -> None:
        now = await self._now_iso()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self.group, entry_id)
            pipe.hdel(PLATFORM_FAILING_KEY, entry_id)
            pipe.hincrby(self.stats_key, "delivered", 1)
            pipe.hset(self.stats_key, "last_delivered_at", now)
            await pipe.execute()

    async def _record_failure(self, error: str) -> None:
        now = await self._now_iso()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.stats_key, "failed_attempts", 1)
            pipe.hset(self.stats_key, mapping={"last_error": error, "last_error_at": now})
            await pipe.execute()

    async def _keep_claims_fresh(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_every)
            if not self._held:
                continue
            try:
                lost = await self._refresh(
                    keys={"stream": self._stream},
                    args={"group": self.group, "consumer": self.consumer,
                          "ids": sorted(self._held)})
            except RedisError as exc:
                log.warning("billing worker %s could not refresh its claims: %s",
                            self.consumer, exc)
                continue
            self._lost.update(str(entry_id) for entry_id in lost if entry_id in self._held)


class BrandWebhookWorker(BillingWorker):
    """Sorts brand events into per-brand queues (its own group) and delivers those queues."""

    group = BRAND_GROUP
    stats_key = BRAND_STATS_KEY

    def __init__(self, redis: aioredis.Redis, config: WorkerSettings, consumer: str,
                 brand_webhook: BrandWebhook) -> None:
        super().__init__(redis, config, consumer)
        self._brand_webhook = brand_webhook
        self._deliveries = BrandDeliveries(
            redis, self._brand_target, config.webhook_allowed_networks,
            config.webhook_max_backoff_seconds, consumer,
            first_backoff_seconds=config.webhook_first_backoff_seconds)

    def _enabled(self) -> bool:
        log.info("brand webhook worker %s delivers brand events of %s", self.consumer,
                 self._stream)
        return True

    async def run(self) -> None:
        deliveries = asyncio.create_task(self._deliveries.run())
        try:
            await super().run()
        finally:
            await stop_task(deliveries)

    async def _brand_target(self, brand_id: str) -> tuple[str, str] | None:
        url, secret = await self._brand_webhook(brand_id)
        return (url, secret) if url and secret else None

    async def _deliver(
        self, http: aiohttp.ClientSession, entry_id: str, fields: Mapping[str, str]
    ) -> None:
        brand_id = fields.get("brand_id", "")
        if not fields or not brand_id or await self._brand_target(brand_id) is None:
            # No brand, or no webhook: the event is only in the stream.
            await self._redis.xack(self._stream, self.group, entry_id)
            return
        event_id = fields.get("event_id") or entry_id
        await self._deliveries.enqueue(self._stream, self.group, entry_id, brand_id, event_id,
                                       webhook_body(fields))


async def _post(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: Mapping[str, str]
) -> str | None:
    """None on a 2xx answer, else what went wrong (never the secret, never the URL)."""
    try:
        # A redirect is not an answer: following it would turn the POST into a GET.
        async with http.post(url, data=body, headers=headers, allow_redirects=False) as answer:
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except TimeoutError:
        return f"no answer within {POST_TIMEOUT_SECONDS:g} s"
    except aiohttp.ClientError as exc:
        return f"{type(exc).__name__}: {exc}"[:300]


@asynccontextmanager
async def running_workers(
    redis: aioredis.Redis, config: WorkerSettings, consumer: str, brand_webhook: BrandWebhook
) -> AsyncIterator[BillingWorker]:
    """The platform's and the brands' workers as tasks for the life of the block."""
    worker = BillingWorker(redis, config, consumer)
    task = asyncio.create_task(worker.run(), name=f"billing-worker {consumer}")
    brand_task = asyncio.create_task(
        BrandWebhookWorker(redis, config, consumer, brand_webhook).run(),
        name=f"brand-webhook-worker {consumer}")
    try:
        yield worker
    finally:
        await stop_task(brand_task)
        await stop_task(task)
