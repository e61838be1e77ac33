"""The payment scripts' money rules, each script loaded into the real test Redis on its own:
a top-up credits the wallet once, a refund is reserved against open holds and card top-ups,
and settles once."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua


async def _ledger(redis: aioredis.Redis) -> list[tuple[str, str, str]]:
    return [(f["kind"], f["amount_cents"], f["balance_cents"])
            for _, f in await redis.xrange("ledger")]


async def test_a_top_up_credits_its_wallet_once_and_only_for_its_own_intent(
        redis: aioredis.Redis) -> None:
    create = Lua(redis, "payments/lua/topup_create.lua")
    settle = Lua(redis, "payments/lua/topup_settle.lua")
    await create(keys={"topup": "t1", "topups": "topups"},
                 args={"id": "t1", "owner": "u1", "amount": 2000, "currency": "eur"})
    assert await redis.zrange("topups", 0, -1) == ["t1"]
    keys = {"wallet": "wallet", "ledger": "ledger", "topup": "t1"}

    def outcome(intent: str, result: str, amount: int = 2000,
                currency: str = "eur") -> dict[str, str | int]:
        return {"intent": intent, "outcome": result, "amount": amount, "currency": currency,
                "error": "card declined" if result == "failed" else ""}

    # Another amount or currency than the top-up's is not this payment.
    assert await settle(keys=keys, args=outcome("pi_1", "succeeded", amount=1999)) == [
        "mismatch", 0]
    assert await settle(keys=keys, args=outcome("pi_1", "succeeded", currency="usd")) == [
        "mismatch", 0]
    # A failure is not final: the payer may retry the same intent.
    assert await settle(keys=keys, args=outcome("pi_1", "failed")) == ["failed", 0]
    assert await redis.hget("t1", "error") == "card declined"
    assert await settle(keys=keys, args=outcome("pi_1", "failed")) == ["already", 0]
    # Once the intent is recorded, an event for another one is not ours.
    assert await settle(keys=keys, args=outcome("pi_2", "succeeded")) == ["mismatch", 0]
    assert await settle(keys=keys, args=outcome("pi_1", "succeeded")) == ["credited", 2000]
    assert await settle(keys=keys, args=outcome("pi_1", "succeeded")) == ["already", 0]
    assert await settle(keys=keys, args=outcome("pi_1", "failed")) == ["already", 0]
    assert await redis.hgetall("wallet") == {"balance": "2000", "held": "0"}
    assert await _ledger(redis) == [("topup", "2000", "2000")]
    assert await settle(keys={**keys, "topup": "nothing"},
                        args=outcome("pi_1", "succeeded")) == ["unknown", 0]


async def _topup(redis: aioredis.Redis, key: str, status: str, paid: int,
                 refunded: int = 0) -> None:
    await redis.hset(key, mapping={"id": key, "intent": f"pi_{key}", "status": status,
                                   "amount": paid, "refunded": refunded})


async def test_a_refund_is_shared_over_card_top_ups_newest_first_within_what_is_free(
        redis: aioredis.Redis) -> None:
    reserve = Lua(redis, "payments/lua/refund_reserve.lua")
    await redis.hset("wallet", mapping={"balance": 5000, "held": 1000})
    await _topup(redis, "new", "succeeded", 1500, refunded=500)
    await _topup(redis, "failed", "failed", 9000)
    await _topup(redis, "old", "succeeded", 3000)
    keys = {"wallet": "wallet", "ledger": "ledger", "refund": "r1", "refunds": "refunds",
            "topups": ["new", "failed", "old"]}
    # 4000 of the balance are free (1000 are held by a call), 4000 came from cards.
    assert await reserve(keys=keys, args={"id": "r1", "amount": 4001}) == [
        "insufficient", 4000]
    await redis.hset("wallet", "held", 0)
    assert await reserve(keys=keys, args={"id": "r1", "amount": 4500}) == [
        "not_refundable", 4000]
    assert await redis.exists("r1") == 0  # a refusal changes nothing
    assert await reserve(keys=keys, args={"id": "r1", "amount": 1800}) == [
        "reserved", "new|pi_new|1000", "old|pi_old|800"]
    assert [await redis.hget(t, "refunded") for t in ("new", "failed", "old")] == [
        "1500", "0", "800"]
    assert await redis.hget("wallet", "held") == "1800"
    assert await redis.hget("r1", "status") == "reserved"
    assert await redis.zrange("refunds", 0, -1) == ["r1"]
    assert await _ledger(redis) == [("hold", "1800", "5000")]


async def test_a_refund_settles_once_giving_refused_parts_back_to_their_top_ups(
        redis: aioredis.Redis) -> None:
    finish = Lua(redis, "payments/lua/refund_finish.lua")
    await redis.hset("wallet", mapping={"balance": 5000, "held": 1800})
    await _topup(redis, "new", "succeeded", 1500, refunded=1500)
    await _topup(redis, "old", "succeeded", 3000, refunded=800)
    await redis.hset("r1", mapping={"id": "r1", "amount": 1800, "status": "reserved"})
    keys = {"wallet": "wallet", "ledger": "ledger", "refund": "r1", "refused": ["old"]}
    args = {"id": "r1", "refunded": 1000, "stripe_refunds": "re_1",
            "refused_cents": [800]}
    assert await finish(keys=keys, args=args) == ["partial", 4000]
    assert await redis.hget("old", "refunded") == "0"  # refundable again
    assert await redis.hget("new", "refunded") == "1500"
    assert await redis.hget("wallet", "held") == "0"
    refund = await redis.hgetall("r1")
    assert (refund["status"], refund["refunded"], refund["stripe_refunds"],
            refund["refused"]) == ("partial", "1000", "re_1", "old|800")
    assert await _ledger(redis) == [("release", "1800", "5000"), ("refund", "-1000", "4000")]
    # Settled already: a second answer changes nothing.
    assert await finish(keys=keys, args=args) == ["partial", 0]
    assert await redis.hget("old", "refunded") == "0"
    assert await redis.xlen("ledger") == 2


async def test_a_refund_is_succeeded_when_all_went_back_and_failed_when_none(
        redis: aioredis.Redis) -> None:
    finish = Lua(redis, "payments/lua/refund_finish.lua")
    await redis.hset("wallet", mapping={"balance": 1000, "held": 600})
    for refund_id in ("all", "none"):
        await redis.hset(refund_id, mapping={"amount": 300, "status": "reserved"})
    await _topup(redis, "t", "succeeded", 1000, refunded=300)
    base = {"wallet": "wallet", "ledger": "ledger"}
    assert await finish(keys={**base, "refund": "all", "refused": []},
                        args={"id": "all", "refunded": 300, "stripe_refunds": "re_a",
                              "refused_cents": []}) == ["succeeded", 700]
    assert await finish(keys={**base, "refund": "none", "refused": ["t"]},
                        args={"id": "none", "refunded": 0, "stripe_refunds": "",
                              "refused_cents": [300]}) == ["failed", 700]
    assert await redis.hgetall("wallet") == {"balance": "700", "held": "0"}
    assert await redis.hget("t", "refunded") == "0"
    assert await finish(keys={**base, "refund": "gone", "refused": []},
                        args={"id": "gone", "refunded": 0, "stripe_refunds": "",
                              "refused_cents": []}) == ["unknown", 0]
