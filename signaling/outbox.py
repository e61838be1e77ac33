"""Everything this process publishes, in order, through one writer task.

Emits are queued as they happen and written in batches (one pipeline per batch, one
batch at a time), so that two signals of one call leave in the order they were relayed,
and a burst costs one round trip instead of one per message. An entry whose receivers
this process does not know for sure (``Routed``) is located by the writer just before it
is published: the read is sent after the emit, so it sees every socket attached before.

The queue is bounded: past ``LIMIT`` entries an emit waits for room (in arrival order)
instead of growing memory. Each batch is handed to a ``Publisher`` (signaling/publisher.py:
a connection of its own on a single Redis, redis-py's ``SPUBLISH`` on a Cluster).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from signaling.directory import parse_read, queue_read
from signaling.frames import proc_channel
from signaling.publisher import Publish, Publisher

log = logging.getLogger(__name__)

LIMIT = 10_000  # entries waiting to be published before emits wait
BATCH = 500  # entries per pipeline


@dataclass
class Routed:
    """A message for every other process holding sockets of ``rooms``."""

    rooms: list[str]
    message: str
    procs: set[str] = field(default_factory=set)


Entry = Publish | Routed
Known = Callable[[str], frozenset[str] | None]
Learned = Callable[[int, dict[str, frozenset[str]]], None]


class Outbox:
    def __init__(self, redis: aioredis.Redis, publisher: Publisher, proc: str, known: Known,
                 begin: Callable[[], int], learned: Learned, limit: int = LIMIT) -> None:
        self._redis = redis  # where rooms are located
        self._publisher = publisher
        self._proc = proc
        self._known = known
        self._begin = begin
        self._learned = learned
        self._limit = limit
        self._queue: deque[Entry] = deque()
        self._wake = asyncio.Event()
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._admitted = 0
        self.dropped = 0  # entries lost to Redis errors since start
        self.published = 0  # messages handed to Redis since start

    async def put(self, entry: Entry) -> None:
        if len(self._queue) >= self._limit or self._waiting or self._admitted:
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                await turn
            finally:
                self._admitted = max(0, self._admitted - 1)
        self._queue.append(entry)
        self._wake.set()

    async def flushed(self) -> None:
        """Returns once everything queued so far has been written (or lost)."""
        marker: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        await self.put(Publish("helpcall:sio:flush", "", marker))
        try:
            await marker
        except (aioredis.RedisError, OSError):
            pass

    def _admit(self) -> None:
        room = self._limit - len(self._queue) - self._admitted
        while room > 0 and self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                self._admitted += 1
                room -= 1

    async def run(self) -> None:
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
            self._admit()
            try:
                await self._send(batch)
            except (aioredis.RedisError, OSError) as exc:
                self.dropped += len(batch)
                log.warning("Redis is away: %d emits to other processes lost (%s)",
                            len(batch), exc)
                for entry in batch:
                    if isinstance(entry, Publish) and entry.done and not entry.done.done():
                        entry.done.set_exception(exc)

    async def _locate(self, batch: list[Entry]) -> None:
        unknown: dict[str, None] = {}
        for entry in batch:
            if isinstance(entry, Routed):
                for room in entry.rooms:
                    procs = self._known(room)
                    if procs is None:
                        unknown[room] = None
                    else:
                        entry.procs.update(procs)
        if not unknown:
            return
        ticket = self._begin()
        found: dict[str, frozenset[str]] = {}
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                queued = [(room, queue_read(pipe, room, self._proc)) for room in unknown]
                replies = await pipe.execute()
            at = 0
            for room, commands in queued:
                at += commands
                if commands:
                    found.update(parse_read(room, replies[at - 1]))
        finally:
            self._learned(ticket, found)
        for entry in batch:
            if isinstance(entry, Routed):
                for room in entry.rooms:
                    if room in unknown:
                        entry.procs.update(found.get(room, ()))

    async def _send(self, batch: list[Entry]) -> None:
        await self._locate(batch)
        messages: list[Publish] = []
        for entry in batch:
            if isinstance(entry, Publish):
                messages.append(entry)
                continue
            messages += [Publish(proc_channel(proc), entry.message) for proc in entry.procs
                         if proc != self._proc]
        if messages:
            await self._publisher.publish(messages)
            self.published += len(messages)
