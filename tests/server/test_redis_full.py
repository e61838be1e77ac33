"""A full Redis (maxmemory reached, noeviction) refuses changes with a clear, retryable
error, says so on /readyz, loses nothing, and works again once there is room."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from redis.exceptions import OutOfMemoryError

from server.embedded_redis import EmbeddedRedis
from server.keys import REDIS
from tests.conftest import StartApp
from tests.signaling.conftest import Connect, connect, funded_client, online_expert

__all__ = ["connect"]

MIB = 1024 * 1024


async def test_the_embedded_redis_has_maxmemory_and_never_evicts(start_app: StartApp) -> None:
    default = await start_app(REDIS_URL="")
    redis = default.app[REDIS]
    assert await redis.config_get("maxmemory") == {"maxmemory": str(1024 * MIB)}
    assert await redis.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    await default.client.close()
    smaller = await start_app(REDIS_URL="", HELPCALL_REDIS_MAXMEMORY_MB="64")
    assert await smaller.app[REDIS].config_get("maxmemory") == {"maxmemory": str(64 * MIB)}


async def _fill(redis: aioredis.Redis) -> int:
    """Junk until Redis refuses even a tiny write: what an attacker did with shared files."""
    n = 0
    for size in (64 * 1024, 1024, 16):
        try:
            while True:
                await redis.set(f"junk:{n}", "x" * size)
                n += 1
        except OutOfMemoryError:
            pass
    return n


async def test_a_full_redis_gives_a_clear_error_and_readyz_says_so(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(REDIS_URL="", HELPCALL_REDIS_MAXMEMORY_MB="8")
    redis = running.app[REDIS]
    expert, _ = await online_expert(running, connect, {"mode": "free", "amount_cents": 0})
    client, client_socket = await funded_client(running, connect, 500)
    junk = await _fill(redis)
    # Hold it full: Redis shrinks idle clients' buffers, which would free a few KiB.
    used = int((await redis.info("memory"))["used_memory"])
    await redis.config_set("maxmemory", used - MIB)

    ready = await running.client.get("/readyz")
    assert ready.status == 503 and await ready.json() == {"status": "unavailable", "redis": "full"}
    assert (await running.client.get("/healthz")).status == 200
    body = {"email": "late@example.test", "password": "correct horse", "display_name": "Late",
            "role": "client"}
    refused = await running.client.post("/api/v1/accounts", json=body)
    assert refused.status == 503 and refused.headers["Retry-After"] == "60"
    error = (await refused.json())["error"]
    assert error["code"] == "storage_full" and "nothing was changed" in error["message"]
    # A call cannot start (its hold and ring are writes): a plain answer, no half-made call.
    answer = await client_socket.call("call:start", {"expert_id": expert.id, "topic": "help"})
    assert answer["error"]["code"] == "storage_full"
    wallet = await running.client.get("/api/v1/wallet", headers=client.headers)
    assert (await wallet.json())["balance_cents"] == 500  # reads work; no money moved

    await redis.delete(*(f"junk:{n}" for n in range(junk)))
    await redis.config_set("maxmemory", 8 * MIB)
    assert (await running.client.get("/readyz")).status == 200
    assert (await running.client.post("/api/v1/accounts", json=body)).status == 201
    await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "help"})


async def test_an_external_redis_that_may_evict_money_is_named_at_start(
    start_app: StartApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = EmbeddedRedis(tmp_path / "lru-redis")
    url = own.start_sync()
    try:
        plain = redis.Redis.from_url(url)
        plain.config_set("maxmemory-policy", "allkeys-lru")
        plain.close()
        with caplog.at_level(logging.WARNING, logger="common.redisfull"):
            await start_app(REDIS_URL=url)
        assert "maxmemory-policy is allkeys-lru" in caplog.text
    finally:
        own.stop_sync()
