"""Every reconcile check in one place, so ``python -m server reconcile`` and the admin
console always run the same ones: wallets and ledgers against billing events
(``sessions.reconcile``), expert earnings and payouts (``earnings.reconcile``), card
top-ups and refunds, read back from Stripe when a gateway is given (``payments.reconcile``).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from appointments.store import BOOKINGS
from earnings.reconcile import reconcile_earnings
from payments.gateway import StripeGateway
from payments.reconcile import reconcile_payments
from sessions.holds import CALLS
from sessions.reconcile import reconcile


async def reconcile_all(
    redis: aioredis.Redis, billing_stream: str, gateway: StripeGateway | None = None
) -> list[str]:
    problems = await reconcile(redis, billing_stream, (CALLS, BOOKINGS))
    problems += await reconcile_earnings(redis, billing_stream)
    problems += await reconcile_payments(redis, gateway)
    return problems
