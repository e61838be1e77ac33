"""Administrative commands: ``create-admin EMAIL`` and ``reconcile``."""

from __future__ import annotations

import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from accounts.models import normalise_email
from accounts.service import Accounts
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle
from accounts.tokens import TokenSigner
from common.errors import Invalid
from common.redisclient import is_cluster, redis_client, stream_on
from server.config import Config
from server.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from server.keymigration import migrate_key_layout
from server.secret import load_or_create_secret


@asynccontextmanager
async def open_redis(config: Config) -> AsyncIterator[aioredis.Redis]:
    """The configured Redis; with the embedded one, the running server's or a fresh start."""
    embedded = None
    url = config.redis_url
    if url is None:
        embedded = EmbeddedRedis(config.data_dir, config.redis_maxmemory_mb)
        try:
            url = await embedded.start()
        except EmbeddedRedisError:
            # A server is running on this data dir: talk to its Redis.
            embedded = None
            url = f"unix://{(config.data_dir / 'redis' / 'redis.sock').resolve()}"
    client = redis_client(url)
    await migrate_key_layout(client)
    try:
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            await embedded.stop()


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password for the admin (8 characters or more): ")
        if first != getpass.getpass("Again: "):
            raise SystemExit("helpcall: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


async def create_admin(config: Config, raw_email: str) -> int:
    try:
        email = normalise_email(raw_email)
    except Invalid as exc:
        print(f"helpcall: {exc.message}", file=sys.stderr)
        return 2
    password = _read_password()
    if len(password) < 8:
        print("helpcall: the password needs at least 8 characters", file=sys.stderr)
        return 2
    async with open_redis(config) as redis:
        signer = TokenSigner(load_or_create_secret(config), config.token_ttl_seconds * 1000)
        accounts = Accounts(AccountStore(redis), signer, LoginThrottle(redis))
        account = await accounts.create_admin(email, password)
    print(f"admin {account.email} ({account.id}) is ready")
    return 0


async def reconcile(config: Config) -> int:
    async with open_redis(config) as redis:
        problems = await _problems(config, redis)
    for problem in problems:
        print(problem)
    print("reconciled: wallets, earnings, payouts, card payments, ledgers and billing events "
          "agree" if not problems
          else f"{len(problems)} disagreement(s)")
    return 1 if problems else 0


async def _problems(config: Config, redis: aioredis.Redis) -> list[str]:
    """Every check of ``server.reconcile``; card payments read back from Stripe in stripe mode."""
    from payments.gateway import StripeGateway
    from server.reconcile import reconcile_all

    stream = stream_on(config.billing_stream, "cluster" if is_cluster(redis) else "single")
    if config.payments != "stripe" or config.stripe_secret_key is None:
        return await reconcile_all(redis, stream)
    gateway = StripeGateway(config.stripe_secret_key, config.stripe_api_base)
    try:
        return await reconcile_all(redis, stream, gateway)
    finally:
        await gateway.close()
