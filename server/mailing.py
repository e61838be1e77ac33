"""Mail and token revocation in the processes: the cleanup contexts wired by
``server/app.py``, and ``python -m server mail-worker`` (a mail worker alone)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from accounts.store import AccountStore
from common.loops import stop_task
from mail.mailer import Mailer
from mail.outbox import Outbox
from mail.settings import MailSettings, SmtpTarget
from mail.worker import running_mail_worker
from server.config import Config
from server.keys import CONFIG, MAILER, OUTBOX, REDIS, SECRET, SIO
from server.worker import default_consumer_name
from signaling.namespace import CallNamespace
from signaling.revocations import RevocationListener

log = logging.getLogger(__name__)


def mail_settings(config: Config) -> MailSettings:
    return MailSettings(
        smtp=SmtpTarget.parse(config.smtp_url) if config.smtp_url else None,
        sender=config.mail_from,
        public_url=config.public_base,
        max_backoff_seconds=config.mail_max_backoff_seconds,
        max_attempts=config.mail_max_attempts,
        claim_idle_seconds=config.worker_claim_idle_seconds,
    )


async def mail_ctx(app: web.Application) -> AsyncIterator[None]:
    """The mailer under ``MAILER``; with the embedded Redis, the mail worker too (§1)."""
    config, redis = app[CONFIG], app[REDIS]
    settings = mail_settings(config)
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



async def serve_mail_worker(config: Config) -> int:
    """``python -m server mail-worker``: one mail worker until SIGTERM or SIGINT."""
    from common.redisclient import redis_client

    if config.redis_url is None:
        print("helpcall mail-worker: REDIS_URL is required. Without it the web process "
              "(python -m server) uses its embedded Redis and sends mail itself.",
              file=sys.stderr)
        return 2
    redis = redis_client(config.redis_url)
    consumer = default_consumer_name()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with running_mail_worker(redis, mail_settings(config), consumer):
            await stopping.wait()
    finally:
        await redis.aclose()
    log.info("mail worker %s stopped", consumer)
    return 0
