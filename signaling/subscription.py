"""The one Redis subscription of a process: its own channel and the channel for all.

On a Redis Cluster both are shard channels (SSUBSCRIBE, on the primary serving each one's
slot, so up to two connections): a message crosses only its shard (docs/cluster.md).

Messages are handled one at a time, each to the end before the next is read: nothing
queues between Redis and the sockets, so a process that cannot keep up leaves the backlog
in Redis, whose ``client-output-buffer-limit pubsub`` closes the subscription rather than
let it grow. Any loss of the connection (that limit, a Redis restart, a network cut) is
reported through ``down`` and followed by a new subscription, with a backoff of up to 2 s;
``up`` then says so. redis-py's own silent reconnection is turned off for this connection,
since what was published during the gap is lost and the process must know it.

On a plain single Redis (``redis://``, ``unix://``) the connection is read with hiredis
directly (``WireFeed``, common/resp.py); elsewhere through redis-py's ``PubSub``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol

import redis.asyncio as aioredis

from common.redisclient import detect_topology, listeners
from common.resp import Address, Connection, address_of, command, open_connection

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.05
MAX_RETRY_SECONDS = 2.0


class Subscription:
    def __init__(self, url: str, channels: list[str],
                 handle: Callable[[str], Awaitable[None]],
                 up: Callable[[bool], None], down: Callable[[], None]) -> None:
        self._url = url
        self._address = address_of(url)  # a plain single Redis: read it with our own parser
        self._channels = channels
        self._handle = handle
        self._up = up
        self._down = down
        self.losses = 0  # subscriptions lost since start

    async def run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            opened: list[Feed] = []
            try:
                opened = await self._open()
                self._up(self.losses > 0)
                delay = FIRST_RETRY_SECONDS
                await _until_one_ends([self._read(feed) for feed in opened])
            except (aioredis.RedisError, OSError) as exc:
                if self.losses == 0 or delay == FIRST_RETRY_SECONDS:
                    log.warning("pub/sub subscription lost (%s); subscribing again", exc)
            finally:
                self._down()
                for feed in opened:
                    await feed.close()
            self.losses += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _open(self) -> list[Feed]:
        if self._address is not None and await detect_topology(self._url) == "single":
            return [await WireFeed.open(self._address, self._channels)]
        # One connection, or on a Cluster one per primary serving our channels.
        opened: list[Feed] = []
        try:
            for listener in await listeners(self._url, self._channels):
                feed = ClientFeed(listener.client)
                opened.append(feed)
                await feed.subscribe(listener.channels, listener.sharded)
        except BaseException:
            for half_open in opened:
                await half_open.close()
            raise
        return opened

    async def _read(self, feed: Feed) -> None:
        async for data in feed.messages():
            try:
                await self._handle(data)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a pub/sub message could not be handled: %.80r", data)


class Feed(Protocol):
    """One subscribed connection: the data of each message, until the connection ends."""

    def messages(self) -> AsyncIterator[str]: ...

    async def close(self) -> None: ...


class WireFeed:
    """A plain single Redis read with hiredis directly: about 70 µs of client CPU less per
    message than redis-py's ``PubSub`` (docs/performance.md)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, address: Address, channels: list[str]) -> WireFeed:
        # One SUBSCRIBE per channel: each has one confirmation to await.
        return cls(await open_connection(
            address, [command("SUBSCRIBE", channel) for channel in channels]))

    async def messages(self) -> AsyncIterator[str]:
        while True:
            for reply in await self._connection.replies():
                if isinstance(reply, list) and len(reply) == 3 and reply[0] == "message":
                    yield str(reply[2])

    async def close(self) -> None:
        self._connection.close()


class ClientFeed:
    """Through redis-py: Sentinel, TLS, and a Cluster's shard channels."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._pubsub = client.pubsub()

    async def subscribe(self, channels: list[str], sharded: bool) -> None:
        if sharded:
            for channel in channels:  # one slot per SSUBSCRIBE
                await self._pubsub.ssubscribe(channel)
        else:
            await self._pubsub.subscribe(*channels)

    async def messages(self) -> AsyncIterator[str]:
        async for message in self._pubsub.listen():
            kind = message["type"]
            if kind in ("message", "smessage"):
                yield str(message["data"])
            elif kind == "sunsubscribe":
                # The channel's slot moved to another primary (a failover, a resharding):
                # Redis dropped the subscription; subscribe again where it now lives.
                raise aioredis.ConnectionError(f"shard channel {message['channel']} moved")

    async def close(self) -> None:
        try:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            await self._client.aclose()
        except (aioredis.RedisError, OSError):
            pass


async def _until_one_ends(readers: list[Coroutine[Any, Any, None]]) -> None:
    """Read every connection; the first that fails (or ends) stops them all, with its error."""
    if len(readers) == 1:
        await readers[0]
        return
    tasks = [asyncio.create_task(reader) for reader in readers]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
