"""``python -m server reconcile``, the payouts part: do the experts' earnings, their
ledgers, their payouts and the billing stream agree?

For every expert: replaying the ledger gives the stored ``earned``, ``available``,
``pending`` and ``paid_out`` (and the balances each entry recorded); every billing event
that pays the expert was credited exactly once, every ``session.refunded`` event debited
exactly once, and nothing else was; the requested and
approved payouts add up to ``pending``, the paid ones to ``paid_out``. One line per
disagreement. (An event appended in the last second may not be credited yet.) The billing
events are those of every billing stream (on a Cluster one per bucket,
``common.streams.billing_events``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import redis.asyncio as aioredis

from common.streams import billing_events, billing_horizon, stream_id
from earnings.store import Credit, Debit, EarningsStore

_MOVES = {  # kind -> (available, pending, paid_out) per cent of the entry's amount
    "earning": (1, 0, 0),
    "payout_requested": (1, -1, 0),  # the amount is negative: out of available, into pending
    "payout_rejected": (1, -1, 0),
    "payout_paid": (0, -1, 1),
    "refund": (1, 0, 0),  # negative: a disputed call's share taken back (docs/trust.md)
}
_PER_EVENT = ("earning", "refund")  # the entries that follow one billing event each


async def _owed(redis: aioredis.Redis, home_stream: str,
                since: tuple[int, int]) -> dict[str, dict[str, int]]:
    """expert -> {event id: payout} over every billing stream, from ``since`` on."""
    owed: dict[str, dict[str, int]] = defaultdict(dict)
    async for fields in billing_events(redis, home_stream, since):
        credit = Credit.of_event(fields)
        if credit is not None:
            owed[credit.expert_id][credit.event_id] = credit.payout_cents
        debit = Debit.of_event(fields)
        if debit is not None:
            owed[debit.expert_id][debit.event_id] = -debit.cents
    return owed


def _replay(expert: str, ledger: list[dict[str, Any]], problems: list[str]) -> dict[str, int]:
    totals = {"earned": 0, "available": 0, "pending": 0, "paid_out": 0}
    for entry in ledger:
        amount = entry["amount_cents"]
        a, p, o = _MOVES.get(entry["kind"], (0, 0, 0))
        if entry["kind"] in _PER_EVENT:
            totals["earned"] += amount
        totals["available"] += a * amount
        totals["pending"] += p * amount
        totals["paid_out"] += o * amount
        recorded = (entry.get("available_cents"), entry.get("pending_cents"),
                    entry.get("paid_out_cents"))
        if recorded != (totals["available"], totals["pending"], totals["paid_out"]):
            problems.append(f"expert {expert}: ledger entry {entry['id']} records {recorded}, "
                            f"replay says {totals}")
    return totals


async def reconcile_earnings(redis: aioredis.Redis, home_stream: str) -> list[str]:
    problems: list[str] = []
    store = EarningsStore(redis)
    trimmed = await billing_horizon(redis, home_stream)
    owed = await _owed(redis, home_stream, trimmed)
    # A credit follows its event by moments; an hour's slack covers a slow consumer.
    trimmed_slack = (trimmed[0] + 3_600_000, 0) if trimmed > (0, 0) else (0, 0)
    for expert in sorted(set(await store.experts_with_earnings()) | set(owed)):
        ledger = await store.whole_ledger(expert)
        totals = _replay(expert, ledger, problems)
        stored = await store.balances(expert)
        for name, value in (("earned", stored.earned_cents),
                            ("available", stored.available_cents),
                            ("pending", stored.pending_cents),
                            ("paid_out", stored.paid_out_cents)):
            if value != totals[name]:
                problems.append(f"expert {expert}: {name} {value} but ledger says {totals[name]}")
            if value < 0 and name != "available":  # a refund after a payout leaves a debt
                problems.append(f"expert {expert}: negative {name} {value}")
        credited: dict[str, int] = {}
        old: set[str] = set()  # credited before the stream was trimmed: no event to match
        for entry in ledger:
            if entry["kind"] in _PER_EVENT and stream_id(entry["id"]) < trimmed_slack:
                old.add(entry["event_id"])
            if entry["kind"] in _PER_EVENT:
                if entry["event_id"] in credited:
                    problems.append(f"expert {expert}: event {entry['event_id']} credited twice")
                credited[entry["event_id"]] = entry["amount_cents"]
        for event_id, payout in owed.get(expert, {}).items():
            if credited.get(event_id) != payout:
                problems.append(f"expert {expert}: event {event_id} pays {payout} but "
                                f"credited {credited.get(event_id)}")
        for event_id in credited.keys() - owed.get(expert, {}).keys() - old:
            problems.append(f"expert {expert}: credited {event_id}, not in the billing stream")
        payouts = await store.payouts_of(expert, limit=100_000)
        open_total = sum(p.amount_cents for p in payouts if p.state in ("requested", "approved"))
        paid_total = sum(p.amount_cents for p in payouts if p.state == "paid")
        if open_total != stored.pending_cents:
            problems.append(f"expert {expert}: open payouts {open_total} but pending "
                            f"{stored.pending_cents}")
        if paid_total != stored.paid_out_cents:
            problems.append(f"expert {expert}: paid payouts {paid_total} but paid_out "
                            f"{stored.paid_out_cents}")
    return problems
