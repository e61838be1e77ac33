"""What one timed window cost, per unit of work: the servers' CPU, Redis's CPU and the Redis
commands run (those inside scripts counted; on a Cluster, replicas' too). Shared by the
benches that run one process against ``--targets 1r,1c`` (bench/bookings.py,
bench/listings.py), with their common options and columns."""

from __future__ import annotations

import argparse
import time

from bench.harness import Servers
from bench.lifecycles import command_counts
from bench.stats import cpu_seconds, spread

TARGETS_HELP = "1r: one shared Redis; 1c: a 3+3 Redis Cluster"


class Spent:
    """Started when made; ``per(done)`` answers the window's rate and its cost per unit."""

    def __init__(self, servers: Servers) -> None:
        self._servers = servers
        self._t0 = time.monotonic()
        self._start = self._read()

    def _read(self) -> tuple[float, float, int]:
        s = self._servers
        return (sum(cpu_seconds(p.pid) for p in s.procs),
                sum(cpu_seconds(pid) for pid in s.redis_pids),
                sum(command_counts(s.redis_node_urls).values()))

    def per(self, done: int) -> dict[str, float]:
        elapsed = time.monotonic() - self._t0
        server, redis_cpu, commands = (now - then for now, then in
                                       zip(self._read(), self._start, strict=True))
        units = max(done, 1)
        return {"per_s": done / elapsed, "server_cpu_ms": server * 1000 / units,
                "redis_cpu_ms": redis_cpu * 1000 / units, "commands": commands / units}


def cost_columns(rs: list[dict[str, float]]) -> list[str]:
    """Server CPU ms, Redis CPU ms and Redis commands per unit: min / median / max."""
    return [spread([r["server_cpu_ms"] for r in rs], "{:.2f}"),
            spread([r["redis_cpu_ms"] for r in rs], "{:.2f}"),
            spread([r["commands"] for r in rs], "{:.1f}")]


def target_name(cluster: bool) -> str:
    return "1 process, " + ("Redis Cluster 3+3" if cluster else "one Redis")


def window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--targets", default="1r,1c", help=TARGETS_HELP)
