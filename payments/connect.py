"""The seam for paying experts out through Stripe Connect (docs/payments.md, "Payouts").

Not wired and not exercised: a Connect transfer needs Stripe's servers (localstripe has no
Connect accounts). Payouts themselves (requests, approval, the ledger, the bank-transfer
CSV) belong to ``earnings``; money leaves through its payout rail
(``earnings.rails.PayoutRail``). A Stripe Connect rail's ``send(payout)`` would call
``ConnectTransfers(payments.gateway.client).transfer(payout.id, destination,
payout.amount_cents, currency)`` with the expert's connected account (``acct_...``, from
Stripe's onboarding) and answer the transfer's id; the payout id is the idempotency key, so
an approval retried after a crash never pays twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from payments.errors import PaymentsUnavailable


@dataclass(frozen=True)
class Transfer:
    id: str
    amount_cents: int
    destination: str


class ConnectTransfers:
    """A Stripe Connect transfer from the platform's balance to a connected account."""

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
