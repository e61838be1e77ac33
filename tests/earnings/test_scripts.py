"""The earnings scripts' money rules, each script loaded into the real test Redis on its own:
an event is credited (or taken back) once, a payout request takes available money in one
step, and an admin's decision follows the payout's states."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from common.lua import Lua

EXPERT = {"account": "earn", "ledger": "ledger"}
INDEXES = {"requested": "i:requested", "approved": "i:approved", "paid": "i:paid",
           "rejected": "i:rejected"}


async def _balances(redis: aioredis.Redis) -> tuple[int, ...]:
    got = await redis.hmget("earn", "earned", "available", "pending", "paid_out")
    return tuple(int(v or 0) for v in got)


async def _ledger(redis: aioredis.Redis) -> list[tuple[str, ...]]:
    return [(f["kind"], f["amount_cents"], f["available_cents"], f["pending_cents"],
             f["paid_out_cents"]) for _, f in await redis.xrange("ledger")]


async def test_an_event_is_credited_once_and_a_refund_taken_back_once(
        redis: aioredis.Redis) -> None:
    credit = Lua(redis, "earnings/lua/credit.lua")
    debit = Lua(redis, "earnings/lua/debit.lua")
    keys = {**EXPERT, "credited": "credited", "months": "months"}
    args = {"event_id": "evt_1", "payout_cents": 800, "month": "2026-11",
            "session_id": "s_1", "booking_id": "", "call_at": "2026-11-30T10:00:00.000Z"}
    assert await credit(keys=keys, args=args) == 1
    assert await credit(keys=keys, args=args) == 0  # redelivered
    assert await _balances(redis) == (800, 800, 0, 0)
    assert await redis.hgetall("months") == {"2026-11": "800"}
    refund = {"event_id": "evt_2", "cents": 300, "session_id": "s_1",
              "refunded_at": "2026-12-01T09:00:00.000Z"}
    debit_keys = {**EXPERT, "credited": "credited"}
    assert await debit(keys=debit_keys, args=refund) == 1
    assert await debit(keys=debit_keys, args=refund) == 0
    # Taking back more than is available leaves a debt the next earnings pay first.
    assert await debit(keys=debit_keys, args={**refund, "event_id": "evt_3", "cents": 700}) == 1
    assert await _balances(redis) == (-200, -200, 0, 0)
    assert await redis.hgetall("months") == {"2026-11": "800"}  # what was earned that month
    assert await _ledger(redis) == [("earning", "800", "800", "0", "0"),
                                    ("refund", "-300", "500", "0", "0"),
                                    ("refund", "-700", "-200", "0", "0")]
    entries = [f for _, f in await redis.xrange("ledger")]
    assert (entries[0]["event_id"], entries[0]["call_at"]) == ("evt_1", args["call_at"])
    assert entries[1]["call_at"] == refund["refunded_at"]


async def _request(redis: aioredis.Redis, payout_id: str,
                   amount: int | str) -> list[Any]:
    request = Lua(redis, "earnings/lua/request.lua")
    reply: list[Any] = await request(
        keys={**EXPERT, "payout": f"p:{payout_id}", "payouts": "payouts",
              "requested": INDEXES["requested"], "bank": "bank"},
        args={"payout_id": payout_id, "expert_id": "u_e", "amount": amount, "minimum": 500,
              "currency": "eur"})
    return reply


async def test_a_payout_request_takes_available_money_at_once_above_the_minimum(
        redis: aioredis.Redis) -> None:
    await redis.hset("earn", mapping={"earned": 3000, "available": 3000, "pending": 0,
                                      "paid_out": 0})
    assert await _request(redis, "p1", 1000) == ["err", "no_bank"]
    await redis.hset("bank", mapping={"holder": "Ada", "iban": "FR7630006000011234567890189"})
    assert await _request(redis, "p1", 400) == ["err", "below_minimum", "3000"]
    assert await _request(redis, "p1", 3001) == ["err", "insufficient", "3000"]
    status, fields = await _request(redis, "p1", 1000)
    payout = dict(zip(fields[::2], fields[1::2], strict=True))
    assert (status, payout["state"], payout["amount_cents"], payout["bic"]) == (
        "ok", "requested", "1000", "")
    assert await _balances(redis) == (3000, 2000, 1000, 0)
    # '' asks for everything still available.
    assert (await _request(redis, "p2", ""))[0] == "ok"
    assert await redis.hget("p:p2", "amount_cents") == "2000"
    assert await _balances(redis) == (3000, 0, 3000, 0)
    assert await redis.zrange("payouts", 0, -1) == ["p1", "p2"]
    assert await redis.zrange(INDEXES["requested"], 0, -1) == ["p1", "p2"]
    assert await _request(redis, "p3", "") == ["err", "below_minimum", "0"]


async def test_a_payout_is_approved_then_paid_or_rejected_with_its_money_back(
        redis: aioredis.Redis) -> None:
    decide = Lua(redis, "earnings/lua/decide.lua")
    await redis.hset("earn", mapping={"earned": 3000, "available": 3000, "pending": 0,
                                      "paid_out": 0})
    await redis.hset("bank", mapping={"holder": "Ada", "iban": "FR7630006000011234567890189"})
    await _request(redis, "p1", 1000)
    await _request(redis, "p2", 1500)

    async def act(payout_id: str, action: str, expert: str = "u_e") -> list[Any]:
        reply: list[Any] = await decide(
            keys={**EXPERT, "payout": f"p:{payout_id}", **INDEXES},
            args={"action": action, "admin": "u_admin", "reference": "TRX-9",
                  "expert_id": expert, "payout_id": payout_id})
        return reply

    assert await act("p1", "approve", expert="u_other") == ["err", "not_found"]
    assert await act("p1", "pay") == ["err", "conflict", "requested"]  # approve first
    assert (await act("p1", "approve"))[0] == "ok"
    assert await act("p1", "approve") == ["err", "conflict", "approved"]
    assert (await act("p1", "pay"))[0] == "ok"
    assert await act("p1", "reject") == ["err", "conflict", "paid"]  # paid is final
    assert (await act("p2", "reject"))[0] == "ok"
    assert await _balances(redis) == (3000, 2000, 0, 1000)
    assert await redis.hmget("p:p1", "state", "paid_by", "reference") == [
        "paid", "u_admin", "TRX-9"]
    assert [await redis.zrange(INDEXES[s], 0, -1) for s in INDEXES] == [
        [], [], ["p1"], ["p2"]]
    assert (await _ledger(redis))[2:] == [("payout_paid", "1000", "500", "1500", "1000"),
                                          ("payout_rejected", "1500", "2000", "0", "1000")]
    assert await act("nothing", "approve") == ["err", "not_found"]
