"""Signal relay: P concurrent calls exchanging ICE-candidate-sized ``signal`` messages.

Targets, all up at once and measured in alternation so that they share the machine's
weather: ``bare`` (bench/bare_relay.py), ``helpcall`` (one process, its embedded Redis:
the local client manager), ``helpcall-redis`` (one process given ``REDIS_URL``: helpcall's
targeted manager, signaling/manager.py, as a multi-process deployment runs),
``helpcall-redis-old`` (the same with python-socketio's ``AsyncRedisManager``, as before
issue 14) and ``helpcall-2proc`` / ``helpcall-2proc-old`` (two processes on one Redis, each
call's client on one and its expert on the other; CPU is that of both).

Two loads per P: ``closed`` (every socket keeps ``--window`` messages in flight; a
received message is answered at once) and ``rate`` (a fixed offered rate in total,
spread over the sockets; latency counted from the scheduled send time). One-way latency
comes from a monotonic timestamp in the payload (same machine clock). With ``--pin``,
servers run on CPU 0, clients and Redis on CPU 1. The per-socket signal token bucket is lifted (see
bench/serve.py), else a closed loop would measure the limiter.

``python -m bench.relay [--pairs 10,50] [--repeats 3] [--seconds 3] [--rate 1000]``
(also ``--pin``, ``--uvloop``, ``--idle N``, ``--targets``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from typing import Any

from bench.connections import Fleet
from bench.harness import Servers
from bench.people import User, make_pairs
from bench.relay_load import CLIENT_CPU, SERVER_CPU, Clients, Result
from bench.stats import median, spread, table

TARGETS: dict[str, dict[str, Any]] = {
    "bare": {"kind": "bare"},
    "helpcall": {"kind": "helpcall"},
    "helpcall-redis": {"kind": "helpcall", "shared_redis": True},
    # Before issue 14: python-socketio's AsyncRedisManager (bench/serve.py switch).
    "helpcall-redis-old": {"kind": "helpcall", "shared_redis": True,
                           "experiments": ("broadcast-manager",)},
    # Each call's client on one process and its expert on the other (CPU of both).
    "helpcall-2proc": {"kind": "helpcall", "processes": 2},
    "helpcall-2proc-old": {"kind": "helpcall", "processes": 2,
                           "experiments": ("broadcast-manager",)},
    "bare-uvloop": {"kind": "bare", "uvloop": True},
    "helpcall-uvloop": {"kind": "helpcall", "uvloop": True},
    # Changes recommended in docs/performance.md, tried through bench/serve.py switches.
    "helpcall-direct-rooms": {"kind": "helpcall", "experiments": ("direct-rooms",)},
    "helpcall-redis-pool": {"kind": "helpcall", "shared_redis": True,
                            "experiments": ("blocking-pool",)},
}


IDLE = [0]


def run(args: argparse.Namespace) -> str:
    IDLE[0] = args.idle
    targets = args.targets.split(",")
    pair_counts = [int(p) for p in args.pairs.split(",")]
    out: list[str] = []
    with contextlib.ExitStack() as stack:
        servers = {}
        for name in targets:
            servers[name] = stack.enter_context(Servers(
                **({"uvloop": args.uvloop} | TARGETS[name]),
                server_cpus=[SERVER_CPU if args.pin else None],
                other_cpus=CLIENT_CPU if args.pin else None))
        # Each P gets its own people: a call that did not end cleanly under overload
        # keeps its expert busy, and must not spoil the next measurement.
        users = {name: asyncio.run(make_pairs(s.url, sum(pair_counts)))
                 for name, s in servers.items() if s.kind == "helpcall"}
        if args.idle:
            # Idle sockets beside the calls: what the per-message cost does with them.
            for name, s in servers.items():
                auths: list[dict[str, Any]] = (
                    [{"token": c.token} for c, _ in users[name]] if name in users
                    else [{"pair": f"idle{n}"} for n in range(args.idle)])
                fleet = Fleet(s.url, auths, 2, 20)
                stack.callback(fleet.close)
                fleet.open(args.idle)
        for index, p in enumerate(pair_counts):
            first = sum(pair_counts[:index])
            clients = {}
            for name, s in servers.items():
                specs: list[tuple[int, User | None, User | None]] = (
                    [(n, c, e) for n, (c, e) in enumerate(users[name][first:first + p])]
                    if name in users
                    else [(n, None, None) for n in range(p)])
                clients[name] = Clients((s.url_for(0), s.url_for(1)), s.kind, specs,
                                        args.clients, [p.pid for p in s.procs], args.pin,
                                        s.redis_pid)
                stack.callback(clients[name].close)
            for mode, value in (("closed", args.window), ("rate", args.rate)):
                results: dict[str, list[Result]] = {name: [] for name in targets}
                for _ in range(args.repeats):
                    for name in targets:
                        results[name].append(
                            clients[name].measure(mode, args.seconds, value, args.warmup))
                out.append(_report(p, mode, value, results))
                print(out[-1], flush=True)
            for name in targets:
                clients[name].close()
    return "\n\n".join(out)


def _report(p: int, mode: str, value: float, results: dict[str, list[Result]]) -> str:
    load = (f"closed loop, {int(value)} in flight per socket" if mode == "closed"
            else f"offered {int(value)} msg/s in total")
    rows = []
    for name, rs in results.items():
        rows.append([name, spread([r.throughput for r in rs]),
                     spread([r.p50_ms for r in rs], "{:.2f}"),
                     spread([r.p99_ms for r in rs], "{:.2f}"),
                     spread([100 * r.cpu for r in rs]),
                     spread([r.cpu_us_per_msg for r in rs]),
                     spread([r.redis_us_per_msg for r in rs]), sum(r.refused for r in rs),
                     max(r.lost for r in rs), sum(r.messages_lost for r in rs)])
    idle = f", {IDLE[0]} idle sockets beside" if IDLE[0] else ""
    text = [f"P={p} calls{idle}, {load} (min / median / max of {len(rs)} runs; "
            f"load average {os.getloadavg()[0]:.1f})",
            table(["target", "delivered msg/s", "p50 ms", "p99 ms", "server CPU %",
                   "server CPU µs/msg", "Redis CPU µs/msg", "refused", "sockets lost",
                   "msgs lost"],
                  rows)]
    if "bare" in results:
        base = results["bare"]
        for name, rs in results.items():
            if name.startswith("bare"):
                continue
            tput = median([r.throughput for r in rs]) / median([r.throughput for r in base])
            p99 = median([r.p99_ms for r in rs]) / median([r.p99_ms for r in base])
            cost = median([r.cpu_us_per_msg for r in rs]) / median(
                [r.cpu_us_per_msg for r in base])
            text.append(f"  {name}/bare (medians): throughput x{tput:.2f}, p99 x{p99:.2f}, "
                        f"server CPU per message x{cost:.2f}")
    return "\n".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", default="10,50")
    parser.add_argument("--targets", default="bare,helpcall,helpcall-redis")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--window", type=int, default=2, help="closed loop: in flight/socket")
    parser.add_argument("--rate", type=float, default=1000, help="offered msg/s in total")
    parser.add_argument("--clients", type=int, default=1, help="client processes per target")
    parser.add_argument("--uvloop", action="store_true", help="servers on uvloop")
    parser.add_argument("--idle", type=int, default=0, help="idle sockets beside the calls")
    parser.add_argument("--pin", action="store_true",
                        help="servers on CPU 0, clients and Redis on CPU 1")
    args = parser.parse_args()
    run(args)


if __name__ == "__main__":
    main()
