"""Brand webhooks: each brand receives its own billing events, signed with its own secret,
through its own consumer group, so a brand receiver that is down never holds back the
platform's delivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestServer

from billing.webhooks import verify
from billing.worker import BRAND_GROUP
from brands.models import BrandCreate
from brands.service import Brands
from server.config import load_config
from server.worker import running_worker
from tests.conftest import on_this_redis, on_this_redis_config
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PLATFORM_SECRET = "whsec-platform-secret"
BRAND_SECRET = "whsec-brand-secret-0123"


@dataclass
class Hook:
    url: str = ""
    status: int = 200
    bodies: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    arrived: asyncio.Queue[dict[str, object]] = field(default_factory=asyncio.Queue)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.bodies.append((body, dict(request.headers)))
        if 200 <= self.status < 300:
            self.arrived.put_nowait(json.loads(body))
        return web.Response(status=self.status)

    def event_ids(self) -> list[str]:
        return [str(json.loads(body)["event_id"]) for body, _ in self.bodies]


Hooks = Callable[[], Awaitable[Hook]]


@pytest.fixture
async def hooks() -> AsyncIterator[Hooks]:
    servers: list[TestServer] = []

    async def make() -> Hook:
        hook = Hook()
        app = web.Application()
        app.router.add_post("/hook", hook.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        hook.url = str(server.make_url("/hook"))
        return hook

    yield make
    for server in servers:
        await server.close()


def event(n: int, brand_id: str) -> dict[str, str]:
    return {
        "event_id": f"evt_s_{n}", "type": "session.ended", "session_id": f"s_{n}",
        "client_id": "a_client", "expert_id": "a_expert", "brand_id": brand_id,
        "paid_by": "brand" if brand_id else "client", "pricing_mode": "per_minute",
        "rate_cents": "600", "currency": "EUR", "accepted_at": "2026-11-23T07:50:00.000Z",
        "live_started_at": "2026-11-23T07:50:01.000Z", "ended_at": "2026-11-23T07:51:01.000Z",
        "live_ms": "60000", "billed_seconds": "60", "amount_cents": "600",
        "platform_fee_cents": "120", "expert_payout_cents": "480", "end_reason": "hangup",
    }


async def brand_with_hook(redis: aioredis.Redis, slug: str, url: str) -> str:
    brands = Brands(redis)
    brand = await brands.store.create(BrandCreate.parse({"slug": slug, "name": slug}))
    if url:
        await brands.store.set_webhook(brand.id, url, BRAND_SECRET)
    return brand.id


async def test_each_brand_gets_its_own_events_signed_with_its_secret(
    redis: aioredis.Redis, redis_url: str, hooks: Hooks
) -> None:
    platform, acme_hook = await hooks(), await hooks()
    acme = await brand_with_hook(redis, "acme", acme_hook.url)
    quiet = await brand_with_hook(redis, "quiet", "")  # no webhook: nothing to send
    for n, brand_id in enumerate([acme, "", quiet, acme]):
        await redis.xadd(on_this_redis(redis), event(n, brand_id))  # type: ignore[arg-type]
    config = load_config({
        "REDIS_URL": redis_url, "HELPCALL_WEBHOOK_URL": platform.url,
        "HELPCALL_WEBHOOK_SECRET": PLATFORM_SECRET,
        "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
        # The receivers are on loopback: allowed here only (protocol §7.6).
        "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    async with running_worker(redis, on_this_redis_config(redis, config), "w1"):
        for _ in range(4):
            await asyncio.wait_for(platform.arrived.get(), 15)
        for _ in range(2):
            await asyncio.wait_for(acme_hook.arrived.get(), 15)

        async def all_acked() -> bool:
            return int((await redis.xpending(on_this_redis(redis), BRAND_GROUP))["pending"]) == 0

        await eventually(all_acked, what="brand group acknowledged everything")
    assert platform.event_ids() == ["evt_s_0", "evt_s_1", "evt_s_2", "evt_s_3"]
    assert acme_hook.event_ids() == ["evt_s_0", "evt_s_3"]
    for body, headers in acme_hook.bodies:
        assert verify(body, BRAND_SECRET, headers["X-Helpcall-Signature"])
        assert not verify(body, PLATFORM_SECRET, headers["X-Helpcall-Signature"])
    for body, headers in platform.bodies:
        assert verify(body, PLATFORM_SECRET, headers["X-Helpcall-Signature"])


async def test_a_brand_receiver_that_is_down_does_not_hold_back_the_platform(
    redis: aioredis.Redis, redis_url: str, hooks: Hooks
) -> None:
    platform, down = await hooks(), await hooks()
    down.status = 503
    acme = await brand_with_hook(redis, "acme", down.url)
    for n in range(3):
        await redis.xadd(on_this_redis(redis), event(n, acme))  # type: ignore[arg-type]
    config = load_config({
        "REDIS_URL": redis_url, "HELPCALL_WEBHOOK_URL": platform.url,
        "HELPCALL_WEBHOOK_SECRET": PLATFORM_SECRET,
        "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
        # The receivers are on loopback: allowed here only (protocol §7.6).
        "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    async with running_worker(redis, on_this_redis_config(redis, config), "w1"):
        for _ in range(3):
            await asyncio.wait_for(platform.arrived.get(), 15)

        async def retried() -> bool:
            return len(down.bodies) >= 3

        await eventually(retried, what="the brand receiver retried")
        assert set(down.event_ids()) == {"evt_s_0"}  # in order: the first until it lands
        down.status = 200
        for _ in range(3):
            await asyncio.wait_for(down.arrived.get(), 15)
    assert platform.event_ids() == ["evt_s_0", "evt_s_1", "evt_s_2"]
