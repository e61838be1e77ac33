"""Browser fixtures: Debian's Chromium driven by Playwright, one fresh context per person.

Chromium runs with a fake camera and microphone and auto-accepted permission prompts, so
calls really send and receive media. Each test gets its own browser; ``browse.page()``
opens a new context (its own cookies) in the language asked for, and any uncaught
script error on any page fails the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.conftest import Running, StartApp, User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse"


@dataclass
class Browse:
    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    async def page(
        self, locale: str = "en-US", width: int = 1280, height: int = 860, **options: Any
    ) -> Page:
        context = await self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            viewport={"width": width, "height": height},
            **options,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        # Kept for failure messages: what the page's scripts warned about, and when.
        page.on("console", lambda m: self.console.append(f"{page.url} {m.type}: {m.text}"))
        return page


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def browse(browser: Browser, site: Running) -> AsyncIterator[Browse]:
    session = Browse(browser, site.url)
    yield session
    for context in session.contexts:
        await context.close()
    assert not session.script_errors, session.script_errors


async def log_in(page: Page, user: User, target: str = "/login") -> None:
    await page.goto(target)
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log in").click()


async def sign_up(page: Page, name: str, email: str, role: str = "client") -> None:
    await page.goto("/signup")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Expert" if role == "expert" else "Client").check()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign up").click()


async def session_cookie(page: Page) -> dict[str, Any] | None:
    for cookie in await page.context.cookies():
        if cookie["name"] == "helpcall_session":
            return dict(cookie)
    return None
