"""The app factory: the only place that knows every package and wires them together."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from accounts.links import OneTimeLinks
from accounts.service import VERIFY_SECONDS, Accounts
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle, ThrottleRules
from accounts.tokens import TokenSigner
from appointments.settings import AppointmentSettings
from appointments.soon import UpcomingBookings
from brands.analytics import BrandAnalytics
from brands.service import Brands
from calls.router import Router
from calls.usecases import Calls
from common import faults, replicas
from common.ids import new_id
from common.loops import stop_all
from common.redisclient import detect_topology, redis_client, stream_on
from common.redisfull import warn_if_evicting
from mail.hooks import MailingBookingNotifier, MailingCallNotifier
from marketplace.experts import Experts
from server import openapi
from server.api import accounts as accounts_api
from server.api import admin_experts as admin_experts_api
from server.api import admin_mail as admin_mail_api
from server.api import appointments as appointments_api
from server.api import billing as billing_api
from server.api import brand_analytics as brand_analytics_api
from server.api import brand_keys as brand_keys_api
from server.api import brand_logo as brand_logo_api
from server.api import brand_members as brand_members_api
from server.api import brand_pages as brand_pages_api
from server.api import brands as brands_api
from server.api import callbacks as callbacks_api
from server.api import disputes as disputes_api
from server.api import earnings as earnings_api
from server.api import erasure as erasure_api
from server.api import experts as experts_api
from server.api import health
from server.api import metrics as metrics_api
from server.api import moderation as moderation_api
from server.api import payments as payments_api
from server.api import payouts_admin as payouts_admin_api
from server.api import privacy as privacy_api
from server.api import receipts as receipts_api
from server.api import reviews as reviews_api
from server.api import sessions as sessions_api
from server.api import wallet as wallet_api
from server.config import Config
from server.embedded_redis import EmbeddedRedis
from server.errors import error_middleware
from server.files import files_ctx
from server.headers import api_headers
from server.keymigration import migrate_key_layout
from server.keys import (
    ACCOUNTS,
    ANALYTICS,
    APPOINTMENTS,
    BRANDS,
    CALLS,
    CONFIG,
    EXPERTS,
    MAILER,
    METRICS,
    PAYMENTS,
    PRESENCE,
    PROC,
    RECONCILE,
    REDIS,
    SECRET,
    SIO,
    WALLETS,
)
from server.logs import log_context, quiet_malformed_requests
from server.mailing import mail_ctx, revocations_ctx
from server.metrics import MeteredNotifier, Metrics
from server.privacy import privacy_ctx
from server.reconcile import reconcile_all
from server.secret import load_or_create_secret
from server.worker import default_consumer_name, running_worker
from sessions.brand_facts import BrandCalls
from sessions.leases import Leases
from sessions.reaper import Reaper
from sessions.scripts import Timing
from sessions.service import CallService
from sessions.store import SessionStore
from sessions.wallet import WalletStore
from signaling.guard import GuardedServer
from signaling.ice import IceServers
from signaling.limits import AccountLimits, LimitRules
from signaling.manager import DeliveryManager
from signaling.namespace import CallNamespace
from signaling.notifier import NotificationSender, SocketNotifier
from signaling.presence import PresenceStore
from trust.blocks import Blocks
from web.setup import setup_web

log = logging.getLogger(__name__)

# Pages may carry uploads (photos, shared files); JSON bodies are capped at 64 KiB apart.
MAX_REQUEST_BYTES = 11 * 1024 * 1024
# An SDP may be 64 KiB; the Socket.IO envelope and JSON escaping need a little more.
MAX_SOCKET_MESSAGE_BYTES = 100 * 1024


def _client_manager(config: Config, proc: str) -> socketio.AsyncManager | None:
    if config.redis_url is None:
        return None  # one process: python-socketio's in-memory manager
    # Several processes share one Redis: each emit goes to the processes of its receivers.
    return DeliveryManager(config.redis_url, proc)


def _socketio_server(config: Config, proc: str) -> socketio.AsyncServer:
    return GuardedServer(
        async_mode="aiohttp",
        client_manager=_client_manager(config, proc),
        ping_interval=config.ping_interval_seconds,
        ping_timeout=config.ping_timeout_seconds,
        max_http_buffer_size=MAX_SOCKET_MESSAGE_BYTES,
        cors_allowed_origins=None,  # same origin only: cookies must not work cross-site
        logger=False,
        engineio_logger=False,
    )


async def _redis_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    embedded = None
    url = config.redis_url
    if url is None:
        embedded = EmbeddedRedis(config.data_dir, config.redis_maxmemory_mb)
        url = await embedded.start()
    # Single, cluster or sentinel, asked here without blocking the loop; every later client of
    # this URL (the delivery manager's) builds the same kind.
    kind = await detect_topology(url)
    log.info("Redis: %s", kind)
    client = redis_client(url)
    replicas.require(client, config.redis_wait_replicas, config.redis_wait_timeout_ms)
    await migrate_key_layout(client)
    app[REDIS] = client
    app[CONFIG] = replace(config, billing_stream=stream_on(config.billing_stream, kind))
    await warn_if_evicting(client)
    try:
        yield
    finally:
        await client.aclose()
        if embedded is not None:
            await embedded.stop()


async def _accounts_ctx(app: web.Application) -> AsyncIterator[None]:
    config, redis = app[CONFIG], app[REDIS]
    signer = TokenSigner(app[SECRET], config.token_ttl_seconds * 1000)
    throttle = LoginThrottle(redis, throttle_rules(config))
    app[ACCOUNTS] = Accounts(
        AccountStore(redis), signer, throttle,
        resets=OneTimeLinks(redis, "reset", config.password_reset_seconds),
        verifications=OneTimeLinks(redis, "verify", VERIFY_SECONDS), mail=app[MAILER])
    yield


def throttle_rules(config: Config) -> ThrottleRules:
    return ThrottleRules(
        free_attempts=config.login_free_attempts,
        ip_free_attempts=config.login_ip_free_attempts,
        delay_seconds=config.login_delay_seconds,
        max_delay_seconds=config.login_max_delay_seconds,
        signups_per_ip_per_hour=config.signups_per_ip_per_hour,
    )


def timing(config: Config) -> Timing:
    return Timing(
        ring_ms=int(config.ring_seconds * 1000),
        connect_ms=int(config.connect_timeout_seconds * 1000),
        grace_ms=int(config.reconnect_grace_seconds * 1000),
        queue_ms=int(config.queue_max_seconds * 1000),
        guarantee_seconds=config.guarantee_seconds,
        increment_seconds=config.billing_increment_seconds,
        fee_percent=config.platform_fee_percent,
        currency=config.currency,
        billing_stream=config.billing_stream,
        low_balance_ms=config.low_balance_seconds * 1000,
        start_cover_seconds=config.start_cover_seconds,
        lease_ms=int(config.lease_seconds * 1000),
    )


def appointment_settings(config: Config) -> AppointmentSettings:
    return AppointmentSettings(
        reminder_offsets_seconds=config.booking_reminder_seconds,
        no_show_seconds=config.no_show_seconds,
        interval_seconds=config.reaper_interval_seconds,
    )


async def _calls_ctx(app: web.Application) -> AsyncIterator[None]:
    """Sessions, presence and signalling, with the reaper and the lease as background tasks."""
    config, redis, sio, proc = app[CONFIG], app[REDIS], app[SIO], app[PROC]
    presence = PresenceStore(redis, proc)
    brands = Brands(redis)
    experts = Experts(redis, presence, brands, int(config.lease_seconds * 1000))

    ice = IceServers(config.stun_urls, config.turn_urls, config.turn_secret,
                     config.turn_ttl_seconds)
    notifier = SocketNotifier(sio, app[ACCOUNTS].store, presence, ice, config.ring_seconds)
    calls = CallService(SessionStore(redis, timing(config)),
                        MailingCallNotifier(MeteredNotifier(notifier, app[METRICS]),
                                            app[MAILER]))
    app[PRESENCE], app[EXPERTS], app[CALLS] = presence, experts, calls
    app[BRANDS] = brands
    app[ANALYTICS] = BrandAnalytics(BrandCalls(redis), experts.reviews)
    app[WALLETS] = WalletStore(redis, config.currency)
    booked_soon = UpcomingBookings(redis)
    blocks = Blocks(redis)  # trust/blocks.py: the one rule every calling path asks
    router = Router(calls, experts, notifier, config.ring_seconds,
                    config.reaper_interval_seconds, booked_soon, blocks)
    limits = AccountLimits(redis, proc, LimitRules(
        config.rings_per_expert, config.rings_per_client, config.max_sockets_per_account))
    desk = Calls(calls, experts, presence, router, booked_soon, lambda: app[APPOINTMENTS],
                 limits, app[ACCOUNTS].store, blocks)
    sio.register_namespace(CallNamespace(app[ACCOUNTS], desk, presence, notifier, proc, limits))

    async def bury_presence(dead: str, last_seen_ms: int) -> None:
        await presence.bury_process(dead)
        if isinstance(sio.manager, DeliveryManager):
            await sio.manager.bury(dead)

    leases = Leases(redis, proc, config.lease_seconds)
    await leases.renew()
    reaper = Reaper(calls, leases, config.reaper_interval_seconds, bury_presence)
    # A save, an approval or a review stopped between its steps is finished once its
    # lease is past.
    loops = [leases.keep_alive(), reaper.loop(), router.loop(),
             experts.loop(config.lease_seconds / 2)]
    tasks = [asyncio.create_task(loop.run()) for loop in loops]
    try:
        yield
    finally:
        await stop_all(loops, tasks)
        # Sockets are gone by now; anything left attached is cleaned up as if we had died.
        try:
            await calls.bury_process(proc, int(time.time() * 1000))
            await presence.bury_process(proc)
            if isinstance(sio.manager, DeliveryManager):
                await sio.manager.directory.bury(proc)
            await leases.release()
        except (aioredis.RedisError, OSError) as exc:
            # Redis is away: our lease will run out and a survivor will do this for us.
            log.warning("could not clean up on exit (%s); leaving it to the lease", exc)


async def _worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """With the embedded Redis, the billing worker runs inside the web process (§1)."""
    config = app[CONFIG]
    if not config.worker_in_process:
        yield
        return
    async with running_worker(app[REDIS], config, default_consumer_name()):
        yield


async def _disconnect_sockets(app: web.Application) -> None:
    # On shutdown, before aiohttp waits for open connections: close every socket now so
    # that each call pauses (and its peer is told) instead of hanging until the timeout.
    await app[SIO].shutdown()


async def _delivery_ctx(app: web.Application) -> AsyncIterator[None]:
    """Subscribed before the loops and sockets start; stopped after them."""
    manager = app[SIO].manager
    if not isinstance(manager, DeliveryManager):
        yield
        return
    await manager.start()
    try:
        yield
    finally:
        await manager.stop()


async def _socketio_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    if isinstance(app[SIO].manager, DeliveryManager):
        return
    listener = getattr(app[SIO].manager, "thread", None)
    if listener is not None:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)


def _reconciler(app: web.Application) -> Callable[[], Awaitable[list[str]]]:
    async def run() -> list[str]:
        payments = app.get(PAYMENTS)  # only with HELPCALL_PAYMENTS=stripe
        gateway = payments.gateway if payments is not None else None
        return await reconcile_all(app[REDIS], app[CONFIG].billing_stream, gateway)

    return run


def create_app(config: Config) -> web.Application:
    quiet_malformed_requests()
    # keepalive_timeout also closes a connection whose request headers never complete.
    app = web.Application(middlewares=[log_context, error_middleware],
                          client_max_size=MAX_REQUEST_BYTES,
                          handler_args={"keepalive_timeout": config.http_read_timeout_seconds})
    app.on_response_prepare.append(api_headers)
    app[CONFIG] = config
    faults.arm(config.kill_at)
    app[SECRET] = load_or_create_secret(config)
    app[PROC] = new_id("p")
    app[METRICS] = Metrics()
    app[RECONCILE] = _reconciler(app)
    sio = _socketio_server(config, app[PROC])
    sio.attach(app)
    app[SIO] = sio
    # Order matters: contexts start in this order and stop in reverse, so Redis stops last.
    app.cleanup_ctx.append(_redis_ctx)
    app.cleanup_ctx.append(_delivery_ctx)
    app.cleanup_ctx.append(_worker_ctx)
    app.cleanup_ctx.append(mail_ctx)
    app.cleanup_ctx.append(_accounts_ctx)
    app.cleanup_ctx.append(_calls_ctx)
    app.cleanup_ctx.append(disputes_api.trust_ctx)
    app.cleanup_ctx.append(revocations_ctx)
    app.cleanup_ctx.append(files_ctx)
    app.cleanup_ctx.append(appointments_api.appointments_ctx(
        appointment_settings, lambda app: MailingBookingNotifier(
            NotificationSender(app[SIO]), app[MAILER], lambda: app[APPOINTMENTS].store)))
    app.cleanup_ctx.append(privacy_ctx)
    app.cleanup_ctx.append(earnings_api.earnings_ctx)
    app.cleanup_ctx.append(payments_api.payments_ctx)
    app.cleanup_ctx.append(_socketio_ctx)
    app.on_shutdown.append(_disconnect_sockets)
    app.on_startup.append(openapi.remember_document)
    for module in (health, accounts_api, experts_api, wallet_api, sessions_api, reviews_api,
                   admin_experts_api, billing_api, callbacks_api, appointments_api, brands_api,
                   brand_keys_api, brand_analytics_api, brand_logo_api, brand_members_api,
                   brand_pages_api, metrics_api, receipts_api, earnings_api,
                   payouts_admin_api, payments_api, admin_mail_api, privacy_api, erasure_api,
                   disputes_api, moderation_api, openapi):
        app.add_routes(module.routes)
    setup_web(app)
    return app
