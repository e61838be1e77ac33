"""Topping up through the wallet page in Chromium, with localstripe's Stripe.js stand-in
loaded from STRIPE_JS_URL: a plain card, a card that asks for 3-D Secure, a declined card,
and the page coming back from Stripe for a payment whose webhook was lost."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.brands.conftest import admin, brand_admin, new_brand
from tests.conftest import Running, User
from tests.payments.conftest import LocalStripe, StripeApp, start_topup
from tests.web.conftest import Browse, browse, browser, log_in

__all__ = ["browse", "browser"]


@pytest.fixture
async def site(stripe_app: StripeApp) -> Running:
    return await stripe_app()


async def pay_by_card(page: Page, euros: str, number: str) -> None:
    await page.get_by_label("Amount (EUR)").first.fill(euros)
    await page.get_by_role("button", name="Continue to payment").click()
    fields = page.locator("#payment-element")
    await fields.get_by_placeholder("number").fill(number)
    await fields.get_by_placeholder("exp_month").fill("12")
    await fields.get_by_placeholder("exp_year").fill("34")
    await fields.get_by_placeholder("cvc").fill("123")
    await fields.get_by_placeholder("postal_code").fill("75001")
    await page.get_by_role("button", name=f"Pay €{euros}.00").click()


async def test_a_client_tops_up_by_card_on_the_wallet_page(
    browse: Browse, site: Running, localstripe: LocalStripe,
) -> None:
    user: User = await site.user()
    page = await browse.page()
    await log_in(page, user)
    response = await page.goto("/wallet")
    assert response is not None
    assert localstripe.url in response.headers["content-security-policy"]
    await expect(page.locator("[data-role=test-mode]")).to_have_count(0)
    status = page.locator("#card-topup-status")
    balance = page.locator("#balance")

    await pay_by_card(page, "25", "4242424242424242")
    await expect(status).to_have_text("€25.00 added to the balance.")
    await expect(balance).to_have_text("€25.00")

    # 3-D Secure: Stripe.js asks, the payer completes it.
    await pay_by_card(page, "10", "4000002500003155")
    await page.get_by_role("button", name="Complete authentication").click()
    await expect(status).to_have_text("€10.00 added to the balance.")
    await expect(balance).to_have_text("€35.00")

    # 3-D Secure failed, then a declined card: said plainly, nothing added.
    await pay_by_card(page, "7", "4000002500003155")
    await page.get_by_role("button", name="Fail authentication").click()
    await expect(status).to_contain_text("The payment failed: The provided PaymentMethod "
                                         "has failed authentication.")
    await pay_by_card(page, "8", "4000000000000341")
    await expect(status).to_have_text(
        "The payment failed: Your card was declined. Nothing was added.")
    await expect(balance).to_have_text("€35.00")
    rows = page.locator("#ledger-rows tr")
    await expect(rows).to_have_count(2)

    # Unused credit back to the cards.
    await page.get_by_label("Amount (EUR)").last.fill("30")
    await page.get_by_role("button", name="Refund").click()
    await expect(page.locator("#card-refund-status")).to_have_text("€30.00 refunded to your card.")
    await expect(balance).to_have_text("€5.00")
    await expect(rows.first).to_contain_text("Refund to card")


async def test_the_page_coming_back_from_stripe_settles_a_payment_whose_webhook_was_lost(
    browse: Browse, stripe_app: StripeApp, localstripe: LocalStripe,
) -> None:
    running = await stripe_app(webhooks=False)
    user = await running.user()
    started = await start_topup(running, user, 1500)
    await localstripe.pay(started["client_secret"])
    browse.base_url = running.url
    page = await browse.page()
    await log_in(page, user)
    await page.goto(f"/wallet?topup={started['topup_id']}&redirect_status=succeeded")
    await expect(page.locator("#card-topup-status")).to_have_text("€15.00 added to the balance.")
    await expect(page.locator("#balance")).to_have_text("€15.00")
    assert page.url.endswith("/wallet")


async def test_a_brand_admin_adds_funds_to_the_brand_by_card(
    browse: Browse, site: Running, localstripe: LocalStripe,
) -> None:
    platform = await admin(site)
    await new_brand(site, platform, "acme", sponsored=True)
    owner = await brand_admin(site, platform, "acme")
    stranger = await site.user()
    page = await browse.page()
    await log_in(page, stranger)
    refused = await page.goto("/brands/acme/balance")
    assert refused is not None and refused.status == 403
    await page.context.clear_cookies()

    await log_in(page, owner)
    await page.goto("/b/acme/dashboard")
    await page.get_by_role("link", name="See the balance and add funds").click()
    await expect(page.locator("#balance")).to_have_text("€0.00")
    await pay_by_card(page, "50", "4242424242424242")
    await expect(page.locator("#card-topup-status")).to_have_text("€50.00 added to the balance.")
    await expect(page.locator("#balance")).to_have_text("€50.00")
    await expect(page.locator("#card-refund")).to_have_count(0)
