"""The branded page in a real browser: `Call now` starts a brand call through the browser
app's call flow, a member expert's console rings, and the call goes live, paid by the brand."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from playwright.async_api import expect

from tests.brands.conftest import admin, brand_admin, join, new_brand, top_up_brand
from tests.brands.test_calls import billing_events
from tests.conftest import Running, StartApp
from tests.web.calls import CALL_ENV, call_state, expert_with_profile, go_online
from tests.web.conftest import Browse, browse, browser, sign_up

__all__ = ["browse", "browser"]


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV)



async def test_call_now_on_the_branded_page_reaches_a_member_expert(
    browse: Browse, site: Running, redis: aioredis.Redis
) -> None:
    platform = await admin(site)
    brand = await new_brand(site, platform, "acme", name="Acme <Beauty>", sponsored=True)
    owner = await brand_admin(site, platform, "acme")
    await top_up_brand(site, platform, "acme", 10_000)
    expert = await expert_with_profile(site)
    await join(site, owner, "acme", expert)
    expert_page = await browse.page()
    await go_online(expert_page, expert)

    client_page = await browse.page()
    await sign_up(client_page, "Carla", "carla@example.test")
    await client_page.goto("/b/acme")
    await expect(client_page.locator("h1.brand-name")).to_have_text("Acme <Beauty>")
    await client_page.get_by_label("What do you need help with?").fill("Which shade?")
    async with client_page.expect_navigation(url="**/call/*"):
        await client_page.get_by_role("button", name="Call now").click()
    await expect(expert_page.locator("[data-role=incoming]")).to_be_visible()
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.get_by_role("button", name="Accept").click()
    await call_state(client_page, "live")
    await client_page.get_by_role("button", name="Hang up").click()
    await call_state(expert_page, "ended")

    [event] = await billing_events(redis)
    assert event["brand_id"] == brand["id"] and event["expert_id"] == expert.id
    assert event["paid_by"] in ("brand", "none")
