"""How many replicas must hold a money movement before its caller hears of it.

Redis replicates asynchronously: a primary that dies right after answering may take its
last writes with it, and the replica promoted in its place never had them. For the scripts
that move money (``--! durable``, common/lua.py) helpcall can ask ``WAIT <count>
<timeout>`` after the script, in the same pipeline (``WAIT`` counts the writes of its own
connection), when ``HELPCALL_REDIS_WAIT_REPLICAS`` says so (docs/cluster.md).

On a Redis Cluster the pipeline is a cluster pipeline, which groups its commands by node
and sends each group on one connection: the keyless ``WAIT`` is given the node that serves
the script's first key, so it travels right behind the script and counts that primary's
replicas.

``WAIT`` cannot undo: when fewer replicas answer within the timeout, the movement stands on
the primary, the caller is answered as usual, and a warning says which script was not
confirmed, so that operators see a replica falling behind.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError
from redis.typing import EncodableT, KeyT

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
    _required[redis] = Replicas(count, timeout_ms)


def required(redis: aioredis.Redis) -> Replicas | None:
    return _required.get(redis)


async def run_durable(redis: aioredis.Redis, sha: str, text: str, path: str,
                      keys: Sequence[KeyT], args: Sequence[EncodableT], wanted: Replicas) -> Any:
    """The script's reply (sent by its ``sha``, or its ``text`` where Redis does not have
    it), once ``wanted`` replicas hold its writes (or the timeout passed: then a warning)."""
    # On a Cluster, WAIT goes to the node serving the script's first key: the same group of
    # the cluster pipeline, so the same connection, right behind the script.
    node = ({"target_nodes": cast(RedisCluster, redis).get_node_from_key(str(keys[0]))}
            if is_cluster(redis) else {})

    async def script_then_wait(*script: str) -> list[Any]:
        async with redis.pipeline(transaction=False) as pipe:
            # A raw EVALSHA: redis-py refuses pipe.evalsha() in a cluster pipeline, and
            # its Script would ask SCRIPT EXISTS before every pipeline on one Redis.
            pipe.execute_command(*script, len(keys), *keys, *args)
            pipe.execute_command("WAIT", wanted.count, wanted.timeout_ms, **node)
            return list(await pipe.execute())

    try:
        reply, acknowledged = await script_then_wait("EVALSHA", sha)
    except NoScriptError:
        # The EVALSHA ran nothing: send the text, to this node only (common/lua.py).
        reply, acknowledged = await script_then_wait("EVAL", text)
    check(path, wanted, int(acknowledged))
    return reply


def check(script: str, wanted: Replicas, acknowledged: int) -> None:
    """Warn when fewer replicas than wanted confirmed ``script``'s writes."""
    if acknowledged < wanted.count:
        log.warning("%s: %d of %d replicas confirmed within %d ms; the change stands on the "
                    "primary but a failover now could lose it", script, acknowledged,
                    wanted.count, wanted.timeout_ms)
