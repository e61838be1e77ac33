"""The only code that changes bookings: each change is one atomic Lua script in the
booking's slot, with the steps it owes elsewhere after it (``appointments/keys.py`` names
the keys, ``appointments/steps.py`` the steps). The billing stream belongs to ``sessions``,
and so does the client's wallet: the money a booking holds is taken and settled there as
steps of their own (``sessions/holds.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from appointments.availability import MAX_LENGTH_MINUTES, Availability
from appointments.booking import Booking
from appointments.errors import (
    NoSuchBooking,
    NotBookable,
    NotYourBooking,
    SlotTaken,
    WrongBookingState,
)
from appointments.keys import (
    EVERY_DEADLINES,
    active_key,
    availability_key,
    booking_key,
    deadlines_key,
    index_key,
    intent_deadlines,
    reliability_key,
)
from appointments.steps import BookingSteps, Slot, posted_notes
from common import faults
from common.deadlines import due_in
from common.errors import Forbidden, HelpcallError, Invalid
from common.keyspace import bucket_of, bucket_stream
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import pairs, text_map, text_or_none
from marketplace import keys as market_keys
from sessions.agreed import still_agreed
from sessions.errors import NotEnoughFunds
from sessions.holds import Hold, Holders, WalletHolds, hold_args
from sessions.intents import Intents
from sessions.pricing import Pricing, PricingMode

MAX_LEN_MS = MAX_LENGTH_MINUTES * 60_000

# What a booking holds of its client's money (sessions/holds.py): kept while booked.
BOOKINGS = Holders(EVERY_DEADLINES, booking_key, ("booked",), booking=True)


@dataclass(frozen=True)
class NewBooking:
    client_id: str
    expert_id: str
    topic: str
    start_ms: int
    length_minutes: int
    pricing_mode: str
    rate_cents: int
    hold_cents: int
    min_notice_ms: int
    cancel_notice_ms: int
    late_cancel_fee_percent: int
    no_show_fee_percent: int
    client_name: str
    expert_name: str
    time_zone: str

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.length_minutes * 60_000


@dataclass(frozen=True)
class Outcome:
    """What a script did, the booking after it, and the notifications it stored."""

    status: str
    booking: Booking | None = None
    now_ms: int = 0
    notes: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class StoreRules:
    currency: str
    billing_stream: str
    platform_fee_percent: int
    reminder_offsets_ms: tuple[int, ...]
    no_show_ms: int
    notifications_kept: int = 100
    lease_ms: int = 6_000  # how soon a step left unfinished is finished by another


def _raise(reply: list[Any]) -> None:
    detail = text_or_none(reply[2]) if len(reply) > 2 else None
    match text_or_none(reply[1]):
        case "not_found":
            raise NoSuchBooking()
        case "forbidden":
            raise NotYourBooking()
        case "forbidden_own":
            raise Forbidden("the other side accepts a proposal, not the one who made it")
        case "conflict" if detail == "started":
            raise WrongBookingState("the appointment has already started")
        case "conflict" if detail == "no_proposal":
            raise WrongBookingState("there is no new time proposed")
        case "conflict" if detail == "expired":
            raise WrongBookingState("this took too long; try again")
        case "conflict":
            raise WrongBookingState(f"the booking is {detail}" if detail else "conflict")
        case "slot_taken":
            raise SlotTaken()
        case "too_soon":
            raise Invalid("this time is too soon to book", "start")
        case "insufficient_funds":
            raise NotEnoughFunds("your wallet does not cover this appointment")
        case code:
            raise RuntimeError(f"unexpected script error {code!r}")


def _owed(reply: Any) -> list[str]:
    """The intents a script recorded (the steps it owes), when it answered any."""
    if isinstance(reply, list) and len(reply) > 5:
        return [str(text_or_none(m)) for m in reply[5]]
    return []


def _outcome(reply: list[Any]) -> Outcome:
    status = str(text_or_none(reply[0]))
    if status == "err":
        _raise(reply)
    if len(reply) < 4:
        return Outcome(status)
    fields = pairs(reply[2])
    # Several notes may go to one account: pairs of a list, not a dict.
    raw_notes = [str(text_or_none(x)) for x in reply[3]]
    notes = tuple((account, json.loads(body))
                  for account, body in zip(raw_notes[::2], raw_notes[1::2], strict=True))
    return Outcome(status, Booking.from_hash(fields), int(reply[1]), notes)


class BookingStore:
    def __init__(self, redis: aioredis.Redis, rules: StoreRules) -> None:
        self._redis = redis
        self.rules = rules
        self._scripts = {
            name: Lua(redis, f"appointments/lua/{name}.lua")
            for name in ("book", "cancel", "propose", "respond", "joined", "fire")
        }
        self.intents = Intents(redis, rules.lease_ms, intent_deadlines)
        self.holds = WalletHolds(redis, self.intents, BOOKINGS)
        self.steps = BookingSteps(redis, self.intents, MAX_LEN_MS, rules.notifications_kept)

    async def _run(self, name: str, booking_id: str, args: Mapping[str, str | int]) -> Outcome:
        """A booking script (the family's keys and arguments, then its own), then the
        steps it owes: the hold it settles, the calendar, the accounts' lists."""
        reply = await self._scripts[name](
            keys={"booking": booking_key(booking_id), "deadlines": deadlines_key(booking_id),
                  "billing": bucket_stream(self.rules.billing_stream, bucket_of(booking_id))},
            args={"id": booking_id, "fee_percent": self.rules.platform_fee_percent,
                  "lease_ms": self.rules.lease_ms, **args},
        )
        faults.reached(f"booking.script:{name}")
        if isinstance(reply, list) and len(reply) > 4 and (paid := text_or_none(reply[4])):
            await self.holds.settle_after(paid)
        await self.steps.take(_owed(reply))
        return _outcome(reply)

    async def now_ms(self) -> int:
        return await redis_ms(self._redis)

    async def book(self, booking_id: str, new: NewBooking) -> Outcome:
        """The price still the expert's (§7.2), read in their slot, as a call's is just
        before its script; the slot, reserved in the expert's calendar; the hold, as a step
        in the client's wallet (None: not covered); then the booking, which keeps both."""
        profile = text_or_none(await self._redis.hget(market_keys.expert(new.expert_id),
                                                      "profile"))
        if profile is None:
            raise NotBookable("this expert does not take bookings any more")
        still_agreed(profile, Pricing(PricingMode(new.pricing_mode), new.rate_cents))
        slot = Slot.new(booking_id, new.expert_id, new.start_ms, new.end_ms)
        if not await self.steps.reserve(slot):
            raise SlotTaken()
        hold = Hold.new(booking_id, new.client_id) if new.hold_cents > 0 else None
        if hold is not None and not await self.holds.take(hold, new.hold_cents):
            hold = None
        faults.reached("booking.held")
        try:
            return await self._book(booking_id, new, slot, hold)
        except HelpcallError:
            await self.steps.unreserve(slot)
            if hold is not None:
                await self.holds.refused(hold)
            raise

    async def _book(self, booking_id: str, new: NewBooking, slot: Slot,
                    hold: Hold | None) -> Outcome:
        r = self.rules
        return await self._run(
            "book", booking_id,
            {"client_id": new.client_id, "expert_id": new.expert_id, "topic": new.topic,
             "start_ms": new.start_ms, "end_ms": new.end_ms,
             "length_minutes": new.length_minutes, "pricing_mode": new.pricing_mode,
             "rate_cents": new.rate_cents, "hold_cents": new.hold_cents,
             "currency": r.currency, "min_notice_ms": new.min_notice_ms,
             "reminders": ",".join(str(o) for o in r.reminder_offsets_ms),
             "no_show_ms": r.no_show_ms, "cancel_notice_ms": new.cancel_notice_ms,
             "late_fee_percent": new.late_cancel_fee_percent,
             "no_show_fee_percent": new.no_show_fee_percent,
             "client_name": new.client_name, "expert_name": new.expert_name,
             "time_zone": new.time_zone, **hold_args(hold),
             "reservation": slot.intent, "member": slot.member},
        )

    async def cancel(self, booking_id: str, account_id: str) -> Outcome:
        return await self._run("cancel", booking_id, {"account": account_id})

    async def propose(self, booking_id: str, account_id: str, start_ms: int,
                      end_ms: int) -> Outcome:
        return await self._run("propose", booking_id,
                               {"account": account_id, "start_ms": start_ms, "end_ms": end_ms})

    async def respond(self, booking_id: str, account_id: str, accept: bool) -> Outcome:
        """To accept, the proposed slot is reserved in the expert's calendar first, when
        the booking as read has a proposal this account may accept (the script decides)."""
        booking = await self.get(booking_id)
        slot = None
        if (accept and booking is not None and booking.proposed_end_ms is not None
                and booking.proposed_start_ms is not None
                and booking.role_of(account_id) not in (None, booking.proposed_by)):
            slot = Slot.new(booking_id, booking.expert_id, booking.proposed_start_ms,
                            booking.proposed_end_ms)
            if not await self.steps.reserve(slot):
                raise SlotTaken()
        args = {"account": account_id, "answer": "accept" if accept else "decline",
                "reservation": slot.intent if slot else "", "member": slot.member if slot else ""}
        try:
            return await self._run("respond", booking_id, args)
        except HelpcallError:
            if slot is not None:
                await self.steps.unreserve(slot)
            raise

    async def joined(self, booking_id: str, account_id: str) -> Outcome:
        return await self._run("joined", booking_id, {"account": account_id})

    async def fire(self, member: str) -> Outcome:
        """A due deadline or intent. A ``post`` left by a stopped process answers its
        notifications, to be delivered live as the process would have."""
        if await self.holds.fire(member):
            return Outcome("gone")
        if await self.steps.fire(member):
            notes = posted_notes(member) if member.startswith("post|") else ()
            return Outcome("posted" if notes else "gone", notes=notes)
        return await self._run("fire", member.partition("|")[2], {"member": member})

    async def due(self, limit: int = 200) -> list[str]:
        """What is due in every bucket's deadlines: one round trip per primary."""
        return await due_in(self._redis, EVERY_DEADLINES, limit)

    async def busy(self, expert_id: str, from_ms: int, to_ms: int) -> list[tuple[int, int]]:
        """The expert's bookings still to be met that overlap [from, to)."""
        members: list[Any] = await self._redis.zrangebyscore(
            active_key(expert_id), from_ms - MAX_LEN_MS, f"({to_ms}", withscores=True)
        intervals = []
        for member, score in members:
            end = int(str(text_or_none(member)).rpartition("|")[2])
            if end > from_ms:
                intervals.append((int(score), end))
        return intervals

    async def get(self, booking_id: str) -> Booking | None:
        fields = text_map(await self._redis.hgetall(booking_key(booking_id)))
        return Booking.from_hash(fields) if fields else None

    async def of_account(self, account_id: str, since_ms: int, limit: int = 200) -> list[Booking]:
        ids = await self._redis.zrangebyscore(index_key(account_id), since_ms, "+inf",
                                              start=0, num=limit)
        async with self._redis.pipeline(transaction=False) as pipe:
            for booking_id in ids:
                pipe.hgetall(booking_key(str(text_or_none(booking_id))))
            rows = await pipe.execute()
        return [Booking.from_hash(text_map(row)) for row in rows if row]

    async def reliability(self, expert_id: str) -> dict[str, int]:
        fields = text_map(await self._redis.hgetall(reliability_key(expert_id)))
        return {name: int(fields.get(name, 0))
                for name in ("attended", "no_shows", "late_cancellations")}

    async def save_availability(self, expert_id: str, availability: Availability) -> None:
        await self._redis.set(availability_key(expert_id), availability.to_json())

    async def availability(self, expert_id: str) -> Availability | None:
        raw = text_or_none(await self._redis.get(availability_key(expert_id)))
        return Availability.from_json(raw) if raw else None
