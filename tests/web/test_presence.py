"""An expert's presence follows the person: online on every page and tab until they go
offline or close the last tab, with the incoming call ringing wherever they are; and the
onboarding checklist that keeps an unfindable expert from going online."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from PIL import Image
from playwright.async_api import expect

from signaling.presence import socks_key
from tests.conftest import Running, StartApp
from tests.waiting import eventually
from tests.web.calls import CALL_ENV, call_state, make_cast, ring
from tests.web.conftest import Browse, log_in


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**CALL_ENV)


async def _status(site: Running, expert_id: str) -> str:
    answer = await site.client.get(f"/api/v1/experts/{expert_id}")
    status: str = (await answer.json())["status"]
    return status


async def test_an_expert_stays_online_on_every_page_and_tab_until_the_last_one_closes(
    browse: Browse, site: Running, redis: aioredis.Redis
) -> None:
    cast = await make_cast(browse, site)
    first = cast.expert_page
    sockets = socks_key(cast.expert.id)
    await expect(first.locator("[data-role=presence-pill]")).to_have_attribute(
        "data-status", "online")

    # Another page of the app: still online, said in the header.
    await first.get_by_role("link", name="Wallet").click()
    await expect(first).to_have_url(re.compile("/wallet$"))
    await expect(first.locator("[data-role=presence-pill]")).to_have_attribute(
        "data-status", "online")
    # A second tab joins: the presence is the person's, not the page's.
    second = await first.context.new_page()
    await second.goto("/console/availability")
    await expect(second.locator("[data-role=presence-pill]")).to_have_text("Online")

    # A call rings on whatever page the expert is, in every tab, with its banner.
    await ring(cast, topic="")
    for tab in (first, second):
        banner = tab.locator("[data-role=incoming]")
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("Pierre")
        await expect(banner).to_contain_text("No topic given")  # nothing made up
        await expect(banner).to_have_attribute("data-ringing", "true")
    await second.get_by_role("button", name="Decline").click()
    await expect(first.locator("[data-role=incoming]")).to_be_hidden()  # answered elsewhere
    await call_state(cast.client_page, "ended")

    # One tab closed of two: still online.
    context = first.context
    await first.close()

    async def sockets_left(count: int) -> bool:
        return int(await redis.scard(sockets)) == count

    await eventually(lambda: sockets_left(1), what="one tab left")
    assert await _status(site, cast.expert.id) == "online"
    # The last tab closed: offline, and the next visit starts offline.
    await second.close()
    await eventually(lambda: sockets_left(0), what="no tab left")
    assert await _status(site, cast.expert.id) == "offline"
    third = await context.new_page()
    await third.goto("/console")
    await expect(third.locator("[data-role=presence-pill]")).to_have_attribute(
        "data-status", "offline")
    await expect(third.get_by_role("button", name="Go online")).to_be_visible()


async def test_go_online_waits_for_the_checklist_and_the_profile_page_helps(
    browse: Browse, site: Running, tmp_path: Path
) -> None:
    expert = await site.user("expert", name="Nina")
    page = await browse.page()
    await log_in(page, expert)
    await expect(page).to_have_url(re.compile("/console$"))
    steps = page.locator("[data-role=onboarding]")
    for step in ("profile", "price", "languages", "photo", "hours"):
        await expect(steps.locator(f"[data-step={step}]")).to_have_attribute("data-done", "false")
    go = page.get_by_role("button", name="Go online")
    await expect(go).to_have_attribute("aria-disabled", "true")
    await expect(go).to_have_accessible_description(re.compile(
        "Before going online, complete: A headline and your categories, Your price, "
        "The languages you speak"))
    await go.focus()
    await page.keyboard.press("Enter")  # refused, with the reason in view
    await expect(page.locator("#online-blocked")).to_be_focused()
    await expect(page.locator("[data-presence=offline]")).to_be_visible()

    await steps.get_by_role("link", name="A headline and your categories").click()
    await expect(page.locator("#profile-form")).to_have_attribute("aria-busy", "false")
    await expect(page.get_by_label("English")).to_be_checked()  # the page's language to start
    await page.get_by_label("English").uncheck()
    await page.get_by_label("Headline").fill("Pastry, step by step")
    await page.get_by_label("Cooking").check()
    await page.get_by_label("Price (EUR)").fill("1.50")
    await page.get_by_role("button", name="Save profile").click()
    languages_error = page.locator("#languages-error")
    await expect(languages_error).to_have_text(
        "Tick at least one language you speak, so that clients know how to talk to you.")
    await expect(page.get_by_label("English")).to_be_focused()
    await page.get_by_label("French").check()
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#profile-form").get_by_role("status")).to_have_text(
        "Profile saved.")
    await expect(languages_error).to_be_hidden()

    photo = tmp_path / "nina.png"
    Image.new("RGB", (96, 96), (200, 120, 60)).save(photo)
    await page.get_by_label("Choose a photo").set_input_files(str(photo))
    await expect(page.locator("[data-role=photo-status]")).to_have_text("Photo saved.")
    await expect(page.locator("[data-role=photo-preview] img")).to_have_attribute(
        "src", re.compile(r"/media/experts/.+\.jpg"))

    await page.goto("/console")
    await expect(steps.locator("[data-step=photo]")).to_have_attribute("data-done", "true")
    await expect(go).not_to_have_attribute("aria-disabled", "true")
    await go.click()
    await expect(page.locator("[data-presence=online]")).to_be_visible()
    await expect(page.locator("[data-role=presence-pill]")).to_have_text("Online")
