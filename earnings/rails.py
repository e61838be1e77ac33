"""The seam where money leaves the platform for an expert: a payout rail.

Today payouts go by bank transfer, by hand: an admin approves a request, downloads the
bank-transfer file (``earnings.export``), sends it through the platform's bank, and marks
each payout paid with the bank's reference. ``ManualBankTransfer`` is that rail: it sends
nothing itself.

A Stripe Connect rail would implement the same protocol (docs/earnings.md, "Stripe
Connect"): on approval, create a Transfer of ``amount_cents`` in ``currency`` to the
expert's connected account (``destination``), with ``transfer_group`` = the payout id and
the payout id as idempotency key, and answer the transfer id; the payout is then marked
paid with that id as its reference, by the same ``decide`` step an admin uses. It needs
Stripe's servers (Connect accounts cannot be created against a local stand-in), so it is
not built or exercised here.
"""

from __future__ import annotations

from typing import Protocol

from earnings.models import Payout


class PayoutRail(Protocol):
    """Sends an approved payout; answers the reference to mark it paid with, or None
    when the payout is paid later, outside the platform (then an admin marks it paid)."""

    name: str

    async def send(self, payout: Payout) -> str | None: ...


class ManualBankTransfer:
    """Bank transfers sent by an admin from the exported file."""

    name = "bank_transfer"

    async def send(self, payout: Payout) -> str | None:
        return None
