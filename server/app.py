"""The app factory: the only place that knows every package and wires them together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from accounts.service import Accounts
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle
from accounts.tokens import TokenSigner
from server.api import accounts as accounts_api
from server.api import health
from server.config import Config
from server.embedded_redis import EmbeddedRedis
from server.errors import error_middleware
from server.keys import ACCOUNTS, CONFIG, REDIS, SECRET, SIO
from server.secret import load_or_create_secret

log = logging.getLogger(__name__)

# Pages may carry uploads (photos, shared files); JSON bodies are capped at 64 KiB apart.
MAX_REQUEST_BYTES = 11 * 1024 * 1024
# An SDP may be 64 KiB; the Socket.IO envelope and JSON escaping need a little more.
MAX_SOCKET_MESSAGE_BYTES = 100 * 1024


def redis_client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url, decode_responses=True, socket_connect_timeout=2, socket_timeout=10
    )


def _socketio_server(config: Config) -> socketio.AsyncServer:
    manager = None
    if config.redis_url is not None:
        # Several processes share one Redis: emits reach sockets held by any of them.
        manager = socketio.AsyncRedisManager(config.redis_url, channel="helpcall:socketio")
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        ping_interval=config.ping_interval_seconds,
        ping_timeout=config.ping_timeout_seconds,
        max_http_buffer_size=MAX_SOCKET_MESSAGE_BYTES,
        cors_allowed_origins=[],
        logger=False,
        engineio_logger=False,
    )


async def _redis_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    embedded = None
    url = config.redis_url
    if url is None:
        embedded = EmbeddedRedis(config.data_dir)
        url = await embedded.start()
    client = redis_client(url)
    app[REDIS] = client
    try:
        yield
    finally:
        await client.aclose()
        if embedded is not None:
            await embedded.stop()


async def _accounts_ctx(app: web.Application) -> AsyncIterator[None]:
    config, redis = app[CONFIG], app[REDIS]
    signer = TokenSigner(app[SECRET], config.token_ttl_seconds * 1000)
    app[ACCOUNTS] = Accounts(AccountStore(redis), signer, LoginThrottle(redis))
    yield


async def _socketio_ctx(app: web.Application) -> AsyncIterator[None]:
    sio = app[SIO]
    yield
    await sio.shutdown()
    listener = getattr(sio.manager, "thread", None)
    if listener is not None:
        listener.cancel()


def create_app(config: Config) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_REQUEST_BYTES)
    app[CONFIG] = config
    app[SECRET] = load_or_create_secret(config)
    sio = _socketio_server(config)
    sio.attach(app)
    app[SIO] = sio
    # Order matters: contexts start in this order and stop in reverse, so Redis stops last.
    app.cleanup_ctx.append(_redis_ctx)
    app.cleanup_ctx.append(_accounts_ctx)
    app.cleanup_ctx.append(_socketio_ctx)
    app.add_routes(health.routes)
    app.add_routes(accounts_api.routes)
    return app
