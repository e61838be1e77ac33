"""Password reset, email verification and languages, through a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis

from accounts.links import link_key
from tests.conftest import Running
from tests.mail.conftest import PUBLIC_URL, MailApp
from tests.mailbox import Inbox, body, links, part, path_of, subject
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PASSWORD = "correct horse"


async def sign_up(running: Running, email: str, role: str = "client",
                  **extra: str) -> dict[str, Any]:
    answer = await running.client.post("/api/v1/accounts", json={
        "email": email, "password": PASSWORD, "display_name": "Zoé", "role": role} | extra)
    assert answer.status == 201, await answer.text()
    account: dict[str, Any] = await answer.json()
    return account


async def token_of(running: Running, email: str, password: str = PASSWORD) -> str:
    answer = await running.client.post("/api/v1/tokens",
                                       json={"email": email, "password": password})
    assert answer.status == 200, await answer.text()
    token: str = (await answer.json())["token"]
    return token


async def me_status(running: Running, token: str) -> int:
    answer = await running.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return answer.status


def reset_link(inbox: Inbox, email: str) -> str:
    [message] = inbox.to(email)
    [link] = [u for u in links(message) if "/password-reset/" in u]
    return link


async def test_a_reset_link_is_mailed_once_works_once_and_revokes_every_token(
    mailing: Running, inbox: Inbox
) -> None:
    await sign_up(mailing, "zoe@example.test", language="fr")
    await inbox.wait_for(lambda: inbox.to("zoe@example.test"), "the verification mail")
    inbox.messages.clear()
    old_tokens = [await token_of(mailing, "zoe@example.test") for _ in range(2)]

    for email in ("zoe@example.test", "nobody@example.test"):
        answer = await mailing.client.post("/api/v1/password-resets", json={"email": email})
        assert answer.status == 202  # the same answer: nobody learns who has an account
    await inbox.wait_for(lambda: inbox.to("zoe@example.test"), "the reset mail")

    [message] = inbox.to("zoe@example.test")
    assert subject(message) == "Réinitialisez votre mot de passe helpcall"
    assert message["Content-Language"] == "fr"
    assert "List-Unsubscribe" not in message  # security mail can never be turned off
    assert message["Message-ID"].endswith("@help.example.test>")
    link = reset_link(inbox, "zoe@example.test")
    assert link.startswith(PUBLIC_URL + "/password-reset/")
    assert link in body(message, "text/html")
    token = link.rsplit("/", 1)[1]

    short = await mailing.client.post(f"/api/v1/password-resets/{token}",
                                      json={"new_password": "short"})
    assert short.status == 400  # refused before the link is used up
    done = await mailing.client.post(f"/api/v1/password-resets/{token}",
                                     json={"new_password": "a new horse"})
    assert done.status == 204
    for old in old_tokens:
        assert await me_status(mailing, old) == 401
    again = await mailing.client.post(f"/api/v1/password-resets/{token}",
                                      json={"new_password": "yet another"})
    assert again.status == 404
    assert (await again.json())["error"]["code"] == "not_found"
    wrong = await mailing.client.post("/api/v1/tokens",
                                      json={"email": "zoe@example.test", "password": PASSWORD})
    assert wrong.status == 401
    assert await me_status(mailing, await token_of(mailing, "zoe@example.test",
                                                    "a new horse")) == 200
    assert not inbox.to("nobody@example.test")


async def test_a_reset_link_expires(mail_app: MailApp, inbox: Inbox,
                                    redis: aioredis.Redis) -> None:
    running = await mail_app(HELPCALL_PASSWORD_RESET_SECONDS="1")
    await sign_up(running, "late@example.test")
    await running.client.post("/api/v1/password-resets", json={"email": "late@example.test"})
    await inbox.wait_for(lambda: inbox.to("late@example.test", "Reset"), "the reset mail")
    [message] = inbox.to("late@example.test", "Reset")
    [link] = [u for u in links(message) if "/password-reset/" in u]

    async def expired() -> bool:
        # SCAN, not KEYS: on a Cluster KEYS reads one node only.
        return not [key async for key in redis.scan_iter(match=link_key("reset", "*"))]

    await eventually(expired, within=5, what="the link to expire")
    page = await running.client.get(path_of(link))
    assert page.status == 404
    answer = await running.client.post(f"/api/v1/password-resets/{link.rsplit('/', 1)[1]}",
                                       json={"new_password": "a new horse"})
    assert answer.status == 404


async def test_an_expert_is_listed_once_the_mailed_link_is_followed(
    mailing: Running, inbox: Inbox
) -> None:
    account = await sign_up(mailing, "newexpert@example.test", role="expert",
                            language="en")
    assert account["email_verified"] is False and account["language"] == "en"
    token = await token_of(mailing, "newexpert@example.test")
    headers = {"Authorization": f"Bearer {token}"}
    profile = {"headline": "Bread", "bio": "Sourdough", "categories": ["cooking"],
               "languages": ["en"], "pricing": {"mode": "free"}}
    assert (await mailing.client.put("/api/v1/experts/me", json=profile,
                                     headers=headers)).status == 200

    async def listed() -> list[str]:
        answer = await mailing.client.get("/api/v1/experts", params={"category": "cooking"})
        return [e["id"] for e in (await answer.json())["experts"]]

    assert account["id"] not in await listed()
    await inbox.wait_for(lambda: inbox.to("newexpert@example.test"), "the verification mail")
    [message] = inbox.to("newexpert@example.test")
    assert subject(message) == "Confirm your email address for helpcall"
    assert part(message, "text/plain") and part(message, "text/html")
    [link] = [u for u in links(message) if "/verify-email/" in u]
    assert link.startswith(PUBLIC_URL)
    page = await mailing.client.get(path_of(link))
    assert page.status == 200
    assert "your email address is confirmed" in await page.text()
    assert account["id"] in await listed()
    me = await mailing.client.get("/api/v1/me", headers=headers)
    assert (await me.json())["email_verified"] is True
    used = await mailing.client.get(path_of(link))
    assert used.status == 404


async def test_language_from_accept_language_and_patch_me(mailing: Running) -> None:
    answer = await mailing.client.post("/api/v1/accounts", json={
        "email": "fr@example.test", "password": PASSWORD, "display_name": "Fr",
        "role": "client"}, headers={"Accept-Language": "de-DE, fr;q=0.8, en;q=0.5"})
    assert (await answer.json())["language"] == "fr"
    token = await token_of(mailing, "fr@example.test")
    headers = {"Authorization": f"Bearer {token}"}
    changed = await mailing.client.patch("/api/v1/me", json={
        "language": "en", "mail_preferences": {"reminders": False}}, headers=headers)
    assert changed.status == 200, await changed.text()
    me = await (await mailing.client.get("/api/v1/me", headers=headers)).json()
    assert me["language"] == "en"
    assert me["mail_preferences"] == {"reminders": False, "notices": True}
    for bad in ({"language": "de"}, {"mail_preferences": {"security": False}}, {"role": "admin"},
                {"mail_preferences": {"notices": "no"}}):
        refused = await mailing.client.patch("/api/v1/me", json=bad, headers=headers)
        assert refused.status == 400, bad
        assert (await refused.json())["error"]["code"] == "invalid"
    bad_signup = await mailing.client.post("/api/v1/accounts", json={
        "email": "x@example.test", "password": PASSWORD, "display_name": "X",
        "role": "client", "language": "klingon"})
    assert bad_signup.status == 400
