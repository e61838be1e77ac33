"""A Redis that reached its ``maxmemory`` refuses writes (policy ``noeviction``: it never
evicts money): how to recognise that refusal and what to tell the person who asked."""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from redis.exceptions import OutOfMemoryError, RedisError, ResponseError

from common.redisclient import info_of_home

log = logging.getLogger(__name__)

STORAGE_FULL = {
    "code": "storage_full",
    "message": "the server's storage is full, so nothing was changed; please try again later",
}
RETRY_AFTER_SECONDS = 60


def is_redis_full(exc: BaseException) -> bool:
    """A plain command answers ``OOM ...``; inside a script it comes back wrapped (Redis
    refuses a script's first write only, so a refused script changed nothing)."""
    if isinstance(exc, OutOfMemoryError):
        return True
    return isinstance(exc, ResponseError) and "OOM command not allowed" in str(exc)


async def warn_if_evicting(redis: aioredis.Redis) -> None:
    """An external Redis that may evict keys could drop a wallet or a billing event: say so
    at start (docs/deployment.md tells what to set)."""
    try:
        memory = await info_of_home(redis, "memory")
    except (RedisError, OSError):
        return  # readiness reports an unreachable Redis
    policy = str(memory.get("maxmemory_policy", "noeviction"))
    if policy != "noeviction":
        log.warning("Redis maxmemory-policy is %s: it may evict wallets and billing events; "
                    "set maxmemory-policy noeviction (docs/deployment.md)", policy)
