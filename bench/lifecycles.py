"""Full call lifecycles per second with protocol-level peers (no media).

One lifecycle: ``call:start`` -> ``call:incoming`` -> ``call:accept`` -> ``media connected``
from both -> ``call:state live`` on both -> ``call:hangup`` -> ``call:summary`` on both ->
the ``session.ended`` entry read from the billing stream. Every pair runs lifecycles back
to back for the window; several client processes share the pairs.

Configurations: one process with its embedded Redis; N processes sharing one Redis
(``REDIS_URL``), each pair's client on one process and its expert on the next, so that
every event crosses processes through Redis pub/sub. Suffixes: ``r`` (one process, but with
``REDIS_URL``), ``o`` (python-socketio's AsyncRedisManager, as before issue 14), ``p`` (each
server process pinned to its own core), ``u`` (uvloop), ``c`` (a real Redis Cluster, 3
primaries and 3 replicas from Debian's redis-server, instead of one Redis; its Redis CPU is
that of all six nodes), ``s`` (a Sentinel-managed primary with one replica; its Redis CPU
is that of both), ``w`` (each money movement waiting for a replica,
``HELPCALL_REDIS_WAIT_REPLICAS=1``; on a Sentinel-managed primary unless ``c`` says a
Cluster), ``t`` (each pair's two sides on the same process: the cost of spreading pairs
over processes without the cost of crossing them), ``g`` (each call run as the browser app
runs it: started and answered on a profile and a console page opened for it on each side's
process, then run on two call pages opened for it on the process its id hashes to, as the
documented nginx places them: docs/deployment.md; the pair's sockets stay open as other
tabs; ``--signals N`` ICE candidates each way), ``h`` (the same, each call page on its
side's own process, as ``ip_hash`` would place them):
``--processes 1r,1ro,2,2o,4,4t,4g,4h,1c,1cw,2c,1s,1w``.
``--rate N`` offers N lifecycles per second in all (open loop) instead of back to back.
The per-socket rate limits are lifted (bench/serve.py): a pair here calls far more often
than any person does.

``python -m bench.lifecycles [--pairs 40] [--seconds 5] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import redis

from bench.harness import Servers, receive
from bench.people import Peer, User, go_live, hang_up, make_pairs, paged_lifecycle
from bench.stats import cpu_seconds, percentile, spread, table
from bench.wire import http_session
from common.keyspace import every_stream
from common.redisclient import redis_client, stream_on, topology
from common.streams import on_every_stream

STREAM = "helpcall:billing"
IDLE_SECONDS = 2.0


class BillingWatch:
    """Follows the billing streams (on a Cluster one per bucket); ``seen(session_id)``
    resolves once its entry is there."""

    def __init__(self, redis_url: str) -> None:
        self._redis = redis_client(redis_url)
        self._home = stream_on(STREAM, topology(redis_url))  # ``<name>:{0}`` on a Cluster
        self._seen: dict[str, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None

    def _future(self, session_id: str) -> asyncio.Future[None]:
        future = self._seen.get(session_id)
        if future is None:
            future = self._seen[session_id] = asyncio.get_running_loop().create_future()
        return future

    async def start(self) -> None:
        # Each stream from its end now: what the run appends, not what earlier runs did.
        ends = {stream: await self._end(stream) for stream in every_stream(self._home)}
        self._task = asyncio.create_task(
            on_every_stream(self._home, lambda stream: self._follow(stream, ends[stream])))

    async def _end(self, stream: str) -> str:
        last: Any = await self._redis.xrevrange(stream, count=1)
        return str(last[0][0]) if last else "0-0"

    async def _follow(self, stream: str, last: str) -> None:
        while True:
            answer: Any = await self._redis.xread({stream: last}, block=1000, count=500)
            for _, entries in answer or []:
                for entry_id, fields in entries:
                    last = entry_id
                    future = self._future(fields["session_id"])
                    if not future.done():
                        future.set_result(None)

    async def seen(self, session_id: str, wait: float = 15) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(self._future(session_id)), wait)
        finally:
            self._seen.pop(session_id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        await self._redis.aclose()


PairSpec = tuple[User, User, str, str]  # client, expert, client's server, expert's server


PagesAt = Callable[[str], tuple[str, str]]


def pages_placement(pages: str, spec: PairSpec, server_urls: list[str]) -> PagesAt | None:
    """Where a pair's call pages open (``g``: on the process the call's id hashes to, as the
    documented nginx does; ``h``: each on its side's own process, as ``ip_hash`` would)."""
    if pages == "hashed":
        return lambda session_id: (server_urls[zlib.crc32(session_id.encode())
                                               % len(server_urls)],) * 2
    if pages == "own":
        return lambda session_id: (spec[2], spec[3])
    return None


async def cycles(peers: list[tuple[Peer, Peer, PairSpec, PagesAt | None]],
                 http: aiohttp.ClientSession, watch: BillingWatch,
                 end: float, interval: float, signals: int) -> tuple[list[float], list[str]]:
    """Every pair runs lifecycles until ``end``, back to back or (``interval`` > 0) one every
    ``interval`` seconds, pairs spread over it; (durations, errors)."""
    durations: list[float] = []
    errors: list[str] = []

    async def cycle(cp: Peer, ep: Peer, spec: PairSpec, pages_at: PagesAt | None) -> None:
        next_at = time.monotonic() + random.uniform(0, interval)
        while time.monotonic() < end:
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
                if time.monotonic() >= end:
                    break
            t0 = time.monotonic()
            try:
                if pages_at is None:
                    session_id = await go_live(cp, ep, spec[1].id)
                    await hang_up(cp, ep, session_id)
                else:
                    session_id = await paged_lifecycle(http, (cp, ep), (spec[0], spec[1]),
                                                       (spec[2], spec[3]), pages_at, signals)
                await watch.seen(session_id)
            except Exception as exc:
                errors.append(repr(exc))
                await asyncio.sleep(0.5)
                continue
            durations.append(time.monotonic() - t0)

    await asyncio.gather(*(cycle(*p) for p in peers))
    return durations, errors


def worker(conn: Connection, redis_url: str, pairs: list[PairSpec], pages: str,
           server_urls: list[str], signals: int) -> None:
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        watch = BillingWatch(redis_url)
        await watch.start()
        async with http_session() as http:
            peers = []
            for client, expert, client_url, expert_url in pairs:
                cp = await Peer.open(http, client_url, client)
                ep = await Peer.open(http, expert_url, expert)
                await ep.wire.ok("presence", {"status": "online"})
                spec = (client, expert, client_url, expert_url)
                peers.append((cp, ep, spec, pages_placement(pages, spec, server_urls)))
            conn.send("ready")
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    break
                start = time.monotonic()
                durations, errors = await cycles(peers, http, watch,
                                                 start + float(command[1]), float(command[2]),
                                                 signals)
                conn.send((time.monotonic() - start, durations, errors))
            for cp, ep, _, _ in peers:
                await cp.wire.close()
                await ep.wire.close()
        await watch.close()

    asyncio.run(serve())


def command_counts(node_urls: list[str]) -> Counter[str]:
    """Redis commands run so far on every node, by name (those run inside scripts included;
    on a Cluster, what primaries replicate to replicas too)."""
    counts: Counter[str] = Counter()
    for url in node_urls:
        with redis.Redis.from_url(url) as client:
            stats: dict[str, Any] = client.info("commandstats")
        counts.update({name.removeprefix("cmdstat_"): int(row["calls"])
                       for name, row in stats.items()})
    return counts


def measure(servers: Servers, pairs: list[tuple[User, User]], processes: int,
            seconds: float, repeats: int, rate: float = 0,
            together: bool = False, pages: str = "", signals: int = 0) -> list[dict[str, Any]]:
    """``rate``: lifecycles per second offered by all pairs together; 0: back to back.
    ``together``: each pair's two sides on the same server process (else on two).
    ``pages``: "" (each call on the pair's two sockets), "hashed" or "own" (call pages
    opened per call: ``pages_placement``), their pages exchanging ``signals`` candidates."""
    interval = len(pairs) / rate if rate else 0.0
    specs: list[PairSpec] = [
        (c, e, servers.url_for(n), servers.url_for(n if together else n + 1))
        for n, (c, e) in enumerate(pairs)]
    ctx = mp.get_context("spawn")
    conns, procs = [], []
    for i in range(processes):
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(theirs, servers.redis_url, specs[i::processes],
                                                pages, [p.url for p in servers.procs],
                                                signals))
        proc.start()
        conns.append(mine)
        procs.append(proc)
    results = []
    try:
        for conn, proc in zip(conns, procs, strict=True):
            if receive(conn, proc) != "ready":
                raise RuntimeError("client process failed")
        pids = [p.pid for p in servers.procs]
        # What the servers spend with nothing to do (lease, reaper, router ticks): with more
        # processes it grows, and at a low rate it would swamp the cost of a lifecycle.
        idle0, t0 = sum(cpu_seconds(pid) for pid in pids), time.monotonic()
        time.sleep(IDLE_SECONDS)
        idle_rate = (sum(cpu_seconds(pid) for pid in pids) - idle0) / (time.monotonic() - t0)
        for _ in range(repeats):
            commands0 = command_counts(servers.redis_node_urls)
            cpu0 = [cpu_seconds(pid) for pid in pids]
            redis0 = [cpu_seconds(pid) for pid in servers.redis_pids]
            for conn in conns:
                conn.send(("run", seconds, interval))
            answers = [receive(c, p) for c, p in zip(conns, procs, strict=True)]
            cpu = [cpu_seconds(pid) - c for pid, c in zip(pids, cpu0, strict=True)]
            by_node = [cpu_seconds(pid) - r for pid, r in zip(servers.redis_pids, redis0,
                                                               strict=True)]
            redis_cpu = sum(by_node)
            commands = command_counts(servers.redis_node_urls)
            commands.subtract(commands0)
            wall = max(a[0] for a in answers)
            durations = sorted(d for a in answers for d in a[1])
            errors = [e for a in answers for e in a[2]]
            if errors:
                print(f"  {len(errors)} lifecycles failed, first: {errors[0]}", flush=True)
            done = max(1, len(durations))
            results.append({
                "per_s": len(durations) / wall,
                "p50_ms": 1000 * percentile(durations, 50),
                "p99_ms": 1000 * percentile(durations, 99),
                "server_cpu_ms": 1000 * sum(cpu) / done,
                "above_idle_ms": 1000 * (sum(cpu) - idle_rate * wall) / done,
                "redis_cpu_ms": 1000 * redis_cpu / done,
                "server_busy": 100 * sum(cpu) / wall / len(servers.procs),
                "errors": len(errors),
                "commands": {name: n / done for name, n in commands.items() if n > 0},
                "by_node": [100 * n / max(redis_cpu, 1e-9) for n in by_node],
            })
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for proc in procs:
            proc.join(20)
            if proc.is_alive():
                proc.terminate()
    return results


def run(args: argparse.Namespace) -> str:
    rows = []
    for config in args.processes.split(","):
        processes = int(config.rstrip("uroptcswgh"))
        flags = config[len(str(processes)):]
        uvloop = "u" in flags or args.uvloop
        cluster = "c" in flags
        sentinel = "s" in flags or ("w" in flags and not cluster)
        shared = "r" in flags or processes > 1 or cluster or sentinel
        with Servers(processes=processes, uvloop=uvloop, shared_redis=shared,
                     redis_cluster=cluster, redis_sentinel=sentinel,
                     wait_replicas=1 if "w" in flags else 0,
                     experiments=("broadcast-manager",) if "o" in flags else (),
                     server_cpus=[{0}, {1}] if "p" in flags else [None]) as servers:
            pairs = asyncio.run(make_pairs(servers.url, args.pairs))
            pages = "hashed" if "g" in flags else "own" if "h" in flags else ""
            rs = measure(servers, pairs, args.clients, args.seconds, args.repeats, args.rate,
                         together="t" in flags, pages=pages, signals=args.signals)
        label = (f"{processes} process{'es' if processes > 1 else ''}, "
                 + ("Redis Cluster 3+3" if cluster else "Sentinel primary + replica"
                    if sentinel else "shared Redis" if shared else "embedded Redis"))
        label += ", WAIT 1" if "w" in flags else ""
        label += (", old manager" if "o" in flags else ", targeted manager") if shared else ""
        label += ", pinned 1 core each" if "p" in flags else ""
        label += ", sides together" if "t" in flags else ", sides apart" if processes > 1 else ""
        label += (", call pages on the call's process" if "g" in flags
                  else ", call pages on each side's process" if "h" in flags else "")
        label += ", uvloop" if uvloop else ""
        per_s = [r["per_s"] for r in rs]
        rows.append([label, spread(per_s), spread([v / processes for v in per_s]),
                     spread([r["p50_ms"] for r in rs], "{:.1f}"),
                     spread([r["p99_ms"] for r in rs], "{:.1f}"),
                     spread([r["server_cpu_ms"] for r in rs], "{:.2f}"),
                     spread([r["above_idle_ms"] for r in rs], "{:.2f}"),
                     spread([1000 / r["server_cpu_ms"] for r in rs]),
                     spread([r["redis_cpu_ms"] for r in rs], "{:.2f}"),
                     spread([r["server_busy"] for r in rs]), sum(r["errors"] for r in rs)])
        print(table(HEADERS, rows[-1:]), flush=True)
        print(commands_line(rs), flush=True)
        if len(servers.redis_pids) > 1:
            print(nodes_line(rs), flush=True)
    pace = f"offered {args.rate:g}/s in all" if args.rate else "back to back"
    text = (f"Call lifecycles, {args.pairs} pairs {pace}, {args.seconds:.0f} s windows, "
            f"min / median / max of {args.repeats} (load average {os.getloadavg()[0]:.1f})\n"
            + table(HEADERS, rows))
    print(text)
    return text


def nodes_line(results: list[dict[str, Any]]) -> str:
    """Each Redis node's share of the Redis CPU (medians of the runs), in the order the
    topology started them (a Cluster's three primaries first, then their replicas)."""
    shares = [sorted(r["by_node"][i] for r in results)[len(results) // 2]
              for i in range(len(results[0]["by_node"]))]
    return "  Redis CPU by node (% of all, medians): " + " / ".join(f"{s:.0f}" for s in shares)


def commands_line(results: list[dict[str, Any]]) -> str:
    """Redis commands per lifecycle, medians of the runs, the most frequent first."""
    names = {name for r in results for name in r["commands"]}
    median = {name: sorted(r["commands"].get(name, 0.0) for r in results)[len(results) // 2]
              for name in names}
    top = sorted(median.items(), key=lambda item: -item[1])
    return (f"  Redis commands per lifecycle (medians, scripts' own included): "
            f"{sum(median.values()):.1f}: "
            + ", ".join(f"{name} {n:.1f}" for name, n in top if n >= 0.05))


HEADERS = ["servers", "lifecycles/s", "per process", "p50 ms", "p99 ms",
           "server CPU ms/lifecycle", "of which above idle", "lifecycles per server CPU s",
           "Redis CPU ms/lifecycle", "server CPU % (per process)", "failed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--processes", default="1,2",
                        help="server processes to try, with suffixes: u uvloop, r REDIS_URL "
                             "with one process, o the old manager (python-socketio's "
                             "AsyncRedisManager), p each process pinned to its own core, "
                             "c a Redis Cluster (3+3), s a Sentinel primary + replica, w the "
                             "same with WAIT 1 after money movements, t both sides on one "
                             "process, g call pages on the process the call hashes to, h "
                             "call pages on each side's process")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument("--signals", type=int, default=0,
                        help="with g or h: ICE candidates each call page sends the other")
    parser.add_argument("--rate", type=float, default=0,
                        help="lifecycles per second offered in all (open loop, each pair at "
                             "its share); 0: every pair back to back, as fast as served")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
