"""How soon a call's billing event is read once the call has ended, and what the readers
cost while nothing happens.

One helpcall process (the server under ``BENCH_SERVER_TREE``) on a shared Redis (``1r``)
or a 3+3 Redis Cluster (``1c``). One client and one expert make ``--calls`` calls one
after another, a random pause between them. For each, the time from the hang-up's
acknowledgement to the moment the web process's earnings consumer has read the call's
billing event from its bucket's stream (its group's last delivered id reaches the entry,
``XINFO GROUPS``, polled every 2 ms); the webhook worker reads the same streams the same
way. Then ``--idle`` seconds with
no call: the commands the primaries ran per second, and how many of them were
``XREADGROUP`` (``INFO commandstats``, the web process alone: no worker process runs).

``python -m bench.billing_latency [--calls 40] [--idle 5] [--targets 1r,1c]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

import redis

from bench.harness import Servers
from bench.people import Peer, go_live, make_pairs
from bench.stats import percentile, table
from bench.wire import http_session
from common.keyspace import bucket_of, bucket_stream
from common.redisclient import detect_topology, redis_client, stream_on
from common.streams import stream_id
from earnings.consumer import GROUP

TARGETS = {"1r": "a shared Redis", "1c": "a Redis Cluster 3+3"}
POLL_SECONDS = 0.002


def primaries(node_urls: list[str]) -> list[redis.Redis]:
    clients = [redis.Redis.from_url(u, decode_responses=True) for u in node_urls]
    return [c for c in clients if c.info("replication")["role"] == "master"]


def commands(nodes: list[redis.Redis]) -> tuple[int, int]:
    """All commands and XREADGROUP calls so far, summed over ``nodes``."""
    total = xreads = 0
    for node in nodes:
        for name, stats in node.info("commandstats").items():
            total += int(stats["calls"])
            xreads += int(stats["calls"]) if name == "cmdstat_xreadgroup" else 0
    return total, xreads


async def read_after(reader: Any, home: str, session_id: str) -> float:
    """Seconds until the earnings group has read the billing event of ``session_id``."""
    started = time.monotonic()
    stream = bucket_stream(home, bucket_of(session_id))
    entry = None
    while True:
        if entry is None:
            for entry_id, fields in await reader.xrevrange(stream, count=5):
                if fields.get("session_id") == session_id:
                    entry = stream_id(entry_id)
        if entry is not None:
            groups = {g["name"]: g for g in await reader.xinfo_groups(stream)}
            read = groups.get(GROUP, {}).get("last-delivered-id", "0-0")
            if stream_id(read) >= entry:
                return time.monotonic() - started
        await asyncio.sleep(POLL_SECONDS)


async def scenario(servers: Servers, calls: int, idle: float) -> dict[str, Any]:
    home = stream_on("helpcall:billing", await detect_topology(servers.redis_url))
    reader = redis_client(servers.redis_url)
    [(client, expert)] = await make_pairs(servers.url, 1)
    latencies = []
    async with http_session() as http:
        cp = await Peer.open(http, servers.url, client)
        ep = await Peer.open(http, servers.url, expert)
        await ep.wire.ok("presence", {"status": "online"})
        for _ in range(calls):
            session_id = await go_live(cp, ep, expert.id)
            await cp.wire.ok("call:hangup", {"session_id": session_id})
            latencies.append(await asyncio.wait_for(read_after(reader, home, session_id), 30))
            await asyncio.sleep(random.uniform(0.05, 0.3))  # not in step with any poll
        await asyncio.sleep(1)
        nodes = primaries(servers.redis_node_urls)
        before = commands(nodes)
        await asyncio.sleep(idle)
        after = commands(nodes)
        await cp.wire.close()
        await ep.wire.close()
    await reader.aclose()
    return {"latencies": sorted(latencies),
            "idle": [(a - b) / idle for a, b in zip(after, before, strict=True)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--targets", default="1r,1c")
    args = parser.parse_args()
    rows = []
    for target in args.targets.split(","):
        with Servers(processes=1, shared_redis=target == "1r",
                     redis_cluster=target == "1c") as servers:
            found = asyncio.run(scenario(servers, args.calls, args.idle))
        ms = [1000 * s for s in found["latencies"]]
        rows.append([TARGETS[target], str(len(ms)), f"{percentile(ms, 50):.1f}",
                     f"{percentile(ms, 90):.1f}", f"{max(ms):.1f}",
                     f"{found['idle'][0]:.0f}", f"{found['idle'][1]:.0f}"])
    when = time.strftime("%d %b %H:%M UTC", time.gmtime())
    print(f"Billing event read after the hang-up, {when}")
    print(table(["servers", "calls", "p50 ms", "p90 ms", "max ms",
                 "idle commands/s (primaries)", "of which XREADGROUP/s"], rows))


if __name__ == "__main__":
    main()
