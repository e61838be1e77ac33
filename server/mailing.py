"""Cleanup contexts for mail and token revocation (wired by ``server/app.py``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from accounts.store import AccountStore
from mail.mailer import Mailer
from mail.outbox import Outbox
from mail.settings import MailSettings
from mail.worker import running_mail_worker
from server.keys import CONFIG, MAILER, OUTBOX, REDIS, SECRET, SIO
from sessions.worker import default_consumer_name, stop_task
from signaling.namespace import CallNamespace
from signaling.revocations import RevocationListener

log = logging.getLogger(__name__)


async def mail_ctx(app: web.Application) -> AsyncIterator[None]:
    """The mailer under ``MAILER``; with the embedded Redis, the mail worker too (§1)."""
    config, redis = app[CONFIG], app[REDIS]
    settings = MailSettings.of(config)
    outbox = Outbox(redis, settings.stream)
    app[OUTBOX] = outbox
    app[MAILER] = Mailer(AccountStore(redis), outbox, settings, app[SECRET])
    if not config.worker_in_process:
        if settings.smtp is None:
            log.warning("HELPCALL_SMTP_URL is not set: mail is queued but not sent")
        yield
        return
    async with running_mail_worker(redis, settings, default_consumer_name()):
        yield


async def revocations_ctx(app: web.Application) -> AsyncIterator[None]:
    """Disconnects this process's sockets whose token was revoked (after ``_calls_ctx``)."""
    namespace = app[SIO].namespace_handlers.get("/")
    if not isinstance(namespace, CallNamespace):
        yield
        return
    listener = RevocationListener(app[REDIS], namespace.recheck_tokens)
    task = asyncio.create_task(listener.run(), name="revocation-listener")
    try:
        yield
    finally:
        await stop_task(task)

