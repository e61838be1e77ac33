"""What a marketplace listing costs: one category's page of experts, over HTTP.

Signs up ``--experts`` experts in one category (bench/people.py: cooking), marks their
email verified (only those are listed) and then ``--readers`` readers load
``GET /api/v1/experts?category=cooking`` back to back for ``--seconds`` windows. A category
call's routing makes the same cards (``marketplace/experts.py:in_category``), so this is
also what each ring of a category's queue reads. Reports pages per second, server and
Redis CPU per page, Redis commands per page and, from ``MONITOR`` over a few pages after
the timed windows, how many of those commands name a key of the home slot ``{0}`` (the
issue 15 question: does every listing go to one primary?).
``BENCH_SERVER_TREE`` runs the server from another tree, for A/B runs (bench/harness.py).

``python -m bench.listings [--experts 20] [--readers 8] [--seconds 4] [--repeats 3]
[--targets 1r,1c]``
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

import redis
from redis.cluster import RedisCluster

from accounts.store import account_key
from bench.harness import Servers
from bench.people import User, make_users
from bench.redis_cost import Monitor
from bench.spent import Spent, cost_columns, target_name, window_options
from bench.stats import spread, table
from bench.wire import http_session

PAGE = "/api/v1/experts?category=cooking"
MONITORED_PAGES = 100
HEADERS = ["target", "pages/s", "server CPU ms/page", "Redis CPU ms/page", "Redis cmds/page",
           "home-slot cmds/page", "experts listed"]


def verify_emails(servers: Servers, experts: list[User]) -> None:
    """What following the mailed link does, written directly: the account's ``verified_at``
    (and, for trees before layout 12, the home-slot set they listed from)."""
    node = servers.redis_node_urls[0]
    client: redis.Redis | RedisCluster = (
        RedisCluster.from_url(node) if len(servers.redis_node_urls) > 1
        else redis.Redis.from_url(node))
    for expert in experts:
        client.hset(account_key(expert.id), "verified_at", int(time.time() * 1000))
        client.sadd("hc:{0}:accounts:verified", expert.id)
    client.close()


async def _pages(url: str, readers: int, seconds: float) -> tuple[int, int]:
    """Pages loaded in ``seconds`` by ``readers`` back to back; the experts on the last."""
    done, listed = 0, 0
    stop = time.monotonic() + seconds
    async with http_session() as http:
        async def reader() -> None:
            nonlocal done, listed
            while time.monotonic() < stop:
                async with http.get(url + PAGE) as answer:
                    assert answer.status == 200, await answer.text()
                    listed = len((await answer.json())["experts"])
                done += 1
        await asyncio.gather(*(reader() for _ in range(readers)))
    return done, listed


def home_slot_commands(servers: Servers) -> float:
    """Commands per page naming a key of the home slot, over ``MONITORED_PAGES`` pages one
    after another, less what the process's own loops send there in as long idle."""
    monitors = [Monitor(node) for node in servers.redis_node_urls]
    time.sleep(0.3)  # the MONITOR connections are up

    def home_keys(work: Callable[[], object]) -> tuple[int, float]:
        for monitor in monitors:
            monitor.start()
        t0 = time.monotonic()
        work()
        elapsed = time.monotonic() - t0
        home = 0
        for monitor in monitors:
            _, keys = monitor.stop()
            home += sum(n for key, n in keys.items() if key.startswith("hc:{0}:"))
        return home, elapsed

    async def pages() -> None:
        async with http_session() as http:
            for _ in range(MONITORED_PAGES):
                async with http.get(servers.url + PAGE) as answer:
                    assert answer.status == 200
    loaded, elapsed = home_keys(lambda: asyncio.run(pages()))
    idle, _ = home_keys(lambda: time.sleep(elapsed))
    return max(loaded - idle, 0) / MONITORED_PAGES


def measure(servers: Servers, readers: int, seconds: float,
            repeats: int) -> list[dict[str, float]]:
    results = []
    for _ in range(repeats):
        spent = Spent(servers)
        done, listed = asyncio.run(_pages(servers.url, readers, seconds))
        results.append(spent.per(done) | {"listed": listed})
    return results


def run(args: argparse.Namespace) -> str:
    rows = []
    for target in args.targets.split(","):
        cluster = target.endswith("c")
        with Servers(processes=1, shared_redis=True, redis_cluster=cluster) as servers:
            experts = asyncio.run(make_users(servers.url, "expert", args.experts))
            verify_emails(servers, experts)
            rs = measure(servers, args.readers, args.seconds, args.repeats)
            home = home_slot_commands(servers)
        rows.append([target_name(cluster), spread([r["per_s"] for r in rs]),
                     *cost_columns(rs), f"{home:.1f}", int(min(r["listed"] for r in rs))])
        print(table(HEADERS, rows[-1:]), flush=True)
    text = (f"Category listings ({args.experts} experts), {args.readers} readers back to back, "
            f"{args.seconds:.0f} s windows, min / median / max of {args.repeats}\n"
            + table(HEADERS, rows))
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=20)
    parser.add_argument("--readers", type=int, default=8)
    window_options(parser)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
