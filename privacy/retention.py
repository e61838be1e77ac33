"""The retention job: what is older than ``HELPCALL_RETENTION_DAYS`` goes, so that Redis
holds months of service in the memory of a few weeks (docs/privacy.md).

Each run (every ``HELPCALL_RETENTION_INTERVAL_SECONDS``, one process at a time by a
lease; every step is idempotent, so a run cut short is finished by the next):

1. erasures a crash interrupted are finished (``Eraser.resume``);
2. shared files past their keeping time are deleted (bytes, then record);
3. ended sessions that ended before the cutoff lose everything: hash, chat, timeline,
   sockets, the booking link, their place in both parties' and the brand's indexes. Money
   stays in the wallet and earnings ledgers (kept for the law);
4. bookings that closed before the cutoff go (hash and both indexes);
5. each billing stream (on a Cluster one per bucket) loses the entries older than
   ``HELPCALL_BILLING_RETENTION_DAYS`` that every consumer group has had and acknowledged;
   the id below which it was trimmed is recorded, its own, so ``reconcile`` does not look
   for their events.

Sessions are found by scanning the per-account indexes (``hc:sessions:*``): a run reads
every index once, which is cheap at one run an hour.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from appointments import keys as booking_keys
from blobs.store import BlobStoreError
from common.keyspace import every_stream
from common.loops import Loop
from common.redisvalues import text_map, text_or_none
from common.streams import stream_id, trimmed_key
from privacy.erase import Eraser
from sessions.keys import (
    booking_session_key,
    brand_sessions_key,
    chat_key,
    index_key,
    rung_key,
    session_key,
    sockets_key,
    timeline_key,
)
from sessions.sharing import FileSharing

log = logging.getLogger(__name__)
LEASE = "hc:{0}:retention:lease"
DAY_MS = 86_400_000
BATCH = 500
# Every index that lists sessions: each account's, each brand's (sessions/listing.py).
_SESSIONS = (index_key("*"), brand_sessions_key("*"))
_BOOKINGS = booking_keys.index_key("*")


@dataclass(frozen=True)
class RetentionRules:
    retention_ms: int
    billing_retention_ms: int
    billing_stream: str
    lease_ms: int = 600_000


@dataclass
class Report:
    erasures: int = 0
    files: int = 0
    sessions: int = 0
    bookings: int = 0
    billing_entries: int = 0
    skipped: bool = False
    notes: list[str] = field(default_factory=list)


class Retention:
    def __init__(self, redis: aioredis.Redis, files: FileSharing, eraser: Eraser,
                 rules: RetentionRules, owner: str) -> None:
        self.redis = redis
        self.files = files
        self.eraser = eraser
        self.rules = rules
        self.owner = owner

    async def _now_ms(self) -> int:
        seconds, micros = await self.redis.time()
        return int(seconds) * 1000 + int(micros) // 1000

    async def run_once(self) -> Report:
        report = Report()
        if not await self.redis.set(LEASE, self.owner, nx=True, px=self.rules.lease_ms):
            report.skipped = True  # another process is trimming
            return report
        try:
            now = await self._now_ms()
            report.erasures = await self.eraser.resume()
            report.files = await self.files.expire_due()
            cutoff = now - self.rules.retention_ms
            report.sessions = await self._sessions(cutoff)
            report.bookings = await self._bookings(cutoff)
            report.billing_entries = await self._billing(now - self.rules.billing_retention_ms)
        finally:
            if text_or_none(await self.redis.get(LEASE)) == self.owner:
                await self.redis.delete(LEASE)
        if report.sessions or report.bookings or report.billing_entries:
            log.info("retention: %d sessions, %d bookings, %d billing entries trimmed",
                     report.sessions, report.bookings, report.billing_entries)
        return report

    async def _sessions(self, cutoff: int) -> int:
        gone = 0
        for pattern in _SESSIONS:
            async for index in self.redis.scan_iter(match=pattern, count=BATCH, _type="zset"):
                for raw in await self.redis.zrangebyscore(str(index), "-inf", cutoff):
                    gone += await self._drop_session(str(index), str(text_or_none(raw)),
                                                     cutoff)
        return gone

    async def _drop_session(self, index: str, session_id: str, cutoff: int) -> int:
        fields = text_map(await self.redis.hgetall(session_key(session_id)))
        if not fields:
            await self.redis.zrem(index, session_id)  # an entry left without its session
            return 0
        ended = int(fields.get("ended_at") or 0)
        if fields.get("state") != "ended" or not ended or ended > cutoff:
            return 0  # still going, or ended too recently
        await self.redis.delete(session_key(session_id), sockets_key(session_id),
                                timeline_key(session_id), chat_key(session_id),
                                rung_key(session_id))
        # The link from its booking (home) and the indexes are in other slots: they go once
        # the session is gone (a stop in between leaves index entries that the next run
        # drops, above, and a link to no session, which reads as none).
        if fields.get("booking_id"):
            await self.redis.delete(booking_session_key(fields["booking_id"]))
        indexes = {index} | {index_key(a) for a in (fields.get("client_id"),
                                                     fields.get("expert_id")) if a}
        if fields.get("brand_id"):
            indexes.add(brand_sessions_key(fields["brand_id"]))
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in indexes:
                pipe.zrem(key, session_id)
            await pipe.execute()
        return 1

    async def _bookings(self, cutoff: int) -> int:
        gone = 0
        async for index in self.redis.scan_iter(match=_BOOKINGS, count=BATCH, _type="zset"):
            for raw in await self.redis.zrangebyscore(str(index), "-inf", cutoff):
                booking_id = str(text_or_none(raw))
                key = booking_keys.booking_key(booking_id)
                fields = text_map(await self.redis.hgetall(key))
                if fields.get("state") == "booked":
                    continue  # not met yet: the appointments loop will close it
                # The booking and the two lists are in three slots: not one transaction.
                # A stop half-way leaves list entries of no booking, dropped next run.
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.delete(key)
                    for account in (fields.get("client_id"), fields.get("expert_id")):
                        if account:
                            pipe.zrem(booking_keys.index_key(account), booking_id)
                    pipe.zrem(str(index), booking_id)
                    await pipe.execute()
                gone += 1 if fields else 0
        return gone

    async def _billing(self, cutoff_ms: int) -> int:
        """Trim every billing stream (on a Cluster one per bucket), each on its own: its
        groups may be further behind than another's."""
        return sum([await self._trim(stream, cutoff_ms)
                    for stream in every_stream(self.rules.billing_stream)])

    async def _trim(self, stream: str, cutoff_ms: int) -> int:
        """Trim what every group has had and acknowledged, older than the cutoff."""
        try:
            groups: list[dict[str, Any]] = await self.redis.xinfo_groups(stream)
        except aioredis.ResponseError:
            return 0  # no stream yet
        limit = (cutoff_ms, 0)
        for group in groups:
            name = str(text_or_none(group["name"]))
            ms, seq = stream_id(str(text_or_none(group["last-delivered-id"])))
            limit = min(limit, (ms, seq + 1))  # everything up to it was delivered
            pending = await self.redis.xpending(stream, name)
            if int(pending["pending"]):
                limit = min(limit, stream_id(str(text_or_none(pending["min"]))))
        if limit <= (0, 0):
            return 0
        minid = f"{limit[0]}-{limit[1]}"
        removed = int(await self.redis.xtrim(stream, minid=minid, approximate=False))
        if removed:
            await self.redis.set(trimmed_key(stream), minid)
        return removed

    async def _guarded(self) -> None:
        try:
            await self.run_once()
        except (aioredis.RedisError, OSError, BlobStoreError) as exc:
            log.warning("retention run failed (the next one resumes): %s", exc)

    def loop(self, interval_seconds: float) -> Loop:
        # Not at start: nothing is due sooner than the interval, and a process restarted
        # in a loop should not trim on every start.
        return Loop(self._guarded, interval_seconds, first_after_interval=True)
