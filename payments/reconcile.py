"""``python -m server reconcile``, card payments: do top-ups, refunds, ledgers and Stripe agree?

In Redis: a succeeded top-up has exactly one ``topup`` ledger entry of its amount and any
other has none; what a top-up says was refunded is what its refunds took from it; every
finished refund has its ``refund`` ledger entry; no refund is left half-done. With a
gateway (stripe mode), each top-up's PaymentIntent is read back: one that Stripe says
succeeded but that was never credited is a lost payment to settle.
"""

from __future__ import annotations

from collections import defaultdict

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from payments.gateway import StripeGateway
from payments.models import PENDING, SUCCEEDED, TopUp
from payments.store import PaymentStore
from sessions.wallet import ledger_key, owner_of, wallet_prefix


async def _owners(redis: aioredis.Redis) -> list[str]:
    owners = set()
    for family in ("topups", "refunds"):
        async for key in redis.scan_iter(match=wallet_prefix("*") + family, _type="zset"):
            owners.add(owner_of(str(text_or_none(key))))
    return sorted(owners)


async def _ledger(redis: aioredis.Redis, owner: str) -> tuple[dict[str, list[int]],
                                                              dict[str, list[int]]]:
    """Ledger amounts by top-up id and by refund id (``refund`` entries only)."""
    topups: dict[str, list[int]] = defaultdict(list)
    refunds: dict[str, list[int]] = defaultdict(list)
    for _, raw in await redis.xrange(ledger_key(owner)) or []:
        entry = text_map(raw or {})
        if entry.get("topup_id"):
            topups[entry["topup_id"]].append(int(entry["amount_cents"]))
        if entry.get("kind") == "refund":
            refunds[entry.get("refund_id", "")].append(int(entry["amount_cents"]))
    return topups, refunds


async def reconcile_payments(redis: aioredis.Redis,
                             gateway: StripeGateway | None = None) -> list[str]:
    store = PaymentStore(redis)
    problems: list[str] = []
    for owner in await _owners(redis):
        credited, refunded = await _ledger(redis, owner)
        taken: dict[str, int] = defaultdict(int)
        for refund_id in await store.refund_ids(owner):
            refund = await store.refund(owner, refund_id)
            status, done = refund.get("status"), int(refund.get("refunded", 0))
            if status == "reserved":
                problems.append(f"refund {refund_id} of {owner}: still reserved (interrupted?)")
            for part in filter(None, refund.get("parts", "").split(";")):
                topup_id, _, cents = part.split("|")
                taken[topup_id] += int(cents)
            for part in filter(None, refund.get("refused", "").split(";")):
                topup_id, cents = part.split("|")
                taken[topup_id] -= int(cents)  # refused by Stripe: refundable again
            if status != "reserved" and sum(refunded.get(refund_id, [])) != -done:
                problems.append(f"refund {refund_id} of {owner}: refunded {done} but the "
                                f"ledger says {-sum(refunded.get(refund_id, []))}")
        for topup_id in await store.topup_ids(owner):
            topup = await store.topup(owner, topup_id)
            problems += _topup_problems(topup, credited.pop(topup_id, []), taken[topup_id])
            if gateway is not None and topup.intent:
                problems += await _against_stripe(gateway, topup)
        problems += [f"wallet {owner}: ledger credits unknown top-up {t}" for t in credited]
    return problems


def _topup_problems(topup: TopUp, entries: list[int], taken: int) -> list[str]:
    name = f"top-up {topup.id} of {topup.owner}"
    problems = []
    if topup.status == SUCCEEDED and entries != [topup.amount_cents]:
        problems.append(f"{name}: succeeded but credited {entries}")
    if topup.status != SUCCEEDED and entries:
        problems.append(f"{name}: {topup.status} but credited {entries}")
    if topup.refunded_cents != taken:
        problems.append(f"{name}: says {topup.refunded_cents} refunded, refunds took {taken}")
    if topup.refunded_cents > topup.amount_cents:
        problems.append(f"{name}: refunded {topup.refunded_cents} of {topup.amount_cents}")
    return problems


async def _against_stripe(gateway: StripeGateway, topup: TopUp) -> list[str]:
    name = f"top-up {topup.id} of {topup.owner}"
    try:
        intent = await gateway.retrieve_intent(topup.intent)
    except Exception as exc:
        return [f"{name}: could not read {topup.intent} from Stripe ({exc})"]
    if intent.status == "succeeded" and topup.status != SUCCEEDED:
        return [f"{name}: Stripe says {topup.intent} succeeded but it was never credited "
                "(open GET /api/v1/wallet/topups/<id> to settle it)"]
    if topup.status == SUCCEEDED and intent.status != "succeeded":
        return [f"{name}: credited but Stripe says {topup.intent} is {intent.status}"]
    if topup.status == PENDING and intent.status == "canceled":
        return [f"{name}: pending but Stripe says {topup.intent} was canceled"]
    return []
