"""In real browsers: the price-changed prompt on a profile (§7.2), and the receipt page of
a call, reached from the session history, in English and in French."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Running, StartApp
from tests.web.calls import CALL_ENV, Cast, answer, call_state, make_cast, ring
from tests.web.conftest import Browse

RAISED = {"mode": "per_minute", "amount_cents": 900}


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV)


@pytest.fixture
async def cast(browse: Browse, site: Running) -> Cast:
    return await make_cast(browse, site)


async def test_a_changed_price_is_shown_and_called_only_once_confirmed(
    cast: Cast, site: Running
) -> None:
    client, expert = cast.client_page, cast.expert_page
    await client.goto(f"/experts/{cast.expert.id}")
    price = client.locator("[data-field=price]")
    await expect(price).to_have_text("€6.00 / min")
    # The expert raises the price while the client reads the profile.
    profile = await (await site.client.get(f"/api/v1/experts/{cast.expert.id}")).json()
    changed = await site.client.put("/api/v1/experts/me", headers=cast.expert.headers, json={
        "headline": profile["headline"], "bio": profile["bio"],
        "categories": profile["categories"], "languages": profile["languages"],
        "pricing": RAISED})
    assert changed.status == 200

    await client.locator("#topic").fill("My sourdough does not rise")
    await client.locator("#call-form button[type=submit]").click()
    prompt = client.locator("[data-role=price-changed]")
    await expect(prompt).to_contain_text("it is now €9.00 / min (you saw €6.00 / min)")
    await expect(price).to_have_text("€9.00 / min")
    assert f"/experts/{cast.expert.id}" in client.url
    await expect(expert.locator("[data-role=incoming]")).to_be_hidden()

    async with client.expect_navigation(url="**/call/*"):
        await client.get_by_role("button", name="Call at €9.00 / min").click()
    incoming = expert.locator("[data-role=incoming]")
    await expect(incoming).to_be_visible()
    await expect(incoming).to_contain_text("€9.00 / min")


async def test_the_receipt_page_of_a_call(cast: Cast, browse: Browse, site: Running) -> None:
    client = cast.client_page
    await ring(cast)
    await answer(cast)
    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")

    await client.goto("/sessions")
    async with client.expect_navigation(url="**/receipt"):
        await client.get_by_role("link", name="View receipt").click()
    receipt = client.locator("[data-role=receipt]")
    await expect(receipt).to_have_attribute("data-copy", "client")
    await expect(receipt.locator("[data-role=rate]")).to_have_text("€6.00 / min")
    await expect(receipt.locator("tr[data-event=accepted]")).to_contain_text(
        "Answered by the expert")
    await expect(receipt.locator("tr[data-event=ended]")).to_contain_text("by the client")
    await expect(receipt.locator("[data-role=billing]")).to_contain_text("Billed time:")
    await expect(client.get_by_role("button", name="Print")).to_be_visible()
    await client.emulate_media(media="print")
    await expect(client.locator(".site-header")).to_be_hidden()
    await expect(client.get_by_role("button", name="Print")).to_be_hidden()

    # The expert's copy, in French, with the payout.
    french = await browse.page(locale="fr-FR")
    await french.goto(client.url.replace(site.url, ""))  # to the login page first
    await french.get_by_label("Adresse e-mail").fill(cast.expert.email)
    await french.get_by_label("Mot de passe").fill("correct horse")
    async with french.expect_navigation(url="**/receipt"):
        await french.get_by_role("button", name="Se connecter").click()
    copy = french.locator("[data-role=receipt]")
    await expect(copy).to_have_attribute("data-copy", "expert")
    await expect(french.locator("h1")).to_have_text("Reçu")
    await expect(copy.locator("tr[data-event=accepted]")).to_contain_text("Décroché par l'expert")
    await expect(copy.locator("[data-role=payout]")).to_be_visible()
