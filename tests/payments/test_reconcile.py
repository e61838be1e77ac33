"""``python -m server reconcile`` checks card top-ups and refunds against ledgers and Stripe."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from payments.gateway import StripeGateway
from payments.reconcile import reconcile_payments
from payments.store import topup_key
from server.keys import PAYMENTS
from sessions.reconcile import reconcile
from tests.conftest import base_env
from tests.payments.conftest import LocalStripe, StripeApp, balance, start_topup
from tests.processes import ROOT
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def cli_reconcile(env: dict[str, str]) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HELPCALL_", "STRIPE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "reconcile", cwd=ROOT, env=clean | env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_reconcile_finds_a_payment_stripe_took_but_never_credited(
    stripe_app: StripeApp, localstripe: LocalStripe, redis: aioredis.Redis, redis_url: str,
    tmp_path: Path,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    paid = await start_topup(running, user, 1000)
    await localstripe.pay(paid["client_secret"])
    await running.client.get(f"/api/v1/wallet/topups/{paid['topup_id']}", headers=user.headers)
    declined = await start_topup(running, user, 400)
    await localstripe.pay(declined["client_secret"], "pm_card_chargeCustomerFail")
    await running.client.get(f"/api/v1/wallet/topups/{declined['topup_id']}",
                             headers=user.headers)
    refunded = await running.client.post("/api/v1/wallet/refunds", json={"amount_cents": 300},
                                         headers=user.headers)
    assert refunded.status == 201
    lost = await start_topup(running, user, 250)
    await localstripe.pay(lost["client_secret"])  # its webhook goes nowhere

    env = base_env(redis_url, tmp_path) | localstripe.env()
    code, out = await cli_reconcile(env)
    assert code == 1, out
    assert f"top-up {lost['topup_id']}" in out and "never credited" in out
    assert out.count("\n") == 2, out  # that one line, and the count

    # The payer's page comes back: the payment is settled, and everything agrees.
    await running.client.get(f"/api/v1/wallet/topups/{lost['topup_id']}", headers=user.headers)
    assert await balance(running, user) == 950
    code, out = await cli_reconcile(env)
    assert code == 0, out
    assert "agree" in out

    # Tampering shows.
    await redis.hset(topup_key(user.id, paid["topup_id"]), "refunded", 0)
    gateway = StripeGateway("sk_test_helpcall", localstripe.url)
    try:
        problems = await reconcile_payments(redis, gateway)
    finally:
        await gateway.close()
    assert problems == [f"top-up {paid['topup_id']} of {user.id}: says 0 refunded, "
                        "refunds took 300"]
    assert await reconcile(redis, "helpcall:billing") == []


async def test_an_interrupted_refund_is_reported(
    stripe_app: StripeApp, localstripe: LocalStripe, redis: aioredis.Redis,
) -> None:
    running = await stripe_app()
    user = await running.user()
    paid = await start_topup(running, user, 800)
    await localstripe.pay(paid["client_secret"])

    async def credited() -> bool:
        return await balance(running, user) == 800
    await eventually(credited, 15, "the webhook")
    # A process that died between reserving and asking Stripe leaves the refund reserved.
    from payments.store import PaymentStore
    parts = await PaymentStore(redis).reserve_refund(user.id, "rf_0123456789abcdef0123", 500)
    assert [p.amount_cents for p in parts] == [500]
    problems = await reconcile_payments(redis)
    assert problems == [f"refund rf_0123456789abcdef0123 of {user.id}: still reserved "
                        "(interrupted?)"]
    assert await reconcile(redis, "helpcall:billing") == []
    assert await balance(running, user) == 800  # held, not yet refunded

    # Sent again with the same idempotency keys, and finished once.
    payments = running.app[PAYMENTS]
    assert await payments.resume_refunds(user.id, older_than_ms=0) == 1
    assert await payments.resume_refunds(user.id, older_than_ms=0) == 0
    assert await balance(running, user) == 300
    intent = paid["client_secret"].split("_secret_")[0]
    found = await localstripe.api("GET", f"/v1/refunds?payment_intent={intent}")
    assert [r["amount"] for r in found["data"]] == [500]
    assert await reconcile_payments(redis) == []
    assert await reconcile(redis, "helpcall:billing") == []
