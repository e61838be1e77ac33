"""The mail worker against a real SMTP server: each message once, retried, failures counted."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from mail.outbox import GROUP, STATS_KEY
from mail.settings import STREAM
from server.keys import OUTBOX
from tests.conftest import Running
from tests.mail.conftest import MailApp
from tests.mailbox import Inbox
from tests.marketplace.conftest import admin
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def sign_up(running: Running, email: str) -> None:
    answer = await running.client.post("/api/v1/accounts", json={
        "email": email, "password": "correct horse", "display_name": "Pat", "role": "client"})
    assert answer.status == 201, await answer.text()


async def drained(redis: aioredis.Redis) -> None:
    async def empty() -> bool:
        return await redis.xlen(STREAM) == 0

    await eventually(empty, within=20, what="the mail queue to drain")


async def test_two_workers_send_each_message_once(mail_app: MailApp, inbox: Inbox,
                                                  redis: aioredis.Redis) -> None:
    running = await mail_app(workers=2)
    addresses = [f"pat{n}@example.test" for n in range(8)]
    for address in addresses:
        await sign_up(running, address)
    await inbox.wait_for(lambda: len(inbox.messages) >= len(addresses), "every message")
    await drained(redis)
    for address in addresses:
        assert len(inbox.to(address)) == 1, address
    ids = {str(m["Message-ID"]) for m in inbox}
    assert len(ids) == len(addresses) == inbox.data_commands
    stats = await redis.hgetall(STATS_KEY)
    assert stats["sent"] == str(len(addresses))


async def test_a_slow_server_is_never_sent_the_same_message_twice(
    mail_app: MailApp, inbox: Inbox, redis: aioredis.Redis
) -> None:
    inbox.held.clear()  # the server takes the message and keeps the worker waiting
    running = await mail_app(workers=2)
    await sign_up(running, "slow@example.test")
    await inbox.wait_for(lambda: inbox.data_commands == 1, "the first DATA")

    async def taken_over_twice() -> bool:
        [entry] = await redis.xpending_range(STREAM, GROUP, "-", "+", 10)
        return int(entry["times_delivered"]) >= 3

    # The entry looks abandoned (idle past the claim time) and is claimed again and
    # again; the send lock keeps the claimants from sending it a second time.
    await eventually(taken_over_twice, within=20, what="the entry to be claimed again")
    assert inbox.data_commands == 1
    inbox.held.set()
    await drained(redis)
    assert len(inbox.to("slow@example.test")) == 1
    assert inbox.data_commands == 1


async def test_a_refused_first_attempt_is_retried_and_counted(
    mail_app: MailApp, inbox: Inbox, redis: aioredis.Redis
) -> None:
    inbox.refuse = 1
    running = await mail_app(workers=2)
    await sign_up(running, "retry@example.test")
    await inbox.wait_for(lambda: inbox.to("retry@example.test"), "the retried message")
    await drained(redis)
    assert inbox.refused == 1 and len(inbox.to("retry@example.test")) == 1
    stats = await running.app[OUTBOX].stats(smtp_configured=True)
    assert (stats["failed_attempts"], stats["sent"], stats["queued"], stats["pending"]) == (
        1, 1, 0, 0)
    assert stats["last_error"] is not None and "451" in stats["last_error"]
    assert stats["last_error_at"] and stats["last_sent_at"]
    platform = await admin(running)
    seen = await running.client.get("/api/v1/admin/mail", headers=platform.headers)
    assert seen.status == 200
    assert await seen.json() == {**stats, "smtp_configured": True}
    client = await running.user("client")
    refused = await running.client.get("/api/v1/admin/mail", headers=client.headers)
    assert refused.status == 403


async def test_a_permanent_refusal_is_dropped_not_retried(
    mail_app: MailApp, inbox: Inbox, redis: aioredis.Redis
) -> None:
    inbox.refuse, inbox.refusal = 1, "550 5.1.1 no such mailbox"
    running = await mail_app()
    await sign_up(running, "gone@example.test")
    await drained(redis)
    assert inbox.refused == 1 and not inbox.to("gone@example.test")
    raw = await redis.hgetall(STATS_KEY)
    assert raw["dropped"] == "1" and "550" in raw["last_error"]
    assert "sent" not in raw
