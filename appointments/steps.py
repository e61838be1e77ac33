"""What a booking changes outside its own slot, as steps of their own (docs/cluster.md).

A booking and its deadlines live in its bucket's slot; the expert's calendar
(``bookings:active``, which tells two bookings of one slot apart) in the expert's; the
lists of bookings and notifications in each account's. A booking script changes only its
own slot and records what it owes the others as intents, due a lease ahead in its
bucket's deadlines; the caller then takes each step and drops the intent, and any
process's loop takes the step once the intent falls due if the caller stopped first.
Every step can run twice:

- ``reserve|<id>|<expert>|<slot>``, written before a slot is reserved in the calendar
  (``reserve.lua``), is taken (dropped) by the script that makes the slot the booking's.
  When it falls due, no script did: it becomes ``release`` (``lapse.lua``), atomically,
  so a script running late finds it gone and refuses.
- ``release|<id>|<expert>|<slot>|<counter>``: the slot out of the calendar, and one more
  of the expert's reliability ``counter`` only if this step removed it (``release.lua``).
- ``post|<id>|<account>|<start ms>|<notes>``: the booking in the account's list at its
  start, and its notifications, each once (``post.lua``).

Each slot is named with a nonce (``<id>|<nonce>|<end ms>``), so undoing one attempt never
takes away another's.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from appointments import keys
from common.lua import Lua, in_order
from common.redisvalues import text_or_none
from sessions.intents import Intents

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """One attempt at a slot of the expert's calendar for a booking."""

    booking_id: str
    expert_id: str
    start_ms: int
    end_ms: int
    nonce: str

    @classmethod
    def new(cls, booking_id: str, expert_id: str, start_ms: int, end_ms: int) -> Slot:
        return cls(booking_id, expert_id, start_ms, end_ms, secrets.token_hex(4))

    @property
    def member(self) -> str:
        return f"{self.booking_id}|{self.nonce}|{self.end_ms}"

    @property
    def intent(self) -> str:
        return f"reserve|{self.booking_id}|{self.expert_id}|{self.member}"


def posted_notes(member: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The notifications a ``post`` intent carries, as (account, notification) pairs."""
    _, _, account, _, notes = member.split("|", 4)
    return tuple((account, json.loads(text)) for text in json.loads(notes))


class BookingSteps:
    def __init__(self, redis: aioredis.Redis, intents: Intents, max_len_ms: int,
                 notifications_kept: int) -> None:
        self._redis = redis
        self.intents = intents
        self._max_len_ms = max_len_ms
        self._kept = notifications_kept
        self._reserve = Lua(redis, "appointments/lua/reserve.lua")
        self._release = Lua(redis, "appointments/lua/release.lua")
        self._post = Lua(redis, "appointments/lua/post.lua")
        self._lapse = Lua(redis, "appointments/lua/lapse.lua")

    async def reserve(self, slot: Slot) -> bool:
        """The intent, then the slot (one round trip on a single Redis); False when another
        booking has it (nothing owed)."""
        reserve = self._reserve.step(
            keys={"active": keys.active_key(slot.expert_id)},
            args={"id": slot.booking_id, "start_ms": slot.start_ms, "member": slot.member,
                  "max_len_ms": self._max_len_ms})
        _, taken = await in_order(self._redis, self.intents.step(slot.intent), reserve)
        if not taken:
            await self.intents.drop(slot.intent)
        return bool(taken)

    async def unreserve(self, slot: Slot) -> None:
        """The script that was to take ``slot`` refused: it goes back at once."""
        await self._release_slot(slot.expert_id, slot.member, "")
        await self.intents.drop(slot.intent)

    async def _release_slot(self, expert_id: str, member: str, counter: str) -> None:
        await self._release(keys={"active": keys.active_key(expert_id),
                                  "reliability": keys.reliability_key(expert_id)},
                            args={"member": member, "counter": counter})

    async def take(self, owed: Sequence[str]) -> None:
        """The steps a script recorded (its intents), taken now; a failure leaves the rest
        to the loop, a lease later."""
        for member in owed:
            try:
                await self._take(member)
            except (aioredis.RedisError, OSError) as exc:
                log.warning("booking step %s left to the loop (%s)", member[:80], exc)
                return

    async def fire(self, member: str) -> bool:
        """A due intent of one of the kinds above, taken; False for another kind."""
        if member.startswith("reserve|"):
            release = text_or_none(await self._lapse(
                keys={"deadlines": self.intents.zset_of(member)},
                args={"reservation": member}))
            if release:
                log.info("booking slot %s never taken: released", member)
                await self._take(release)
            return True
        if member.startswith(("release|", "post|")):
            await self._take(member)
            return True
        return False

    async def _take(self, member: str) -> None:
        kind, booking_id, owner, rest = member.split("|", 3)
        if kind == "release":
            slot, _, counter = rest.rpartition("|")
            await self._release_slot(owner, slot, counter)
        else:
            start, _, notes = rest.partition("|")
            await self._post(keys={"index": keys.index_key(owner),
                                   "notes": keys.notifications_key(owner)},
                             args={"id": booking_id, "start_ms": start, "notes": notes,
                                   "kept": self._kept})
        self.intents.done(member)
