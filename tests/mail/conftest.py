"""Mail tests: a real SMTP server on loopback (aiosmtpd) that keeps what it accepts, and the
app configured to mail through it, with mail workers running beside it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest

from mail.worker import running_mail_worker
from server.keys import REDIS
from server.mailing import mail_settings
from tests.conftest import Running, StartApp
from tests.mailbox import Inbox, start_smtp
from tests.processes import free_port

PUBLIC_URL = "https://help.example.test"
SENDER = "helpcall <no-reply@help.example.test>"

MailApp = Callable[..., Awaitable[Running]]


@pytest.fixture
async def inbox() -> AsyncIterator[Inbox]:
    found = Inbox()
    controller = start_smtp(found, free_port())
    found.port = controller.port
    yield found
    controller.stop()


@pytest.fixture
async def mail_app(start_app: StartApp, inbox: Inbox) -> AsyncIterator[MailApp]:
    """``await mail_app(workers=1, **env)``: the app mailing through ``inbox``'s server,
    with ``workers`` mail workers (as ``python -m server mail-worker`` would run them)."""
    async with AsyncExitStack() as stack:
        async def start(workers: int = 1, **env: str) -> Running:
            running = await start_app(**{
                "HELPCALL_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
                "HELPCALL_PUBLIC_URL": PUBLIC_URL, "HELPCALL_MAIL_FROM": SENDER,
                "HELPCALL_MAIL_MAX_BACKOFF_SECONDS": "0.2",
                "HELPCALL_WORKER_CLAIM_IDLE_SECONDS": "0.5"} | env)
            settings = mail_settings(running.config)
            for n in range(workers):
                await stack.enter_async_context(
                    running_mail_worker(running.app[REDIS], settings, f"mail-test-{n}"))
            return running

        yield start


@pytest.fixture
async def mailing(mail_app: MailApp) -> Running:
    return await mail_app()
