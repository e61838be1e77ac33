"""Revoked tokens end their sockets at once, on every process.

The account scripts publish the account id on ``hc:accounts:revoked`` whenever tokens of
an account are revoked (log out, password change or reset). Every web process listens and
checks its own sockets of that account again: those whose token no longer stands are
disconnected. HTTP needs none of this: each request checks its token against Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from accounts.store import REVOKED_CHANNEL
from common.redisvalues import text_or_none

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class RevocationListener:
    def __init__(self, redis: aioredis.Redis, recheck: Callable[[str], Awaitable[int]]) -> None:
        self._redis = redis
        self._recheck = recheck
        self.subscribed = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as exc:
                # A revocation published meanwhile is missed here; the socket is still
                # refused at its next connection, and its token on every HTTP request.
                self.subscribed.clear()
                log.warning("revocation listener: %s; subscribing again", exc)
                await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(REVOKED_CHANNEL)
            self.subscribed.set()
            async for message in pubsub.listen():
                account_id = text_or_none(message.get("data"))
                if message.get("type") != "message" or not account_id:
                    continue
                try:
                    gone = await self._recheck(account_id)
                except Exception:
                    log.exception("checking the sockets of %s again failed", account_id)
                    continue
                if gone:
                    log.info("%d socket(s) of %s disconnected: token revoked", gone, account_id)
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
