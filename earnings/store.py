"""The only code that touches earnings keys (``earnings.keys``): each change is one
atomic Lua script (``earnings/lua``), so a credit, a payout request or an admin's decision
moves the balances and writes its ledger entry together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common.errors import Conflict, Invalid, NotFound
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import pairs, text_map, text_or_none
from common.timefmt import iso_ms
from earnings import keys
from earnings.models import BankDetails, Decision, Payout, month_of


class NoSuchPayout(NotFound):
    def __init__(self) -> None:
        super().__init__("no such payout")


@dataclass(frozen=True)
class Credit:
    """What one billing event owes an expert."""

    event_id: str
    expert_id: str
    payout_cents: int
    session_id: str
    booking_id: str
    at: str  # when the call ended or the fee was charged (ISO 8601)

    @classmethod
    def of_event(cls, fields: dict[str, str]) -> Credit | None:
        """The credit a billing event carries; None when it pays the expert nothing."""
        payout = int(fields.get("expert_payout_cents") or 0)
        expert = fields.get("expert_id", "")
        if payout <= 0 or not expert or not fields.get("event_id"):
            return None
        return cls(fields["event_id"], expert, payout, fields.get("session_id", ""),
                   fields.get("booking_id", ""), fields.get("ended_at") or fields.get("at", ""))


@dataclass(frozen=True)
class Debit:
    """What a ``session.refunded`` event takes back from an expert (docs/trust.md)."""

    event_id: str
    expert_id: str
    cents: int
    session_id: str
    at: str

    @classmethod
    def of_event(cls, fields: dict[str, str]) -> Debit | None:
        cents = int(fields.get("expert_payout_refund_cents") or 0)
        expert = fields.get("expert_id", "")
        if fields.get("type") != "session.refunded" or cents <= 0 or not expert:
            return None
        return cls(fields["event_id"], expert, cents, fields.get("session_id", ""),
                   fields.get("refunded_at", ""))


@dataclass(frozen=True)
class Balances:
    earned_cents: int
    available_cents: int
    pending_cents: int
    paid_out_cents: int

    @classmethod
    def from_hash(cls, fields: dict[str, str]) -> Balances:
        return cls(*(int(fields.get(name) or 0)
                     for name in ("earned", "available", "pending", "paid_out")))


def _ledger_entry(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    return {"id": entry_id, **{k: v for k, v in fields.items() if v != ""},
            **{k: int(fields[k]) for k in ("amount_cents", "available_cents", "pending_cents",
                                            "paid_out_cents") if k in fields}}


class EarningsStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._scripts = {
            name: Lua(redis, f"earnings/lua/{name}.lua")
            for name in ("credit", "debit", "request", "decide")
        }

    @staticmethod
    def _base(expert_id: str) -> dict[str, str]:
        """The keys of every earnings script (named in ``earnings/lua/prelude.lua``)."""
        return {"account": keys.account(expert_id), "ledger": keys.ledger(expert_id)}

    async def credit(self, credit: Credit) -> bool:
        """Credit an event's payout; False when it had been credited already."""
        done = await self._scripts["credit"](
            keys={**self._base(credit.expert_id), "credited": keys.credited(credit.expert_id),
                  "months": keys.months(credit.expert_id)},
            args={"event_id": credit.event_id, "payout_cents": credit.payout_cents,
                  "month": month_of(credit.at), "session_id": credit.session_id,
                  "booking_id": credit.booking_id, "call_at": credit.at},
        )
        return bool(done)

    async def debit(self, debit: Debit) -> bool:
        """Take a refund's share back; False when it had been taken already."""
        done = await self._scripts["debit"](
            keys={**self._base(debit.expert_id), "credited": keys.credited(debit.expert_id)},
            args={"event_id": debit.event_id, "cents": debit.cents,
                  "session_id": debit.session_id, "refunded_at": debit.at})
        return bool(done)

    async def balances(self, expert_id: str) -> Balances:
        return Balances.from_hash(text_map(await self._redis.hgetall(keys.account(expert_id))))

    async def months(self, expert_id: str) -> dict[str, int]:
        fields = text_map(await self._redis.hgetall(keys.months(expert_id)))
        return {month: int(cents) for month, cents in sorted(fields.items(), reverse=True)}

    async def ledger(self, expert_id: str, count: int = 200) -> list[dict[str, Any]]:
        """The newest movements first."""
        entries = await self._redis.xrevrange(keys.ledger(expert_id), count=count)
        return [_ledger_entry(str(text_or_none(i)), text_map(f or {})) for i, f in entries or []]

    async def whole_ledger(self, expert_id: str) -> list[dict[str, Any]]:
        """Every movement, oldest first (reconciliation)."""
        entries = await self._redis.xrange(keys.ledger(expert_id))
        return [_ledger_entry(str(text_or_none(i)), text_map(f or {})) for i, f in entries or []]

    # -- bank details and payouts ------------------------------------------------------

    async def set_bank(self, expert_id: str, details: BankDetails) -> None:
        await self._redis.hset(keys.bank(expert_id), mapping={
            "holder": details.holder, "iban": details.iban, "bic": details.bic})

    async def bank(self, expert_id: str) -> BankDetails | None:
        fields = text_map(await self._redis.hgetall(keys.bank(expert_id)))
        if "iban" not in fields:
            return None
        return BankDetails(fields["holder"], fields["iban"], fields.get("bic", ""))

    async def request(self, payout_id: str, expert_id: str, amount_cents: int | None,
                      minimum_cents: int, currency: str) -> Payout:
        reply = await self._scripts["request"](
            keys={**self._base(expert_id), "payout": keys.payout(payout_id),
                  "payouts": keys.expert_payouts(expert_id),
                  "requested": keys.in_state("requested"), "bank": keys.bank(expert_id)},
            args={"payout_id": payout_id, "expert_id": expert_id,
                  "amount": "" if amount_cents is None else amount_cents,
                  "minimum": minimum_cents, "currency": currency},
        )
        status = text_or_none(reply[0])
        if status == "err":
            code = text_or_none(reply[1])
            if code == "no_bank":
                raise Conflict("add your bank details before asking for a payout")
            available = int(str(text_or_none(reply[2])))
            if code == "below_minimum":
                raise Invalid(f"a payout is at least {minimum_cents} cents "
                              f"(you have {available} available)", "amount_cents")
            raise Conflict(f"only {available} cents are available")
        return Payout.from_hash(pairs(reply[1]))

    async def payout(self, payout_id: str) -> Payout | None:
        fields = text_map(await self._redis.hgetall(keys.payout(payout_id)))
        return Payout.from_hash(fields) if fields else None

    async def decide(self, payout_id: str, admin_id: str, decision: Decision) -> Payout:
        found = await self.payout(payout_id)
        if found is None:
            raise NoSuchPayout()
        reply = await self._scripts["decide"](
            # Each state's index under the state's name.
            keys={**self._base(found.expert_id), "payout": keys.payout(payout_id),
                  **{state: keys.in_state(state) for state in keys.STATES}},
            args={"action": decision.action, "admin": admin_id,
                  "reference": decision.reference, "expert_id": found.expert_id,
                  "payout_id": payout_id},
        )
        if text_or_none(reply[0]) == "err":
            if text_or_none(reply[1]) == "not_found":
                raise NoSuchPayout()
            raise Conflict(f"this payout is {text_or_none(reply[2])}")
        return Payout.from_hash(pairs(reply[1]))

    async def _payouts(self, index: str, limit: int) -> list[Payout]:
        ids = await self._redis.zrevrange(index, 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for payout_id in ids:
                pipe.hgetall(keys.payout(str(text_or_none(payout_id))))
            rows = await pipe.execute()
        return [Payout.from_hash(text_map(row)) for row in rows if row]

    async def payouts_of(self, expert_id: str, limit: int = 100) -> list[Payout]:
        return await self._payouts(keys.expert_payouts(expert_id), limit)

    async def payouts_in(self, state: str, limit: int = 500) -> list[Payout]:
        return await self._payouts(keys.in_state(state), limit)

    async def experts_with_earnings(self) -> list[str]:
        """Every expert with an earnings account (reconciliation)."""
        found = []
        async for key in self._redis.scan_iter(match="hc:{0}:{e:*}", _type="hash"):
            found.append(str(text_or_none(key))[len("hc:{0}:{e:"):-1])
        return sorted(found)

    async def now_iso(self) -> str:
        return iso_ms(await redis_ms(self._redis))
