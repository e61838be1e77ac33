"""Card top-ups against localstripe: pending until Stripe says, credited exactly once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from tests.conftest import Running
from tests.payments.conftest import (
    WEBHOOK_SECRET,
    LocalStripe,
    StripeApp,
    balance,
    start_topup,
)
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

WEBHOOK = "/api/v1/payments/stripe/webhook"


async def status_of(running: Running, user: Any, topup_id: str) -> dict[str, Any]:
    answer = await running.client.get(f"/api/v1/wallet/topups/{topup_id}", headers=user.headers)
    assert answer.status == 200, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def ledger_kinds(running: Running, user: Any) -> list[str]:
    answer = await running.client.get("/api/v1/wallet/ledger", headers=user.headers)
    return [e["kind"] for e in (await answer.json())["entries"]]


def signed(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), b"%d." % t + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={mac}", "Content-Type": "application/json"}


def event(kind: str, intent: dict[str, Any], event_id: str = "evt_test") -> bytes:
    return json.dumps({"id": event_id, "type": kind, "data": {"object": intent}}).encode()


async def test_a_topup_is_pending_until_stripe_says_it_succeeded_then_credited_once(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app()
    user = await running.user()
    started = await start_topup(running, user, 2500)
    assert started["status"] == "pending" and started["amount_cents"] == 2500
    assert started["publishable_key"] == "pk_test_helpcall"
    assert started["client_secret"].startswith("pi_")
    assert (await status_of(running, user, started["topup_id"]))["status"] == "pending"
    assert await balance(running, user) == 0

    await localstripe.pay(started["client_secret"])

    async def credited() -> bool:
        return await balance(running, user) == 2500
    await eventually(credited, 15, "the payment_intent.succeeded webhook")
    assert (await status_of(running, user, started["topup_id"]))["status"] == "succeeded"
    assert await ledger_kinds(running, user) == ["topup"]


async def test_the_same_event_resent_forged_or_out_of_order_credits_once(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 1000)
    intent = await localstripe.pay(started["client_secret"])
    assert intent["status"] == "succeeded"
    succeeded = event("payment_intent.succeeded", intent, "evt_1")
    failed = event("payment_intent.payment_failed",
                   {**intent, "last_payment_error": {"message": "late news"}}, "evt_2")

    # Forged: the wrong secret, a changed body, an old signature, no signature at all.
    forged = [
        (succeeded, signed(succeeded, "whsec_not_the_secret")),
        (succeeded.replace(b"1000", b"9000"), signed(succeeded)),
        (succeeded, signed(succeeded, at=int(time.time()) - 301)),
        (succeeded, {"Content-Type": "application/json"}),
    ]
    for body, headers in forged:
        answer = await running.client.post(WEBHOOK, data=body, headers=headers)
        assert answer.status == 400, await answer.text()
        assert (await answer.json())["error"]["code"] == "invalid"
    assert await balance(running, user) == 0

    # The real one, three times at once, then a failure arriving after it.
    answers = await asyncio.gather(*(
        running.client.post(WEBHOOK, data=succeeded, headers=signed(succeeded))
        for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    results = sorted([(await a.json())["result"] for a in answers])
    assert results == ["already", "already", "credited"]
    late = await running.client.post(WEBHOOK, data=failed, headers=signed(failed))
    assert late.status == 200
    assert await balance(running, user) == 1000
    assert (await status_of(running, user, started["topup_id"]))["status"] == "succeeded"
    assert await ledger_kinds(running, user) == ["topup"]


async def test_a_failure_then_a_success_of_the_same_intent_credits_it(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 700)
    intent = await localstripe.pay(started["client_secret"])
    failed = event("payment_intent.payment_failed",
                   {**intent, "last_payment_error": {"message": "Your card was declined."}})
    succeeded = event("payment_intent.succeeded", intent)
    first = await running.client.post(WEBHOOK, data=failed, headers=signed(failed))
    assert (await first.json())["result"] == "failed"
    assert await balance(running, user) == 0
    # The payer tried again with another card: the success still credits, once.
    then = await running.client.post(WEBHOOK, data=succeeded, headers=signed(succeeded))
    assert (await then.json())["result"] == "credited"
    assert (await status_of(running, user, started["topup_id"]))["status"] == "succeeded"
    assert await balance(running, user) == 700


async def test_a_declined_card_is_recorded_as_failed_and_credits_nothing(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app()
    user = await running.user()
    started = await start_topup(running, user, 1500)
    answer = await localstripe.pay(started["client_secret"], "pm_card_chargeCustomerFail")
    assert answer["error"]["code"] == "card_declined"

    async def failed() -> bool:
        return (await status_of(running, user, started["topup_id"]))["status"] == "failed"
    await eventually(failed, 15, "the payment_intent.payment_failed webhook")
    shown = await status_of(running, user, started["topup_id"])
    assert "declined" in shown["error"]
    assert await balance(running, user) == 0
    assert await ledger_kinds(running, user) == []


async def test_a_lost_webhook_is_settled_when_the_page_comes_back(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 1200)
    await localstripe.pay(started["client_secret"])
    # No webhook will ever come; the page's return reads the intent back from Stripe.
    assert await balance(running, user) == 0
    assert (await status_of(running, user, started["topup_id"]))["status"] == "succeeded"
    assert (await status_of(running, user, started["topup_id"]))["status"] == "succeeded"
    assert await balance(running, user) == 1200
    assert await ledger_kinds(running, user) == ["topup"]


async def test_topups_are_private_and_bad_input_is_refused(stripe_app: StripeApp) -> None:
    running = await stripe_app()
    owner, other = await running.user(), await running.user()
    started = await start_topup(running, owner, 500)
    for path in (f"/api/v1/wallet/topups/{started['topup_id']}", "/api/v1/wallet/topups/junk",
                 "/api/v1/wallet/topups/tu_00000000000000000000"):
        answer = await running.client.get(path, headers=other.headers)
        assert answer.status == 404
    for body in ({"amount_cents": 0}, {"amount_cents": "5"}, {}, [], {"amount_cents": 10**12}):
        answer = await running.client.post("/api/v1/wallet/topups", json=body,
                                           headers=owner.headers)
        assert answer.status == 400, body
    refused = await running.client.post(
        f"/api/v1/wallet/topups/{started['topup_id']}/confirm",
        json={"payment_method": "pm_1; drop"}, headers=owner.headers)
    assert refused.status == 400


async def test_test_mode_is_unchanged(running: Running) -> None:
    user = await running.user()
    answer = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 300},
                                       headers=user.headers)
    assert answer.status == 201
    assert await answer.json() == {"balance_cents": 300}
    webhook = await running.client.post(WEBHOOK, data=b"{}")
    assert webhook.status == 404


async def test_a_cancelled_intent_is_recorded_as_failed(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 600)
    intent_id = started["client_secret"].split("_secret_")[0]
    intent = await localstripe.api("POST", f"/v1/payment_intents/{intent_id}/cancel")
    assert intent["status"] == "canceled"
    # localstripe sends no event for a cancellation: send the one Stripe would.
    canceled = event("payment_intent.canceled", intent)
    answer = await running.client.post(WEBHOOK, data=canceled, headers=signed(canceled))
    assert (await answer.json())["result"] == "failed"
    shown = await status_of(running, user, started["topup_id"])
    assert shown == {"topup_id": started["topup_id"], "status": "failed", "amount_cents": 600,
                     "error": "canceled"}
    assert await balance(running, user) == 0


async def test_an_event_that_does_not_match_its_topup_credits_nothing(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 500)
    intent = await localstripe.pay(started["client_secret"])
    for changed in ({"amount": 50_000}, {"currency": "usd"}, {"id": "pi_someoneelse"}):
        body = event("payment_intent.succeeded", {**intent, **changed})
        answer = await running.client.post(WEBHOOK, data=body, headers=signed(body))
        assert (await answer.json())["result"] == "mismatch", changed
    foreign = event("payment_intent.succeeded", {**intent, "metadata": {}})
    answer = await running.client.post(WEBHOOK, data=foreign, headers=signed(foreign))
    assert (await answer.json())["result"] == "ignored"
    assert await balance(running, user) == 0
