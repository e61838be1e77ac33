"""Keys written before the cluster layout, ``hc:<rest>``, renamed ``hc:{0}:<rest>`` once.

Every key now starts with the hash tag ``{0}`` (docs/cluster.md: on a Redis Cluster what one
script touches must share a slot). A single Redis that served an earlier version still holds
the old names: at start, before anything reads them, each is renamed (``RENAMENX``: a key
renamed meanwhile by another starting process is left alone), then a marker says it is done.
Stop every process of the earlier version first: one still running would write old names.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from common.redisclient import HOME

log = logging.getLogger(__name__)

OLD_PREFIX = "hc:"
NEW_PREFIX = HOME
DONE_KEY = NEW_PREFIX + "layout"
LAYOUT = "1"


def new_name(old: str) -> str:
    return old if old.startswith(NEW_PREFIX) else NEW_PREFIX + old[len(OLD_PREFIX):]


async def migrate_key_layout(redis: aioredis.Redis) -> int:
    """How many keys were renamed (0 once done)."""
    if await redis.get(DONE_KEY) == LAYOUT:
        return 0
    moved = 0
    async for key in redis.scan_iter(match=OLD_PREFIX + "*", count=1000):
        if key.startswith(NEW_PREFIX):
            continue
        try:
            moved += int(await redis.renamenx(key, new_name(key)))
        except aioredis.ResponseError:
            pass  # gone: another process starting at the same time renamed it
    await redis.set(DONE_KEY, LAYOUT)
    if moved:
        log.warning("renamed %d Redis keys to the cluster layout (hc:{0}:...)", moved)
    return moved
