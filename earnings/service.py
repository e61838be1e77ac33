"""Expert earnings and payouts as the edges see them (docs/earnings.md)."""

from __future__ import annotations

import logging
from typing import Any

from common.ids import new_id
from earnings.export import bank_transfer_csv
from earnings.models import BankDetails, Decision, Payout, PayoutAsk
from earnings.rails import ManualBankTransfer, PayoutRail
from earnings.store import EarningsStore

log = logging.getLogger(__name__)

CALLS_SHOWN = 200  # the newest credits listed one by one; the months total them all


class Earnings:
    def __init__(self, store: EarningsStore, minimum_cents: int, currency: str,
                 rail: PayoutRail | None = None) -> None:
        self.store = store
        self.minimum_cents = minimum_cents
        self.currency = currency
        self.rail: PayoutRail = rail or ManualBankTransfer()

    async def summary(self, expert_id: str) -> dict[str, Any]:
        """``GET /earnings``: balances, totals per month, each call's payout, payouts."""
        balances = await self.store.balances(expert_id)
        bank = await self.store.bank(expert_id)
        ledger = await self.store.ledger(expert_id, CALLS_SHOWN)
        return {
            "currency": self.currency,
            "earned_cents": balances.earned_cents,
            "available_cents": balances.available_cents,
            "pending_cents": balances.pending_cents,
            "paid_out_cents": balances.paid_out_cents,
            "minimum_payout_cents": self.minimum_cents,
            "can_request": bank is not None and balances.available_cents >= self.minimum_cents,
            "months": [{"month": month, "payout_cents": cents}
                       for month, cents in (await self.store.months(expert_id)).items()],
            "calls": [{"session_id": e.get("session_id"), "booking_id": e.get("booking_id"),
                       "at": e.get("call_at"), "payout_cents": e["amount_cents"]}
                      for e in ledger if e["kind"] == "earning"],
            "payouts": [p.public() for p in await self.store.payouts_of(expert_id)],
            "ledger": ledger,
            "bank": bank.public() if bank else None,
        }

    async def set_bank(self, expert_id: str, details: BankDetails) -> None:
        await self.store.set_bank(expert_id, details)

    async def request(self, expert_id: str, ask: PayoutAsk) -> Payout:
        payout = await self.store.request(new_id("po"), expert_id, ask.amount_cents,
                                          self.minimum_cents, self.currency)
        log.info("payout %s: %s asked for %d cents", payout.id, expert_id, payout.amount_cents)
        return payout

    async def decide(self, payout_id: str, admin_id: str, decision: Decision) -> Payout:
        payout = await self.store.decide(payout_id, admin_id, decision)
        log.info("payout %s: %s by %s", payout_id, payout.state, admin_id)
        if decision.action == "approve":
            # A rail that pays at once (Stripe Connect) answers the reference to mark it paid.
            reference = await self.rail.send(payout)
            if reference is not None:
                payout = await self.store.decide(payout_id, admin_id, Decision("pay", reference))
        return payout

    async def bank_transfer_file(self) -> str:
        """The approved payouts, oldest first, as a bank-transfer CSV."""
        approved = await self.store.payouts_in("approved")
        return bank_transfer_csv(sorted(approved, key=lambda p: p.requested_at_ms))
