"""Reviews, favourites and category calls with callback requests, in real browsers."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Running, StartApp, User
from tests.web.calls import (
    CALL_ENV,
    Cast,
    call_state,
    client_with_funds,
    expert_with_profile,
    go_online,
    ring,
)
from tests.web.conftest import Browse, log_in


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    # A category call that nobody takes ends "declined" after a short wait.
    return await start_app(**CALL_ENV, HELPCALL_QUEUE_MAX_SECONDS="4")


async def _funded_client(site: Running, page: Page, name: str) -> User:
    client = await site.user("client", name=name)
    topup = await site.client.post(
        "/api/v1/wallet/topups", json={"amount_cents": 5000}, headers=client.headers
    )
    assert topup.status == 201, await topup.text()
    await log_in(page, client)
    return client


async def test_a_review_left_after_a_real_call_shows_on_the_profile_and_gets_a_reply(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client = await browse.page()
    await client_with_funds(client, "Pierre", "pierre@example.test")
    await ring(Cast(browse, expert, expert_page, client))
    async with expert_page.expect_navigation(url="**/call/*"):
        await expert_page.get_by_role("button", name="Accept").click()
    await call_state(client, "live")
    await client.get_by_role("button", name="Hang up").click()
    await call_state(client, "ended")
    await call_state(expert_page, "ended")
    # The expert gets no form: only the client reviews.
    await expect(expert_page.locator("[data-role=summary]")).to_be_visible()
    await expect(expert_page.locator("[data-role=review-form]")).to_have_count(0)

    form = client.locator("[data-role=review-form]")
    await expect(form).to_be_visible()
    await form.get_by_label("4 stars").check()
    await form.get_by_label("Your review (optional)").fill("Clear and patient.")
    await form.get_by_role("button", name="Send my review").click()
    await expect(client.locator("[data-role=review-done]")).to_have_text(
        "Thank you for your review."
    )

    await client.goto(f"/experts/{expert.id}")
    review = client.locator(".review")
    await expect(review).to_have_count(1)
    await expect(review).to_have_attribute("data-rating", "4")
    await expect(review).to_contain_text("Clear and patient.")
    await expect(review).to_contain_text("Pierre")
    await expect(client.locator("[data-field=rating]")).to_have_text("★ 4.0 / 5 (1 review)")
    await expect(review.get_by_label("Your reply")).to_have_count(0)  # not the client's to answer
    await client.goto("/experts")
    await expect(client.locator(".expert-card .rating")).to_have_text("★ 4.0 / 5 (1 review)")

    await expert_page.goto(f"/experts/{expert.id}")
    await expert_page.locator(".review").get_by_label("Your reply").fill("Thank you, Pierre!")
    await expert_page.get_by_role("button", name="Reply").click()
    await expect(expert_page.locator(".review-reply")).to_contain_text("Thank you, Pierre!")
    await client.goto(f"/experts/{expert.id}")
    await expect(client.locator(".review-reply")).to_contain_text("Thank you, Pierre!")


async def test_a_favourite_toggled_on_the_profile_and_listed_with_its_status(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    client = await browse.page()
    await _funded_client(site, client, "Fay")
    await client.goto("/favourites")
    await expect(client.locator("#favourite-list")).to_contain_text("not saved any expert")

    await client.goto(f"/experts/{expert.id}")
    toggle = client.get_by_role("button", name="Add to my experts: Marie Curie")
    await toggle.focus()
    await client.keyboard.press("Enter")
    await expect(client.get_by_role("button", name="Remove from my experts: Marie Curie")).to_be_visible()
    answer = await client.request.get("/api/v1/favourites")
    assert [e["id"] for e in (await answer.json())["experts"]] == [expert.id]

    await client.goto("/favourites")
    card = client.locator(f".expert-card[data-expert-id='{expert.id}']")
    await expect(card).to_contain_text("Marie Curie")
    await expect(card.locator(".status")).to_have_attribute("data-status", "offline")
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    await expect(card.locator(".status")).to_have_attribute("data-status", "online")

    # Off again from the expert list's card.
    await client.goto("/experts")
    listed = client.locator(f".expert-card[data-expert-id='{expert.id}']")
    await listed.get_by_role("button", name="Remove from my experts: Marie Curie").click()
    await expect(listed.get_by_role("button", name="Add to my experts: Marie Curie")).to_be_visible()
    answer = await client.request.get("/api/v1/favourites")
    assert (await answer.json())["experts"] == []


async def test_a_queued_category_call_shows_its_place_then_a_callback_is_left_and_taken(
    browse: Browse, site: Running
) -> None:
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    # Another client's call keeps the only cooking expert busy.
    first = await browse.page()
    await _funded_client(site, first, "Busy Bee")
    await ring(Cast(browse, expert, expert_page, first))

    client = await browse.page()
    await _funded_client(site, client, "Quentin")
    await client.goto("/")
    async with client.expect_navigation(url="**/call/*"):
        await client.get_by_role("button", name="Call now (Cooking)").click()
    await call_state(client, "queued")
    queue = client.locator("[data-role=queue]")
    await expect(queue).to_be_visible()
    await expect(queue).to_have_attribute("data-position", "0")
    await expect(queue).to_contain_text("You are next in line, about")

    # Nobody frees up in time: the call ends declined, and the client leaves a request.
    await call_state(client, "ended")
    await expect(client.locator("[data-role=status-text]")).to_have_text("The call was declined.")
    offer = client.locator("[data-role=callback-offer]")
    await expect(offer).to_be_visible()
    await expect(offer.get_by_label("What do you need help with?")).to_have_value(
        "Urgent help: Cooking"
    )
    await offer.get_by_role("button", name="Ask to be called back").click()
    await expect(offer.locator("[data-role=callback-status]")).to_contain_text(
        "Your request is saved"
    )

    # The expert is free again; the console lists the request, and the expert takes it.
    await expert_page.get_by_role("button", name="Decline").click()
    requests = expert_page.locator("[data-hook=queue]")
    await expect(requests).to_be_visible()
    await expect(requests.locator(".callback")).to_have_count(1, timeout=20_000)
    await expect(requests).to_contain_text("Cooking · Urgent help: Cooking")
    await requests.get_by_role("button", name="Take").click()
    await expect(requests.locator("[data-role=callback-status]")).to_contain_text(
        "You took the request of Quentin"
    )

    # The client hears who will help, and calls them from the message.
    toast = client.locator(".toast[data-kind=callback]")
    await expect(toast).to_contain_text("Marie Curie will help you")
    async with client.expect_navigation(url="**/call/*"):
        await toast.get_by_role("button", name="Call Marie Curie now").click()
    await expect(expert_page.locator("[data-role=incoming]")).to_contain_text("Quentin")
    await call_state(client, "ringing")
