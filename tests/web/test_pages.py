"""The pages in a real browser: accounts, languages, banner, small screens, focus, CSRF."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.conftest import Running
from tests.web.conftest import Browse, log_in, session_cookie, sign_up

PAGES_FOR_EVERYONE = ["/", "/login", "/signup", "/experts", "/problem/camera", "/devices"]


async def test_sign_up_through_the_form_opens_a_cookie_session(browse: Browse) -> None:
    page = await browse.page()
    await sign_up(page, "Ada Client", "ada@example.test")
    assert page.url.endswith("/experts")
    cookie = await session_cookie(page)
    assert cookie is not None
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; https requests get the Secure flag
    assert cookie["expires"] > 0  # a lasting cookie (Max-Age), not a session one
    me = await page.request.get("/api/v1/me")
    assert (await me.json())["display_name"] == "Ada Client"
    await expect(page.locator(".who")).to_have_text("Ada Client")

    expert = await browse.page()
    await sign_up(expert, "Bo Expert", "bo@example.test", role="expert")
    assert expert.url.endswith("/console")
    await expect(expert.get_by_role("button", name="Go online")).to_be_visible()


async def test_sign_up_errors_are_shown_next_to_the_form(browse: Browse, site: Running) -> None:
    # A registered email: not signed in, and pointed to the log-in page.
    taken = await site.user("client")
    page = await browse.page()
    await page.goto("/signup")
    await page.get_by_label("Name").fill("Again")
    await page.get_by_label("Email").fill(taken.email)
    await page.get_by_label("Password").fill("not the owner's password")
    await page.get_by_label("Client").check()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign up").click()
    await expect(page.get_by_role("alert")).to_contain_text("If you already have an account")
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert await session_cookie(page) is None


async def test_log_in_returns_to_the_page_asked_for_and_log_out_ends_it(
    browse: Browse, site: Running
) -> None:
    user = await site.user("client", name="Cleo")
    page = await browse.page()
    await page.goto("/wallet")
    assert "/login?next=/wallet" in page.url
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill("wrong password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")

    await page.get_by_label("Password").fill("correct horse")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/wallet")
    await expect(page.locator(".who")).to_have_text("Cleo")

    async with page.expect_navigation():
        await page.get_by_role("button", name="Log out").click()
    assert await session_cookie(page) is None
    await expect(page.get_by_role("link", name="Log in")).to_be_visible()
    await page.goto("/sessions")
    assert "/login" in page.url


async def test_an_expert_logs_in_to_the_console(browse: Browse, site: Running) -> None:
    expert = await site.user("expert")
    page = await browse.page()
    await log_in(page, expert)
    assert page.url.endswith("/console")
    await expect(page.get_by_role("button", name="Go online")).to_be_visible()


async def test_french_is_chosen_from_the_browser_and_switched_back(
    browse: Browse, site: Running
) -> None:
    page = await browse.page(locale="fr-FR")
    await page.goto("/login")
    assert await page.locator("html").get_attribute("lang") == "fr"
    await expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    await expect(page.get_by_label("Mot de passe")).to_be_visible()
    await expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    await expect(page.locator("[data-role=test-mode]")).to_contain_text("Mode test")
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "De l'aide en face à face, tout de suite"
    )
    await expect(page.get_by_role("link", name="Maison & jardin")).to_be_visible()

    async with page.expect_navigation():
        await page.get_by_role("link", name="English").click()
    assert page.url.endswith("/")
    await expect(page.get_by_role("link", name="Home & garden")).to_be_visible()
    await page.goto("/signup")
    await expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    assert await page.locator("html").get_attribute("lang") == "en"


async def test_every_page_says_payments_are_in_test_mode(browse: Browse, site: Running) -> None:
    client = await site.user("client")
    page = await browse.page()
    await log_in(page, client)
    for path in [*PAGES_FOR_EVERYONE, "/wallet", "/sessions", "/problem/nope"]:
        await page.goto(path)
        banner = page.locator("[data-role=test-mode]")
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("Test mode: payments are simulated")


async def _fits(page: Page, path: str) -> None:
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 375 px: {widths}"


async def test_pages_fit_a_375_pixel_screen(browse: Browse, site: Running) -> None:
    client, expert = await site.user("client"), await site.user("expert")
    anonymous = await browse.page(width=375, height=740)
    for path in PAGES_FOR_EVERYONE:
        await _fits(anonymous, path)
    as_client = await browse.page(width=375, height=740)
    await log_in(as_client, client)
    for path in ["/", "/experts", "/wallet", "/sessions", f"/experts/{expert.id}"]:
        await _fits(as_client, path)
    as_expert = await browse.page(width=375, height=740, locale="fr-FR")
    await log_in_french(as_expert, expert.email)
    for path in ["/console", "/console/profile", "/sessions"]:
        await _fits(as_expert, path)


async def log_in_french(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill("correct horse")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter").click()


async def _focus_ring(page: Page) -> dict[str, str]:
    result: dict[str, str] = await page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, text: e.textContent.trim(), style: s.outlineStyle,
                    width: s.outlineWidth, shadow: s.boxShadow};
        }"""
    )
    return result


async def test_the_keyboard_reaches_everything_with_a_visible_focus(browse: Browse) -> None:
    page = await browse.page()
    await page.goto("/login")
    await page.keyboard.press("Tab")
    first = await _focus_ring(page)
    assert first["tag"] == "A" and first["text"] == "Skip to content"
    assert first["style"] != "none" and float(first["width"].removesuffix("px")) >= 2
    await expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#main"

    # From the main content, the form is reached with Tab alone, each stop visibly marked.
    seen: list[str] = []
    while "BUTTON:Log in" not in seen:
        assert len(seen) < 4, seen
        await page.keyboard.press("Tab")
        ring = await _focus_ring(page)
        assert ring["style"] != "none", ring
        assert float(ring["width"].removesuffix("px")) >= 2, ring
        seen.append(ring["tag"] + ":" + ring["text"])
    assert seen[:2] == ["INPUT:", "INPUT:"], seen


async def test_a_forged_form_post_is_refused(browse: Browse, site: Running) -> None:
    user = await site.user("client")
    page = await browse.page()
    await log_in(page, user)

    # The browser's cookies, but no token: what another site's form would send.
    forged = await page.request.post("/logout", form={"next": "/"}, max_redirects=0)
    assert forged.status == 403
    assert "This form has expired" in await forged.text()
    assert await session_cookie(page) is not None

    # A token minted for another browser is refused too.
    other = await browse.page()
    await other.goto("/login")
    foreign = await other.locator("input[name=csrf_token]").first.input_value()
    refused = await page.request.post("/logout", form={"csrf_token": foreign}, max_redirects=0)
    assert refused.status == 403
    login_without = await other.request.post(
        "/login", form={"email": user.email, "password": "correct horse"}, max_redirects=0
    )
    assert login_without.status == 403

    # The page's own form works.
    await page.goto("/experts")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log out").click()
    assert await session_cookie(page) is None


async def test_pages_set_safe_headers_and_clear_error_pages(browse: Browse) -> None:
    page = await browse.page()
    answer = await page.request.get("/login")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    missing = await page.goto("/no/such/page")
    assert missing is not None and missing.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    api_missing = await page.request.get("/api/v1/nothing")
    assert api_missing.status == 404
    assert (await api_missing.json())["error"]["code"] == "not_found"
    for code, title in [
        ("insufficient_funds", "Not enough funds for this call"),
        ("unavailable", "This expert is busy or offline"),
        ("camera", "Your camera or microphone is blocked"),
        ("call_not_found", "Call not found"),
    ]:
        await page.goto(f"/problem/{code}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator("[data-role=camera-help]")).to_be_hidden()
    await page.goto("/problem/camera")
    await expect(page.locator("[data-role=camera-help]")).to_contain_text("Chrome")


async def test_an_open_redirect_through_next_is_refused(browse: Browse, site: Running) -> None:
    user = await site.user("client")
    page = await browse.page()
    await log_in(page, user, target="/login?next=//evil.example/")
    assert re.match(rf"^{re.escape(site.url)}/experts$", page.url), page.url


async def test_an_expert_sets_a_price_that_clients_read_in_their_language(
    browse: Browse, site: Running
) -> None:
    expert = await site.user("expert", name="Jules")
    page = await browse.page()
    await log_in(page, expert)
    await page.get_by_role("link", name="Edit your profile and price").click()
    await expect(page.locator("#profile-form")).to_have_attribute("aria-busy", "false")
    await page.get_by_label("Headline").fill("Bikes repaired by video")
    await page.get_by_label("Sport").check()
    await page.get_by_label("French").check()
    await page.get_by_label("Per minute").check()
    await page.get_by_label("Price (EUR)").fill("1.20")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#profile-form").get_by_role("status")).to_have_text("Profile saved.")

    visitor = await browse.page(locale="fr-FR")
    await visitor.goto(f"/experts/{expert.id}")
    await expect(visitor.locator("[data-field=price]")).to_have_text("1,20 € / min")
    await expect(visitor.locator("[data-field=status]")).to_have_text("Hors ligne")
    await expect(visitor.locator("[data-field=categories]")).to_have_text("Sport")
    english = await browse.page()
    await english.goto("/experts?category=sport")
    await expect(english.locator(".expert-card")).to_contain_text("€1.20 / min")
    await english.goto("/experts?category=art")
    await expect(english.locator("#expert-list")).to_contain_text("No expert matches yet")


async def test_the_device_check_shows_the_camera_and_the_microphone_level(
    browse: Browse,
) -> None:
    page = await browse.page()
    await page.goto("/devices")
    await page.get_by_role("button", name="Test my camera and microphone").click()
    await page.wait_for_function(
        "() => document.querySelector('video[data-role=preview]').videoWidth > 0"
    )
    await page.wait_for_function("() => document.getElementById('level').value > 0")
    await expect(page.get_by_label("Camera", exact=True)).not_to_have_value("")
    await page.get_by_role("button", name="Use these devices for calls").click()
    saved = await page.evaluate("JSON.parse(localStorage.getItem('helpcall.devices'))")
    assert saved["videoinput"] and saved["audioinput"]
