"""Liveness and readiness (protocol §1)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from aiohttp import web

from server.keys import REDIS

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(1.0):
            await request.app[REDIS].ping()
    except (TimeoutError, OSError, aioredis.RedisError):
        return web.json_response({"status": "unavailable", "redis": "down"}, status=503)
    return web.json_response({"status": "ok", "redis": "up"})
