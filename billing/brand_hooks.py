"""Brand webhooks, one queue per brand (protocol §7.6: one failing receiver never delays
another's events).

The brand group of the billing streams (``billing.worker.BrandWebhookWorker``; on a Cluster
one stream per bucket) only sorts: each event with a brand that has a webhook moves from the
group's pending list of its stream to that brand's queue ``hc:hooks:q:<brand>``, one queue
for every stream, queued once (``hook_enqueue.lua``) and then acknowledged. Deliveries are
then scheduled per brand in the zset ``hc:hooks:due`` (brand -> when its next attempt is
due, Redis time):

- a worker claims a due brand for a lease (``hook_claim.lua``) and POSTs the head of its
  queue; other brands are claimed by the same worker's other slots or by other workers;
- a 2xx drops the head and makes the brand due again at once if more wait
  (``hook_done.lua``); a failure makes only this brand wait its backoff (``hook_retry.lua``);
- a worker that dies holding a claim loses it when the lease runs out.

So a dead receiver is retried forever (capped backoff, nothing dropped) but costs the others
nothing, and each brand still gets its events one at a time, in stream order. Each attempt
checks the URL again (``billing.webhook_targets``) and connects only to checked addresses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from billing.webhook_targets import (
    CheckedResolver,
    Network,
    RefusedTarget,
    TargetPolicy,
    check_literal,
    split_url,
)
from billing.webhooks import FIRST_BACKOFF_SECONDS, backoff_seconds, delivery_headers
from common.lua import Lua
from common.redistime import redis_ms

log = logging.getLogger(__name__)

DUE_KEY = "hc:{0}:hooks:due"
ATTEMPTS_KEY = "hc:{0}:hooks:attempts"
# brand -> when its next attempt is due, only while it waits out a backoff ("retry now").
BACKOFF_KEY = "hc:{0}:hooks:backoff"
# brand -> JSON of its last failed attempt (event, attempts, error, when), for the console.
FAILURES_KEY = "hc:{0}:hooks:failures"
STATS_KEY = "hc:{0}:worker:brand-stats"
SLOTS = 8  # brands delivered at once by one worker
POLL_SECONDS = 0.2
POST_TIMEOUT_SECONDS = 10.0
LEASE_MS = int(3 * POST_TIMEOUT_SECONDS * 1000)
# How long an entry stays marked queued: a day, far past the takeover of an entry by
# another worker (the claim idle time) or a restart.
QUEUED_KEEP_MS = 86_400_000



def queue_key(brand_id: str) -> str:
    return f"hc:{{0}}:hooks:q:{brand_id}"


def queued_key(stream: str, entry_id: str) -> str:
    """The mark of a stream entry queued (in the home slot: whatever tag the stream's name
    has, the first one here is ``{0}``)."""
    return f"hc:{{0}}:hooks:queued:{stream}:{entry_id}"


def _script(redis: aioredis.Redis, name: str) -> Lua:
    return Lua(redis, f"billing/lua/{name}.lua")


async def post_checked(
    url: str, body: bytes, headers: dict[str, str], policy: TargetPolicy
) -> str | None:
    """POST to a brand's URL if the policy accepts it now; None on a 2xx, else what failed."""
    try:
        scheme, host, _ = split_url(url)
        check_literal(scheme, host, policy)
    except RefusedTarget as exc:
        return f"refused: {exc}"
    connector = aiohttp.TCPConnector(resolver=CheckedResolver(policy, scheme),
                                     use_dns_cache=False, force_close=True)
    timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            # A redirect is not an answer, and following it would skip the address check.
            async with http.post(url, data=body, headers=headers,
                                 allow_redirects=False) as answer:
                return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except RefusedTarget as exc:
        return f"refused: {exc}"
    except TimeoutError:
        return f"no answer within {POST_TIMEOUT_SECONDS:g} s"
    except aiohttp.ClientError as exc:
        # The cause may be our resolver's refusal, wrapped by aiohttp.
        if isinstance(exc.__cause__, RefusedTarget):
            return f"refused: {exc.__cause__}"
        return f"{type(exc).__name__}"[:300]


# A brand's webhook now: (url, secret), or None when it has none (given by the worker).
Target = Callable[[str], Awaitable[tuple[str, str] | None]]


class BrandDeliveries:
    def __init__(self, redis: aioredis.Redis, target: Target, allowed: tuple[Network, ...],
                 max_backoff_seconds: float, consumer: str,
                 first_backoff_seconds: float = FIRST_BACKOFF_SECONDS) -> None:
        self._redis = redis
        self._target = target
        self._max_backoff = max_backoff_seconds
        self._first_backoff = first_backoff_seconds
        self._consumer = consumer
        self._policy = TargetPolicy(allowed)
        self._rng = random.Random()
        self._enqueue = _script(redis, "hook_enqueue")
        self._claim = _script(redis, "hook_claim")
        self._done = _script(redis, "hook_done")
        self._retry = _script(redis, "hook_retry")
        self._active: dict[str, asyncio.Task[None]] = {}

    async def enqueue(self, stream: str, group: str, entry_id: str, brand_id: str,
                      event_id: str, body: bytes) -> None:
        """Queue a stream entry for its brand, once, and acknowledge it. Two steps, as on
        a Cluster the stream and the queues are in different slots: the mark, kept a day,
        makes a redelivery of the entry (a stop before the XACK, a takeover by another
        worker) queue nothing."""
        element = event_id + "\n" + body.decode("ascii")
        queued = queued_key(stream, entry_id)
        await self._enqueue(keys={"queued": queued, "queue": queue_key(brand_id),
                                  "due": DUE_KEY},
                            args={"element": element, "brand": brand_id,
                                  "keep_ms": QUEUED_KEEP_MS})
        await self._redis.xack(stream, group, entry_id)

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self._start_due()
                except RedisError as exc:
                    log.warning("brand webhooks %s: %s; retrying", self._consumer, exc)
                await asyncio.sleep(POLL_SECONDS)
        finally:
            for task in self._active.values():
                task.cancel()
            await asyncio.gather(*self._active.values(), return_exceptions=True)

    async def _start_due(self) -> None:
        free = SLOTS - len(self._active)
        if free <= 0:
            return
        now_ms = await redis_ms(self._redis)
        due = await self._redis.zrangebyscore(DUE_KEY, "-inf", now_ms, start=0,
                                              num=free + len(self._active))
        for raw in due:
            brand_id = str(raw)
            if brand_id in self._active or len(self._active) >= SLOTS:
                continue
            claimed = await self._claim(
                keys={"due": DUE_KEY, "queue": queue_key(brand_id), "attempts": ATTEMPTS_KEY,
                      "backoff": BACKOFF_KEY},
                args={"brand": brand_id, "lease_ms": LEASE_MS})
            if not claimed:
                continue
            element, attempts = str(claimed[0]), int(claimed[1])
            task = asyncio.create_task(self._deliver(brand_id, element, attempts))
            self._active[brand_id] = task
            task.add_done_callback(self._forget(brand_id))

    def _forget(self, brand_id: str) -> Callable[[asyncio.Task[None]], None]:
        def forget(_: asyncio.Task[None]) -> None:
            self._active.pop(brand_id, None)

        return forget

    async def _deliver(self, brand_id: str, element: str, attempts: int) -> None:
        event_id, _, body_text = element.partition("\n")
        try:
            target = await self._target(brand_id)
            if target is None:
                # The brand removed its webhook: its events stay in the stream only.
                await self._finish(brand_id, element)
                return
            url, secret = target
            body = body_text.encode("ascii")
            headers = delivery_headers(event_id, int(time.time()), body, secret)
            error = await post_checked(url, body, headers, self._policy)
            if error is None:
                await self._finish(brand_id, element, delivered=True)
                return
            delay = backoff_seconds(attempts + 1, self._max_backoff, self._rng,
                                   self._first_backoff)
            log.warning("brand %s: webhook attempt %d for %s failed: %s; next in %.1f s",
                        brand_id, attempts + 1, event_id, error, delay)
            await self._retry(keys={"due": DUE_KEY, "attempts": ATTEMPTS_KEY,
                                    "backoff": BACKOFF_KEY, "failures": FAILURES_KEY},
                              args={"brand": brand_id, "delay_ms": int(delay * 1000),
                                    "error": error, "event_id": event_id})
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(STATS_KEY, "failed_attempts", 1)
                pipe.hset(STATS_KEY, mapping={"last_error": error,
                                              "last_error_at": str(int(time.time()))})
                await pipe.execute()
        except RedisError as exc:
            # The claim runs out and the brand is tried again: nothing is lost.
            log.warning("brand %s: webhook bookkeeping failed: %s", brand_id, exc)

    async def _finish(self, brand_id: str, element: str, delivered: bool = False) -> None:
        await self._done(
            keys={"due": DUE_KEY, "queue": queue_key(brand_id), "attempts": ATTEMPTS_KEY,
                  "backoff": BACKOFF_KEY, "failures": FAILURES_KEY},
            args={"brand": brand_id, "element": element})
        if delivered:
            await self._redis.hincrby(STATS_KEY, "delivered", 1)
