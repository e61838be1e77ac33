"""The trust pages in Chromium: a dispute opened on the receipt, decided on the admins'
dispute page beside the call's timeline, its outcome read back; a report suspended and
restored on the moderation page; a block made on a receipt and undone in the settings."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Running, StartApp
from tests.marketplace.conftest import admin
from tests.trust.conftest import Connect, called, get_json, pair, post_json
from tests.web.conftest import Browse, browse, browser, log_in

__all__ = ["browse", "browser"]


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_GUARANTEE_SECONDS="0")


async def test_a_dispute_from_the_receipt_to_the_admins_decision_and_back(
    site: Running, browse: Browse, connect: Connect
) -> None:
    people = await pair(site, connect)
    session_id = await called(site, people)
    paid = (await get_json(site, f"/api/v1/sessions/{session_id}", people.client))[
        "amount_cents"]

    client_page = await browse.page()
    await log_in(client_page, people.client, f"/login?next=/sessions/{session_id}/receipt")
    section = client_page.locator('[data-role="dispute-section"]')
    await section.get_by_label("Reason").select_option("poor_quality")
    await section.get_by_label("What happened").fill("The picture froze.")
    async with client_page.expect_navigation():
        await section.get_by_role("button", name="Dispute this call").click()
    await expect(client_page.locator('[data-outcome="opened"]')).to_be_visible()
    await expect(client_page.locator('[data-role="dispute"]')).to_contain_text(
        "Waiting for the expert")

    boss = await admin(site)
    admin_page = await browse.page(locale="fr-FR")
    await log_in_fr(admin_page, boss.email)
    await admin_page.goto("/admin")
    await admin_page.get_by_role("link", name="Litiges").click()
    await admin_page.locator(f'tr[data-session-id="{session_id}"] a').click()
    await expect(admin_page.locator('[data-role="receipt-timeline"] tr[data-event="live"]')
                 ).to_have_count(1)
    await admin_page.get_by_label("Remboursé en partie").check()
    await admin_page.get_by_label("Remboursement en centimes").fill(str(paid // 2))
    await admin_page.get_by_label("Pourquoi").fill("Appel à moitié inutilisable.")
    async with admin_page.expect_navigation():
        await admin_page.get_by_role("button", name="Trancher").click()
    await expect(admin_page.locator('[data-outcome="decided"]')).to_be_visible()

    # The client, still on the receipt, is told at once; the receipt then shows it.
    await expect(client_page.get_by_text("A dispute was decided: refunded in part.")
                 ).to_be_visible()
    await client_page.reload()
    await expect(client_page.locator('[data-role="dispute-outcome"]')).to_contain_text(
        "Refunded in part")
    await client_page.goto("/wallet")
    await expect(client_page.locator('tr[data-kind="dispute_refund"]')).to_contain_text(
        f"Refund after a dispute: call with {people.expert.display_name}")
    decided = await get_json(site, f"/api/v1/sessions/{session_id}/dispute", people.expert)
    assert decided["refund_cents"] == paid // 2


async def log_in_fr(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill("correct horse")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter").click()


async def test_a_report_leads_to_a_suspension_then_its_lifting_on_the_moderation_page(
    site: Running, browse: Browse
) -> None:
    client = await site.user("client")
    expert = await site.user("expert", name="Shady Expert")
    await post_json(site, "/api/v1/reports", client, {
        "account_id": expert.id, "reason": "fraud", "text": "Wanted cash."}, 201)
    boss = await admin(site)
    page = await browse.page()
    await log_in(page, boss, "/login?next=/admin/moderation")
    report = page.locator("article[data-report]")
    await expect(report).to_contain_text("Wanted cash.")
    await report.get_by_label("Reason").fill("Asked for cash")
    async with page.expect_navigation():
        await report.get_by_role("button", name="Suspend this account").click()
    await expect(page.locator('[data-outcome="suspended"]')).to_be_visible()
    row = page.locator(f'[data-role="suspended"] tr[data-account-id="{expert.id}"]')
    await expect(row).to_contain_text("Shady Expert")
    login = await site.client.post("/api/v1/tokens", json={"email": expert.email,
                                                          "password": "correct horse"})
    assert login.status == 403

    await row.get_by_placeholder("Reason").fill("Appeal accepted")
    async with page.expect_navigation():
        await row.get_by_role("button", name="Lift").click()
    await expect(page.locator('[data-outcome="restored"]')).to_be_visible()
    log = page.locator('[data-role="moderation-log"] tbody tr')
    await expect(log.first).to_contain_text("Suspension lifted")
    await expect(log.nth(1)).to_contain_text("Asked for cash")


async def test_a_block_made_on_a_receipt_is_listed_and_undone_in_the_settings(
    site: Running, browse: Browse, connect: Connect
) -> None:
    people = await pair(site, connect)
    session_id = await called(site, people)
    page = await browse.page()
    await log_in(page, people.expert, f"/login?next=/sessions/{session_id}/receipt")
    async with page.expect_navigation():
        await page.get_by_role("button", name=f"Block {people.client.display_name}").click()
    await expect(page.locator('[data-outcome="blocked"]')).to_be_visible()
    await expect(page.locator('[data-role="blocked"] li')).to_contain_text(
        people.client.display_name)
    assert await people.client_socket.error(
        "call:start", {"expert_id": people.expert.id, "topic": "again"}) == "forbidden"

    await page.goto("/settings")
    await page.get_by_role("link", name="See and undo your blocks").click()
    async with page.expect_navigation():
        await page.get_by_role("button", name=f"Unblock {people.client.display_name}").click()
    await expect(page.locator('[data-role="nobody-blocked"]')).to_be_visible()
    again = await people.client_socket.ok("call:start", {"expert_id": people.expert.id,
                                                         "topic": "again"})
    assert again["state"] == "ringing"
