"""Idle sockets on one process: resident memory per socket and connect rate.

For each target (helpcall with its embedded Redis, then the bare relay), sockets are
opened in steps up to each N of ``--counts`` by several client processes at once (one
Python process cannot open them fast enough), left idle for a moment, and the server's
``VmRSS`` is read from ``/proc``. Helpcall sockets are authenticated (``auth.token``) by
clients spread over ``--accounts`` accounts; the bare relay's join a room of their own.

``python -m bench.connections [--counts 1000,5000,10000] [--processes 4]``;
``--counts "" --burst 200 --targets helpcall,helpcall-pool,bare``: a connect burst only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import time
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from bench.harness import Servers, receive, rss_kib, stop_clients
from bench.people import make_users
from bench.stats import cpu_seconds, table
from bench.wire import Wire, http_session

SETTLE_SECONDS = 2.0


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def open_many(http: aiohttp.ClientSession, url: str, auths: list[dict[str, Any]],
                    wires: list[Wire], count: int, concurrency: int) -> list[str]:
    """Open ``count`` more sockets, ``concurrency`` at a time; answers the errors."""
    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(n: int) -> None:
        async with gate:
            try:
                wires.append(await asyncio.wait_for(
                    Wire.open(http, url, auths[n % len(auths)]), 30))
            except Exception as exc:
                errors.append(repr(exc))

    await asyncio.gather(*(one(len(wires) + i) for i in range(count)))
    return errors


def worker(conn: Connection, url: str, auths: list[dict[str, Any]], concurrency: int) -> None:
    raise_fd_limit()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        wires: list[Wire] = []
        async with http_session() as http:
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    break
                start = time.monotonic()
                errors = await open_many(http, url, auths, wires, int(command[1]), concurrency)
                conn.send((time.monotonic() - start, errors, len(wires)))
            await asyncio.gather(*(w.close() for w in wires))
        conn.send("closed")

    asyncio.run(serve())


class Fleet:
    def __init__(self, url: str, auths: list[dict[str, Any]], processes: int,
                 concurrency: int) -> None:
        ctx = mp.get_context("spawn")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        for i in range(processes):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker, args=(theirs, url, auths[i::processes] or auths,
                                                    concurrency))
            proc.start()
            self.conns.append(mine)
            self.procs.append(proc)

    def open(self, count: int) -> tuple[float, int, int]:
        """Open ``count`` more sockets across the processes; (seconds, failures, open)."""
        share = [count // len(self.conns) + (i < count % len(self.conns))
                 for i in range(len(self.conns))]
        start = time.monotonic()
        for conn, n in zip(self.conns, share, strict=True):
            conn.send(("open", n))
        answers = [receive(c, p, 600) for c, p in zip(self.conns, self.procs, strict=True)]
        errors = [e for a in answers for e in a[1]]
        if errors:
            print(f"{len(errors)} connects failed, first: {errors[0]}", flush=True)
        return (time.monotonic() - start, len(errors), sum(a[2] for a in answers))

    def close(self) -> None:
        stop_clients(self.conns, self.procs, 60)


def measure(servers: Servers, auths: list[dict[str, Any]], counts: list[int],
            processes: int, concurrency: int, name: str = "") -> list[list[object]]:
    pid = servers.procs[0].pid
    # Warm the code paths (imports, first-connection allocations) before the baseline.
    warm = Fleet(servers.url, auths, 1, concurrency)
    warm.open(20)
    warm.close()
    time.sleep(SETTLE_SECONDS)
    base = rss_kib(pid)
    fleet = Fleet(servers.url, auths, processes, concurrency)
    rows: list[list[object]] = []
    try:
        opened = 0
        for target in counts:
            cpu0 = cpu_seconds(pid)
            seconds, failures, opened_now = fleet.open(target - opened)
            cpu = cpu_seconds(pid) - cpu0
            added = opened_now - opened
            opened = opened_now
            time.sleep(SETTLE_SECONDS)
            rss = rss_kib(pid)
            rows.append([name or servers.kind, target, opened, failures, f"{added / seconds:.0f}",
                         f"{1000 * cpu / max(1, added):.2f}", f"{base / 1024:.1f}",
                         f"{rss / 1024:.1f}", f"{(rss - base) / max(1, opened):.1f}"])
            print(table(HEADERS, rows[-1:]), flush=True)
            if failures:
                break
    finally:
        fleet.close()
    return rows


HEADERS = ["target", "sockets asked", "open", "failed", "connects/s",
           "server CPU ms/connect", "RSS before MiB", "RSS after MiB", "KiB per socket"]


TARGETS: dict[str, dict[str, Any]] = {
    "helpcall": {"kind": "helpcall"},
    "bare": {"kind": "bare"},
    # Given REDIS_URL: each socket is counted where its account is (signaling/directory.py).
    "helpcall-redis": {"kind": "helpcall", "shared_redis": True},
    # docs/performance.md, recommendation 2: a Redis pool that waits instead of failing.
    "helpcall-pool": {"kind": "helpcall", "experiments": ("blocking-pool",)},
    # The garbage collector's share, logged by the server (BENCH_KEEP_LOGS keeps the log).
    "helpcall-gc": {"kind": "helpcall", "experiments": ("gc-stats",)},
    "helpcall-gc-freeze": {"kind": "helpcall", "experiments": ("gc-stats", "gc-freeze")},
}


def burst(servers: Servers, auths: list[dict[str, Any]], count: int) -> list[object]:
    """``count`` connects at once from one process: how many get an answer in 30 s."""
    fleet = Fleet(servers.url, auths, 1, count)
    try:
        seconds, failures, opened = fleet.open(count)
    finally:
        fleet.close()
    return [count, opened, failures, f"{seconds:.1f}"]


def run(args: argparse.Namespace) -> str:
    raise_fd_limit()
    counts = [int(c) for c in args.counts.split(",")] if args.counts else []
    rows: list[list[object]] = []
    bursts: list[list[object]] = []
    for name in args.targets.split(","):
        with Servers(**TARGETS[name]) as servers:
            if servers.kind == "helpcall":
                users = asyncio.run(make_users(servers.url, "client", args.accounts))
                auths: list[dict[str, Any]] = [{"token": u.token} for u in users]
            else:
                auths = [{"pair": f"p{n}"} for n in range(max([*counts, args.burst]))]
            if counts:
                rows += measure(servers, auths, counts, args.processes, args.concurrency, name)
            if args.burst:
                bursts.append([name, *burst(servers, auths, args.burst)])
    text = ""
    if rows:
        text += (f"Idle sockets on one process ({args.processes} client processes, "
                 f"{args.concurrency} connects in flight each; load average "
                 f"{os.getloadavg()[0]:.1f})\n" + table(HEADERS, rows))
    if bursts:
        text += ("\n\nConnect burst: all at once from one client process, 30 s each\n"
                 + table(["target", "connects", "answered", "failed", "seconds"], bursts))
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument("--targets", default="helpcall,bare",
                        help="helpcall, helpcall-redis (a shared Redis), bare, "
                             "helpcall-pool (blocking Redis pool)")
    parser.add_argument("--processes", type=int, default=4)
    # 4 x 20 stays under redis-py's asyncio pool cap of 100 connections, past which the
    # server answers no connect at all (MaxConnectionsError): see docs/performance.md.
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--burst", type=int, default=0,
                        help="then open this many at once (0: skip)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
