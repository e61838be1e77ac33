"""Asking other processes to forget cached locations, and waiting for their word.

A socket entering a room may make copies of its location stale on other processes
(signaling/manager.py says which). The entering process publishes one ``i`` frame per
channel naming the rooms and a token; each process reading it drops the rooms and answers
``a<token>`` on the sender's channel. Redis says, for each publish, how many processes
read it, so the entry waits for exactly that many answers, at most ``ANSWER_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import redis.asyncio as aioredis

from signaling.frames import invalidate_frame
from signaling.outbox import Outbox
from signaling.publisher import Publish

log = logging.getLogger(__name__)

ANSWER_SECONDS = 2.0  # how long an entering socket waits for other processes to forget


class _Answers:
    """Counts the ``a`` answers to one ``i``; how many to expect is known only later."""

    def __init__(self) -> None:
        self.got = 0
        self.needed: int | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def add(self, count: int = 1, needed: int | None = None) -> None:
        self.got += count
        self.needed = needed if needed is not None else self.needed
        if self.needed is not None and self.got >= self.needed and not self.done.done():
            self.done.set_result(None)


class Forgetting:
    """The invalidations this process sent and is still waiting on."""

    def __init__(self, outbox: Outbox, channel: str) -> None:
        self._outbox = outbox
        self._channel = channel  # where the answers come
        self._answers: dict[str, _Answers] = {}

    async def ask(self, channels: list[str], rooms: list[str]) -> None:
        """Make the processes reading ``channels`` forget ``rooms``; wait for their word."""
        token = secrets.token_hex(8)
        answers = self._answers[token] = _Answers()
        frame = invalidate_frame(self._channel, token, rooms)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                sent = [loop.create_future() for _ in channels]
                for channel, done in zip(channels, sent, strict=True):
                    await self._outbox.put(Publish(channel, frame, done))
                answers.add(0, sum(await asyncio.gather(*sent)))
                await answers.done
        except (aioredis.RedisError, OSError) as exc:
            log.warning("could not tell other processes about %s (%s)", rooms, exc)
        except TimeoutError:
            log.warning("no answer from every process about %s within %.0f s; a slow one may "
                        "miss a few events", rooms, ANSWER_SECONDS)
        finally:
            del self._answers[token]

    def answered(self, token: str) -> None:
        """One process answered ``a<token>``."""
        answers = self._answers.get(token)
        if answers is not None:
            answers.add()
