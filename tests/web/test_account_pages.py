"""The pages of §7.4 in a real browser: a brand's invitation, a forgotten password, the
settings, and a log out that really ends the session."""

from __future__ import annotations

from playwright.async_api import expect

from server.keys import REDIS
from tests.brands.conftest import brand_admin, new_brand
from tests.conftest import Running
from tests.mailbox import links, path_of, queued
from tests.marketplace.conftest import admin
from tests.web.conftest import PASSWORD, Browse, log_in, session_cookie


async def test_an_invitation_opened_signed_out_is_accepted_after_logging_in(
    browse: Browse, site: Running
) -> None:
    platform = await admin(site)
    await new_brand(site, platform, "boulange", name="La Boulange")
    inviter = await brand_admin(site, platform, "boulange")
    expert = await site.user("expert", name="Jeanne")
    invited = await site.client.post("/api/v1/brands/boulange/invitations",
                                     json={"email": expert.email}, headers=inviter.headers)
    assert invited.status == 201, await invited.text()
    [message] = await queued(site.app[REDIS], expert.email, "brand_invitation")
    [link] = [u for u in links(message) if "/invitations/" in u]

    page = await browse.page()
    await page.goto(path_of(link))
    await expect(page.get_by_role("heading", name="Invitation from La Boulange")).to_be_visible()
    await expect(page.get_by_role("button", name="Accept the invitation")).to_have_count(0)
    await page.locator("main").get_by_role("link", name="Log in").click()
    await page.get_by_label("Email").fill(expert.email)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log in").click()
    assert page.url.endswith(path_of(link))
    async with page.expect_navigation():
        await page.get_by_role("button", name="Accept the invitation").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Welcome to La Boulange: you now take calls for its customers.")
    mine = await site.client.get("/api/v1/brand-memberships", headers=expert.headers)
    assert [b["slug"] for b in (await mine.json())["brands"]] == ["boulange"]

    await page.goto(path_of(link))  # used: the page says so plainly
    await expect(page.get_by_role("status")).to_contain_text("does not exist")


async def test_a_forgotten_password_is_reset_from_the_mailed_link(
    browse: Browse, site: Running
) -> None:
    user = await site.user("client", name="Ines")
    page = await browse.page(locale="fr-FR")
    await page.goto("/login")
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await page.get_by_label("Adresse e-mail").fill(user.email)
    await page.get_by_role("button", name="M'envoyer un lien").click()
    await expect(page.get_by_role("status")).to_contain_text("un lien est en route")

    [message] = await queued(site.app[REDIS], user.email, "password_reset")
    [link] = [u for u in links(message) if "/password-reset/" in u]
    await page.goto(path_of(link))
    await page.get_by_label("Nouveau mot de passe").fill("a new horse")
    await page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Votre mot de passe est enregistré. Connectez-vous avec.")
    assert (await site.client.get("/api/v1/me", headers=user.headers)).status == 401

    await page.goto(path_of(link))
    await expect(page.get_by_role("status")).to_contain_text("déjà utilisé ou expiré")
    await page.goto("/login")
    await page.get_by_label("Adresse e-mail").fill(user.email)
    await page.get_by_label("Mot de passe").fill("a new horse")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter").click()
    await expect(page.locator(".who")).to_have_text("Ines")


async def test_settings_change_language_mail_and_password_and_log_out_ends_the_token(
    browse: Browse, site: Running
) -> None:
    user = await site.user("client", name="Sam")
    page = await browse.page()
    await log_in(page, user)
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_role("combobox", name="Language").select_option("fr")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Save").first.click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await page.get_by_label("Appointment reminders").uncheck()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Save").nth(1).click()
    me = await (await site.client.get("/api/v1/me", headers=user.headers)).json()
    assert me["language"] == "fr"
    assert me["mail_preferences"] == {"reminders": False, "notices": True}

    await page.get_by_label("Current password").fill(PASSWORD)
    await page.get_by_label("New password").fill("a new horse")
    await page.get_by_role("button", name="Change my password").click()
    await expect(page.get_by_role("status")).to_contain_text("logged out everywhere else")
    assert (await site.client.get("/api/v1/me", headers=user.headers)).status == 401
    cookie = await session_cookie(page)
    assert cookie is not None
    token = cookie["value"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await site.client.get("/api/v1/me", headers=bearer)).status == 200

    async with page.expect_navigation():
        await page.get_by_role("button", name="Log out").click()
    assert (await site.client.get("/api/v1/me", headers=bearer)).status == 401
