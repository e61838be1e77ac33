"""The booking scripts' money and calendar rules, run through ``BookingStore`` on the real
test Redis without an app: a booking holds its price and its slot, a late cancel or a
no-show pays its fee, an attended booking gives the hold back. The money moves in the
client's wallet as steps of their own around each script (sessions/holds.py), and the
expert's calendar and the accounts' lists too (appointments/steps.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis.asyncio as aioredis

from appointments.errors import NoSuchBooking, NotYourBooking, SlotTaken, WrongBookingState
from appointments.keys import (
    active_key,
    booking_key,
    deadlines_key,
    notifications_key,
    reliability_key,
)
from appointments.store import BookingStore, NewBooking, StoreRules
from common.errors import Forbidden, Invalid
from common.redistime import redis_ms
from marketplace import keys as market_keys
from sessions.errors import NotEnoughFunds
from sessions.wallet import wallet_key

HOUR = 3_600_000
WALLET = wallet_key("c")
RULES = StoreRules(currency="eur", billing_stream="billing", platform_fee_percent=20,
                   reminder_offsets_ms=(48 * HOUR, 600_000), no_show_ms=600_000,
                   notifications_kept=10, lease_ms=60_000)


class Family:
    """A store, and the steps of one client ``c`` booking expert ``e``."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.store = BookingStore(redis, RULES)

    async def run(self, name: str, booking_id: str = "1", **args: Any) -> dict[str, Any]:
        try:
            match name:
                case "cancel":
                    outcome = await self.store.cancel(booking_id, args["account"])
                case "joined":
                    outcome = await self.store.joined(booking_id, args["account"])
                case "propose":
                    outcome = await self.store.propose(booking_id, args["account"],
                                                       args["start_ms"], args["end_ms"])
                case "respond":
                    outcome = await self.store.respond(booking_id, args["account"],
                                                       args["answer"] == "accept")
                case _:
                    outcome = await self.store.fire(args["member"])
        except (NoSuchBooking, NotYourBooking, Forbidden, WrongBookingState) as exc:
            return {"err": type(exc).__name__, "detail": str(exc)}
        finally:
            await self.store.intents.drop_done()
        if outcome.booking is None:
            return {"status": outcome.status}
        return {"status": outcome.status,
                "booking": await self.redis.hgetall(booking_key(booking_id))}

    async def book(self, booking_id: str, start: int, hold: int = 3000,
                   rate: int = 3000) -> dict[str, Any]:
        await self.redis.hset(market_keys.expert("e"), "profile", json.dumps(
            {"pricing": {"mode": "per_session", "amount_cents": rate}}))
        new = NewBooking(
            client_id="c", expert_id="e", topic="taxes", start_ms=start, length_minutes=30,
            pricing_mode="per_session", rate_cents=rate, hold_cents=hold,
            min_notice_ms=60_000, cancel_notice_ms=24 * HOUR, late_cancel_fee_percent=50,
            no_show_fee_percent=100, client_name="Cléo", expert_name="Ada", time_zone="UTC")
        try:
            outcome = await self.store.book(booking_id, new)
        except (SlotTaken, Invalid, NotEnoughFunds, WrongBookingState) as exc:
            return {"err": type(exc).__name__}
        finally:
            await self.store.intents.drop_done()
        assert outcome.booking is not None
        return {"status": outcome.status, "booking": {"state": outcome.booking.state}}


async def _ready(redis: aioredis.Redis) -> tuple[Family, int]:
    await redis.hset(WALLET, mapping={"balance": 10_000, "held": 0})
    return Family(redis), await redis_ms(redis) + 2 * HOUR


async def test_a_booking_holds_its_money_and_its_slot(redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    assert await family.book("1", start - 2 * HOUR) == {"err": "Invalid"}  # too soon
    assert await family.book("1", start, hold=20_000) == {"err": "NotEnoughFunds"}
    booked = await family.book("1", start)
    assert (booked["status"], booked["booking"]["state"]) == ("booked", "booked")
    assert await redis.hget(WALLET, "held") == "3000"
    assert await family.book("1", start) == {"err": "WrongBookingState"}  # it exists
    assert await family.book("2", start + HOUR // 4) == {"err": "SlotTaken"}
    # The refused attempts left nothing in the calendar, and no money held.
    [member] = await redis.zrange(active_key("e"), 0, -1)
    assert member.startswith("1|") and member.endswith(f"|{start + HOUR // 2}")
    assert await redis.hget(WALLET, "held") == "3000"
    # A reminder whose moment has passed already is never scheduled; no intent is left.
    assert await redis.zrange(deadlines_key("1"), 0, -1) == ["remind:600000|1", "noshow|1"]
    assert [json.loads(n)["kind"] for n in await redis.lrange(notifications_key("e"), 0, -1)
            ] == ["booking.created"]


async def test_a_late_cancel_costs_the_client_its_fee_and_the_expert_its_reliability(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    await family.book("2", start + HOUR)
    assert (await family.run("cancel", "1", account="stranger"))["err"] == "NotYourBooking"
    cancelled = (await family.run("cancel", "1", account="c"))["booking"]
    # Within the day's notice: half the 3000 held, the platform's 20 % of it.
    assert (cancelled["state"], cancelled["cancelled_by"], cancelled["amount_cents"],
            cancelled["platform_fee_cents"], cancelled["expert_payout_cents"]) == (
        "cancelled", "client", "1500", "300", "1200")
    assert await family.run("cancel", "1", account="c") == {
        "err": "WrongBookingState", "detail": "the booking is cancelled"}
    assert (await family.run("cancel", "2", account="e"))["booking"]["amount_cents"] == "0"
    assert await redis.hgetall(WALLET) == {"balance": "8500", "held": "0"}
    assert await redis.hget(reliability_key("e"), "late_cancellations") == "1"
    assert [e["type"] for _, e in await redis.xrange("billing")] == [
        "booking.cancelled", "booking.cancelled"]
    assert await redis.zcard(active_key("e")) == 0
    assert await redis.zcard(deadlines_key("1")) == await redis.zcard(deadlines_key("2")) == 0


async def test_attended_gives_the_hold_back_and_a_no_show_pays_its_fee(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    await family.book("2", start + HOUR)
    assert (await family.run("joined", "1", account="c"))["status"] == "joined"
    assert (await family.run("joined", "1", account="e"))["status"] == "attended"
    assert await redis.hgetall(WALLET) == {"balance": "10000", "held": "3000"}
    assert await redis.hget(reliability_key("e"), "attended") == "1"
    # The expert came, the client did not: the whole hold (100 %) is the fee.
    await family.run("joined", "2", account="e")
    # Not due yet: every process's loop may try, none acts.
    assert await family.run("fire", "2", member="noshow|2") == {"status": "gone"}
    assert await redis.hget(booking_key("2"), "state") == "booked"
    await redis.zadd(deadlines_key("2"), {"noshow|2": 0})
    fired = (await family.run("fire", "2", member="noshow|2"))["booking"]
    assert (fired["state"], fired["no_show_by"], fired["amount_cents"]) == (
        "no_show", "client", "3000")
    assert await redis.hgetall(WALLET) == {"balance": "7000", "held": "0"}
    assert await redis.hget(reliability_key("e"), "no_shows") is None  # the expert was there
    assert await redis.zcard(active_key("e")) == 0


async def test_a_new_time_is_proposed_by_one_side_and_accepted_by_the_other(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    await family.book("2", start + 8 * HOUR)
    later = start + 4 * HOUR
    assert (await family.run("propose", "1", account="c", start_ms=later,
                             end_ms=later + HOUR // 2))["status"] == "proposed"
    assert (await family.run("respond", "1", account="c", answer="accept"))["err"] == (
        "Forbidden")
    moved = (await family.run("respond", "1", account="e", answer="accept"))["booking"]
    assert (moved["start_ms"], moved["sequence"], moved["proposed_by"]) == (
        str(later), "1", "")
    assert await redis.zscore(deadlines_key("1"), "noshow|1") == later + 600_000
    # The old slot left the calendar, the new one is there, each once.
    ends = sorted(int(m.rsplit("|", 1)[1]) for m in await redis.zrange(active_key("e"), 0, -1))
    assert ends == [later + HOUR // 2, start + 8 * HOUR + HOUR // 2]
    assert await family.run("respond", "1", account="e", answer="decline") == {
        "err": "WrongBookingState", "detail": "there is no new time proposed"}
    # A new time over booking 2's is refused before anything moves.
    taken = start + 8 * HOUR + HOUR // 4
    await family.run("propose", "1", account="e", start_ms=taken, end_ms=taken + HOUR // 2)
    with pytest.raises(SlotTaken):
        await family.store.respond("1", "c", accept=True)
    assert await redis.hget(booking_key("1"), "start_ms") == str(later)
    assert await redis.zcard(active_key("e")) == 2
