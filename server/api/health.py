"""Liveness and readiness (protocol §1)."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web

from common.redisclient import info_of_home
from server.keys import REDIS

routes = web.RouteTableDef()
FULL_RATIO = 0.98


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(1.0):
            memory = await info_of_home(request.app[REDIS], "memory")
    except (TimeoutError, OSError, aioredis.RedisError):
        return web.json_response({"status": "unavailable", "redis": "down"}, status=503)
    if redis_full(memory):
        # Redis refuses writes (maxmemory, noeviction): calls could not start nor be billed.
        return web.json_response({"status": "unavailable", "redis": "full"}, status=503)
    return web.json_response({"status": "ok", "redis": "up"})


def redis_full(memory: dict[str, Any]) -> bool:
    """Redis refuses writes once its used memory passes ``maxmemory`` (0: no limit). A
    refused command frees its own buffers, so a full Redis reads a little below the limit:
    the last 2% count as full."""
    limit = int(memory.get("maxmemory", 0) or 0)
    return limit > 0 and int(memory.get("used_memory", 0)) >= limit * FULL_RATIO
