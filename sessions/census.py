"""What is going on right now, read from Redis the same way by every process.

Used by ``/metrics`` and the admin console. Nothing here is on the call path: a census is
read at scrape time, so calls pay nothing for it (no counter is written per transition).

Every session that is not ended is found in one of two places: it has a deadline (ringing,
accepted, paused, queued, and live per-minute calls with their balance deadline), or both
its sockets are attached, so it is in a process's socket index (``hc:{p:<proc>}:socks``,
for each process with a lease). Their union, with each session's ``state`` read in one
pipeline, counts the calls by state exactly. The cost is one read per session in progress,
which a scrape every 15 s affords at tens of thousands of calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis.asyncio as aioredis

from common.redistime import redis_ms
from common.redisvalues import text_or_none
from sessions.keys import (
    CREDIT,
    EVERY_DEADLINES,
    FREE,
    PAY,
    QUEUES,
    REQUEUE,
    proc_sockets_key,
    queue_key,
    session_key,
)
from sessions.leases import PROCS
from sessions.states import State


@dataclass(frozen=True)
class QueueCensus:
    category: str
    waiting: int
    oldest_wait_ms: int  # 0 when nobody waits


@dataclass(frozen=True)
class Census:
    """Calls in progress by state, queues, and how late the background loops are."""

    now_ms: int
    calls: dict[State, int]
    queues: list[QueueCensus]
    # How long the oldest overdue deadline has been due (0: none overdue).
    reaper_lag_ms: int
    # Per live process, how long since it last renewed its lease.
    lease_age_ms: dict[str, int] = field(default_factory=dict)
    # The ids of the sessions counted in ``calls``.
    in_progress: list[str] = field(default_factory=list)


_DEADLINE_KINDS = {"ring", "connect", "grace", "balance", "low", "queue", FREE, PAY, CREDIT,
                   REQUEUE}


def _session_of(member: str) -> str:
    # Deadline members are ``kind|session`` (the intents ``free|session|expert``,
    # ``pay|session|...``, ``requeue|session``), socket index members ``session|socket``.
    head, _, tail = member.partition("|")
    return tail.partition("|")[0] if head in _DEADLINE_KINDS else head


async def take_census(redis: aioredis.Redis) -> Census:
    now = await redis_ms(redis)
    async with redis.pipeline(transaction=False) as pipe:
        for zset in EVERY_DEADLINES:
            pipe.zrange(zset, 0, -1)
            pipe.zrangebyscore(zset, "-inf", now, start=0, num=1, withscores=True)
        pipe.zrange(PROCS, 0, -1, withscores=True)
        pipe.smembers(QUEUES)
        *per_bucket, procs, queues = await pipe.execute()
    deadlines = [m for group in per_bucket[::2] for m in group]
    overdue = sorted((first for group in per_bucket[1::2] for first in group),
                     key=lambda pair: pair[1])
    proc_ids = [str(text_or_none(p)) for p, _ in procs]
    categories = sorted(str(text_or_none(q)) for q in queues)
    async with redis.pipeline(transaction=False) as pipe:
        for proc in proc_ids:
            pipe.smembers(proc_sockets_key(proc))
        for category in categories:
            pipe.zcard(queue_key(category))
            pipe.zrange(queue_key(category), 0, 0, withscores=True)
        answers = await pipe.execute()
    sockets, queue_answers = answers[: len(proc_ids)], answers[len(proc_ids):]

    members = [str(text_or_none(m)) for m in deadlines]
    members += [str(text_or_none(m)) for group in sockets for m in group]
    ids = sorted({_session_of(m) for m in members})
    async with redis.pipeline(transaction=False) as pipe:
        for session_id in ids:
            pipe.hget(session_key(session_id), "state")
        states = await pipe.execute()
    calls: dict[State, int] = {state: 0 for state in State if state != State.ENDED}
    in_progress = []
    for session_id, raw in zip(ids, states, strict=True):
        state = text_or_none(raw)
        if state in calls:
            calls[State(state)] += 1
            in_progress.append(session_id)

    queue_census = []
    for i, category in enumerate(categories):
        waiting, oldest = queue_answers[2 * i], queue_answers[2 * i + 1]
        since = int(oldest[0][1]) if oldest else now
        queue_census.append(QueueCensus(category, int(waiting), max(0, now - since)))
    lag = max(0, now - int(overdue[0][1])) if overdue else 0
    leases = {str(text_or_none(p)): max(0, now - int(seen)) for p, seen in procs}
    return Census(now, calls, queue_census, lag, leases, in_progress)
