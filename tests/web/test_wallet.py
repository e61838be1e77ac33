"""The wallet as a statement, and what a booking does with the money: held while booked,
shown as returned (less the late fee) once cancelled; a booking without funds says where
to top up."""

from __future__ import annotations

from datetime import datetime

from playwright.async_api import expect

from tests.conftest import Running
from tests.web.calls import expert_with_profile
from tests.web.conftest import Browse, log_in

ALL_DAY = {day: [{"start": "00:00", "end": "24:00"}]
           for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def test_a_booking_is_held_then_returned_and_no_funds_link_to_the_top_up(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)  # €6.00 / min: 30 min hold €180.00
    hours = await site.client.put("/api/v1/experts/me/availability", headers=expert.headers,
                                  json={"time_zone": "UTC", "weekly": ALL_DAY, "lengths": [30]})
    assert hours.status == 200, await hours.text()
    client = await site.user("client", name="Zoé")
    page = await browse.page(timezone_id="UTC")
    await log_in(page, client)
    await page.goto(f"/experts/{expert.id}")
    booking = page.locator("#booking")
    slot = booking.locator("input[name=slot]").first
    await slot.check()
    start = await slot.get_attribute("value")
    assert start is not None
    await booking.get_by_label("What is the appointment about?").fill("Croissants")
    await booking.get_by_role("button", name="Book this time").click()
    refused = page.locator("#book-error")
    await expect(refused).to_contain_text("Your wallet does not cover this appointment.")
    top_up = refused.get_by_role("link", name="Top up my wallet (opens a new tab)")
    await expect(top_up).to_have_attribute("href", "/wallet#topup-heading")
    await expect(top_up).to_have_attribute("target", "_blank")

    funded = await site.client.post("/api/v1/wallet/topups", json={"amount_cents": 20_000},
                                    headers=client.headers)
    assert funded.status == 201
    async with page.expect_navigation(url="**/appointments/*"):
        await booking.get_by_role("button", name="Book this time").click()
    card = page.locator(".booking-card").first
    await expect(card).to_contain_text("Held from your wallet")

    await page.goto("/wallet")
    await expect(page.locator("#balance")).to_have_text("€200.00")
    await expect(page.locator("#held")).to_have_text("€180.00")
    await expect(page.locator("#available")).to_have_text("€20.00")
    moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    day = f"{moment.day} {moment:%b}"
    rows = page.locator("#ledger-rows tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text(f"Booking on {day}, held")
    await expect(rows.nth(0).locator("td.hold")).to_have_text("-€180.00")
    await expect(rows.nth(1)).to_contain_text("Top-up")

    await page.goto("/appointments")
    await page.locator(".booking-card").first.get_by_role(
        "button", name="Cancel the appointment").click()
    await expect(card).to_have_attribute("data-state", "cancelled")
    # Cancelled less than a day ahead: half is kept as the fee, the rest comes back.
    await expect(card.locator("[data-role=money]")).to_have_text("€90.00")
    await expect(card).to_contain_text("Cancellation fee paid")
    await expect(card.locator("[data-role=returned]")).to_have_text("€90.00")
    await expect(card).not_to_contain_text("Held from your wallet")
    await page.goto("/wallet")
    await expect(page.locator("#balance")).to_have_text("€110.00")
    await expect(page.locator("#held")).to_have_text("€0.00")
    await expect(page.locator("#available")).to_have_text("€110.00")
    await expect(rows).to_have_count(4)
    await expect(rows.nth(0)).to_contain_text(f"Late cancellation fee, booking on {day}")
    await expect(rows.nth(0).locator("td.debit")).to_have_text("-€90.00")
    await expect(rows.nth(1)).to_contain_text(f"Booking on {day} cancelled: money returned")
    await expect(rows.nth(1).locator("td.credit")).to_have_text("+€180.00")
