"""Screenshots of the main pages, taken along a real call.

Run with ``HELPCALL_SCREENSHOTS=1`` to refresh ``docs/screenshots/``; otherwise the pictures
go to a temporary folder, and the test still checks that every page renders.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.brands.conftest import brand_admin, join, new_brand
from tests.conftest import Running, StartApp
from tests.marketplace.conftest import admin
from tests.web.calls import (
    CALL_ENV,
    Cast,
    call_state,
    client_with_funds,
    expert_with_profile,
    go_online,
    remote_video_plays,
    ring,
)
from tests.web.conftest import Browse, log_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    # Not the short pings and grace of the call tests: on a loaded machine they end the
    # call (dropped) before its pictures are taken, and no picture needs them.
    return await start_app(HELPCALL_GUARANTEE_SECONDS=CALL_ENV["HELPCALL_GUARANTEE_SECONDS"])


def _folder(tmp_path: Path) -> Path:
    if os.environ.get("HELPCALL_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


async def _shoot(page: Page, folder: Path, name: str, full: bool = True) -> None:
    await page.wait_for_load_state("networkidle")
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full, animations="disabled")
    assert path.stat().st_size > 5_000, name


async def test_screenshots_of_the_main_pages(
    browse: Browse, site: Running, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    expert = await expert_with_profile(site)
    # Hours all day, every day: the expert page must offer slots whatever time CI runs
    # (with working hours, late afternoon in Paris left fewer than three).
    week = {day: [{"start": "00:00", "end": "12:00"}, {"start": "12:30", "end": "23:30"}]
            for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = await site.client.put(
        "/api/v1/experts/me/availability",
        json={"time_zone": "Europe/Paris", "weekly": week, "lengths": [30, 60]},
        headers=expert.headers,
    )
    assert hours.status == 200, await hours.text()
    visitor = await browse.page()
    await visitor.goto("/signup")
    await _shoot(visitor, folder, "signup")
    await visitor.goto("/login")
    await _shoot(visitor, folder, "login")

    newcomer = await site.user("expert", name="Nina Newcomer")
    await log_in(visitor, newcomer)
    await expect(visitor.locator("[data-role=onboarding]")).to_be_visible()
    await _shoot(visitor, folder, "console-onboarding")

    platform = await admin(site)
    await new_brand(site, platform, "acme", name="Acme Pâtisserie", primary_colour="#7a1f3d",
                    welcome="Nos pâtissiers vous aident en vidéo.")
    await join(site, await brand_admin(site, platform, "acme"), "acme", expert)
    brand_visitor = await browse.page(locale="fr-FR", width=375, height=812,
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
    await brand_visitor.goto("/b/acme")
    await expect(brand_visitor.get_by_role("heading", name="Nos experts")).to_be_visible()
    await _shoot(brand_visitor, folder, "brand-page-fr", full=False)

    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client = await browse.page(timezone_id="Europe/London")
    await client_with_funds(client, "Pierre", "pierre@example.test")
    await client.goto("/")
    await expect(client.locator(".expert-card")).to_have_count(1)
    await _shoot(client, folder, "home")
    await client.goto("/experts")
    await expect(client.locator(".expert-card")).to_have_count(1)
    await _shoot(client, folder, "experts")
    await client.goto(f"/experts/{expert.id}")
    await expect(client.locator("[data-field=status]")).to_have_attribute("data-status", "online")
    await _shoot(client, folder, "expert-profile")

    cast = Cast(browse, expert, expert_page, client)
    await ring(cast, topic="My sourdough does not rise")
    await _shoot(expert_page, folder, "console-incoming")
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.get_by_role("button", name="Accept").click()
    await call_state(client, "live")
    await remote_video_plays(client)
    await remote_video_plays(expert_page)
    await client.get_by_label("Message").fill("Hello! Can you see the dough?")
    await client.get_by_role("button", name="Send").click()
    await expect(expert_page.locator("[data-role=chat-log] li")).to_have_count(1)
    await expert_page.get_by_label("Message").fill("Yes: it needs a warmer place.")
    await expert_page.get_by_role("button", name="Send").click()
    await expect(client.locator("[data-role=chat-log] li")).to_have_count(2)
    await _shoot(client, folder, "call-live", full=False)
    # The same call on a phone's screen: video edge to edge, the chat over it.
    await client.set_viewport_size({"width": 390, "height": 844})
    await client.get_by_role("button", name="Chat").click()
    await expect(client.locator("#chat-panel")).to_be_visible()
    await _shoot(client, folder, "call-mobile", full=False)
    await client.get_by_role("button", name="Close the chat").click()
    await client.set_viewport_size({"width": 1280, "height": 860})
    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")
    await expect(client.locator("[data-role=summary]")).to_be_visible()
    await client.get_by_label("5 stars").check()
    await client.get_by_label("Your review (optional)").fill("Warm, clear and patient.")
    await _shoot(client, folder, "call-summary")
    await client.get_by_role("button", name="Send my review").click()
    await expect(client.locator("[data-role=review-done]")).to_be_visible()

    topup = await client.request.post(  # a 30 min appointment holds €180.00
        "/api/v1/wallet/topups", data={"amount_cents": 20_000},
        headers={"X-Requested-With": "helpcall"},
    )
    assert topup.status == 201, await topup.text()
    await client.goto(f"/experts/{expert.id}")
    await expect(client.locator(".review")).to_have_count(1)
    await client.get_by_role("button", name="Add to my experts: Marie Curie").click()
    # The next day's slots: today's may be nearly over whatever the hours (late evening in
    # Paris left fewer than three), the day after has them all.
    await client.locator("#slot-day").select_option(index=1)
    await client.locator("input[name=slot]").nth(2).check()
    await client.get_by_label("What is the appointment about?").fill("Croissants at home")
    await _shoot(client, folder, "expert-profile-booking")
    async with client.expect_navigation(url="**/appointments/*"):
        await client.get_by_role("button", name="Book this time").click()
    await expect(client.locator(".booking-card")).to_have_count(1)
    await client.get_by_role("button", name="Create my calendar link").click()
    await expect(client.locator("#feed-url")).not_to_have_value("")
    await _shoot(client, folder, "appointments")
    await client.goto("/favourites")
    await expect(client.locator(".expert-card")).to_have_count(1)
    await _shoot(client, folder, "favourites")
    await expert_page.goto("/notifications")
    await expect(expert_page.locator(".notice")).to_have_count(1)
    await _shoot(expert_page, folder, "notifications")
    await expert_page.goto("/console/availability")
    await expect(expert_page.locator("#hours-form")).to_have_attribute("aria-busy", "false")
    await _shoot(expert_page, folder, "availability")

    await client.goto("/sessions")
    await expect(client.locator("[data-role=receipt]")).to_have_count(1)
    await _shoot(client, folder, "sessions")
    await client.goto("/wallet")
    await expect(client.locator("#ledger-rows tr")).not_to_have_count(0)
    await _shoot(client, folder, "wallet")
    await client.goto("/problem/camera")
    await _shoot(client, folder, "problem-camera")

    phone = await browse.page(locale="fr-FR", width=375, height=812, device_scale_factor=2,
                              is_mobile=True, has_touch=True, timezone_id="Europe/Paris")
    await phone.goto("/")
    await _shoot(phone, folder, "home-mobile-fr", full=False)
    await phone.goto(f"/experts/{expert.id}")
    await expect(phone.locator("[data-field=price]")).to_have_text("6,00 € / min")
    await _shoot(phone, folder, "expert-profile-mobile-fr", full=False)
    await phone.locator("#booking").scroll_into_view_if_needed()
    await _shoot(phone, folder, "slots-mobile-fr", full=False)
