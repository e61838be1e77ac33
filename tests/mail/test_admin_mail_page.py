"""The console's mail page: the queue and totals of ``GET /api/v1/admin/mail``, and the last
failed attempts (retried or dropped), against a real SMTP server that refuses some."""

from __future__ import annotations

import re

import redis.asyncio as aioredis

from accounts.tokens import COOKIE_NAME
from tests.conftest import Running, StartApp, User
from tests.mail.conftest import MailApp
from tests.mail.test_worker import drained, sign_up
from tests.mailbox import Inbox
from tests.marketplace.conftest import admin


def figure(html: str, role: str) -> str:
    found = re.search(rf'data-role="{role}">([^<]*)<', html)
    assert found is not None, role
    return found.group(1)


async def admin_page(running: Running, language: str = "en") -> tuple[str, User]:
    boss = await admin(running, f"boss-{language}@example.test")
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: boss.token})
    page = await running.client.get("/admin/mail", headers={"Accept-Language": language})
    html = await page.text()
    assert page.status == 200, html
    return html, boss


async def test_an_admin_sees_the_queue_totals_and_the_last_failures(
    mail_app: MailApp, inbox: Inbox, redis: aioredis.Redis
) -> None:
    running = await mail_app()
    inbox.refuse = 1  # the first message is refused for now, then sent
    await sign_up(running, "first@example.test")
    await inbox.wait_for(lambda: inbox.to("first@example.test"), "the retried message")
    inbox.refuse, inbox.refusal = 1, "550 5.1.1 no such mailbox"
    await sign_up(running, "gone@example.test")
    await inbox.wait_for(lambda: inbox.refused == 2, "the permanent refusal")
    await drained(redis)

    html, boss = await admin_page(running)
    assert 'data-role="not-configured"' not in html
    assert (figure(html, "queued"), figure(html, "sent"), figure(html, "failed-attempts"),
            figure(html, "dropped")) == ("0", "1", "2", "1")
    rows = re.findall(r'<tr data-role="mail-failure">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    newest, oldest = rows
    assert "gone@example.test" in newest and "550" in newest and "dropped" in newest
    assert "first@example.test" in oldest and "451" in oldest and "retried" in oldest
    api = await running.client.get("/api/v1/admin/mail", headers=boss.headers)
    assert (await api.json())["failed_attempts"] == 2  # the same figures as the API


async def test_without_smtp_the_page_says_mail_waits(start_app: StartApp) -> None:
    running = await start_app()
    await sign_up(running, "waiting@example.test")
    html, _ = await admin_page(running, "fr")
    assert "HELPCALL_SMTP_URL n\u2019est pas défini" in html
    assert figure(html, "queued") == "1" and figure(html, "sent") == "0"
    assert "Aucune tentative n\u2019a échoué." in html
    client = await running.user("client")
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: client.token})
    assert (await running.client.get("/admin/mail")).status == 403
