"""The billing worker against a real Redis and a real webhook receiver on 127.0.0.1.

What is guaranteed, and what these tests hold the worker to: every event is delivered until
a 2xx answer (at least once), a worker delivers its entries in stream order, an entry held
by a dead worker is taken over after the claim idle time, and a live worker that keeps
retrying keeps its entry. A failed attempt may be repeated by anyone; a 2xx is sent twice
only if a worker dies (or loses Redis) between the answer and its XACK, which receivers
absorb by deduplicating on ``event_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.exceptions import ResponseError

from billing.census import brand_census, platform_census
from billing.hook_failures import HookFailures, Target, failed_deliveries
from billing.stats import delivery_stats
from billing.webhooks import verify
from billing.worker import BRAND_GROUP, GROUP, STATS_KEY
from brands.models import BrandCreate
from brands.service import Brands
from common.keyspace import SHARDED_STREAM, bucket_stream, every_stream
from common.redisclient import redis_client, stream_on, topology
from common.redistime import redis_ms
from server.config import Config, load_config
from server.worker import running_worker
from tests.conftest import on_this_redis
from tests.processes import ROOT, ServerProcess, free_port
from tests.waiting import eventually

SECRET = "whsec-test-secret"
BRAND_SECRET = "whsec-brand-secret-0123"


@dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    owners: list[str]
    at: float
    status: int = 0

    @property
    def event(self) -> dict[str, object]:
        decoded: dict[str, object] = json.loads(self.body)
        return decoded


Policy = Callable[[Request], Awaitable[int]]


async def always_ok(_: Request) -> int:
    return 200


@dataclass
class Receiver:
    """A webhook endpoint whose answers each test scripts with ``policy``."""

    url: str = ""
    policy: Policy = always_ok
    owners: Callable[[], Awaitable[list[str]]] | None = None
    requests: list[Request] = field(default_factory=list)
    arrived: asyncio.Queue[Request] = field(default_factory=asyncio.Queue)
    delivered: asyncio.Queue[Request] = field(default_factory=asyncio.Queue)

    async def handle(self, request: web.Request) -> web.Response:
        owners = await self.owners() if self.owners else []
        record = Request(dict(request.headers), await request.read(), owners, time.monotonic())
        self.requests.append(record)
        self.arrived.put_nowait(record)
        record.status = await self.policy(record)
        if 200 <= record.status < 300:
            self.delivered.put_nowait(record)
        return web.Response(status=record.status)

    @property
    def successes(self) -> list[Request]:
        return [r for r in self.requests if 200 <= r.status < 300]


async def next_of(queue: asyncio.Queue[Request], within: float = 15.0) -> Request:
    async with asyncio.timeout(within):
        return await queue.get()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    receiver.url = str(server.make_url("/hook"))
    yield receiver
    await server.close()


def worker_config(redis_url: str, url: str | None, **env: str) -> Config:
    values = {
        "REDIS_URL": redis_url,
        "HELPCALL_WORKER_CLAIM_IDLE_SECONDS": "0.5",
        "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
    }
    if url is not None:
        values |= {"HELPCALL_WEBHOOK_URL": url, "HELPCALL_WEBHOOK_SECRET": SECRET}
    config = load_config(values | env)
    # As the worker command does: on a Cluster the events are in <stream>:{0}.
    return replace(config, billing_stream=stream_on(config.billing_stream, topology(redis_url)))


def event(n: int) -> dict[str, str]:
    return {
        "event_id": f"ev_{n}", "type": "session.ended", "session_id": f"s_{n}",
        "client_id": "a_client", "expert_id": "a_expert", "brand_id": "",
        "pricing_mode": "per_minute", "rate_cents": "120", "currency": "EUR",
        "accepted_at": "2026-11-23T07:50:00.000Z", "live_started_at": "2026-11-23T07:50:01.000Z",
        "ended_at": "2026-11-23T07:52:01.500Z", "live_ms": "120500", "billed_seconds": "120",
        "amount_cents": str(240 + n), "platform_fee_cents": "48", "expert_payout_cents": "192",
        "end_reason": "hangup",
    }


async def append(redis: aioredis.Redis, n: int) -> str:
    return str(await redis.xadd(on_this_redis(redis), event(n)))  # type: ignore[arg-type]


async def pending_count(redis: aioredis.Redis) -> int:
    return int((await redis.xpending(on_this_redis(redis), GROUP))["pending"])


async def owners_of_pending(redis: aioredis.Redis) -> list[str]:
    return [str(p["consumer"]) for p in await redis.xpending_range(on_this_redis(redis), GROUP, "-", "+", 10)]


async def test_failed_attempts_are_retried_until_a_signed_2xx_then_acked(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="billing.worker")
    answers = iter([500, 500])

    async def twice_500(_: Request) -> int:
        return next(answers, 200)

    receiver.policy = twice_500
    config = worker_config(redis_url, receiver.url)
    async with running_worker(redis, config, "w1"):
        await append(redis, 1)
        done = await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
        await eventually(lambda: _stat(redis, "delivered", "1"), what="the stats")

    assert [r.status for r in receiver.requests] == [500, 500, 200]
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert done.headers["Content-Type"] == "application/json"
    assert done.headers["X-Helpcall-Event-Id"] == "ev_1"
    assert verify(done.body, SECRET, done.headers["X-Helpcall-Signature"])
    body = done.event
    assert body["amount_cents"] == 241 and body["live_ms"] == 120500
    assert body["billed_seconds"] == 120 and body["rate_cents"] == 120
    assert body["brand_id"] == "" and body["event_id"] == "ev_1"

    stats = await delivery_stats(redis, config)
    assert stats["delivered"] == 1 and stats["failed_attempts"] == 2
    assert stats["last_error"] == "HTTP 500"
    assert str(stats["last_error_at"]).endswith("Z") and str(stats["last_delivered_at"])
    assert stats["pending"] == 0 and stats["stream_length"] == 1
    assert stats["webhook_configured"] is True
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("HTTP 500" in w for w in warnings)
    assert SECRET not in caplog.text


async def _is(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _stat(redis: aioredis.Redis, name: str, expected: str) -> bool:
    return await redis.hget(STATS_KEY, name) == expected


async def test_events_are_delivered_in_stream_order(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    answers = iter([503])

    async def first_fails(_: Request) -> int:
        return next(answers, 200)

    receiver.policy = first_fails
    async with running_worker(redis, worker_config(redis_url, receiver.url), "w1"):
        for n in range(1, 13):  # more than one read batch
            await append(redis, n)
        delivered = [await next_of(receiver.delivered) for _ in range(12)]
    assert [r.event["event_id"] for r in delivered] == [f"ev_{n}" for n in range(1, 13)]
    assert [r.event["event_id"] for r in receiver.requests][:2] == ["ev_1", "ev_1"]


async def test_an_event_appended_before_any_worker_ran_is_delivered(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    await append(redis, 1)
    assert not await redis.exists(STATS_KEY)
    async with running_worker(redis, worker_config(redis_url, receiver.url), "w1"):
        first = await next_of(receiver.delivered)
        await append(redis, 2)
        second = await next_of(receiver.delivered)
    assert (first.event["event_id"], second.event["event_id"]) == ("ev_1", "ev_2")


async def test_an_entry_held_by_a_dead_worker_is_delivered_after_the_claim_idle_time(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    await redis.xgroup_create(on_this_redis(redis), GROUP, id="0", mkstream=True)
    await append(redis, 1)
    # "dead" reads the entry, as a worker does, and never acknowledges it.
    assert await redis.xreadgroup(GROUP, "dead", {on_this_redis(redis): ">"}, count=10)
    read_at = time.monotonic()
    async with running_worker(redis, worker_config(redis_url, receiver.url), "alive"):
        done = await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
    assert done.at - read_at >= 0.5  # not taken while its holder could still be alive
    assert done.headers["X-Helpcall-Event-Id"] == "ev_1" and len(receiver.requests) == 1


async def test_a_worker_killed_while_delivering_is_replaced(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    hanging = asyncio.get_running_loop().create_future()

    async def hang_first(record: Request) -> int:
        if len(receiver.requests) == 1:
            await hanging  # the first worker never hears back before it is killed
        return 200

    receiver.policy = hang_first
    env = {
        "REDIS_URL": redis_url, "HELPCALL_DATA_DIR": str(tmp_path),
        "HELPCALL_WEBHOOK_URL": receiver.url, "HELPCALL_WEBHOOK_SECRET": SECRET,
        "HELPCALL_WORKER_CLAIM_IDLE_SECONDS": "0.5", "HELPCALL_LOG_LEVEL": "INFO",
    }
    doomed = ServerProcess(env, module="server.worker")
    try:
        await append(redis, 1)
        first = await next_of(receiver.arrived, within=60)
        assert await owners_of_pending(redis) == [f"{_hostname()}-{doomed.process.pid}"]
    finally:
        assert await asyncio.to_thread(doomed.stop, signal.SIGKILL) == -signal.SIGKILL
    async with running_worker(redis, worker_config(redis_url, receiver.url), "heir"):
        done = await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
    assert done.body == first.body and len(receiver.successes) == 1


def _hostname() -> str:
    import socket

    return socket.gethostname()


async def test_a_slow_retry_is_not_stolen_by_another_worker(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    failing_until: list[float] = []

    async def down_for_two_seconds(record: Request) -> int:
        if not failing_until:
            failing_until.append(record.at + 2.0)  # four times the claim idle time
        return 500 if record.at < failing_until[0] else 200

    async def owners() -> list[str]:
        return await owners_of_pending(redis)

    receiver.policy = down_for_two_seconds
    receiver.owners = owners
    config = worker_config(redis_url, receiver.url)
    async with AsyncExitStack() as workers:
        await workers.enter_async_context(running_worker(redis, config, "a"))
        await workers.enter_async_context(running_worker(redis, config, "b"))
        await append(redis, 1)
        await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
    assert receiver.requests[-1].at - receiver.requests[0].at >= 2.0
    assert len({tuple(r.owners) for r in receiver.requests}) == 1  # one holder throughout
    assert len(receiver.requests[0].owners) == 1
    assert len(receiver.successes) == 1


async def test_a_stopped_worker_leaves_its_event_pending_for_the_next_run(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    hanging = asyncio.get_running_loop().create_future()

    async def hang_first(record: Request) -> int:
        if len(receiver.requests) == 1:
            await hanging
        return 200

    receiver.policy = hang_first
    # A long claim idle time: only the restarted worker's own pending list can deliver it.
    config = worker_config(redis_url, receiver.url, HELPCALL_WORKER_CLAIM_IDLE_SECONDS="60")
    async with running_worker(redis, config, "w1"):
        await append(redis, 1)
        await next_of(receiver.arrived)
    assert await owners_of_pending(redis) == ["w1"]
    async with running_worker(redis, config, "w1"):
        done = await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
    assert done.headers["X-Helpcall-Event-Id"] == "ev_1"


async def test_an_entry_deleted_before_delivery_is_acknowledged_and_skipped(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    await redis.xgroup_create(on_this_redis(redis), GROUP, id="0", mkstream=True)
    gone = await append(redis, 1)
    await redis.xreadgroup(GROUP, "dead", {on_this_redis(redis): ">"}, count=10)
    await redis.xdel(on_this_redis(redis), gone)
    await append(redis, 2)
    async with running_worker(redis, worker_config(redis_url, receiver.url), "w1"):
        done = await next_of(receiver.delivered)
        await eventually(lambda: _is(pending_count(redis), 0), what="both XACKs")
    assert done.headers["X-Helpcall-Event-Id"] == "ev_2" and len(receiver.requests) == 1


async def test_an_unreachable_receiver_is_recorded_without_the_secret(
    redis: aioredis.Redis, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="billing.worker")
    config = worker_config(redis_url, f"http://127.0.0.1:{free_port()}/hook")
    async with running_worker(redis, config, "w1"):
        await append(redis, 1)
        await eventually(lambda: _stat(redis, "failed_attempts", "2"), what="two failures")
    stats = await delivery_stats(redis, config)
    assert "Cannot connect" in str(stats["last_error"]) and stats["delivered"] == 0
    assert stats["pending"] == 1  # kept for later, never dropped
    assert "Cannot connect" in caplog.text and SECRET not in caplog.text


async def test_without_a_webhook_url_events_wait_in_the_stream(
    redis: aioredis.Redis, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="billing.worker")
    config = worker_config(redis_url, None)
    await append(redis, 1)
    async with running_worker(redis, config, "w1"):
        await eventually(lambda: _logged(caplog, "until a webhook URL is configured"))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert await delivery_stats(redis, config) == {
        "webhook_configured": False, "delivered": 0, "failed_attempts": 0, "last_error": None,
        "last_error_at": None, "last_delivered_at": None, "stream_length": 1, "pending": 0,
    }


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return text in caplog.text


def test_the_command_needs_redis_url() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.worker"], cwd=ROOT, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"}, timeout=60,
    )
    assert done.returncode == 2
    assert "REDIS_URL is required" in done.stderr and "Traceback" not in done.stderr


async def test_the_command_delivers_and_stops_cleanly_on_sigterm(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    worker = ServerProcess({
        "REDIS_URL": redis_url, "HELPCALL_DATA_DIR": str(tmp_path),
        "HELPCALL_WEBHOOK_URL": receiver.url, "HELPCALL_WEBHOOK_SECRET": SECRET,
    }, module="server.worker")
    try:
        await append(redis, 1)
        done = await next_of(receiver.delivered, within=60)
        await eventually(lambda: _is(pending_count(redis), 0), what="the XACK")
    finally:
        code = await asyncio.to_thread(worker.stop, signal.SIGTERM)
    assert code == 0, worker.output()
    assert verify(done.body, SECRET, done.headers["X-Helpcall-Signature"])
    assert "Traceback" not in worker.output()


# Every bucket's stream, as on a Cluster: on the single test Redis they are just keys.
SHARDED = "helpcall:billing" + SHARDED_STREAM


def sharded_config(redis_url: str, receiver: Receiver) -> Config:
    # The brand's receiver is on loopback: allowed here only (protocol §7.6).
    config = worker_config(redis_url, receiver.url,
                           HELPCALL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    return replace(config, billing_stream=SHARDED)


async def _all_acknowledged(redis: aioredis.Redis) -> bool:
    for stream in every_stream(SHARDED):
        for group in (GROUP, BRAND_GROUP):
            with contextlib.suppress(ResponseError):  # no group: no worker read this one
                if int((await redis.xpending(stream, group))["pending"]):
                    return False
    return True


@pytest.mark.cluster
async def test_the_events_of_every_buckets_stream_are_delivered_once(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    brands = Brands(redis)
    acme = (await brands.store.create(BrandCreate.parse({"slug": "acme", "name": "Acme"}))).id
    await brands.store.set_webhook(acme, receiver.url, BRAND_SECRET)
    await redis.xadd(bucket_stream(SHARDED, 0), event(1))  # type: ignore[arg-type]
    await redis.xadd(bucket_stream(SHARDED, 5),
                     {**event(2), "brand_id": acme})  # type: ignore[arg-type]
    waiting = await platform_census(redis, SHARDED, await redis_ms(redis))
    assert (waiting.appended, waiting.undelivered) == (2, 2)

    config = sharded_config(redis_url, receiver)
    async with AsyncExitStack() as workers:  # two workers share each stream's groups
        for consumer in ("a", "b"):
            # Each its own client for blocking reads, as each worker process has: two
            # workers block on 16 streams each, twice (platform and brands).
            reads = redis_client(redis_url)
            workers.push_async_callback(reads.aclose)
            await workers.enter_async_context(running_worker(redis, config, consumer, reads))
        for _ in range(3):  # ev_1 and ev_2 to the platform, ev_2 to acme
            await next_of(receiver.delivered)
        await eventually(lambda: _all_acknowledged(redis), what="every XACK")
        await asyncio.sleep(1.5)  # three claim idle times: a second delivery would be here

    platform = sorted(r.event["event_id"] for r in receiver.requests
                      if verify(r.body, SECRET, r.headers["X-Helpcall-Signature"]))
    brand = [r.event["event_id"] for r in receiver.requests
             if verify(r.body, BRAND_SECRET, r.headers["X-Helpcall-Signature"])]
    assert (platform, brand) == (["ev_1", "ev_2"], ["ev_2"])
    assert len(receiver.requests) == 3
    stats = await delivery_stats(redis, config)
    assert (stats["delivered"], stats["stream_length"], stats["pending"]) == (2, 2, 0)
    done = await platform_census(redis, SHARDED, await redis_ms(redis))
    assert (done.appended, done.delivered, done.undelivered) == (2, 2, 0)
    assert (await brand_census(redis, SHARDED, await redis_ms(redis))).undelivered == 0


@pytest.mark.cluster
async def test_failing_entries_of_two_streams_with_one_id_are_told_apart(
    redis: aioredis.Redis, redis_url: str, receiver: Receiver
) -> None:
    # Each stream numbers its own entries: two buckets' may have the same id.
    for n, bucket in ((1, 0), (2, 5)):
        await redis.xadd(bucket_stream(SHARDED, bucket), event(n),  # type: ignore[arg-type]
                         id="1-1")
    answers: dict[object, int] = {}

    async def each_fails_once(record: Request) -> int:
        seen = answers[record.event["event_id"]] = answers.get(record.event["event_id"], 0) + 1
        return 500 if seen == 1 else 200

    receiver.policy = each_fails_once
    config = replace(sharded_config(redis_url, receiver),
                     webhook_first_backoff_seconds=3600, webhook_max_backoff_seconds=3600)
    failures = HookFailures(redis)
    async with running_worker(redis, config, "w1"):

        async def both_failing() -> bool:
            return len(await failed_deliveries(redis)) == 2

        await eventually(both_failing, what="two failure records")
        keys = sorted(f.key for f in await failed_deliveries(redis))
        assert keys == ["1-1", f"{bucket_stream(SHARDED, 5)}/1-1"]
        for key in keys:  # an hour's backoff: only "retry now" brings the next attempt
            assert await failures.retry_now(Target.PLATFORM, key)
        for _ in range(2):
            await next_of(receiver.delivered)
        await eventually(lambda: _all_acknowledged(redis), what="every XACK")
        assert await failed_deliveries(redis) == []
    assert sorted(r.event["event_id"] for r in receiver.successes) == ["ev_1", "ev_2"]
