"""axe-core over every page of the app, in English and in French, as each kind of person
sees it; and the installable app (manifest, service worker that keeps the shell only).

axe-core comes from the npm registry (package.json) and is injected from node_modules into
contexts that bypass the page's CSP (which rightly refuses any injected script). One app
and one browser serve the whole sweep: a page per person and language, many visits each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.brands.conftest import brand_admin, join, new_brand
from tests.conftest import Running, User
from tests.marketplace.conftest import admin
from tests.web.calls import expert_with_profile
from tests.web.conftest import PASSWORD, Browse, log_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ANYONE = ["/", "/login", "/signup", "/experts", "/devices", "/privacy", "/problem/camera",
          "/problem/insufficient_funds", "/problem/not_found", "/nowhere"]
CLIENT = ["/wallet", "/sessions", "/favourites", "/appointments", "/notifications",
          "/documents", "/settings"]
EXPERT = ["/console", "/console/profile", "/console/availability"]


async def checked_page(browse: Browse, locale: str, **options: Any) -> Page:
    """A page whose every document gets axe-core (the CSP would refuse it otherwise)."""
    page = await browse.page(locale=locale, bypass_csp=True, **options)
    await page.context.add_init_script(path=str(AXE))
    return page


async def axe_problems(page: Page) -> list[str]:
    """The serious and critical violations on the page as it is now (data loaded)."""
    await page.wait_for_load_state("networkidle")
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return [f"{page.url} {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in found]


async def sign_in(page: Page, user: User) -> None:
    """The log-in form in whatever language the page is."""
    await page.goto("/login")
    await page.locator("#email").fill(user.email)
    await page.locator("#password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.locator("main form button[type=submit]").click()


async def sweep(page: Page, paths: list[str]) -> list[str]:
    problems: list[str] = []
    for path in paths:
        await page.goto(path)
        problems += await axe_problems(page)
    return problems


# Who looks, and at what: one test each, so that each stays short on a loaded machine.
SWEEPS = {
    "anyone": [*ANYONE, "{profile}", "/b/acme"],
    "client": [*CLIENT, "{profile}", "/experts"],
    "expert": EXPERT,
    "admins": ["/b/acme/dashboard", "/admin", "/admin/verifications", "/admin/brands",
               "/admin/brands/acme", "/admin/reconcile"],
}


@pytest.mark.parametrize("who", list(SWEEPS))
@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
async def test_every_page_passes_axe(
    browse: Browse, site: Running, locale: str, who: str
) -> None:
    expert = await expert_with_profile(site)
    platform = await admin(site)
    await new_brand(site, platform, "acme", name="Acme", welcome="Bienvenue chez Acme")
    owner = await brand_admin(site, platform, "acme")
    await join(site, owner, "acme", expert)
    paths = [path.format(profile=f"/experts/{expert.id}") for path in SWEEPS[who]]
    problems: list[str] = []
    page = await checked_page(browse, locale)
    if who == "admins":
        await sign_in(page, owner)
        problems += await sweep(page, paths[:1])  # the brand's own dashboard
        page = await checked_page(browse, locale)
        await sign_in(page, platform)
        paths = paths[1:]
    elif who != "anyone":
        await sign_in(page, expert if who == "expert" else await site.user("client", name="Zoé"))
    problems += await sweep(page, paths)
    assert not problems, "\n".join(problems)


async def test_the_app_installs_and_its_worker_keeps_only_the_shell(
    browse: Browse, site: Running
) -> None:
    manifest = await site.client.get("/manifest.webmanifest")
    assert manifest.status == 200
    assert manifest.content_type == "application/manifest+json"
    body = await manifest.json()
    assert body["display"] == "standalone" and body["start_url"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert (await site.client.get(icon["src"])).status == 200

    client = await site.user("client")
    page = await browse.page()
    await log_in(page, client)
    assert await page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for path in ["/wallet", "/sessions", "/experts"]:
        await page.goto(path)
        await page.wait_for_load_state("networkidle")
    kept: list[str] = await page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return urls;
        }"""
    )
    assert "/static/css/app.css" in kept and "/static/offline.html" in kept
    assert all(url.startswith("/static/") for url in kept), kept  # no API answer, no page

    # Without the network, a page of the app says so instead of the browser's error.
    await page.context.set_offline(True)
    await page.goto("/wallet")
    await expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    await page.context.set_offline(False)
