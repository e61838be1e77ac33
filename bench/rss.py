"""Memory under a long relay: does anything queue up between Redis and the sockets?

Two server processes on one Redis, each call's client on one and its expert on the other
(so that every signal crosses processes), P calls in a closed loop: the servers' RSS after
the first window and again after the whole run, and every message counted at its receiver.
The old manager (python-socketio's AsyncRedisManager) and helpcall's run one after the
other in the same run.

``python -m bench.rss [--pairs 30] [--seconds 10,60] [--targets helpcall-2proc,...]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from typing import Any

from bench.harness import Servers, rss_kib
from bench.people import User, make_pairs
from bench.relay import TARGETS
from bench.relay_load import Clients, Result
from bench.stats import table


def run(args: argparse.Namespace) -> str:
    marks = [float(s) for s in args.seconds.split(",")]
    rows = []
    for name in args.targets.split(","):
        with contextlib.ExitStack() as stack:
            servers = stack.enter_context(Servers(**TARGETS[name]))
            pairs = asyncio.run(make_pairs(servers.url, args.pairs))
            specs: list[tuple[int, User | None, User | None]] = [
                (n, c, e) for n, (c, e) in enumerate(pairs)]
            clients = Clients((servers.url_for(0), servers.url_for(1)), servers.kind, specs,
                              1, [p.pid for p in servers.procs], False, servers.redis_pid)
            stack.callback(clients.close)
            results: list[Result] = []
            rss: list[list[int]] = []
            done = 0.0
            for mark in marks:
                results.append(clients.measure("closed", mark - done, args.window, 0))
                done = mark
                rss.append([rss_kib(p.pid) for p in servers.procs])
            clients.close()
            row: list[Any] = [name]
            row += [" + ".join(f"{kib / 1024:.1f}" for kib in r) for r in rss]
            row += [f"{(sum(rss[-1]) - sum(rss[0])) / 1024:+.1f}",
                    f"{results[-1].throughput:.0f}",
                    sum(r.messages_lost for r in results), sum(r.lost for r in results)]
            rows.append(row)
            print(table(_headers(marks), rows[-1:]), flush=True)
    text = (f"RSS under a closed-loop relay, {args.pairs} calls across 2 processes "
            f"(load average {os.getloadavg()[0]:.1f})\n" + table(_headers(marks), rows))
    print(text)
    return text


def _headers(marks: list[float]) -> list[str]:
    return (["target"] + [f"RSS MiB after {m:.0f} s" for m in marks]
            + ["growth MiB", "msg/s (last window)", "msgs lost", "sockets lost"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--seconds", default="10,60", help="when to read RSS (cumulative)")
    parser.add_argument("--window", type=int, default=2, help="in flight per socket")
    parser.add_argument("--targets", default="helpcall-2proc-old,helpcall-2proc")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
