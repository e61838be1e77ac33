"""``GET /metrics`` (protocol §7.7): Prometheus text exposition of ``server.metrics``."""

from __future__ import annotations

import hmac
import time

import socketio
from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from billing.census import brand_census, platform_census
from common.errors import Unauthorized
from server.keys import CONFIG, METRICS, PRESENCE, REDIS, SIO
from server.metrics import Snapshot
from sessions.census import take_census
from signaling.manager import DeliveryManager

routes = web.RouteTableDef()


def _connected(sio: socketio.AsyncServer) -> int:
    return len(sio.eio.sockets)


async def _snapshot(app: web.Application) -> Snapshot:
    redis, config = app[REDIS], app[CONFIG]
    started = time.perf_counter()
    await redis.ping()
    roundtrip = time.perf_counter() - started
    census = await take_census(redis)
    deliveries = {"brand": await brand_census(redis, config.billing_stream, census.now_ms)}
    if config.webhook_url:
        deliveries["platform"] = await platform_census(redis, config.billing_stream,
                                                       census.now_ms)
    manager = app[SIO].manager
    relay = manager.counts() if isinstance(manager, DeliveryManager) else None
    return Snapshot(census, deliveries, await app[PRESENCE].counts(), roundtrip,
                    _connected(app[SIO]), relay)


def _authorised(request: web.Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    if not _authorised(request, request.app[CONFIG].metrics_token):
        raise Unauthorized("/metrics needs Authorization: Bearer <HELPCALL_METRICS_TOKEN>")
    body = request.app[METRICS].render(await _snapshot(request.app))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST,
                                            "Cache-Control": "no-store"})
