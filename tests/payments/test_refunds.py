"""Refunds of unused credit back to the cards it came from, never past balance less holds."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Running, User
from tests.payments.conftest import LocalStripe, StripeApp, balance, start_topup
from tests.signaling.conftest import Connect, connect, online_expert

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

__all__ = ["connect"]


async def paid_topup(running: Running, localstripe: LocalStripe, user: User,
                     cents: int) -> dict[str, Any]:
    started = await start_topup(running, user, cents)
    await localstripe.pay(started["client_secret"])
    answer = await running.client.get(f"/api/v1/wallet/topups/{started['topup_id']}",
                                      headers=user.headers)
    assert (await answer.json())["status"] == "succeeded"
    return started


async def refund(running: Running, user: User, cents: int) -> tuple[int, dict[str, Any]]:
    answer = await running.client.post("/api/v1/wallet/refunds", json={"amount_cents": cents},
                                       headers=user.headers)
    body: dict[str, Any] = await answer.json()
    return answer.status, body


async def refunded_on_stripe(localstripe: LocalStripe, client_secret: str) -> list[int]:
    intent = client_secret.split("_secret_")[0]
    found = await localstripe.api("GET", f"/v1/refunds?payment_intent={intent}")
    return sorted(r["amount"] for r in found["data"])


async def test_refunds_go_back_to_the_cards_and_never_past_the_balance(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app()
    user = await running.user()
    older = await paid_topup(running, localstripe, user, 1000)
    newer = await paid_topup(running, localstripe, user, 500)
    assert await balance(running, user) == 1500

    status, body = await refund(running, user, 1501)
    assert status == 402 and body["error"]["code"] == "insufficient_funds"

    status, body = await refund(running, user, 1200)
    assert status == 201, body
    assert body["status"] == "succeeded" and body["refunded_cents"] == 1200
    assert body["balance_cents"] == 300
    # Newest payment first, then the older one for the rest.
    assert await refunded_on_stripe(localstripe, newer["client_secret"]) == [500]
    assert await refunded_on_stripe(localstripe, older["client_secret"]) == [700]

    status, body = await refund(running, user, 301)
    assert status == 402
    status, body = await refund(running, user, 300)
    assert status == 201 and body["balance_cents"] == 0
    assert await refunded_on_stripe(localstripe, older["client_secret"]) == [300, 700]
    assert await balance(running, user) == 0

    ledger = await running.client.get("/api/v1/wallet/ledger", headers=user.headers)
    kinds = [e["kind"] for e in (await ledger.json())["entries"]]
    assert kinds == ["refund", "release", "hold", "refund", "release", "hold", "topup", "topup"]


async def test_money_held_by_a_call_cannot_be_refunded(
    stripe_app: StripeApp, localstripe: LocalStripe, connect: Connect,
) -> None:
    running = await stripe_app()
    expert, _ = await online_expert(running, connect,
                                    {"mode": "per_session", "amount_cents": 800})
    user = await running.user()
    await paid_topup(running, localstripe, user, 1000)
    client_socket = await connect(running, user)
    await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "a tap"})

    status, body = await refund(running, user, 201)
    assert status == 402 and "200" in body["error"]["message"]
    status, body = await refund(running, user, 200)
    assert status == 201 and body["balance_cents"] == 800


async def test_a_refund_racing_a_call_start_never_spends_the_money_twice(
    stripe_app: StripeApp, localstripe: LocalStripe, connect: Connect,
) -> None:
    running = await stripe_app()
    expert, _ = await online_expert(running, connect,
                                    {"mode": "per_session", "amount_cents": 1000})
    user = await running.user()
    await paid_topup(running, localstripe, user, 1000)
    client_socket = await connect(running, user)

    started, (status, _) = await asyncio.gather(
        client_socket.call("call:start", {"expert_id": expert.id, "topic": "race"}),
        refund(running, user, 1000),
    )
    # Exactly one of them got the money.
    assert started["ok"] != (status == 201), (started, status)
    wallet = await running.client.get("/api/v1/wallet", headers=user.headers)
    shown = await wallet.json()
    if started["ok"]:
        assert shown == {**shown, "balance_cents": 1000, "held_cents": 1000}
        assert status == 402
    else:
        assert started["error"]["code"] == "insufficient_funds"
        assert shown == {**shown, "balance_cents": 0, "held_cents": 0}


async def test_refunds_need_card_payments(stripe_app: StripeApp, running: Running) -> None:
    # In test mode there is no card to refund to.
    user = await running.user()
    status, _ = await refund(running, user, 100)
    assert status == 404
    # Bad amounts are refused before anything is reserved.
    card_app = await stripe_app()
    payer = await card_app.user()
    for bad in ({"amount_cents": 0}, {"amount_cents": -5}, {"amount_cents": 1.5}, {}):
        answer = await card_app.client.post("/api/v1/wallet/refunds", json=bad,
                                            headers=payer.headers)
        assert answer.status == 400, bad

