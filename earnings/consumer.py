"""Crediting experts from the billing streams (protocol §5): every event with an
``expert_payout_cents`` above zero (a call, a late-cancellation or no-show fee) is credited
to that expert's earnings, exactly once; a ``session.refunded`` event (a dispute decided
with a refund, docs/trust.md) takes its ``expert_payout_refund_cents`` back, exactly once.

Every web process runs one consumer of the group ``helpcall-earnings`` (its own group:
webhook delivery never delays it, nor it webhook delivery) on each billing stream: on a
Cluster there is one per bucket of sessions (``common.keyspace.every_stream``), each with
its group and read in a loop of its own (``common.streams.on_every_stream``); on a single
Redis there is one. The credit script records the event id in the same step as the money
(``earnings/lua/credit.lua``), so an entry read twice (a crash before its XACK, or taken
over from a dead process with XAUTOCLAIM) is credited once. Each group starts at the
beginning of its stream: events from before the first consumer ran are credited too.

Cost per process and stream: one ``XREADGROUP`` per loop, blocked at most 1 s for new
entries (``common.streams.read_new``; on a Cluster through the process's client for
blocking reads, ``redisclient.stream_reads``), one ``XAUTOCLAIM`` every 10 s, plus one
script and one ``XACK`` per event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from common.redisvalues import text_map, text_or_none
from common.streams import on_every_stream, read_new
from earnings.store import Credit, Debit, EarningsStore

log = logging.getLogger(__name__)

GROUP = "helpcall-earnings"
BATCH = 50
BLOCK_MS = 1000
CLAIM_IDLE_MS = 30_000
CLAIM_EVERY_SECONDS = CLAIM_IDLE_MS / 3000  # a third of the idle time


def _entries(reply: Any) -> list[tuple[str, dict[str, str]]]:
    return [(str(text_or_none(entry_id)), text_map(fields or {}))
            for _, entries in reply or [] for entry_id, fields in entries]


class EarningsConsumer:
    """This process's consumer of every billing stream, given the home one (``stream_on``'s)."""

    def __init__(self, redis: aioredis.Redis, store: EarningsStore, home_stream: str,
                 consumer: str, reads: aioredis.Redis | None = None) -> None:
        self._redis = redis
        self._reads = reads or redis  # blocking reads (common.redisclient.stream_reads)
        self._store = store
        self._home = home_stream
        self.consumer = consumer

    async def run(self) -> None:
        """Credit from every stream until cancelled."""
        await on_every_stream(self._home, lambda stream: _StreamCredits(
            self._redis, self._reads, self._store, stream, self.consumer).run())


class _StreamCredits:
    """The consumer of one billing stream."""

    def __init__(self, redis: aioredis.Redis, reads: aioredis.Redis, store: EarningsStore,
                 stream: str, consumer: str) -> None:
        self._redis = redis
        self._reads = reads
        self._store = store
        self._stream = stream
        self.consumer = consumer
        self._ready = False
        self._next_claim = 0.0
        self._own_pending = True  # at start, and after a failure: entries read, not acked

    async def _ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._ready = True

    async def _handle(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        for entry_id, fields in entries:
            credit = Credit.of_event(fields)
            if credit is not None and await self._store.credit(credit):
                log.info("credited %s cents to expert %s for %s", credit.payout_cents,
                         credit.expert_id, credit.event_id)
            debit = Debit.of_event(fields)
            if debit is not None and await self._store.debit(debit):
                log.info("took %s cents back from expert %s for %s", debit.cents,
                         debit.expert_id, debit.event_id)
            await self._redis.xack(self._stream, GROUP, entry_id)

    async def step(self) -> int:
        """One pass: entries left by dead consumers (every 10 s), our own unacknowledged
        ones (after a failure), then new ones, waiting up to a second. Answers how many
        entries it handled."""
        if not self._ready:
            await self._ensure_group()
        entries: list[tuple[str, dict[str, str]]] = []
        if time.monotonic() >= self._next_claim:
            self._next_claim = time.monotonic() + CLAIM_EVERY_SECONDS
            claimed = await self._redis.xautoclaim(self._stream, GROUP, self.consumer,
                                                   CLAIM_IDLE_MS, "0-0", count=BATCH)
            entries = [(str(text_or_none(i)), text_map(f or {})) for i, f in claimed[1] or []]
        if self._own_pending:
            own = _entries(await self._redis.xreadgroup(
                GROUP, self.consumer, {self._stream: "0"}, count=BATCH))
            self._own_pending = len(own) == BATCH
            entries += own
        if not entries:
            entries = _entries(await read_new(self._reads, self._stream, GROUP, self.consumer,
                                              BATCH, BLOCK_MS))
        unique = list(dict(entries).items())  # a claimed entry is also one of our own
        await self._handle(unique)
        return len(unique)

    async def run(self) -> None:
        """Credit until cancelled; an entry being handled stays pending and is done again."""
        failures = 0
        while True:
            try:
                await self.step()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if "NOGROUP" in str(exc):
                    self._ready = False
                self._own_pending = True
                failures += 1
                log.warning("earnings consumer %s, %s: %s: %s; retrying", self.consumer,
                            self._stream, type(exc).__name__, exc)
                await asyncio.sleep(min(30.0, 0.5 * 2 ** min(failures, 6)))
