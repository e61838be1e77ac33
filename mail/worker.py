"""The mail worker: sends every queued message by SMTP, once.

Workers share the stream ``hc:mail`` through the consumer group ``helpcall-mail``. Each
message is sent under a send lock (``hc:mail:lock:<key>``, a lease renewed while the worker
works on it), so two workers never send it at the same time, even when one takes over
entries that looked abandoned (XAUTOCLAIM after ``HELPCALL_WORKER_CLAIM_IDLE_SECONDS``).
Once the SMTP server has accepted a message, its key joins ``hc:mail:sent`` and the entry
is acknowledged and deleted in one transaction; a worker that finds the key there only
acknowledges. What is left is the window between the server's acceptance and that
transaction: a crash there sends the message again, with the same ``Message-ID``.

A temporary failure (4xx, no connection, a timeout) is retried with exponential backoff
(``HELPCALL_MAIL_MAX_BACKOFF_SECONDS``) up to ``HELPCALL_MAIL_MAX_ATTEMPTS`` times; a
permanent refusal (5xx) is not. Either way the failure is counted in ``hc:mail:stats``.
Up to ``CONCURRENCY`` messages are in hand at once, so one message being retried does not
hold back the others.

``python -m server mail-worker`` runs one worker alone (external Redis only); the web process
runs one in-process when it uses the embedded Redis (``running_mail_worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiosmtplib
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from billing.webhooks import backoff_seconds
from common.loops import stop_task
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map
from common.timefmt import iso_ms
from mail.outbox import (
    FAILURES_KEPT,
    FAILURES_KEY,
    GROUP,
    SENT_KEY,
    SENT_MS,
    STATS_KEY,
    failure_record,
    lock_key,
)
from mail.settings import MailSettings, SmtpTarget

log = logging.getLogger(__name__)

CONCURRENCY = 8
SMTP_TIMEOUT_SECONDS = 30.0
LOCK_MS = 90_000  # longer than one SMTP attempt; renewed every third of it while in hand
MAX_BLOCK_MS = 1000

Entry = tuple[str, dict[str, str]]


def _entries(reply: Any) -> list[Entry]:
    return [(str(entry_id), text_map(fields or {}))
            for _, entries in reply or [] for entry_id, fields in entries]


def _failure(exc: BaseException) -> tuple[str, bool]:
    """What went wrong (no credentials), and whether trying again may help."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return f"recipient refused ({', '.join(map(str, codes))})", all(c < 500 for c in codes)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"SMTP {exc.code}: {exc.message}"[:300], exc.code < 500
    return f"{type(exc).__name__}: {exc}"[:300], True


class MailWorker:
    def __init__(self, redis: aioredis.Redis, settings: MailSettings, consumer: str) -> None:
        self._redis = redis
        self._settings = settings
        self.consumer = consumer
        self._stream = settings.stream
        self._rng = random.Random()
        self._lock = Lua(redis, "mail/lua/lock.lua")
        self._unlock = Lua(redis, "common/lua/release_lock.lua")
        self._claim_idle_ms = max(1, int(settings.claim_idle_seconds * 1000))
        self._block_ms = max(10, min(MAX_BLOCK_MS, self._claim_idle_ms // 2))
        self._claim_cursor = "0-0"
        self._group_ready = False
        self._tasks: dict[str, asyncio.Task[None]] = {}  # entry id -> its send
        self._held: set[str] = set()  # message keys whose lock this worker holds
        self._skip_until: dict[str, float] = {}  # entries another worker is sending

    async def run(self) -> None:
        smtp = self._settings.smtp
        if smtp is None:
            log.warning("HELPCALL_SMTP_URL is not set: mail is not sent; messages stay "
                        "queued in %s until a server is configured", self._stream)
            await asyncio.get_running_loop().create_future()
            return
        log.info("mail worker %s sends %s through %s", self.consumer, self._stream,
                 smtp.origin())
        keeper = asyncio.create_task(self._keep_locks())
        try:
            await self._loop(smtp)
        finally:
            for task in [keeper, *self._tasks.values()]:
                await stop_task(task)

    async def _loop(self, smtp: SmtpTarget) -> None:
        failures = 0
        while True:
            try:
                if not self._group_ready:
                    await self._ensure_group()
                await self._step(smtp)
                failures = 0
            except Exception as exc:
                if "NOGROUP" in str(exc):
                    self._group_ready = False
                failures += 1
                log.warning("mail worker %s: %s: %s; retrying", self.consumer,
                            type(exc).__name__, exc,
                            exc_info=not isinstance(exc, RedisError | OSError))
                await asyncio.sleep(self._backoff(failures))

    def _backoff(self, attempt: int) -> float:
        return backoff_seconds(attempt, self._settings.max_backoff_seconds, self._rng)

    async def _ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _wanted(self, entries: list[Entry]) -> list[Entry]:
        now = time.monotonic()
        return [(entry_id, fields) for entry_id, fields in entries
                if entry_id not in self._tasks and self._skip_until.get(entry_id, 0) <= now]

    async def _step(self, smtp: SmtpTarget) -> None:
        room = CONCURRENCY - len(self._tasks)
        if room <= 0:
            await asyncio.wait(set(self._tasks.values()), return_when=asyncio.FIRST_COMPLETED)
            return
        await self._claim_abandoned()
        # Own pending entries first (taken over, or left by a failed step): they are older.
        entries = self._wanted(_entries(await self._redis.xreadgroup(
            GROUP, self.consumer, {self._stream: "0"}, count=CONCURRENCY * 2)))[:room]
        if not entries:
            entries = _entries(await self._redis.xreadgroup(
                GROUP, self.consumer, {self._stream: ">"}, count=room, block=self._block_ms))
        for entry_id, fields in entries:
            task = asyncio.create_task(self._handle(smtp, entry_id, fields))
            self._tasks[entry_id] = task
            task.add_done_callback(self._forget(entry_id))

    def _forget(self, entry_id: str) -> Callable[[asyncio.Task[None]], None]:
        def forget(_: asyncio.Task[None]) -> None:
            self._tasks.pop(entry_id, None)

        return forget

    async def _claim_abandoned(self) -> None:
        cursor, claimed, *_ = await self._redis.xautoclaim(
            self._stream, GROUP, self.consumer, self._claim_idle_ms,
            start_id=self._claim_cursor, count=CONCURRENCY)
        self._claim_cursor = str(cursor)
        if claimed:
            log.info("mail worker %s took over %d entries idle for %d ms or more",
                     self.consumer, len(claimed), self._claim_idle_ms)

    async def _handle(self, smtp: SmtpTarget, entry_id: str, fields: Mapping[str, str]) -> None:
        try:
            await self._send(smtp, entry_id, fields)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Redis away mid-send: the entry stays pending and is tried again.
            log.warning("mail entry %s: %s: %s", entry_id, type(exc).__name__, exc)
            self._skip_until[entry_id] = time.monotonic() + self._backoff(1)

    async def _send(self, smtp: SmtpTarget, entry_id: str, fields: Mapping[str, str]) -> None:
        key = fields.get("key")
        if not key or not fields.get("raw"):
            log.warning("mail entry %s is empty or was deleted; acknowledging it", entry_id)
            await self._done(entry_id)
            return
        if not await self._take_lock(key):
            # Another worker is sending it: look again once its lease could have run out.
            self._skip_until[entry_id] = time.monotonic() + LOCK_MS / 1000
            return
        self._held.add(key)
        try:
            await self._attempts(smtp, entry_id, key, fields)
        finally:
            self._held.discard(key)
            with contextlib.suppress(RedisError, OSError):
                await self._unlock(keys={"lock": lock_key(key)}, args={"token": self.consumer})

    async def _attempts(
        self, smtp: SmtpTarget, entry_id: str, key: str, fields: Mapping[str, str]
    ) -> None:
        attempt = 0
        while True:
            if await self._redis.zscore(SENT_KEY, key) is not None:
                await self._done(entry_id)  # sent before a crash, or by a worker since
                return
            error, temporary = await self._smtp(smtp, fields)
            if error is None:
                await self._record_sent(entry_id, key)
                log.info("mail %s (%s) sent", key, fields.get("kind", ""))
                return
            attempt += 1
            dropped = not temporary or attempt >= self._settings.max_attempts
            await self._record_failure(error, fields, dropped)
            if dropped:
                log.error("mail %s (%s) dropped after %d attempts: %s", key,
                          fields.get("kind", ""), attempt, error)
                await self._record_dropped(entry_id)
                return
            log.warning("mail %s: attempt %d failed: %s; retrying", key, attempt, error)
            await asyncio.sleep(self._backoff(attempt))

    async def _smtp(self, smtp: SmtpTarget, fields: Mapping[str, str]) -> tuple[str | None, bool]:
        try:
            await aiosmtplib.send(
                fields["raw"].encode("ascii"), sender=self._settings.sender_address,
                recipients=[fields["to"]], hostname=smtp.host, port=smtp.port,
                username=smtp.username, password=smtp.password, use_tls=smtp.implicit_tls,
                start_tls=False if smtp.implicit_tls else None,
                timeout=SMTP_TIMEOUT_SECONDS)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return _failure(exc)
        return None, False

    async def _now_iso(self) -> str:
        return iso_ms(await redis_ms(self._redis))

    async def _done(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, GROUP, entry_id)
            pipe.xdel(self._stream, entry_id)
            await pipe.execute()

    async def _record_sent(self, entry_id: str, key: str) -> None:
        now = await redis_ms(self._redis)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(SENT_KEY, {key: now})
            pipe.zremrangebyscore(SENT_KEY, "-inf", now - SENT_MS)
            pipe.xack(self._stream, GROUP, entry_id)
            pipe.xdel(self._stream, entry_id)
            pipe.hincrby(STATS_KEY, "sent", 1)
            pipe.hset(STATS_KEY, "last_sent_at", iso_ms(now))
            await pipe.execute()

    async def _record_failure(self, error: str, fields: Mapping[str, str],
                              dropped: bool) -> None:
        now = await self._now_iso()
        record = failure_record(now, fields.get("kind", ""), fields.get("to", ""), error,
                                dropped)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(STATS_KEY, "failed_attempts", 1)
            pipe.hset(STATS_KEY, mapping={"last_error": error, "last_error_at": now})
            pipe.lpush(FAILURES_KEY, record)
            pipe.ltrim(FAILURES_KEY, 0, FAILURES_KEPT - 1)
            await pipe.execute()

    async def _record_dropped(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(STATS_KEY, "dropped", 1)
            pipe.xack(self._stream, GROUP, entry_id)
            pipe.xdel(self._stream, entry_id)
            await pipe.execute()

    async def _take_lock(self, key: str) -> bool:
        """Take (or renew) the send lock of a message; False while another worker holds it."""
        return bool(await self._lock(keys={"lock": lock_key(key)},
                                     args={"owner": self.consumer, "lease_ms": LOCK_MS}))

    async def _keep_locks(self) -> None:
        while True:
            await asyncio.sleep(LOCK_MS / 3000)
            for key in list(self._held):
                try:
                    await self._take_lock(key)
                except RedisError as exc:
                    log.warning("mail worker %s could not renew a send lock: %s",
                                self.consumer, exc)


@asynccontextmanager
async def running_mail_worker(
    redis: aioredis.Redis, settings: MailSettings, consumer: str
) -> AsyncIterator[MailWorker]:
    """A worker running as a task for the life of the block."""
    worker = MailWorker(redis, settings, consumer)
    task = asyncio.create_task(worker.run(), name=f"mail-worker {consumer}")
    try:
        yield worker
    finally:
        await stop_task(task)
