"""Samples the server with py-spy under load and says what dominates.

``--scenario relay``: P calls in a closed signal loop (as in bench/relay.py);
``--scenario lifecycles``: pairs running call lifecycles back to back (bench/lifecycles.py);
``--scenario connections``: sockets connecting while ``--sockets`` are already open.
py-spy writes collapsed stacks (``--format raw``); the summary gives the share of samples
by library or package (inclusive: a sample counts once for every group on its stack) and
the hottest functions by self time. Every server process is sampled and their samples summed.
``--keep DIR`` keeps the raw file for a flame graph.

``python -m bench.profile [--scenario relay|lifecycles] [--seconds 8] [--uvloop]``
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import lifecycles
from bench.connections import Fleet, raise_fd_limit
from bench.harness import Servers
from bench.people import User, make_pairs
from bench.relay_load import Clients
from bench.stats import table

PY_SPY = str(Path(sys.executable).parent / "py-spy")
GROUPS = [
    ("(signaling/", "helpcall signaling/"), ("(sessions/", "helpcall sessions/"),
    ("(accounts/", "helpcall accounts/"), ("(common/", "helpcall common/"),
    ("(socketio/", "python-socketio"), ("(engineio/", "python-engineio"),
    ("(aiohttp/", "aiohttp"), ("(redis/", "redis-py"), ("(json/", "json"),
    ("(logging/", "logging"), ("(asyncio/", "asyncio (event loop, tasks)"),
    ("(selectors.py", "selectors (waiting for I/O)"), ("(uvloop", "uvloop"),
]


def summarise(raw: Path) -> str:
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        if "select (selectors.py" in frames[-1] or "_worker (concurrent" in stack:
            idle += count
        groups = {name for f in frames for key, name in GROUPS if key in f}
        for name in groups:
            inclusive[name] += count
        name, _, where = frames[-1].partition(" (")
        own[f"{name} ({where.rsplit(':', 1)[0]})"] += count
    busy = max(1, total - idle)
    rows = [[name, f"{100 * n / busy:.1f}"] for name, n in inclusive.most_common()
            if not name.startswith("selectors")]
    hot = [[name[:90], f"{100 * n / busy:.1f}"] for name, n in own.most_common(25)
           if "select (selectors" not in name and "_worker (" not in name][:20]
    return (f"{total} samples, {100 * idle / max(1, total):.0f}% idle (waiting in select or in "
            f"an idle worker thread); shares below are of the busy samples.\n"
            + table(["on the stack (inclusive)", "% of busy samples"], rows) + "\n\n"
            + table(["hottest functions (self)", "% of busy samples"], hot))


class Spies:
    """py-spy on every server process at once; ``wait`` merges their stacks into ``out``
    (summed: the profile of the whole deployment, so runs with the work spread differently
    over the processes compare like for like)."""

    def __init__(self, pids: list[int], seconds: float, out: Path, native: bool) -> None:
        self._out = out
        self._parts = [out.with_suffix(f".{n}.txt") for n in range(len(pids))]
        self._spies = [subprocess.Popen(
            [PY_SPY, "record", "--pid", str(pid), "--duration", str(int(seconds)),
             "--rate", "250", "--format", "raw", "--output", str(part),
             *(["--native"] if native else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for pid, part in zip(pids, self._parts, strict=True)]

    def wait(self) -> None:
        for spy, part in zip(self._spies, self._parts, strict=True):
            spy.wait()
            if not part.exists():
                error = spy.stderr.read().decode(errors="replace") if spy.stderr else ""
                raise RuntimeError(f"py-spy wrote nothing: {error}")
        self._out.write_text("".join(part.read_text() for part in self._parts))


def run(args: argparse.Namespace) -> str:
    if shutil.which(PY_SPY) is None:
        raise SystemExit(f"py-spy is not installed: {sys.executable} -m pip install py-spy")
    # Every server process is sampled; with --processes 2 the calls cross processes.
    with tempfile.TemporaryDirectory() as tmp, Servers(
            uvloop=args.uvloop, processes=args.processes,
            shared_redis=args.processes > 1, redis_cluster=args.cluster) as servers:
        raw = Path(tmp) / "profile.txt"
        pids = [proc.pid for proc in servers.procs]
        pairs = asyncio.run(make_pairs(servers.url, args.pairs))
        if args.scenario == "relay":
            specs: list[tuple[int, User | None, User | None]] = [
                (n, c, e) for n, (c, e) in enumerate(pairs)]
            # With --processes 2 each call's expert is on the second process.
            clients = Clients((servers.url_for(0), servers.url_for(1)), "helpcall", specs, 1,
                              pids, False)
            try:
                spy = Spies(pids, args.seconds, raw, args.native)
                if args.rate:
                    clients.measure("rate", args.seconds + 1, args.rate, 0.5)
                else:
                    clients.measure("closed", args.seconds + 1, 2, 0.5)
                spy.wait()
            finally:
                clients.close()
        elif args.scenario == "connections":
            raise_fd_limit()
            auths: list[dict[str, Any]] = [{"token": c.token} for c, _ in pairs]
            fleet = Fleet(servers.url, auths, 4, 20)
            try:
                fleet.open(args.sockets)
                spy = Spies(pids, args.seconds, raw, args.native)
                fleet.open(args.sockets // 2)
                spy.wait()
            finally:
                fleet.close()
        else:
            def load() -> None:
                lifecycles.measure(servers, pairs, 2, args.seconds + 2, 1, rate=args.rate,
                                   together=args.together)

            thread = threading.Thread(target=load)
            thread.start()
            time.sleep(3)  # sample once the client processes have connected
            spy = Spies(pids, args.seconds, raw, args.native)
            spy.wait()
            thread.join()
        text = (f"py-spy, {args.scenario}, {args.pairs} pairs, "
                f"{args.processes} server process(es)"
                f"{', sides together' if args.together else ''}"
                f"{f', {args.rate:g}/s offered' if args.rate else ''}\n") + summarise(raw)
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(raw, Path(args.keep) / f"profile-{args.scenario}.txt")
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=["relay", "lifecycles", "connections"],
                        default="relay")
    parser.add_argument("--sockets", type=int, default=6000,
                        help="connections: sockets open before sampling the next half as many")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument("--cluster", action="store_true",
                        help="the servers on a Redis Cluster (3+3) instead of one Redis")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes sharing one Redis")
    parser.add_argument("--rate", type=float, default=0,
                        help="lifecycles or relay messages per second offered in all "
                        "(0: back to back, closed loop)")
    parser.add_argument("--together", action="store_true",
                        help="lifecycles: both sides of each pair on one process")
    parser.add_argument("--keep", help="directory to keep the raw profile in")
    parser.add_argument("--native", action="store_true", help="py-spy --native (C frames)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
