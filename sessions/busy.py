"""The expert's busy flag: one call at a time, taken and given back as steps of their own.

The flag (``busy_key``: the id of the session holding the expert) lives in the expert's
own slot, not in the session's, so no script can change both at once (docs/cluster.md,
"A call as single-slot steps"). A call takes it in three steps, each idempotent:

1. a ``free|session|expert`` deadline a lease from now, in the session's slot: the
   *intent*, written first so that whatever follows can be undone by any process;
2. the flag, if no other session holds it (``busy_claim.lua``);
3. the session script (``start``, ``route``), which drops the intent once the session
   holds the expert; a refusal gives the flag back at once, unless the session holds the
   expert after all (a step retried after its reply was lost).

A script that lets the expert go (the call ends, or a category call goes back to its
queue) writes the intent again and answers the expert; the caller gives the flag back
(compare-and-delete: a flag another session took meanwhile stays theirs), and the reaper's
next tick drops the intent. A process stopped anywhere in between leaves an intent that
falls due a lease later: the reaper that finds it gives the flag back unless the session
still holds the expert. So an expert is never left busy without a call for more than a
lease, and never free during one. A caller that finds the flag held by a session that no
longer holds the expert gives it back at once, without waiting for the lease.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from sessions.intents import Intents
from sessions.keys import busy_key, deadlines_key, free_member, session_key
from sessions.states import HOLDS_EXPERT

log = logging.getLogger(__name__)

_HOLDING = sorted(HOLDS_EXPERT)


def _holder(claimed: list[object]) -> str | None:
    """Who holds the flag after ``busy_claim.lua``: None when it is the caller."""
    return None if text_or_none(claimed[0]) == "ok" else str(text_or_none(claimed[1]))


def _left_to_the_intent(expert_id: str, session_id: str, exc: Exception) -> None:
    log.warning("expert %s: could not give back the flag of session %s now (%s); a reaper "
                "frees it within a lease", expert_id, session_id, exc)


class BusyFlags:
    def __init__(self, redis: aioredis.Redis, intents: Intents) -> None:
        self._redis = redis
        self._intents = intents
        self._claim = Lua(redis, "sessions/lua/busy_claim.lua")
        self._release = Lua(redis, "common/lua/release_lock.lua")
        self._check = Lua(redis, "sessions/lua/intent_check.lua")

    def claim_step(self, expert_id: str, session_id: str) -> Step:
        """Step 2, after ``Intents.step`` has recorded ``free_member`` (step 1)."""
        return self._claim.step(keys={"busy": busy_key(expert_id)}, args={"session": session_id})

    async def take(self, expert_id: str, session_id: str) -> bool:
        """Steps 1 and 2; False when another call holds the expert."""
        _, claimed = await in_order(
            self._redis, self._intents.step(free_member(session_id, expert_id)),
            self.claim_step(expert_id, session_id))
        return await self.claimed(expert_id, session_id, claimed)

    async def claimed(self, expert_id: str, session_id: str, claimed: list[object]) -> bool:
        """Whether ``claim_step`` (answering ``claimed``) took the flag for the session: a
        flag left by a call that has ended is freed and taken now."""
        holder = _holder(claimed)
        # A holder not written yet is a start in progress, or one whose process stopped:
        # its intent frees the expert a lease later.
        if holder is not None and not await self._holds(holder, expert_id, unwritten=True):
            # A call that ended before its process could give the flag back.
            log.info("expert %s: freeing the flag session %s left", expert_id, holder)
            await self.give_back(expert_id, holder)
            claimed = await self._claim(keys={"busy": busy_key(expert_id)},
                                        args={"session": session_id})
            holder = _holder(claimed)
        if holder is not None:
            await self._intents.drop(free_member(session_id, expert_id))
        return holder is None

    async def _holds(self, session_id: str, expert_id: str, unwritten: bool) -> bool:
        """Whether the session holds the expert; ``unwritten``: the answer for a session
        that does not exist."""
        state, expert = await self._redis.hmget(session_key(session_id), "state", "expert_id")
        if state is None:
            return unwritten
        return text_or_none(expert) == expert_id and text_or_none(state) in HOLDS_EXPERT

    async def refused(self, expert_id: str, session_id: str) -> None:
        """Step 3 refused: free the expert, unless the session holds them after all."""
        try:
            if not await self._holds(session_id, expert_id, unwritten=False):
                await self.let_go(expert_id, session_id)
        except (aioredis.RedisError, OSError) as exc:
            _left_to_the_intent(expert_id, session_id, exc)

    def give_back_step(self, expert_id: str, session_id: str) -> Step:
        """Free the expert if ``session_id`` still holds the flag."""
        return self._release.step(keys={"lock": busy_key(expert_id)}, args={"token": session_id})

    async def give_back(self, expert_id: str, session_id: str) -> None:
        await in_order(self._redis, self.give_back_step(expert_id, session_id))

    async def let_go(self, expert_id: str, session_id: str) -> None:
        """After a script let the expert go: the flag now; the intent it wrote goes at the
        reaper's next tick (``Intents.done``)."""
        await self.give_back(expert_id, session_id)
        self.given_back(expert_id, session_id)

    def given_back(self, expert_id: str, session_id: str) -> None:
        """The flag's give-back step (``give_back_step``) was taken."""
        self._intents.done(free_member(session_id, expert_id))

    async def settle(self, session_id: str, expert_id: str) -> None:
        """A due ``free`` deadline (the reaper's): free the expert unless still held."""
        member = free_member(session_id, expert_id)
        verdict = await self._check(
            keys={"holder": session_key(session_id), "deadlines": deadlines_key(session_id)},
            args={"member": member, "field": "expert_id", "value": expert_id,
                  "holding": _HOLDING})
        if text_or_none(verdict) == "due":
            log.info("expert %s: freeing the flag of session %s (a step left unfinished)",
                     expert_id, session_id)
            await self.let_go(expert_id, session_id)
