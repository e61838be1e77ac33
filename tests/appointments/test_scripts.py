"""The booking scripts' money rules, each script loaded into the real test Redis on its own
with the family's names (appointments/lua/prelude.lua): a booking holds its price and its
slot, a late cancel or a no-show pays its fee, an attended booking gives the hold back.
The money moves in the client's wallet as steps of their own around each script
(sessions/holds.py), as ``BookingStore`` takes them."""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from common.lua import Lua
from common.redistime import redis_ms
from sessions.holds import Hold, Holders, WalletHolds, hold_args
from sessions.intents import Intents
from sessions.wallet import wallet_key

HOUR = 3_600_000
FAMILY = {"booking": "b:1", "active": "active", "deadlines": "deadlines",
          "billing": "billing", "client_index": "of:c",
          "expert_index": "of:e", "client_notes": "notes:c", "expert_notes": "notes:e",
          "reliability": "reliability"}
WALLET = wallet_key("c")


class Family:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.scripts = {name: Lua(redis, f"appointments/lua/{name}.lua")
                        for name in ("book", "cancel", "joined", "fire", "propose", "respond")}
        self.intents = Intents(redis, 60_000, lambda _member: "deadlines")
        self.holds = WalletHolds(redis, self.intents,
                                 Holders(("deadlines",), "b:{}".format, ("booked",), booking=True))

    async def run(self, name: str, booking_id: str = "1", keys: dict[str, str] | None = None,
                  hold: Hold | None = None, **args: Any) -> dict[str, Any]:
        reply = await self.scripts[name](
            keys={**FAMILY, "booking": f"b:{booking_id}", **(keys or {})},
            args={"id": booking_id, "kept": 10, "fee_percent": 20, "lease_ms": 60_000, **args})
        if len(reply) > 4 and reply[4]:
            await self.holds.settle_after(reply[4])  # the hold the script settles
        if reply[0] == "err" and hold is not None:
            await self.holds.refused(hold)
        await self.intents.drop_done()
        if reply[0] == "err":
            return {"err": reply[1:]}
        if len(reply) == 1:
            return {"status": reply[0]}
        return {"status": reply[0], "booking": dict(zip(reply[2][::2], reply[2][1::2],
                                                       strict=True))}

    async def book(self, booking_id: str, start: int, hold: int = 3000,
                   rate: int = 3000) -> dict[str, Any]:
        taken = Hold.new(booking_id, "c")
        held = await self.holds.take(taken, hold)
        return await self.run(
            "book", booking_id, hold=taken if held else None,
            **hold_args(taken if held else None),
            client_id="c", expert_id="e",
            topic="taxes", start_ms=start, end_ms=start + HOUR // 2, length_minutes=30,
            pricing_mode="per_session", rate_cents=rate, hold_cents=hold, currency="eur",
            min_notice_ms=60_000, max_len_ms=4 * HOUR, reminders=f"600000,{48 * HOUR}",
            no_show_ms=600_000, cancel_notice_ms=24 * HOUR, late_fee_percent=50,
            no_show_fee_percent=100, client_name="Cléo", expert_name="Ada", time_zone="UTC")


async def _ready(redis: aioredis.Redis) -> tuple[Family, int]:
    await redis.hset(WALLET, mapping={"balance": 10_000, "held": 0})
    return Family(redis), await redis_ms(redis) + 2 * HOUR


async def test_a_booking_holds_its_money_and_its_slot(redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    assert await family.book("1", start - 2 * HOUR) == {"err": ["too_soon"]}
    assert await family.book("1", start, hold=20_000) == {"err": ["insufficient_funds"]}
    booked = await family.book("1", start)
    assert (booked["status"], booked["booking"]["state"]) == ("booked", "booked")
    assert await redis.hget(WALLET, "held") == "3000"
    assert await family.book("1", start) == {"err": ["conflict"]}
    assert await family.book("2", start + HOUR // 4) == {"err": ["slot_taken"]}
    # A reminder whose moment has passed already is never scheduled.
    assert await redis.zrange("deadlines", 0, -1) == ["remind:600000|1", "noshow|1"]
    assert [json.loads(n)["kind"] for n in await redis.lrange("notes:e", 0, -1)] == [
        "booking.created"]


async def test_a_late_cancel_costs_the_client_its_fee_and_the_expert_its_reliability(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    await family.book("2", start + HOUR)
    assert await family.run("cancel", "1", account="stranger") == {"err": ["forbidden"]}
    cancelled = (await family.run("cancel", "1", account="c"))["booking"]
    # Within the day's notice: half the 3000 held, the platform's 20 % of it.
    assert (cancelled["state"], cancelled["cancelled_by"], cancelled["amount_cents"],
            cancelled["platform_fee_cents"], cancelled["expert_payout_cents"]) == (
        "cancelled", "client", "1500", "300", "1200")
    assert await family.run("cancel", "1", account="c") == {"err": ["conflict", "cancelled"]}
    assert (await family.run("cancel", "2", account="e"))["booking"]["amount_cents"] == "0"
    assert await redis.hgetall(WALLET) == {"balance": "8500", "held": "0"}
    assert await redis.hget("reliability", "late_cancellations") == "1"
    assert [e["type"] for _, e in await redis.xrange("billing")] == [
        "booking.cancelled", "booking.cancelled"]
    assert await redis.zcard("active") == await redis.zcard("deadlines") == 0


async def test_attended_gives_the_hold_back_and_a_no_show_pays_its_fee(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    await family.book("2", start + HOUR)
    assert (await family.run("joined", "1", account="c"))["status"] == "joined"
    assert (await family.run("joined", "1", account="e"))["status"] == "attended"
    assert await redis.hgetall(WALLET) == {"balance": "10000", "held": "3000"}
    assert await redis.hget("reliability", "attended") == "1"
    # The expert came, the client did not: the whole hold (100 %) is the fee.
    await family.run("joined", "2", account="e")
    # Not due yet: every process's loop may try, none acts.
    assert await family.run("fire", "2", member="noshow|2") == {"status": "gone"}
    assert await redis.hget("b:2", "state") == "booked"
    await redis.zadd("deadlines", {"noshow|2": 0})
    fired = (await family.run("fire", "2", member="noshow|2"))["booking"]
    assert (fired["state"], fired["no_show_by"], fired["amount_cents"]) == (
        "no_show", "client", "3000")
    assert await redis.hgetall(WALLET) == {"balance": "7000", "held": "0"}
    assert await redis.hget("reliability", "no_shows") is None  # the expert was there


async def test_a_new_time_is_proposed_by_one_side_and_accepted_by_the_other(
        redis: aioredis.Redis) -> None:
    family, start = await _ready(redis)
    await family.book("1", start)
    later = start + 4 * HOUR
    assert (await family.run("propose", "1", account="c", start_ms=later,
                             end_ms=later + HOUR // 2))["status"] == "proposed"
    assert await family.run("respond", "1", account="c", answer="accept",
                            max_len_ms=4 * HOUR) == {"err": ["forbidden_own"]}
    moved = (await family.run("respond", "1", account="e", answer="accept",
                              max_len_ms=4 * HOUR))["booking"]
    assert (moved["start_ms"], moved["sequence"], moved["proposed_by"]) == (
        str(later), "1", "")
    assert await redis.zscore("deadlines", "noshow|1") == later + 600_000
    assert await family.run("respond", "1", account="e", answer="decline",
                            max_len_ms=4 * HOUR) == {"err": ["conflict", "no_proposal"]}
