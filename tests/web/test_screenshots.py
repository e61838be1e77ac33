"""Screenshots of the main pages, taken along a real call.

Run with ``HELPCALL_SCREENSHOTS=1`` to refresh ``docs/screenshots/``; otherwise the pictures
go to a temporary folder, and the test still checks that every page renders.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Running, StartApp
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
from tests.web.conftest import Browse

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV)


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
    visitor = await browse.page()
    await visitor.goto("/signup")
    await _shoot(visitor, folder, "signup")
    await visitor.goto("/login")
    await _shoot(visitor, folder, "login")

    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client = await browse.page()
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
    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")
    await expect(client.locator("[data-role=summary]")).to_be_visible()
    await _shoot(client, folder, "call-summary")

    await client.goto("/sessions")
    await expect(client.locator("[data-role=receipt]")).to_have_count(1)
    await _shoot(client, folder, "sessions")
    await client.goto("/wallet")
    await expect(client.locator("#ledger-rows tr")).not_to_have_count(0)
    await _shoot(client, folder, "wallet")
    await client.goto("/problem/camera")
    await _shoot(client, folder, "problem-camera")

    phone = await browse.page(locale="fr-FR", width=375, height=812, device_scale_factor=2,
                              is_mobile=True, has_touch=True)
    await phone.goto("/")
    await _shoot(phone, folder, "home-mobile-fr", full=False)
    await phone.goto(f"/experts/{expert.id}")
    await expect(phone.locator("[data-field=price]")).to_have_text("6,00 € / min")
    await _shoot(phone, folder, "expert-profile-mobile-fr", full=False)
