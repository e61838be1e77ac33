"""How the outbox's messages reach Redis.

Two ways, chosen once from ``REDIS_URL`` (``publisher_for``):

- ``WirePublisher``, on a single Redis (``redis://``, ``unix://``): a connection of its own
  whose replies are turned off (``CLIENT REPLY OFF``), so a publish is the command's bytes
  written to a socket: about 35 µs of client CPU against about 300 µs through redis-py
  (docs/performance.md). A message whose number of receivers is wanted (the manager's
  invalidations, the flush marker) turns replies on around its own ``PUBLISH``, on the same
  connection, so the order of messages is kept.
- ``ClientPublisher``, through redis-py: on a Cluster (``SPUBLISH`` in a pipeline, routed to
  each channel's shard), with Sentinel or TLS, and wherever Redis refuses ``CLIENT REPLY``.

What a lost connection costs is the same either way: the batch being written and what was
written after Redis went away are lost (``Outbox.dropped`` counts the batches that fail), as
are the messages a restarted Redis would never have delivered to the lost subscriptions; the
clients recover with ``call:join`` (docs/architecture.md). The next batch connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from common.resp import Address, Connection, address_of, command, error_of, open_connection

log = logging.getLogger(__name__)

REPLY_ON = command("CLIENT", "REPLY", "ON")
REPLY_OFF = command("CLIENT", "REPLY", "OFF")


@dataclass
class Publish:
    channel: str
    message: str
    done: asyncio.Future[int] | None = None  # resolved with the number of receivers


class Publisher(Protocol):
    async def publish(self, batch: list[Publish]) -> None:
        """Publishes ``batch`` in order; each ``done`` gets its number of receivers."""

    async def close(self) -> None: ...


class ClientPublisher:
    """Through redis-py: one pipeline per batch (``SPUBLISH`` on a Cluster)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._sharded = isinstance(redis, RedisCluster)

    async def publish(self, batch: list[Publish]) -> None:
        if len(batch) == 1 and not self._sharded:
            # Alone (a quiet moment): one command costs a quarter less client CPU than a
            # pipeline of one.
            receivers = [await self._redis.publish(batch[0].channel, batch[0].message)]
        else:
            # Through execute_command: redis-py refuses .publish() in a cluster pipeline.
            name = "SPUBLISH" if self._sharded else "PUBLISH"
            async with self._redis.pipeline(transaction=False) as pipe:
                for entry in batch:
                    pipe.execute_command(name, entry.channel, entry.message)
                receivers = await pipe.execute()
        for entry, count in zip(batch, receivers, strict=True):
            if entry.done is not None and not entry.done.done():
                entry.done.set_result(int(count))

    async def close(self) -> None:
        pass  # the client belongs to the manager


class WirePublisher:
    """One connection with replies off; replies on only around the messages that want one."""

    def __init__(self, address: Address, fallback: ClientPublisher) -> None:
        self._address = address
        self._fallback = fallback
        self._refused = False  # Redis refused CLIENT REPLY: redis-py from then on
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        # The counted messages of the current connection, in the order of their replies.
        self._waiting: deque[asyncio.Future[int]] = deque()

    async def publish(self, batch: list[Publish]) -> None:
        writer = None if self._refused else await self._connected()
        if writer is None:
            await self._fallback.publish(batch)
            return
        frames: list[bytes] = []
        for entry in batch:
            publish = command("PUBLISH", entry.channel, entry.message)
            if entry.done is None:
                frames.append(publish)
            else:
                frames += (REPLY_ON, publish, REPLY_OFF)
                self._waiting.append(entry.done)
        try:
            writer.write(b"".join(frames))
            await writer.drain()  # fails once the connection is lost; bounds the buffer
        except OSError as exc:
            raise aioredis.ConnectionError(f"publishing connection lost: {exc}") from exc

    async def _connected(self) -> asyncio.StreamWriter | None:
        if self._writer is not None and not self._writer.is_closing():
            return self._writer
        try:
            # A PING answered with replies on proves CLIENT REPLY is understood.
            connection = await open_connection(self._address, [REPLY_ON, command("PING")])
        except aioredis.ResponseError as exc:  # not a wrong password: that is a ConnectionError
            log.warning("Redis refused CLIENT REPLY (%s): publishing through redis-py", exc)
            self._refused = True
            return None
        connection.writer.write(REPLY_OFF)
        self._writer = connection.writer
        # Each connection has its own: a lost one fails only what was sent on it.
        self._waiting = deque()
        self._reading = asyncio.create_task(self._read(connection, self._waiting))
        return connection.writer

    async def _read(self, connection: Connection,
                    waiting: deque[asyncio.Future[int]]) -> None:
        """Matches the replies that were asked for (an ``OK`` then a count each); notices
        the end of the connection, which nothing else would with replies off."""
        pending: list[object] = []
        error: Exception = aioredis.ConnectionError("Redis closed the publishing connection")
        try:
            while True:
                pending += await connection.replies()
                while len(pending) >= 2 and waiting:
                    count = pending[1]
                    del pending[:2]
                    done = waiting.popleft()
                    if done.done():
                        continue
                    if isinstance(count, int):
                        done.set_result(count)
                    else:  # an error reply (an ACL refusing the channel, say)
                        done.set_exception(error_of(str(count)))
        except (aioredis.ConnectionError, OSError) as exc:
            error = aioredis.ConnectionError(f"publishing connection lost: {exc}")
        finally:
            if self._writer is connection.writer:
                self._writer = None
            connection.close()
            while waiting:
                done = waiting.popleft()
                if not done.done():
                    done.set_exception(error)

    async def close(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
        self._reading = None


def publisher_for(url: str, redis: aioredis.Redis) -> Publisher:
    """The cheapest publisher ``url`` allows (module docstring)."""
    client = ClientPublisher(redis)
    address = None if isinstance(redis, RedisCluster) else address_of(url)
    return client if address is None else WirePublisher(address, client)
