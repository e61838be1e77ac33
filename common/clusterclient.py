"""A Redis Cluster client whose commands wait for a free connection instead of failing.

redis-py's cluster client gives each node at most ``max_connections`` connections and
raises ``MaxConnectionsError`` on the next command: under a burst (every socket of a
benchmark hanging up at once) calls failed with ``internal`` errors. On a single Redis a
``BlockingConnectionPool`` queues them; here a per-process semaphore does the same, around
every command and every pipeline. Each node allows twice the permits, so a command issued
while its caller already holds a permit (a pipeline's redirected command) never waits for
one, and never runs out of connections either.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from redis.asyncio.cluster import ClusterPipeline, RedisCluster

# Set while this task holds a permit: nested commands go straight through.
_holding: ContextVar[bool] = ContextVar("holding_a_redis_permit", default=False)


class QueueingCluster(RedisCluster):
    """``RedisCluster`` with at most ``permits`` commands or pipelines in flight."""

    def __init__(self, *args: Any, permits: int, **kwargs: Any) -> None:
        kwargs["max_connections"] = 2 * permits
        super().__init__(*args, **kwargs)
        self._permits = asyncio.Semaphore(permits)

    @asynccontextmanager
    async def permit(self) -> AsyncIterator[None]:
        if _holding.get():
            yield
            return
        async with self._permits:
            token = _holding.set(True)
            try:
                yield
            finally:
                _holding.reset(token)

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.permit():
            return await super().execute_command(*args, **kwargs)

    def pipeline(self, transaction: Any | None = None,
                 shard_hint: Any | None = None) -> ClusterPipeline:
        if shard_hint:
            return super().pipeline(transaction, shard_hint)  # refused there, as documented
        # Built as RedisCluster.pipeline() builds its own (mypy sees an abstract attribute
        # that redis-py's ClusterPipeline sets up at run time).
        return _QueueingPipeline(self, transaction)  # type: ignore[abstract]


class _QueueingPipeline(ClusterPipeline):
    async def execute(self, raise_on_error: bool = True,
                      allow_redirections: bool = True) -> list[Any]:
        client = self.cluster_client
        assert isinstance(client, QueueingCluster)
        async with client.permit():
            return await super().execute(raise_on_error, allow_redirections)
