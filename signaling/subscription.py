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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub

from common.redisclient import listeners

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.05
MAX_RETRY_SECONDS = 2.0


class Subscription:
    def __init__(self, url: str, channels: list[str],
                 handle: Callable[[str], Awaitable[None]],
                 up: Callable[[bool], None], down: Callable[[], None]) -> None:
        self._url = url
        self._channels = channels
        self._handle = handle
        self._up = up
        self._down = down
        self.losses = 0  # subscriptions lost since start

    async def run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            opened: list[tuple[PubSub, aioredis.Redis]] = []
            try:
                # One connection, or on a Cluster one per primary serving our channels.
                for listener in await listeners(self._url, self._channels):
                    pubsub = listener.client.pubsub()
                    opened.append((pubsub, listener.client))
                    if listener.sharded:
                        for channel in listener.channels:  # one slot per SSUBSCRIBE
                            await pubsub.ssubscribe(channel)
                    else:
                        await pubsub.subscribe(*listener.channels)
                self._up(self.losses > 0)
                delay = FIRST_RETRY_SECONDS
                await _until_one_ends([self._read(pubsub) for pubsub, _ in opened])
            except (aioredis.RedisError, OSError) as exc:
                if self.losses == 0 or delay == FIRST_RETRY_SECONDS:
                    log.warning("pub/sub subscription lost (%s); subscribing again", exc)
            finally:
                self._down()
                for pubsub, client in opened:
                    await _close(pubsub, client)
            self.losses += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _read(self, pubsub: PubSub) -> None:
        async for message in pubsub.listen():
            kind = message["type"]
            if kind in ("message", "smessage"):
                await self._safely(message["data"])
            elif kind == "sunsubscribe":
                # The channel's slot moved to another primary (a failover, a resharding):
                # Redis dropped the subscription; subscribe again where it now lives.
                raise aioredis.ConnectionError(f"shard channel {message['channel']} moved")

    async def _safely(self, data: str) -> None:
        try:
            await self._handle(data)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a pub/sub message could not be handled: %.80r", data)


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


async def _close(pubsub: PubSub, client: aioredis.Redis) -> None:
    try:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await client.aclose()
    except (aioredis.RedisError, OSError):
        pass
