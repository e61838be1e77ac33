"""What a call changes outside the session's slot, as steps around its scripts.

The expert's busy flag (``busy.py``), the payer's money (``holds.py``), the indexes that
list the session (``listing.py``) and the category queues (``queueing.py``) live in their
owners' keys, so no session script can change them. Before ``start`` and ``route``, the
intents, the flag and the hold are taken in one pipeline on a single Redis (one round trip),
one step at a time on a Cluster; after any script, the flag it let go, the hold it settles
and the queue it left or came back to are seen to the same way. A refusal in between undoes
what was taken.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

from common.lua import Step, in_order
from common.redisvalues import text_or_none
from sessions.busy import BusyFlags
from sessions.errors import ExpertUnavailable, NotEnoughFunds
from sessions.holds import Hold, WalletHolds, took
from sessions.intents import Intents
from sessions.keys import free_member, parse_free_member, session_key
from sessions.listing import Listing
from sessions.queueing import CategoryQueues
from sessions.replies import Outcome

log = logging.getLogger(__name__)


class CallSteps:
    def __init__(self, redis: aioredis.Redis, lease_ms: int, billing_stream: str) -> None:
        self._redis = redis
        self.intents = Intents(redis, lease_ms)
        self.busy = BusyFlags(redis, self.intents)
        self.holds = WalletHolds(redis, self.intents, billing_stream=billing_stream)
        self.listing = Listing(redis)
        self.queues = CategoryQueues(redis, self.intents, self.listing, lease_ms)

    async def take(self, expert_id: str, session_id: str, payer_id: str,
                   hold_cents: int, first: Sequence[Step] = ()) -> tuple[Hold | None, list[Any]]:
        """The expert's flag and ``hold_cents`` of the payer's money for the session: the
        hold, or None when none was asked or the wallet did not cover it (the script then
        refuses, once the price agreed is checked), and the replies of ``first``: steps
        that go before, in the same pipeline (``sessions/listing.py``, the price read)."""
        hold = (Hold.of_call(session_id, payer_id, expert_id, hold_cents) if hold_cents > 0
                else None)
        intents = [free_member(session_id, expert_id)] + ([hold.intent()] if hold else [])
        steps = [self.intents.step(*intents), self.busy.claim_step(expert_id, session_id)]
        if hold is not None:
            steps.append(self.holds.take_step(hold, hold_cents))
        replies = await in_order(self._redis, *steps, first=first)
        earlier, answers = replies[:len(first)], replies[len(first):]
        held = hold if hold is not None and took(answers[2]) else None
        if hold is not None and held is None:
            await self.intents.drop(hold.intent())  # nothing held, nothing to give back
            if text_or_none(answers[2][0]) == "settled":
                # This call held this amount for this expert before and gave it back (a
                # price changed back since): a hold of another name.
                hold = Hold.new(session_id, payer_id)
                held = hold if await self.holds.take(hold, hold_cents) else None
        if not await self.busy.claimed(expert_id, session_id, answers[1]):
            if held is not None:
                await self.holds.refused(held)
            raise ExpertUnavailable("the expert is busy or offline")
        return held, earlier

    async def refused(self, expert_id: str, session_id: str, hold: Hold | None) -> None:
        """The script after ``take`` refused: give back what it took."""
        await self.busy.refused(expert_id, session_id)
        if hold is not None:
            await self.holds.refused(hold)

    async def hold_booked(self, session_id: str, payer_id: str, expert_id: str,
                          cents: int) -> Hold:
        """A booked call's own hold, taken at accept (its booking's is released by then)."""
        hold = Hold.of_call(session_id, payer_id, expert_id, cents)
        if not await self.holds.take(hold, cents):
            raise NotEnoughFunds("your wallet does not cover this call")
        return hold

    async def carry_out(self, session_id: str, reply: Any, outcome: Outcome) -> None:
        """The steps a script asked for (``outcome``: its reply decoded): the expert it let
        go, the hold it settles, the queue the call left or came back to. When Redis cannot
        take them now (a primary failing over), the intents the script wrote have a reaper
        take them a lease later, and the caller still hears what the script did."""
        if not isinstance(reply, list) or len(reply) < 7:
            return
        freed, paid = text_or_none(reply[5]), text_or_none(reply[6])
        settle = Hold.of_intent(paid) if paid else None
        steps: list[Step] = []
        if freed:
            steps.append(self.busy.give_back_step(freed, session_id))
        if settle is not None:
            steps.append(self.holds.settle_step(*settle))
        queued = self.queues.after(outcome)
        steps += queued
        if not steps:
            return
        try:
            await in_order(self._redis, *steps)
        except (aioredis.RedisError, OSError) as exc:
            log.warning("session %s: steps left to the reaper (%s)", session_id, exc)
            return
        if freed:
            self.busy.given_back(freed, session_id)
        if paid:
            self.holds.settled(paid)
        if queued:
            self.queues.done(outcome)

    async def grown(self, session_id: str, payer_id: str) -> int | None:
        """A live per-minute call's hold, grown to all its payer's wallet has left (before
        its 'low' or 'balance' deadline's script reads it); None when it holds nothing."""
        nonce = text_or_none(await self._redis.hget(session_key(session_id), "hold_nonce"))
        if not nonce:
            return None
        return await self.holds.grow(Hold(session_id, payer_id, nonce))

    async def fire(self, member: str) -> bool:
        """A due intent (the reaper's): the step it records, taken. False for a deadline of
        another kind."""
        if (free := parse_free_member(member)) is not None:
            await self.busy.settle(*free)
            return True
        return await self.holds.fire(member) or await self.queues.fire(member)
