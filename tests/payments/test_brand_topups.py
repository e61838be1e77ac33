"""A brand admin tops up the brand's balance by card, exactly like a client's wallet."""

from __future__ import annotations

import pytest

from tests.brands.conftest import admin, brand_admin, new_brand
from tests.payments.conftest import LocalStripe, StripeApp
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_a_brand_admin_tops_up_the_brand_balance_by_card(
    stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app()
    platform = await admin(running)
    await new_brand(running, platform, "acme", sponsored=True)
    owner = await brand_admin(running, platform, "acme")
    stranger = await running.user("client")
    base = "/api/v1/brands/acme/balance"

    refused = await running.client.post(f"{base}/topups", json={"amount_cents": 100},
                                        headers=stranger.headers)
    assert refused.status == 403
    answer = await running.client.post(f"{base}/topups", json={"amount_cents": 40_000},
                                       headers=owner.headers)
    assert answer.status == 201, await answer.text()
    started = await answer.json()
    assert started["status"] == "pending" and started["publishable_key"] == "pk_test_helpcall"
    mine = await running.user("client")
    personal = await running.client.get(f"/api/v1/wallet/topups/{started['topup_id']}",
                                        headers=mine.headers)
    assert personal.status == 404  # a brand's top-up is not a person's

    await localstripe.pay(started["client_secret"])

    async def credited() -> bool:
        shown = await running.client.get(base, headers=owner.headers)
        return bool((await shown.json())["balance_cents"] == 40_000)
    await eventually(credited, 15, "the webhook crediting the brand")
    status = await running.client.get(f"{base}/topups/{started['topup_id']}",
                                      headers=owner.headers)
    assert (await status.json())["status"] == "succeeded"
    other = await running.client.get(f"{base}/topups/{started['topup_id']}",
                                     headers=stranger.headers)
    assert other.status == 403
    ledger = (await (await running.client.get(base, headers=owner.headers)).json())["ledger"]
    assert [e["kind"] for e in ledger] == ["topup"]
