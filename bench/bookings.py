"""What a booking costs: book then cancel, back to back, over HTTP.

Signs up ``--pairs`` clients and experts (each expert open every hour of every day), then
each client books a slot of its expert three days ahead and cancels it (a free cancel: no
fee, nothing billed), again and again, for ``--seconds`` windows. Reports booking cycles
per second, server and Redis CPU per cycle, Redis commands per cycle (those inside
scripts counted; on a Cluster, replicas' too) and the latency of the booking request.
``BENCH_SERVER_TREE`` runs the server from another tree, for A/B runs (bench/harness.py).

``python -m bench.bookings [--pairs 20] [--seconds 4] [--repeats 3] [--targets 1r,1c]``
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import aiohttp

from bench.harness import Servers
from bench.people import User, make_pairs
from bench.spent import Spent, cost_columns, target_name, window_options
from bench.stats import percentile, spread, table
from bench.wire import http_session
from common.timefmt import iso_ms

HOURS = {"time_zone": "UTC", "lengths": [15], "min_notice_seconds": 0, "horizon_days": 30,
         "weekly": {day: [{"start": "00:00", "end": "24:00"}]
                    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
DAY_MS = 86_400_000
HEADERS = ["target", "cycles/s", "book p50 ms", "book p99 ms", "server CPU ms/cycle",
           "Redis CPU ms/cycle", "Redis cmds/cycle", "errors"]


def _auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def _open_hours(url: str, experts: list[User]) -> None:
    async with http_session() as http:
        for expert in experts:
            async with http.put(f"{url}/api/v1/experts/me/availability", json=HOURS,
                                headers=_auth(expert)) as answer:
                assert answer.status == 200, await answer.text()


async def _cycles(url: str, pairs: list[tuple[User, User]], seconds: float
                  ) -> tuple[int, list[float], int]:
    """Booking cycles done in ``seconds``, each booking's latency (ms), errors."""
    # Each client its own quarter hour, three days ahead, on the hour of a whole day.
    base = (int(time.time() * 1000) // DAY_MS + 3) * DAY_MS
    done, latencies, errors = 0, [], 0
    stop = time.monotonic() + seconds

    async def client(http: aiohttp.ClientSession, n: int, who: User, expert: User) -> None:
        nonlocal done, errors
        body = {"expert_id": expert.id, "start": iso_ms(base + n * 15 * 60_000),
                "length_minutes": 15, "topic": "bench"}
        while time.monotonic() < stop:
            t0 = time.monotonic()
            async with http.post(f"{url}/api/v1/bookings", json=body,
                                 headers=_auth(who)) as booked:
                latencies.append((time.monotonic() - t0) * 1000)
                if booked.status != 201:
                    errors += 1
                    continue
                booking: dict[str, Any] = await booked.json()
            async with http.post(f"{url}/api/v1/bookings/{booking['id']}/cancel",
                                 headers=_auth(who)) as cancelled:
                if cancelled.status != 200:
                    errors += 1
                    continue
            done += 1

    async with http_session() as http:
        await asyncio.gather(*(client(http, n, c, e) for n, (c, e) in enumerate(pairs)))
    return done, sorted(latencies), errors


def measure(servers: Servers, pairs: list[tuple[User, User]], seconds: float,
            repeats: int) -> list[dict[str, float]]:
    results = []
    for _ in range(repeats):
        spent = Spent(servers)
        done, latencies, errors = asyncio.run(_cycles(servers.url, pairs, seconds))
        results.append(spent.per(done) | {
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "errors": errors})
    return results


def run(args: argparse.Namespace) -> str:
    rows = []
    for target in args.targets.split(","):
        cluster = target.endswith("c")
        with Servers(processes=1, shared_redis=True, redis_cluster=cluster) as servers:
            pairs = asyncio.run(make_pairs(servers.url, args.pairs))
            asyncio.run(_open_hours(servers.url, [e for _, e in pairs]))
            rs = measure(servers, pairs, args.seconds, args.repeats)
        rows.append([target_name(cluster), spread([r["per_s"] for r in rs]),
                     spread([r["p50_ms"] for r in rs], "{:.1f}"),
                     spread([r["p99_ms"] for r in rs], "{:.1f}"),
                     *cost_columns(rs), int(sum(r["errors"] for r in rs))])
        print(table(HEADERS, rows[-1:]), flush=True)
    text = (f"Booking cycles (book, then a free cancel), {args.pairs} clients back to back, "
            f"{args.seconds:.0f} s windows, min / median / max of {args.repeats}\n"
            + table(HEADERS, rows))
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    window_options(parser)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
