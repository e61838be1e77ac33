"""Page loads across processes: what one socket connect and close costs the servers.

Each page of the browser app opens its own socket, and a socket that is its account's
first on a process makes the processes that may hold a copy of the account's location
forget it (signaling/manager.py). This opens and closes authenticated sockets of
``--accounts`` accounts, each on a random process, at ``--rate`` per second, and reports the
servers' CPU per page load above their idle cost, and the messages they published to each
other per load, with 1, 2 and 4 processes on one Redis.

``python -m bench.page_loads [--processes 1,2,4] [--rate 40] [--seconds 8] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time

import redis

from bench.harness import Servers
from bench.people import User, make_users
from bench.stats import cpu_seconds, spread, table
from bench.wire import Wire, http_session

IDLE_SECONDS = 2.0


async def load_pages(urls: list[str], users: list[User], rate: float, seconds: float) -> int:
    """Opens and closes one socket every 1/``rate`` s until ``seconds`` pass; answers how many."""
    done = 0
    async with http_session() as http:
        start = time.monotonic()
        pending: set[asyncio.Task[None]] = set()

        async def one(url: str, user: User) -> None:
            nonlocal done
            wire = await Wire.open(http, url, {"token": user.token})
            await wire.close()
            done += 1

        n = 0
        while time.monotonic() - start < seconds:
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            task = asyncio.create_task(one(random.choice(urls), random.choice(users)))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        await asyncio.gather(*pending)
    return done


def published(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return int(stats.get("cmdstat_publish", {}).get("calls", 0))


def run(args: argparse.Namespace) -> str:
    rows = []
    for processes in (int(p) for p in args.processes.split(",")):
        with Servers(processes=processes, uvloop=True, shared_redis=True) as servers:
            users = asyncio.run(make_users(servers.url, "client", args.accounts))
            urls = [p.url for p in servers.procs]
            pids = [p.pid for p in servers.procs]
            idle0, t0 = sum(cpu_seconds(pid) for pid in pids), time.monotonic()
            time.sleep(IDLE_SECONDS)
            idle = (sum(cpu_seconds(pid) for pid in pids) - idle0) / (time.monotonic() - t0)
            per_load, messages = [], []
            for _ in range(args.repeats):
                cpu0, sent0, t0 = sum(cpu_seconds(p) for p in pids), published(
                    servers.redis_url), time.monotonic()
                loads = asyncio.run(load_pages(urls, users, args.rate, args.seconds))
                wall = time.monotonic() - t0
                cpu = sum(cpu_seconds(p) for p in pids) - cpu0
                per_load.append(1000 * (cpu - idle * wall) / max(1, loads))
                messages.append((published(servers.redis_url) - sent0) / max(1, loads))
        rows.append([f"{processes} process{'es' if processes > 1 else ''}",
                     spread(per_load, "{:.2f}"), spread(messages, "{:.2f}")])
        print(table(HEADERS, rows[-1:]), flush=True)
    text = (f"Page loads (socket open and close), {args.accounts} accounts, {args.rate:g}/s, "
            f"{args.seconds:.0f} s windows, min / median / max of {args.repeats} "
            f"(load average {os.getloadavg()[0]:.1f})\n" + table(HEADERS, rows))
    print(text)
    return text


HEADERS = ["servers", "server CPU ms per load, above idle", "PUBLISH per load"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
