"""A category call's place in its queue, kept as steps around the session scripts.

A category's queue (``hc:{q:<category>}:queue``: session -> arrival ms), the set of
categories that have one and the time each expert was last rung are not the session's, so
no session script writes them (docs/cluster.md, "The session's neighbours"):

- **joining**: before ``enqueue.lua``, the call is put in its queue (at Redis time, once),
  then its category in the set. So a queue never misses a queued call; an entry whose
  session never came (refused, or its process stopped) is dropped by the router a lease
  later (``stray``).
- **leaving** (rung, or ended while queued): after the script, the call leaves the queue
  and the expert rung is recorded as last rung. A process stopped before that leaves an
  entry of a call that is not queued: the router skips it, and drops it once the call has
  ended.
- **coming back** (declined, not answered): the script writes a ``requeue|<session>``
  intent a lease ahead; the caller puts the call back at its arrival place and the intent
  goes at the reaper's next tick; a process stopped before that leaves the intent to fall
  due, and the reaper puts the call back if it is still queued.
- **forgetting** an empty queue: its category leaves the set, then the queue is looked at
  again and the category put back if a call joined meanwhile. A call joins its queue
  before the set, so whichever order the two processes go in, one sees the other.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from sessions.intents import Intents
from sessions.keys import (
    LAST_RUNG,
    QUEUES,
    parse_requeue_member,
    queue_key,
    requeue_member,
    session_key,
)
from sessions.listing import Listing
from sessions.replies import Outcome
from sessions.states import State


class CategoryQueues:
    def __init__(self, redis: aioredis.Redis, intents: Intents, listing: Listing,
                 lease_ms: int) -> None:
        self._redis = redis
        self._intents = intents
        self._listing = listing
        self._lease_ms = lease_ms
        self._tidy = Lua(redis, "sessions/lua/queue_tidy.lua")

    def joining(self, session_id: str, category: str) -> tuple[Step, Step]:
        """The call's entry in its queue, then the category in the set: in that order."""
        return (self._listing.entry(queue_key(category), session_id),
                Step(("SADD", QUEUES, category)))

    def after(self, outcome: Outcome) -> list[Step]:
        """What the script's change asks of the queues: a call that left its queue leaves
        it (an expert rung is recorded as rung last), one that came back returns to its
        arrival place."""
        view, previous = outcome.session, outcome.previous
        if view is None or not view.category or previous is None:
            return []  # not a category call, or one just created (joined before)
        if previous == State.QUEUED and view.state != State.QUEUED:
            steps = [Step(("ZREM", queue_key(view.category), view.id))]
            if view.state == State.RINGING and view.expert_id:
                steps.append(Step(("ZADD", LAST_RUNG, outcome.now_ms, view.expert_id)))
            return steps
        if view.state == State.QUEUED and previous != State.QUEUED:
            return self._back(view.id, view.category, view.created_at_ms)
        return []

    def done(self, outcome: Outcome) -> None:
        """The steps of ``after`` are taken: a call put back drops its intent next tick."""
        view = outcome.session
        if view is not None and view.state == State.QUEUED and outcome.previous not in (
                None, State.QUEUED):
            self._intents.done(requeue_member(view.id))

    @staticmethod
    def _back(session_id: str, category: str, arrived_ms: int) -> list[Step]:
        return [Step(("ZADD", queue_key(category), arrived_ms, session_id)),
                Step(("SADD", QUEUES, category))]

    async def fire(self, member: str) -> bool:
        """A due ``requeue`` intent: the call back in its queue if it is still queued.
        False for a deadline of another kind."""
        session_id = parse_requeue_member(member)
        if session_id is None:
            return False
        state, category, arrived = await self._redis.hmget(
            session_key(session_id), "state", "category", "created_at")
        if text_or_none(state) == State.QUEUED and category:
            await in_order(self._redis, *self._back(session_id, str(text_or_none(category)),
                                                    int(str(text_or_none(arrived) or 0))))
        await self._intents.drop(member)
        return True

    async def categories(self) -> list[str]:
        return sorted(str(text_or_none(q)) for q in await self._redis.smembers(QUEUES))

    async def waiting(self, category: str) -> list[str]:
        """The calls in a category's queue, in arrival order; an empty queue is forgotten."""
        ids = [str(text_or_none(i)) for i in await self._redis.zrange(queue_key(category), 0, -1)]
        if not ids:
            await self.forget(category)
        return ids

    async def forget(self, category: str) -> None:
        """The category out of the set while its queue is empty."""
        await self._redis.srem(QUEUES, category)
        if await self._redis.exists(queue_key(category)):
            await self._redis.sadd(QUEUES, category)  # a call joined meanwhile

    async def stray(self, category: str, session_id: str, state: str) -> None:
        """An entry the router found for a call that is not queued (``state``; '' when
        there is no session): dropped once the call has ended, or when no session came a
        lease after it joined. A call ringing or live keeps it: it may come back."""
        if state == State.ENDED:
            await self._redis.zrem(queue_key(category), session_id)
        elif not state:
            await self._tidy(keys={"queue": queue_key(category)},
                             args={"id": session_id, "lease_ms": self._lease_ms})
