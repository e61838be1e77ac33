"""The app on a 390 x 844 touch screen: a folded header and a one-line test banner, then a
whole call with the video full width, the controls at the thumb, and the chat over the
video; axe-core during the live call; the wallet's statement after it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Running, StartApp
from tests.web.calls import (
    CALL_ENV,
    Cast,
    answer,
    call_state,
    client_with_funds,
    expert_with_profile,
    go_online,
    ring,
)
from tests.web.conftest import Browse
from tests.web.test_accessibility import axe_problems, checked_page

WIDTH, HEIGHT = 390, 844


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    # The usual pings: axe-core holds the page's thread for seconds under load, which the
    # short pings of the other call tests would take for a lost connection.
    return await start_app(HELPCALL_GUARANTEE_SECONDS=CALL_ENV["HELPCALL_GUARANTEE_SECONDS"])


async def test_a_call_on_a_phone_keeps_video_controls_and_chat_in_reach(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    phone = await checked_page(browse, "en-GB", width=WIDTH, height=HEIGHT, is_mobile=True,
                               has_touch=True, device_scale_factor=2)
    await client_with_funds(phone, "Pierre", "pierre@example.test")

    # Content first: the banner is one line and the header one row, its links behind Menu.
    banner = await phone.locator("[data-role=test-mode]").bounding_box()
    header = await phone.locator(".site-header").bounding_box()
    assert banner and header and banner["height"] + header["height"] < HEIGHT * 0.16
    menu = phone.get_by_role("button", name="Menu")
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(phone.get_by_role("link", name="My calls")).to_be_hidden()
    await menu.tap()
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await expect(phone.get_by_role("link", name="My calls")).to_be_visible()

    cast = Cast(browse, expert, expert_page, phone)
    await ring(cast)
    await answer(cast)
    video = await phone.locator("video[data-role=remote]").bounding_box()
    assert video and video["width"] >= WIDTH - 1 and video["x"] <= 0.5  # edge to edge
    controls = await phone.locator(".controls").bounding_box()
    assert controls and controls["y"] > HEIGHT * 0.8  # at the bottom, under the thumb
    assert controls["y"] + controls["height"] <= HEIGHT + 0.5
    chat = phone.locator("#chat-panel")
    await expect(chat).to_be_hidden()

    await expert_page.get_by_label("Message").fill("Show me the dough, please.")
    await expert_page.get_by_role("button", name="Send").click()
    toggle = phone.get_by_role("button", name="Chat")
    await expect(phone.locator("[data-role=chat-unread]")).to_have_text("1")
    await toggle.tap()
    await expect(chat).to_be_visible()
    await expect(chat).to_contain_text("Show me the dough, please.")
    await expect(phone.get_by_label("Message")).to_be_focused()
    panel = await chat.bounding_box()
    assert panel and panel["y"] < video["y"] + video["height"]  # over the video, not below it
    await expect(phone.locator("[data-role=chat-unread]")).to_be_hidden()
    assert not await axe_problems(phone)
    await phone.get_by_role("button", name="Close the chat").tap()
    await expect(chat).to_be_hidden()
    # A billed second at least, or the statement has no charge line to show (the steps
    # above may take less than a second on a quick machine).
    await expect(phone.locator("[data-role=timer]")).not_to_have_text("0:00")
    await phone.get_by_role("button", name="Hang up").tap()
    await call_state(phone, "ended")
    await expect(phone.locator("[data-role=summary]")).to_be_visible()

    # The wallet reads as a statement: the call with whom and how long, signed.
    amount = await phone.locator("[data-role=summary-amount]").inner_text()
    await phone.goto("/wallet")
    rows = phone.locator("#ledger-rows tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("Call with Marie Curie, ")
    await expect(rows.nth(0).locator("td.debit")).to_have_text(f"-{amount}")
    await expect(rows.nth(1)).to_contain_text("Top-up")
    await expect(rows.nth(1).locator("td.credit")).to_have_text("+€20.00")
    await expect(phone.locator("#held")).to_have_text("€0.00")
    widths = await phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1]
