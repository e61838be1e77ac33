"""The billing worker (protocol §5): delivers every billing event by signed webhook.

On a Redis Cluster the billing events are in one stream per bucket of sessions
(``common.keyspace.every_stream``), on a single Redis in one. Each stream has its consumer
groups, and a worker reads each stream in a loop of its own (``common.streams``): a bucket
whose head is failing holds back only that bucket's events. What follows holds per stream.

Workers share a billing stream through the consumer group ``helpcall-webhooks``. An entry
is POSTed until the receiver answers 2xx, and only then acknowledged: delivery is at least
once (a crash or a stop between the answer and the XACK sends the event again), so
receivers deduplicate on ``event_id``. A worker delivers a stream's entries one at a time,
in stream order, and retries the oldest before it reads anything newer.

An entry read by a worker that died stays pending; once idle for
``worker_claim_idle_seconds`` another worker takes it over (XAUTOCLAIM). A worker that is
still retrying keeps its claims fresh (XCLAIM on its own entries), so it is not robbed of
them however long the receiver stays down.

Brand webhooks (docs/brands.md): a second consumer group, ``helpcall-brand-webhooks``, reads
the same streams with the same rules; it moves each event that has a ``brand_id`` with a
webhook into that brand's own delivery queue (``billing.brand_hooks``), one for all the
streams, and acknowledges the others at once. Being its own group, it never delays the
platform's delivery, nor the platform's it; and since each brand has its own queue and retry
schedule, a brand receiver that is down never delays another brand's events (protocol §7.6).

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
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlparse

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from billing.brand_hooks import BrandDeliveries
from billing.hook_failures import PLATFORM_FAILING_KEY, HookFailures
from billing.webhook_targets import Network
from billing.webhooks import backoff_seconds, delivery_headers, webhook_body
from common.keyspace import every_stream
from common.loops import stop_task
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map
from common.streams import on_every_stream, read_new
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


@dataclass
class _Stream:
    """What a worker keeps of each billing stream it reads."""

    name: str
    home: bool  # the first (bucket 0's), the only one on a single Redis
    claim_cursor: str = "0-0"
    group_ready: bool = False
    held: set[str] = field(default_factory=set)  # the batch in hand, not yet acknowledged
    lost: set[str] = field(default_factory=set)  # of those, the ones another worker took over

    def failing_key(self, entry_id: str) -> str:
        """Which entry a failure record is of (``billing.hook_failures``, "retry now"). Ids
        repeat from stream to stream: one of a stream other than the home one is named
        with its stream."""
        return entry_id if self.home else f"{self.name}/{entry_id}"


def _origin(url: str) -> str:
    # The URL may carry credentials (user:password@ or a token in the query): log no more.
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}" + (f":{parsed.port}" if parsed.port else "")


class BillingWorker:
    group = GROUP
    stats_key = STATS_KEY

    def __init__(self, redis: aioredis.Redis, config: WorkerSettings, consumer: str,
                 reads: aioredis.Redis | None = None) -> None:
        if config.webhook_url and not config.webhook_secret:
            raise ValueError("a webhook URL needs a webhook secret to sign events")
        self._redis = redis
        self._reads = reads or redis  # blocking reads (common.redisclient.stream_reads)
        self._config = config
        self.consumer = consumer
        self._home = config.billing_stream
        self._streams = {name: _Stream(name, home=name == self._home)
                         for name in every_stream(self._home)}
        self._rng = random.Random()
        self._refresh = Lua(redis, "billing/lua/worker_refresh.lua")
        self._failures = HookFailures(redis)
        idle = config.worker_claim_idle_seconds
        self._claim_idle_ms = max(1, int(idle * 1000))
        # How long a read blocks for new entries (common.streams.read_new). Short enough that
        # entries left by a dead worker are noticed soon after they are due.
        self._block_ms = max(10, min(MAX_BLOCK_MS, int(idle * 500)))
        # Three refreshes per idle period: one late or failed refresh loses nothing.
        self._refresh_every = idle / 3

    def _enabled(self) -> bool:
        url = self._config.webhook_url
        if not url:
            log.warning("HELPCALL_WEBHOOK_URL is not set: billing events are kept in the "
                        "stream %s until a webhook URL is configured", self._home)
            return False
        log.info("billing worker %s delivers %s (%d streams) to %s", self.consumer, self._home,
                 len(self._streams), _origin(url))
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
                await on_every_stream(self._home,
                                      lambda name: self._loop(http, self._streams[name]))
        finally:
            await stop_task(keeper)

    async def _loop(self, http: aiohttp.ClientSession, stream: _Stream) -> None:
        failures = 0
        while True:
            try:
                if not stream.group_ready:
                    await self._ensure_group(stream)
                await self._step(http, stream)
                failures = 0
            except Exception as exc:
                # Redis down, the stream deleted, or a bug: a worker that died here would
                # silently stop every delivery, so it says why and tries again.
                if "NOGROUP" in str(exc):
                    stream.group_ready = False
                failures += 1
                log.warning("billing worker %s, %s: %s: %s; retrying", self.consumer,
                            stream.name, type(exc).__name__, exc,
                            exc_info=not isinstance(exc, RedisError | OSError))
                await asyncio.sleep(self._backoff(failures))

    def _backoff(self, attempt: int) -> float:
        return backoff_seconds(attempt, self._config.webhook_max_backoff_seconds, self._rng,
                               self._config.webhook_first_backoff_seconds)

    async def _ensure_group(self, stream: _Stream) -> None:
        # From id 0, not $: events appended before any worker ever ran are delivered too.
        try:
            await self._redis.xgroup_create(stream.name, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        stream.group_ready = True

    async def _step(self, http: aiohttp.ClientSession, stream: _Stream) -> None:
        await self._claim_abandoned(stream)
        # Own pending entries first (taken over, or left by a failed step): they are older.
        entries = _entries(await self._redis.xreadgroup(
            self.group, self.consumer, {stream.name: "0"}, count=BATCH))
        if not entries:
            entries = _entries(await read_new(
                self._reads, stream.name, self.group, self.consumer, BATCH, self._block_ms))
        stream.held.update(entry_id for entry_id, _ in entries)
        try:
            for entry_id, fields in entries:
                await self._deliver(http, stream, entry_id, fields)
                stream.held.discard(entry_id)
        finally:
            stream.held.clear()
            stream.lost.clear()

    async def _claim_abandoned(self, stream: _Stream) -> None:
        # SCAN-like: the cursor walks the whole pending list over successive steps.
        cursor, claimed, *_ = await self._redis.xautoclaim(
            stream.name, self.group, self.consumer, self._claim_idle_ms,
            start_id=stream.claim_cursor, count=BATCH)
        stream.claim_cursor = str(cursor)
        if claimed:
            log.info("billing worker %s took over %d entries of %s idle for %d ms or more",
                     self.consumer, len(claimed), stream.name, self._claim_idle_ms)

    async def _deliver(self, http: aiohttp.ClientSession, stream: _Stream, entry_id: str,
                       fields: Mapping[str, str]) -> None:
        if not fields:
            log.warning("billing entry %s was deleted from %s before delivery; "
                        "acknowledging it", entry_id, stream.name)
            await self._redis.xack(stream.name, self.group, entry_id)
            return
        body = webhook_body(fields)
        event_id = fields.get("event_id") or entry_id
        failing = stream.failing_key(entry_id)
        attempt = 0
        while entry_id not in stream.lost:
            # Read again before each attempt: a brand may change or remove its webhook.
            target = await self._target(fields)
            if target is None:
                await self._redis.xack(stream.name, self.group, entry_id)
                return
            url, secret = target
            # webhook-timestamp is this attempt's: a receiver refuses an old one replayed.
            headers = delivery_headers(event_id, int(time.time()), body, secret)
            error = await _post(http, url, body, headers)
            if error is None:
                await self._record_delivered(stream, entry_id)
                return
            attempt += 1
            log.warning("billing event %s: webhook attempt %d failed: %s; retrying",
                        event_id, attempt, error)
            await self._record_failure(error)
            await self._failures.platform_failed(failing, event_id, self.consumer, attempt,
                                                 error, int(self._backoff(attempt) * 1000))
            await self._pause(stream, entry_id)
        log.info("billing event %s was taken over by another worker", event_id)

    async def _pause(self, stream: _Stream, entry_id: str) -> None:
        # Polled rather than slept: an admin's "retry now" shortens the wait from outside.
        while entry_id not in stream.lost:
            left_ms = await self._failures.platform_wait_ms(stream.failing_key(entry_id))
            if left_ms <= 0:
                return
            await asyncio.sleep(min(RETRY_POLL_SECONDS, left_ms / 1000))

    async def _now_iso(self) -> str:
        return iso_ms(await redis_ms(self._redis))

    async def _record_delivered(self, stream: _Stream, entry_id: str) -> None:
        now = await self._now_iso()
        # One transaction on the home stream. Another bucket's is not in the home slot of
        # the record and counters on a Cluster, which refuses them one MULTI: one pipeline
        # then, whose halves could part only as a crash after the 2xx does (sent again).
        async with self._redis.pipeline(transaction=stream.home) as pipe:
            pipe.xack(stream.name, self.group, entry_id)
            pipe.hdel(PLATFORM_FAILING_KEY, stream.failing_key(entry_id))
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
            for stream in self._streams.values():
                if stream.held:
                    await self._refresh_claims(stream)

    async def _refresh_claims(self, stream: _Stream) -> None:
        try:
            lost = await self._refresh(
                keys={"stream": stream.name},
                args={"group": self.group, "consumer": self.consumer,
                      "ids": sorted(stream.held)})
        except RedisError as exc:
            log.warning("billing worker %s could not refresh its claims on %s: %s",
                        self.consumer, stream.name, exc)
            return
        stream.lost.update(str(entry_id) for entry_id in lost if entry_id in stream.held)


class BrandWebhookWorker(BillingWorker):
    """Sorts brand events into per-brand queues (its own group) and delivers those queues."""

    group = BRAND_GROUP
    stats_key = BRAND_STATS_KEY

    def __init__(self, redis: aioredis.Redis, config: WorkerSettings, consumer: str,
                 brand_webhook: BrandWebhook, reads: aioredis.Redis | None = None) -> None:
        super().__init__(redis, config, consumer, reads)
        self._brand_webhook = brand_webhook
        self._deliveries = BrandDeliveries(
            redis, self._brand_target, config.webhook_allowed_networks,
            config.webhook_max_backoff_seconds, consumer,
            first_backoff_seconds=config.webhook_first_backoff_seconds)

    def _enabled(self) -> bool:
        log.info("brand webhook worker %s delivers brand events of %s (%d streams)",
                 self.consumer, self._home, len(self._streams))
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

    async def _deliver(self, http: aiohttp.ClientSession, stream: _Stream, entry_id: str,
                       fields: Mapping[str, str]) -> None:
        brand_id = fields.get("brand_id", "")
        if not fields or not brand_id or await self._brand_target(brand_id) is None:
            # No brand, or no webhook: the event is only in the stream.
            await self._redis.xack(stream.name, self.group, entry_id)
            return
        event_id = fields.get("event_id") or entry_id
        await self._deliveries.enqueue(stream.name, self.group, entry_id, brand_id, event_id,
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
    redis: aioredis.Redis, config: WorkerSettings, consumer: str, brand_webhook: BrandWebhook,
    reads: aioredis.Redis | None = None,
) -> AsyncIterator[BillingWorker]:
    """The platform's and the brands' workers as tasks for the life of the block; ``reads``:
    their client for blocking reads (``common.redisclient.stream_reads``)."""
    worker = BillingWorker(redis, config, consumer, reads)
    task = asyncio.create_task(worker.run(), name=f"billing-worker {consumer}")
    brand_task = asyncio.create_task(
        BrandWebhookWorker(redis, config, consumer, brand_webhook, reads).run(),
        name=f"brand-webhook-worker {consumer}")
    try:
        yield worker
    finally:
        await stop_task(brand_task)
        await stop_task(task)
