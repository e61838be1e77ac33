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
webhook into that brand's own delivery queue (``sessions.brand_hooks``) and acknowledges the
others at once. Being its own group, it never delays the platform's delivery, nor the
platform's it; and since each brand has its own queue and retry schedule, a brand receiver
that is down never delays another brand's events (protocol §7.6).

``python -m sessions.worker`` runs one worker of each group (external Redis only); the web
process runs them in-process with ``running_worker`` when it uses the embedded Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlparse

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from brands.keys import brand as brand_key
from common.redisvalues import text_map
from common.timefmt import iso_ms
from sessions.brand_hooks import BrandDeliveries
from sessions.webhooks import backoff_seconds, delivery_headers, webhook_body

if TYPE_CHECKING:
    # Typing only: the sessions package must not import the server package at run time.
    from server.config import Config

log = logging.getLogger(__name__)

GROUP = "helpcall-webhooks"
STATS_KEY = "hc:{0}:worker:stats"
BRAND_GROUP = "helpcall-brand-webhooks"
BRAND_STATS_KEY = "hc:{0}:worker:brand-stats"
BATCH = 10
POST_TIMEOUT_SECONDS = 10.0
MAX_BLOCK_MS = 1000

# Resets the idle time of the entries this consumer still owns, and returns the ones it no
# longer owns (taken over by another worker, or acknowledged). Checking the owner and
# claiming in one script is what keeps a slow worker from snatching back an entry that
# another worker has rightly taken over.
_REFRESH = """
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] ~= nil and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""


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

    def __init__(self, redis: aioredis.Redis, config: Config, consumer: str) -> None:
        if config.webhook_url and not config.webhook_secret:
            raise ValueError("a webhook URL needs a webhook secret to sign events")
        self._redis = redis
        self._config = config
        self.consumer = consumer
        self._stream = config.billing_stream
        self._rng = random.Random()
        self._refresh = redis.register_script(_REFRESH)
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
        return backoff_seconds(attempt, self._config.webhook_max_backoff_seconds, self._rng)

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
            await asyncio.sleep(self._backoff(attempt))
        log.info("billing event %s was taken over by another worker", event_id)

    async def _now_iso(self) -> str:
        seconds, micros = await self._redis.time()
        return iso_ms(int(seconds) * 1000 + int(micros) // 1000)

    async def _record_delivered(self, entry_id: str) -> None:
        now = await self._now_iso()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self.group, entry_id)
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
                    keys=[self._stream], args=[self.group, self.consumer, *sorted(self._held)])
            except RedisError as exc:
                log.warning("billing worker %s could not refresh its claims: %s",
                            self.consumer, exc)
                continue
            self._lost.update(str(entry_id) for entry_id in lost if entry_id in self._held)


class BrandWebhookWorker(BillingWorker):
    """Sorts brand events into per-brand queues (its own group) and delivers those queues."""

    group = BRAND_GROUP
    stats_key = BRAND_STATS_KEY

    def __init__(self, redis: aioredis.Redis, config: Config, consumer: str) -> None:
        super().__init__(redis, config, consumer)
        self._deliveries = BrandDeliveries(
            redis, self._brand_target, config.webhook_allowed_networks,
            config.webhook_max_backoff_seconds, consumer)

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
        url, secret = await self._redis.hmget(brand_key(brand_id), "webhook_url",
                                              "webhook_secret")
        return (str(url), str(secret)) if url and secret else None

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


async def delivery_stats(redis: aioredis.Redis, config: Config) -> WorkerStats:
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


async def stop_task(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for its end, cancelling again until it ends.

    Once is not always enough: on Python 3.11 ``asyncio.wait_for`` (which redis-py awaits
    inside every command) swallows a cancellation that arrives just as the command completes.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@asynccontextmanager
async def running_worker(
    redis: aioredis.Redis, config: Config, consumer: str
) -> AsyncIterator[BillingWorker]:
    """A worker running as a task for the life of the block (the web process's own)."""
    worker = BillingWorker(redis, config, consumer)
    task = asyncio.create_task(worker.run(), name=f"billing-worker {consumer}")
    brand_task = asyncio.create_task(BrandWebhookWorker(redis, config, consumer).run(),
                                     name=f"brand-webhook-worker {consumer}")
    try:
        yield worker
    finally:
        await stop_task(brand_task)
        await stop_task(task)


async def _serve(config: Config, consumer: str) -> int:
    from common.redisclient import detect_topology, redis_client, stream_on

    url = config.redis_url
    assert url is not None
    kind = await detect_topology(url)
    config = replace(config, billing_stream=stream_on(config.billing_stream, kind))
    redis = redis_client(url)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    task = asyncio.create_task(BillingWorker(redis, config, consumer).run())
    brand_task = asyncio.create_task(BrandWebhookWorker(redis, config, consumer).run())
    signalled = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, brand_task, signalled}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        signalled.cancel()
        await stop_task(brand_task)
        await stop_task(task)
        await redis.aclose()
    log.info("billing worker %s stopped", consumer)
    return 0


def main() -> int:
    from server.config import ConfigError, load_config
    from server.logs import configure_logging

    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(f"helpcall worker: configuration error: {exc}", file=sys.stderr)
        return 2
    if config.redis_url is None:
        print("helpcall worker: REDIS_URL is required. Without it the web process "
              "(python -m server) uses its embedded Redis and runs the billing worker "
              "itself.", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.log_format)
    return asyncio.run(_serve(config, default_consumer_name()))


if __name__ == "__main__":
    # Run the importable module rather than this ``__main__`` copy: logs name sessions.worker.
    from sessions.worker import main as _main

    sys.exit(_main())
