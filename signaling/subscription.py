"""The one Redis subscription of a process: its own channel and the channel for all.

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
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

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
            # TCP keepalive (not on a Unix socket) notices a silently cut subscription.
            tcp = {} if self._url.startswith("unix:") else {"socket_keepalive": True}
            client = aioredis.Redis.from_url(
                self._url, decode_responses=True, socket_connect_timeout=2,
                retry=Retry(NoBackoff(), 0), **tcp)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*self._channels)
                self._up(self.losses > 0)
                delay = FIRST_RETRY_SECONDS
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        await self._safely(message["data"])
            except (aioredis.RedisError, OSError) as exc:
                if self.losses == 0 or delay == FIRST_RETRY_SECONDS:
                    log.warning("pub/sub subscription lost (%s); subscribing again", exc)
            finally:
                self._down()
                await _close(pubsub, client)
            self.losses += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _safely(self, data: str) -> None:
        try:
            await self._handle(data)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a pub/sub message could not be handled: %.80r", data)


async def _close(pubsub: aioredis.client.PubSub, client: aioredis.Redis) -> None:
    try:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await client.aclose()
    except (aioredis.RedisError, OSError):
        pass
