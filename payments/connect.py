"""The seam for paying experts out through Stripe Connect (docs/payments.md, "Payouts").

Not wired and not exercised: a Connect transfer needs Stripe's servers (localstripe has no
Connect accounts). Payouts themselves (requests, approval, the ledger, the bank-transfer
CSV) belong to the earnings code; when an operator wants Stripe to move the money instead
of a bank transfer, the payout step calls ``ConnectTransfers.transfer`` with the expert's
connected account (``acct_...``, from Stripe's onboarding) and the payout's own id, which
becomes the idempotency key: a retried payout never pays twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import stripe

from payments.errors import PaymentsUnavailable


@dataclass(frozen=True)
class Transfer:
    id: str
    amount_cents: int
    destination: str


class PayoutTransfers(Protocol):
    """What a payout needs from a money mover (Stripe Connect, or a test double's twin)."""

    async def transfer(self, payout_id: str, destination: str, amount_cents: int,
                       currency: str) -> Transfer: ...


class ConnectTransfers:
    """``PayoutTransfers`` with Stripe Connect: a transfer from the platform's balance."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    async def transfer(self, payout_id: str, destination: str, amount_cents: int,
                       currency: str) -> Transfer:
        params: Any = {"amount": amount_cents, "currency": currency.lower(),
                       "destination": destination, "transfer_group": payout_id,
                       "metadata": {"payout_id": payout_id}}
        try:
            made = await self._client.v1.transfers.create_async(
                params, {"idempotency_key": f"payout-{payout_id}"})
        except stripe.StripeError as exc:
            raise PaymentsUnavailable(f"Stripe refused the transfer: {exc.user_message}") \
                from None
        return Transfer(str(made.id), int(made.amount), str(made.destination))
