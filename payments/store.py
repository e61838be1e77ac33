"""Top-ups and refunds in Redis, next to the wallet they move money in.

Every key lives in the wallet's hash slot (``hc:{a:<owner>}...``), so the script that
credits a top-up or reserves a refund touches one slot, and works the same on a cluster.

- ``hc:{a:<owner>}:topup:<id>``: hash ``id owner amount currency status intent refunded
  error created_at settled_at``, one top-up (``refunded`` counts reserved refunds too);
- ``hc:{a:<owner>}:topups``: zset id -> created ms, the wallet's top-ups;
- ``hc:{a:<owner>}:refund:<id>``: hash ``id amount status parts refused refunded
  stripe_refunds created_at settled_at``, one refund (``parts``: ``topup|intent|cents``
  joined by ``;``; ``refused``: ``topup|cents`` of the parts Stripe refused);
- ``hc:{a:<owner>}:refunds``: zset id -> created ms, the wallet's refunds.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from common.errors import Conflict, InsufficientFunds, NotFound
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map, text_or_none
from payments.models import RefundPart, TopUp
from sessions.wallet import ledger_key, wallet_key, wallet_prefix


def topup_key(owner: str, topup_id: str) -> str:
    return wallet_prefix(owner) + f"topup:{topup_id}"


def topups_key(owner: str) -> str:
    return wallet_prefix(owner) + "topups"


def refund_key(owner: str, refund_id: str) -> str:
    return wallet_prefix(owner) + f"refund:{refund_id}"


def refunds_key(owner: str) -> str:
    return wallet_prefix(owner) + "refunds"


@dataclass(frozen=True)
class Settled:
    """What a settle script did: ``credited``, ``failed``, ``already``, ``unknown`` or
    ``mismatch``."""

    answer: str
    balance_cents: int


@dataclass(frozen=True)
class PartResult:
    part: RefundPart
    stripe_refund: str | None  # None: Stripe refused this part


class PaymentStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._scripts = {
            name: Lua(redis, f"payments/lua/{name}.lua")
            for name in ("topup_create", "topup_settle", "refund_reserve", "refund_finish")
        }

    async def create_topup(self, owner: str, topup_id: str, amount_cents: int,
                           currency: str) -> None:
        await self._scripts["topup_create"](
            keys={"topup": topup_key(owner, topup_id), "topups": topups_key(owner)},
            args={"id": topup_id, "owner": owner, "amount": amount_cents,
                  "currency": currency.lower()})

    async def set_intent(self, owner: str, topup_id: str, intent: str) -> None:
        await self._redis.hset(topup_key(owner, topup_id), "intent", intent)

    async def topup(self, owner: str, topup_id: str) -> TopUp:
        fields = text_map(await self._redis.hgetall(topup_key(owner, topup_id)))
        if not fields:
            raise NotFound("no such top-up")
        return TopUp.from_fields(fields)

    async def topup_ids(self, owner: str, newest_first: bool = False) -> list[str]:
        ids = await self._redis.zrange(topups_key(owner), 0, -1, desc=newest_first)
        return [str(text_or_none(i)) for i in ids or []]

    async def settle(self, owner: str, topup_id: str, intent: str, outcome: str,
                     amount_cents: int, currency: str, error: str = "") -> Settled:
        answer, balance = await self._scripts["topup_settle"](
            keys={"wallet": wallet_key(owner), "ledger": ledger_key(owner),
                  "topup": topup_key(owner, topup_id)},
            args={"intent": intent, "outcome": outcome, "amount": amount_cents,
                  "currency": currency.lower(), "error": error})
        return Settled(str(text_or_none(answer)), int(balance))

    async def reserve_refund(self, owner: str, refund_id: str,
                             amount_cents: int) -> list[RefundPart]:
        topups = [topup_key(owner, t) for t in await self.topup_ids(owner, newest_first=True)]
        answer = await self._scripts["refund_reserve"](
            keys={"wallet": wallet_key(owner), "ledger": ledger_key(owner),
                  "refund": refund_key(owner, refund_id), "refunds": refunds_key(owner),
                  "topups": topups},
            args={"id": refund_id, "amount": amount_cents})
        kind, *rest = [str(text_or_none(a)) for a in answer]
        if kind == "insufficient":
            raise InsufficientFunds(
                f"only {rest[0]} cents are free to refund (the balance less open holds)")
        if kind == "not_refundable":
            raise Conflict(f"only {rest[0]} cents came from cards and can go back to them")
        return _parts(rest)

    async def reserved_refunds(self, owner: str,
                               older_than_ms: int) -> list[tuple[str, list[RefundPart]]]:
        """Refunds still ``reserved``, created more than ``older_than_ms`` ago (Redis time)."""
        before = await redis_ms(self._redis) - older_than_ms
        found = []
        for raw in await self._redis.zrange(refunds_key(owner), 0, before, byscore=True) or []:
            refund_id = str(text_or_none(raw))
            refund = await self.refund(owner, refund_id)
            if refund.get("status") == "reserved":
                found.append((refund_id, _parts(refund.get("parts", "").split(";"))))
        return found

    async def finish_refund(self, owner: str, refund_id: str,
                            results: list[PartResult]) -> tuple[str, int]:
        refused = [r.part for r in results if r.stripe_refund is None]
        done = sum(r.part.amount_cents for r in results if r.stripe_refund is not None)
        ids = ",".join(r.stripe_refund for r in results if r.stripe_refund is not None)
        status, balance = await self._scripts["refund_finish"](
            keys={"wallet": wallet_key(owner), "ledger": ledger_key(owner),
                  "refund": refund_key(owner, refund_id),
                  "refused": [topup_key(owner, p.topup_id) for p in refused]},
            args={"id": refund_id, "refunded": done, "stripe_refunds": ids,
                  "refused_cents": [p.amount_cents for p in refused]})
        return str(text_or_none(status)), int(balance)

    async def refund(self, owner: str, refund_id: str) -> dict[str, str]:
        return text_map(await self._redis.hgetall(refund_key(owner, refund_id)))

    async def refund_ids(self, owner: str) -> list[str]:
        ids = await self._redis.zrange(refunds_key(owner), 0, -1)
        return [str(text_or_none(i)) for i in ids or []]


def _parts(encoded: list[str]) -> list[RefundPart]:
    parts = []
    for part in filter(None, encoded):
        topup_id, intent, cents = part.split("|")
        parts.append(RefundPart(topup_id, intent, int(cents)))
    return parts
