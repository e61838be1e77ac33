"""Helpers shared by the browser tests that make calls."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Page, expect

from tests.conftest import Running, User
from tests.web.conftest import Browse, log_in, sign_up

RATE_CENTS = 600  # €6.00 / min = 10 cents a second: any live second shows in the amount
CALL_ENV = {
    "HELPCALL_GUARANTEE_SECONDS": "0",
    "HELPCALL_RECONNECT_GRACE_SECONDS": "3",
    "HELPCALL_PING_INTERVAL_SECONDS": "1",
    "HELPCALL_PING_TIMEOUT_SECONDS": "2",
}


@dataclass
class Cast:
    browse: Browse
    expert: User
    expert_page: Page
    client_page: Page


async def expert_with_profile(site: Running) -> User:
    expert = await site.user("expert", name="Marie Curie")
    profile = {
        "headline": "Physics and chemistry, explained",
        "bio": "Two Nobel prizes.",
        "categories": ["cooking"],
        "languages": ["fr", "en"],
        "pricing": {"mode": "per_minute", "amount_cents": RATE_CENTS},
    }
    answer = await site.client.put("/api/v1/experts/me", json=profile, headers=expert.headers)
    assert answer.status == 200, await answer.text()
    return expert


async def make_cast(browse: Browse, site: Running) -> Cast:
    """An online expert (Marie Curie, €6.00 / min) and a client with €20 (Pierre)."""
    expert = await expert_with_profile(site)
    expert_page = await browse.page()
    await go_online(expert_page, expert)
    client_page = await browse.page()
    await client_with_funds(client_page, "Pierre", "pierre@example.test")
    return Cast(browse, expert, expert_page, client_page)


async def answer(cast: Cast) -> None:
    """The expert accepts the ringing call; both pages reach live."""
    async with cast.expert_page.expect_navigation(url="**/call/*"):
        await cast.expert_page.get_by_role("button", name="Accept").click()
    await call_state(cast.client_page, "live")
    await call_state(cast.expert_page, "live")


async def go_online(page: Page, expert: User, *, french: bool = False) -> None:
    if french:
        await page.goto("/login")
        await page.get_by_label("Adresse e-mail").fill(expert.email)
        await page.get_by_label("Mot de passe").fill("correct horse")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("button", name="Me mettre en ligne").click()
    else:
        await log_in(page, expert)
        await page.get_by_role("button", name="Go online").click()
    # The page's socket may still be connecting on a busy machine: the context's 15 s, not
    # expect's 5 s default (the first browser test of a run pays Chromium's cold start).
    await expect(page.locator("[data-presence=online]")).to_be_visible(timeout=15_000)


async def client_with_funds(page: Page, name: str, email: str) -> None:
    await sign_up(page, name, email)
    await page.goto("/wallet")
    await page.locator("#amount").fill("20")
    await page.locator("#topup-form button[type=submit]").click()
    await expect(page.locator("#balance")).to_have_attribute("data-balance-cents", "2000")


async def ring(cast: Cast, topic: str = "My sourdough does not rise") -> None:
    """The client presses Call now on the profile; the expert's console rings."""
    client = cast.client_page
    await client.goto(f"/experts/{cast.expert.id}")
    await client.locator("#topic").fill(topic)
    async with client.expect_navigation(url="**/call/*"):
        await client.locator("#call-form button[type=submit]").click()
    await expect(cast.expert_page.locator("[data-role=incoming]")).to_be_visible()


async def call_state(page: Page, state: str) -> None:
    await expect(page.locator("#call")).to_have_attribute("data-call-state", state, timeout=20_000)


async def _video_report(page: Page) -> object:
    return await page.evaluate(
        """() => {
            const v = document.querySelector('video[data-role=remote]');
            const root = document.getElementById('call');
            return {width: v.videoWidth, paused: v.paused, time: v.currentTime,
                    ready: v.readyState, tracks: v.srcObject ? v.srcObject.getTracks().map(
                      t => t.kind + ':' + t.readyState + ':' + t.muted) : null,
                    media: root.dataset.media, state: root.dataset.callState};
        }"""
    )


async def remote_video_plays(page: Page, browse: Browse | None = None) -> None:
    try:
        await page.wait_for_function(
            """() => {
                const v = document.querySelector('video[data-role=remote]');
                return v && v.videoWidth > 0 && !v.paused && v.currentTime > 0;
            }""",
            timeout=20_000,
        )
    except Exception as exc:
        report = await _video_report(page)
        logs = "\n".join(browse.console if browse else [])
        raise AssertionError(f"the remote video does not play: {report}\n{logs}") from exc
    start = await page.evaluate("document.querySelector('video[data-role=remote]').currentTime")
    await page.wait_for_function(
        "t => document.querySelector('video[data-role=remote]').currentTime > t + 0.3",
        arg=start,
        timeout=10_000,
    )
