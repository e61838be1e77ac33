"""How many replicas must hold a money movement before its caller hears of it.

Redis replicates asynchronously: a primary that dies right after answering may take its
last writes with it, and the replica promoted in its place never had them. For the scripts
that move money (``--! durable``, common/lua.py) helpcall can ask ``WAIT <count>
<timeout>`` after the script, in the same pipeline (``WAIT`` counts the writes of its own
connection), when ``HELPCALL_REDIS_WAIT_REPLICAS`` says so (docs/cluster.md).

``WAIT`` cannot undo: when fewer replicas answer within the timeout, the movement stands on
the primary, the caller is answered as usual, and a warning says which script was not
confirmed, so that operators see a replica falling behind.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from common.redisclient import is_cluster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replicas:
    count: int
    timeout_ms: int


_required: weakref.WeakKeyDictionary[aioredis.Redis, Replicas] = weakref.WeakKeyDictionary()


def require(redis: aioredis.Redis, count: int, timeout_ms: int) -> None:
    """From now on, durable scripts run through ``redis`` wait for ``count`` replicas."""
    if count <= 0:
        _required.pop(redis, None)
        return
    if is_cluster(redis):
        # A cluster pipeline cannot carry a keyless WAIT to the script's own connection.
        raise ValueError("HELPCALL_REDIS_WAIT_REPLICAS is not supported on a Redis Cluster "
                         "yet (docs/cluster.md); use 0 there")
    _required[redis] = Replicas(count, timeout_ms)


def required(redis: aioredis.Redis) -> Replicas | None:
    return _required.get(redis)


def wait(pipe: Pipeline, wanted: Replicas) -> None:
    pipe.execute_command("WAIT", wanted.count, wanted.timeout_ms)


def check(script: str, wanted: Replicas, acknowledged: int) -> None:
    if acknowledged < wanted.count:
        log.warning("%s: %d of %d replicas confirmed within %d ms; the change stands on the "
                    "primary but a failover now could lose it", script, acknowledged,
                    wanted.count, wanted.timeout_ms)
