"""The billing worker process (``helpcall worker``, ``python -m server.worker``): the wiring of
``billing``'s two workers with this configuration and the brands' webhooks. External Redis
only; with the embedded one the web process runs them itself (``running_worker``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import redis.asyncio as aioredis

from billing.worker import BillingWorker, BrandWebhookWorker, running_workers
from brands.store import BrandStore
from common.loops import stop_task
from common.redisclient import detect_topology, redis_client, stream_on, stream_reads
from server.config import Config, ConfigError, load_config
from server.logs import configure_logging

log = logging.getLogger(__name__)


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@asynccontextmanager
async def running_worker(
    redis: aioredis.Redis, config: Config, consumer: str, reads: aioredis.Redis | None = None
) -> AsyncIterator[BillingWorker]:
    """Both workers running as tasks for the life of the block (the web process's own)."""
    async with running_workers(redis, config, consumer, BrandStore(redis).webhook,
                               reads) as worker:
        yield worker


async def _serve(config: Config, consumer: str) -> int:
    url = config.redis_url
    assert url is not None
    # As the web process does: on a Cluster <stream>:{0}, which names every bucket's stream.
    kind = await detect_topology(url)
    config = replace(config, billing_stream=stream_on(config.billing_stream, kind))
    redis = redis_client(url)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with stream_reads(redis, url) as reads:
            await _until_stopped(
                BillingWorker(redis, config, consumer, reads),
                BrandWebhookWorker(redis, config, consumer, BrandStore(redis).webhook, reads),
                stopping)
    finally:
        await redis.aclose()
    log.info("billing worker %s stopped", consumer)
    return 0


async def _until_stopped(worker: BillingWorker, brands: BrandWebhookWorker,
                         stopping: asyncio.Event) -> None:
    """Both workers run until a signal, or until one of them ends (it failed)."""
    task = asyncio.create_task(worker.run())
    brand_task = asyncio.create_task(brands.run())
    signalled = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, brand_task, signalled}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        signalled.cancel()
        await stop_task(brand_task)
        await stop_task(task)


def main() -> int:
    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(f"helpcall worker: configuration error: {exc}", file=sys.stderr)
        return 2
    if config.redis_url is None:
        print("helpcall worker: REDIS_URL is required. Without it the web process "
              "(python -m server) uses its embedded Redis and runs the billing worker "
              "itself.", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.log_format)
    return asyncio.run(_serve(config, default_consumer_name()))


if __name__ == "__main__":
    # Run the importable module rather than this ``__main__`` copy: logs name server.worker.
    from server.worker import main as _main

    sys.exit(_main())
