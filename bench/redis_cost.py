"""Redis commands per call lifecycle and per live minute of a steady call.

One helpcall process with its embedded Redis. ``CONFIG RESETSTAT`` before each phase and
``INFO commandstats`` after it (that count includes the commands scripts run inside
Redis); a ``MONITOR`` connection alongside tells the commands the server sends from those run
inside Lua scripts. Phases:

1. baseline: the peers connected, experts online, no call, for ``--window`` seconds: what
   the process costs by itself (reaper tick, lease renewal, billing worker);
2. lifecycles: ``--pairs`` pairs each run ``--cycles`` lifecycles (start to summary);
3. live: ``--pairs`` calls held live for ``--window`` seconds.

Per lifecycle and per live session per second, the baseline rate is subtracted. The
lifecycles phase also lists the keys touched most (every ``hc:`` name in the commands
``MONITOR`` shows, those run by scripts included), with their hash slot's tag: a key that
every call touches would be touched at least once per lifecycle, whatever the pairs
(issue 15: no such key); one of an expert or a client, once per pair's lifecycle.

``python -m bench.redis_cost [--pairs 20] [--cycles 10] [--window 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
import time
from collections import Counter
from typing import Any

import redis

from bench.harness import Servers
from bench.people import Peer, go_live, hang_up, make_pairs
from bench.stats import table
from bench.wire import http_session


class Monitor:
    """Counts commands seen by ``MONITOR``: (source, command), source "lua" or "client"."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, decode_responses=True)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.keys: Counter[str] = Counter()
        self._on = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with contextlib.suppress(Exception), self._client.monitor() as monitor:  # type: ignore[no-untyped-call]
            for item in monitor.listen():
                if not self._on:
                    continue
                command = item["command"].split(" ", 1)[0].strip('"').upper()
                source = "lua" if item.get("client_type") == "lua" else "client"
                self.counts[(source, command)] += 1
                self.keys.update(set(k for k in item["command"].split(" ")
                                     if k.startswith("hc:")))

    def start(self) -> None:
        self.counts, self.keys = Counter(), Counter()
        self._on = True

    def stop(self) -> tuple[Counter[tuple[str, str]], Counter[str]]:
        time.sleep(0.2)  # MONITOR lines trail the commands a little
        self._on = False
        return self.counts, self.keys


def tag_of(key: str) -> str:
    """A key's hash tag, by family: ``{0}`` (home), ``{a:}``, ``{<n>}`` (a bucket)..."""
    tag = key[key.find("{") + 1:key.find("}")] if "{" in key else ""
    family = tag.partition(":")[0]
    return "{" + (f"{family}:" if ":" in tag else ("<n>" if tag.isdigit() and tag != "0"
                                                   else tag)) + "}"


def commandstats(client: redis.Redis) -> Counter[str]:
    info: dict[str, Any] = client.info("commandstats")
    return Counter({k.removeprefix("cmdstat_").upper(): int(v["calls"]) for k, v in info.items()})


class Phase:
    def __init__(self, client: redis.Redis, monitor: Monitor) -> None:
        self.client, self.monitor = client, monitor

    def __enter__(self) -> Phase:
        self.client.config_resetstat()
        self.monitor.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started
        self.watched, self.keys = self.monitor.stop()
        # RESETSTAT and INFO themselves are not the server's doing.
        self.stats = commandstats(self.client) - Counter({"CONFIG": 1, "INFO": 1})
        self.round_trips = sum(n for (src, _), n in self.watched.items() if src == "client")
        self.in_scripts = sum(n for (src, _), n in self.watched.items() if src == "lua")

    @property
    def total(self) -> int:
        return sum(self.stats.values())


async def scenario(url: str, redis_url: str, pairs: int, cycles: int, window: float) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    monitor = Monitor(redis_url)
    people = await make_pairs(url, pairs)
    async with http_session() as http:
        peers = []
        for c, e in people:
            cp, ep = await Peer.open(http, url, c), await Peer.open(http, url, e)
            await ep.wire.ok("presence", {"status": "online"})
            peers.append((cp, ep, e.id))
        await asyncio.sleep(1)
        with Phase(client, monitor) as base:
            await asyncio.sleep(window)
        with Phase(client, monitor) as life:
            async def run(cp: Peer, ep: Peer, expert_id: str) -> None:
                for _ in range(cycles):
                    await hang_up(cp, ep, await go_live(cp, ep, expert_id))

            await asyncio.gather(*(run(*p) for p in peers))
        sessions = await asyncio.gather(*(go_live(cp, ep, e) for cp, ep, e in peers))
        await asyncio.sleep(1)
        with Phase(client, monitor) as live:
            await asyncio.sleep(window)
        await asyncio.gather(*(hang_up(cp, ep, s) for (cp, ep, _), s in zip(
            peers, sessions, strict=True)))
        for cp, ep, _ in peers:
            await cp.wire.close()
            await ep.wire.close()
    client.close()
    report(base, life, live, pairs, cycles)


def report(base: Phase, life: Phase, live: Phase, pairs: int, cycles: int) -> None:
    rate = base.total / base.seconds
    rt_rate = base.round_trips / base.seconds
    n = pairs * cycles
    print(f"Baseline, no call, {base.seconds:.1f} s: {base.total} commands "
          f"({rate:.1f}/s; sent by the server {rt_rate:.1f}/s): "
          + ", ".join(f"{k} {v}" for k, v in base.stats.most_common()))
    rows = [["per call lifecycle (INFO commandstats)",
             f"{(life.total - rate * life.seconds) / n:.1f}"],
            ["  of which sent by the server (MONITOR; a pipeline counts each)",
             f"{(life.round_trips - rt_rate * life.seconds) / n:.1f}"],
            ["  of which run inside scripts (MONITOR)", f"{life.in_scripts / n:.1f}"]]
    per_life = Counter({k: v for k, v in life.watched.items()})
    print(f"\n{n} lifecycles in {life.seconds:.1f} s; commands per lifecycle, by source:")
    print(table(["source", "command", "per lifecycle"],
                [[s, c, f"{v / n:.2f}"] for (s, c), v in per_life.most_common()
                 if v / n >= 0.05]))
    print(f"\nKeys touched most in the {n} lifecycles, per lifecycle (the baseline's rate "
          "subtracted; a command naming a key twice counts once):")
    print(table(["key", "tag", "per lifecycle"],
                [[k, tag_of(k), f"{(v - base.keys[k] / base.seconds * life.seconds) / n:.2f}"]
                 for k, v in life.keys.most_common(12)]))
    extra = live.total - rate * live.seconds
    extra_rt = live.round_trips - rt_rate * live.seconds
    rows += [[f"{pairs} live calls, {live.seconds:.1f} s: raw commands", str(live.total)],
             ["  baseline for the same time", f"{rate * live.seconds:.0f}"],
             ["  above baseline, per live session per second",
              f"{extra / pairs / live.seconds:.3f}"],
             ["  sent by the server above baseline, per live session per second",
              f"{extra_rt / pairs / live.seconds:.3f}"],
             ["  above baseline, per live session per minute",
              f"{60 * extra / pairs / live.seconds:.2f}"]]
    print("\n" + table(["Redis cost", "commands"], rows))
    print("live window by command: "
          + ", ".join(f"{k} {v}" for k, v in live.stats.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args()
    with Servers() as servers:
        asyncio.run(scenario(servers.url, servers.redis_url, args.pairs, args.cycles,
                             args.window))


if __name__ == "__main__":
    main()
