"""The only code that touches booking keys: each change is one atomic Lua script.

Keys: ``hc:{b:<id>}`` (the booking hash), ``hc:bookings:active:<expert>`` (the expert's
bookings still to be met, members ``<id>|<end ms>`` scored by start ms),
``hc:bookings:deadlines`` (``remind:<offset ms>|<id>`` and ``noshow|<id>`` by due ms),
``hc:bookings:of:<account>`` (every booking of an account, by start ms),
``hc:notifications:<account>`` (a list of JSON notifications, newest first),
``hc:bookings:reliability:<expert>`` (counters), ``hc:availability:<expert>`` (JSON); the
client's wallet and ledger and the billing stream belong to ``sessions``.
"""

from __future__ import annotations

import json
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
from common.errors import Forbidden, Invalid
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import pairs, text_map, text_or_none
from marketplace import keys as market_keys
from sessions.errors import NotEnoughFunds, PriceChanged
from sessions.pricing import Pricing, PricingMode
from sessions.wallet import ledger_key, wallet_key

DEADLINES = "hc:{0}:bookings:deadlines"
MAX_LEN_MS = MAX_LENGTH_MINUTES * 60_000

def booking_key(booking_id: str) -> str:
    return f"hc:{{0}}:{{b:{booking_id}}}"


def active_key(expert_id: str) -> str:
    return f"hc:{{0}}:bookings:active:{expert_id}"


def index_key(account_id: str) -> str:
    return f"hc:{{0}}:bookings:of:{account_id}"


def notifications_key(account_id: str) -> str:
    return f"hc:{{0}}:notifications:{account_id}"


def reliability_key(expert_id: str) -> str:
    return f"hc:{{0}}:bookings:reliability:{expert_id}"


def availability_key(expert_id: str) -> str:
    return f"hc:{{0}}:availability:{expert_id}"


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
        case "conflict":
            raise WrongBookingState(f"the booking is {detail}" if detail else "conflict")
        case "slot_taken":
            raise SlotTaken()
        case "too_soon":
            raise Invalid("this time is too soon to book", "start")
        case "insufficient_funds":
            raise NotEnoughFunds("your wallet does not cover this appointment")
        case "price_changed":
            amount = text_or_none(reply[3])
            raise PriceChanged(Pricing(PricingMode(str(detail)), int(str(amount))))
        case "unavailable":
            raise NotBookable("this expert does not take bookings any more")
        case code:
            raise RuntimeError(f"unexpected script error {code!r}")


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
        self._due = Lua(redis, "common/lua/due.lua")

    def _keys(self, booking_id: str, client_id: str, expert_id: str) -> list[str]:
        return [
            booking_key(booking_id), active_key(expert_id), DEADLINES, wallet_key(client_id),
            ledger_key(client_id), self.rules.billing_stream, index_key(client_id),
            index_key(expert_id), notifications_key(client_id), notifications_key(expert_id),
            reliability_key(expert_id),
        ]

    async def _run(self, name: str, booking_id: str, parties: tuple[str, str],
                   *extra: str | int, more_keys: tuple[str, ...] = ()) -> Outcome:
        reply = await self._scripts[name](
            keys=[*self._keys(booking_id, *parties), *more_keys],
            args=[booking_id, self.rules.notifications_kept, self.rules.platform_fee_percent,
                  *extra],
        )
        return _outcome(reply)

    async def parties(self, booking_id: str) -> tuple[str, str]:
        client, expert = await self._redis.hmget(booking_key(booking_id), "client_id",
                                                 "expert_id")
        if client is None:
            raise NoSuchBooking()
        return str(client), str(expert)

    async def now_ms(self) -> int:
        return await redis_ms(self._redis)

    async def book(self, booking_id: str, new: NewBooking) -> Outcome:
        r = self.rules
        return await self._run(
            "book", booking_id, (new.client_id, new.expert_id),
            new.client_id, new.expert_id, new.topic, new.start_ms, new.end_ms,
            new.length_minutes, new.pricing_mode, new.rate_cents, new.hold_cents, r.currency,
            new.min_notice_ms, MAX_LEN_MS, ",".join(str(o) for o in r.reminder_offsets_ms),
            r.no_show_ms, new.cancel_notice_ms, new.late_cancel_fee_percent,
            new.no_show_fee_percent, new.client_name, new.expert_name, new.time_zone,
            # The expert's profile, whose current price must be the booking's (§7.2).
            more_keys=(market_keys.expert(new.expert_id),),
        )

    async def cancel(self, booking_id: str, account_id: str) -> Outcome:
        return await self._run("cancel", booking_id, await self.parties(booking_id), account_id)

    async def propose(self, booking_id: str, account_id: str, start_ms: int,
                      end_ms: int) -> Outcome:
        return await self._run("propose", booking_id, await self.parties(booking_id),
                               account_id, start_ms, end_ms)

    async def respond(self, booking_id: str, account_id: str, accept: bool) -> Outcome:
        return await self._run("respond", booking_id, await self.parties(booking_id),
                               account_id, "accept" if accept else "decline", MAX_LEN_MS)

    async def joined(self, booking_id: str, account_id: str) -> Outcome:
        return await self._run("joined", booking_id, await self.parties(booking_id), account_id)

    async def fire(self, member: str) -> Outcome:
        booking_id = member.partition("|")[2]
        try:
            parties = await self.parties(booking_id)
        except NoSuchBooking:
            await self._redis.zrem(DEADLINES, member)
            return Outcome("gone")
        return await self._run("fire", booking_id, parties, member)

    async def due(self, limit: int = 200) -> list[str]:
        return [str(text_or_none(m)) for m in await self._due(
            keys={"deadlines": DEADLINES}, args={"limit": limit})]

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
