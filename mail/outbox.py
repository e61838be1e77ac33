"""The mail queue in Redis: a stream of rendered messages, and what the worker did with them.

Keys: ``hc:mail`` (stream; entries ``key to kind raw``; group ``helpcall-mail``; an entry is
deleted once sent), ``hc:mail:queued`` (sorted set of message keys by when they were queued:
dedup of enqueues, 30 days), ``hc:mail:lock:<key>`` (the send lock, a lease),
``hc:mail:sent`` (sorted set of message keys by when they were sent, 7 days: a worker that
crashed between the server's acceptance and its XACK does not send again),
``hc:mail:stats`` (hash: sent, failed_attempts, dropped, last_error, last_error_at,
last_sent_at), ``hc:mail:failures`` (list, newest first, the last ``FAILURES_KEPT`` failed
attempts as JSON: when, kind, recipient, error, whether the message was dropped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, TypedDict

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from common.lua import Lua
from common.redisvalues import text_map

GROUP = "helpcall-mail"
STATS_KEY = "hc:{0}:mail:stats"
FAILURES_KEY = "hc:{0}:mail:failures"
FAILURES_KEPT = 20
QUEUED_KEY = "hc:{0}:mail:queued"
SENT_KEY = "hc:{0}:mail:sent"
DEDUP_MS = 30 * 86400 * 1000
SENT_MS = 7 * 86400 * 1000


def lock_key(key: str) -> str:
    return f"hc:{{0}}:mail:lock:{key}"


class MailStats(TypedDict):
    """What an admin page or /metrics shows of mail (times ISO 8601 UTC, None before any)."""

    smtp_configured: bool
    sent: int
    failed_attempts: int
    dropped: int
    last_error: str | None
    last_error_at: str | None
    last_sent_at: str | None
    queued: int
    pending: int


@dataclass(frozen=True)
class MailFailure:
    """One failed attempt, as the admin console lists it."""

    at: str  # ISO 8601 UTC
    kind: str
    to: str
    error: str
    dropped: bool  # a permanent refusal, or the last attempt: the message will not be sent


def failure_record(at: str, kind: str, to: str, error: str, dropped: bool) -> str:
    return json.dumps({"at": at, "kind": kind, "to": to, "error": error, "dropped": dropped})


class Outbox:
    def __init__(self, redis: aioredis.Redis, stream: str) -> None:
        self._redis = redis
        self.stream = stream
        self._enqueue = Lua(redis, "mail/lua/enqueue.lua")

    async def put(self, key: str, to: str, kind: str, message: EmailMessage) -> bool:
        """Queue a rendered message; False when a message with this key was queued before."""
        raw = message.as_bytes().decode("ascii")  # compose.POLICY: 7-bit, CRLF
        added = await self._enqueue(
            keys={"queued": QUEUED_KEY, "stream": self.stream},
            args={"key": key, "dedup_ms": DEDUP_MS,
                  "fields": ["key", key, "to", to, "kind", kind, "raw", raw]})
        return bool(added)

    async def stats(self, smtp_configured: bool) -> MailStats:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(STATS_KEY)
            pipe.xlen(self.stream)
            raw, length = await pipe.execute()
        try:
            pending = int((await self._redis.xpending(self.stream, GROUP))["pending"])
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            pending = 0
        stats: dict[str, Any] = text_map(raw)
        return MailStats(
            smtp_configured=smtp_configured,
            sent=int(stats.get("sent", 0)),
            failed_attempts=int(stats.get("failed_attempts", 0)),
            dropped=int(stats.get("dropped", 0)),
            last_error=stats.get("last_error"),
            last_error_at=stats.get("last_error_at"),
            last_sent_at=stats.get("last_sent_at"),
            queued=int(length),
            pending=pending,
        )

    async def failures(self) -> list[MailFailure]:
        """The last failed attempts, newest first."""
        found = []
        for raw in await self._redis.lrange(FAILURES_KEY, 0, FAILURES_KEPT - 1):
            try:
                record = json.loads(raw)
                found.append(MailFailure(str(record["at"]), str(record["kind"]),
                                         str(record["to"]), str(record["error"]),
                                         bool(record["dropped"])))
            except (ValueError, KeyError, TypeError):
                continue  # written by another version: skipped rather than a broken page
        return found
