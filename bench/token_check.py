"""What token revocation costs per authenticated request: the check before and after it.

Before revocation existed, a token check was the HMAC plus one ``HGETALL`` of the account.
Now it is the HMAC plus one ``HMGET`` of the account's fields, the token epoch, the spared
token id and this token's own revocation mark (``rv:<jti>``): still one command and one
round trip. This bench measures both in the same run, on one embedded Redis:

1. ``check``: ``--checks`` token checks in a row (the service call alone);
2. ``http``: ``--requests`` ``GET /api/v1/me`` through the real app on loopback (the
   "before" app has its check swapped for the old one).

Each variant runs ``--repeats`` times, interleaved; reported as min / median / max of the
repeats: wall-clock and process CPU per check or request (client and server share the
process in ``http``), Redis commands per check (``INFO commandstats``) and Redis CPU per check
(``INFO cpu`` of the redis-server; the app's own background loops run too, so "all
commands" is a little above the check's own). The account carries a few revoked tokens, as
after a few log outs.

``python -m bench.token_check [--checks 20000] [--requests 2000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from accounts.errors import BadToken
from accounts.models import Account, LogIn, Role, SignUp
from accounts.service import Accounts, _now_ms
from accounts.store import _account, _account_key
from bench.stats import spread, table
from common.redisclient import redis_client
from common.redisvalues import text_map
from server.app import create_app
from server.config import load_config
from server.embedded_redis import EmbeddedRedis
from server.keys import ACCOUNTS


async def old_authenticate(accounts: Accounts, token: str | None) -> Account:
    """The check as it was before revocation: signature, then HGETALL of the account."""
    if not token:
        raise BadToken("a token is required")
    account_id = accounts.signer.account_id(token, _now_ms())
    fields = text_map(await accounts.store._redis.hgetall(_account_key(account_id)))
    if not fields:
        raise BadToken("the account of this token no longer exists")
    return _account(fields)


# The commands a token check may send (the rest are the app's background loops).
CHECK_COMMANDS = ("cmdstat_hgetall", "cmdstat_hmget")


async def redis_counters(redis: aioredis.Redis) -> tuple[int, int, float]:
    stats = await redis.info("commandstats")
    commands = sum(int(v["calls"]) for v in stats.values())
    checks = sum(int(stats[name]["calls"]) for name in CHECK_COMMANDS if name in stats)
    cpu = await redis.info("cpu")
    return commands, checks, float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])


async def measure(redis: aioredis.Redis, count: int,
                  run: Callable[[], Awaitable[None]]) -> dict[str, float]:
    commands0, checks0, redis_cpu0 = await redis_counters(redis)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    await run()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    commands1, checks1, redis_cpu1 = await redis_counters(redis)
    # INFO itself is two commands per reading: leave them out.
    return {"wall_us": wall / count * 1e6, "cpu_us": cpu / count * 1e6,
            "commands": (commands1 - commands0 - 2) / count,
            "check_commands": (checks1 - checks0) / count,
            "redis_cpu_us": (redis_cpu1 - redis_cpu0) / count * 1e6}


async def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as data:
        server = EmbeddedRedis(Path(data))
        url = await server.start()
        try:
            await run_phases(args, url, Path(data))
        finally:
            await server.stop()


async def run_phases(args: argparse.Namespace, url: str, data: Path) -> None:
    config = load_config({"REDIS_URL": url, "HELPCALL_DATA_DIR": str(data),
                          "HELPCALL_SECRET_KEY": "bench", "HELPCALL_LOG_LEVEL": "WARNING"})
    app = create_app(config)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    redis = redis_client(url)
    try:
        accounts = app[ACCOUNTS]
        await accounts.sign_up(SignUp("bench@example.test", "correct horse", "Bench",
                                      role=Role.CLIENT))
        login = LogIn("bench@example.test", "correct horse")
        for _ in range(5):  # an account that logged out a few times
            _, old, _ = await accounts.log_in(login, "127.0.0.1")
            await accounts.log_out(old)
        _, token, _ = await accounts.log_in(login, "127.0.0.1")
        real = accounts.authenticate

        async def checks(check: Callable[[str], Awaitable[Account]]) -> None:
            for _ in range(args.checks):
                await check(token)

        async def before_check() -> None:
            await checks(lambda t: old_authenticate(accounts, t))

        async def after_check() -> None:
            await checks(real)

        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {token}"}
            me_url = str(server.make_url("/api/v1/me"))

            async def requests() -> None:
                for _ in range(args.requests):
                    async with http.get(me_url, headers=headers) as answer:
                        assert answer.status == 200
                        await answer.read()

            async def before_http() -> None:
                accounts.authenticate = lambda t: old_authenticate(accounts, t)  # type: ignore[method-assign,assignment]
                try:
                    await requests()
                finally:
                    accounts.authenticate = real  # type: ignore[method-assign,assignment]

            phases: dict[tuple[str, str], list[dict[str, float]]] = {}
            variants: list[tuple[str, str, int, Callable[[], Awaitable[None]]]] = [
                ("check", "before", args.checks, before_check),
                ("check", "after", args.checks, after_check),
                ("http", "before", args.requests, before_http),
                ("http", "after", args.requests, requests),
            ]
            await requests()  # warm up connections and code paths
            for _ in range(args.repeats):
                for phase, variant, count, run in variants:
                    found = await measure(redis, count, run)
                    phases.setdefault((phase, variant), []).append(found)
        print(f"load average {os.getloadavg()[0]:.2f} at the end; {os.cpu_count()} CPUs")
        print(report(phases))
    finally:
        await redis.aclose()
        await server.close()


def report(phases: dict[tuple[str, str], list[dict[str, float]]]) -> str:
    rows: list[list[Any]] = []
    for (phase, variant), runs in phases.items():
        rows.append([phase, variant,
                     spread([r["wall_us"] for r in runs], "{:.1f}"),
                     spread([r["cpu_us"] for r in runs], "{:.1f}"),
                     spread([r["check_commands"] for r in runs], "{:.2f}"),
                     spread([r["commands"] for r in runs], "{:.2f}"),
                     spread([r["redis_cpu_us"] for r in runs], "{:.1f}")])
    return table(["phase", "token check", "wall µs / unit", "process CPU µs / unit",
                  "HGETALL+HMGET / unit", "all Redis commands / unit", "Redis CPU µs / unit"],
                 rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
