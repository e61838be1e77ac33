"""The client side of bench/relay.py: calls exchanging pre-encoded ``signal`` frames.

``Clients`` runs client processes that each hold some of the calls; ``measure`` runs a closed
loop or a fixed rate in all of them at once and gathers deliveries, latencies and the
server's CPU time.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.harness import receive, stop_clients
from bench.people import Peer, User, go_live, hang_up
from bench.stats import cpu_seconds, percentile
from bench.wire import Wire, http_session

SERVER_CPU, CLIENT_CPU = {0}, {1}
CANDIDATE = ("candidate:842163049 1 udp 1677729535 192.168.1.23 54321 typ srflx raddr "
             "10.0.0.2 rport 54321 generation 0 ufrag sXy1 network-cost 999")


def frame_template(session_id: str) -> str:
    """A whole ``signal`` event frame: ``%d`` ack id, ``%d`` send time (ns)."""
    return ('42%d["signal",{"session_id":"' + session_id + '","candidate":{"candidate":"'
            + CANDIDATE + '","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"sXy1",'
            '"t":%d}}]')


def sent_at(frame: str) -> int:
    start = frame.rindex('"t":') + 4
    return int(frame[start:frame.index("}", start)])


@dataclass
class Side:
    wire: Wire
    template: str
    ack: int = 1_000_000  # hot-path ack ids, away from the ones ``call`` uses

    def frame(self, stamp: int) -> str:
        self.ack += 1
        return self.template % (self.ack, stamp)


class Load:
    """The sockets of one client process and what they received."""

    def __init__(self, sides: list[Side]) -> None:
        self.sides = sides
        self.received: list[tuple[int, int]] = []  # (receive ns, latency ns)
        self.bounce = False
        for side in sides:
            side.wire.on_signal = self._receiver(side)

    def _receiver(self, side: Side) -> Any:
        received = self.received

        def on_signal(frame: str) -> str | None:
            now = time.monotonic_ns()
            received.append((now, now - sent_at(frame)))
            return side.frame(time.monotonic_ns()) if self.bounce else None

        return on_signal

    async def closed(self, seconds: float, window: int) -> None:
        self.bounce = True
        for side in self.sides:
            for _ in range(window):
                await side.wire.send(side.frame(time.monotonic_ns()))
        await asyncio.sleep(seconds)
        self.bounce = False

    async def drained(self, expected: int, quiet: float = 3.0, longest: float = 20.0) -> None:
        """Wait until ``expected`` messages have arrived (both sides of each call are in this
        process), or nothing has for ``quiet`` seconds: the next run starts clean, and what
        is still missing then is lost."""
        deadline = time.monotonic() + longest
        count, since = -1, time.monotonic()
        while len(self.received) < expected and time.monotonic() < deadline:
            if count != len(self.received):
                count, since = len(self.received), time.monotonic()
            elif time.monotonic() - since > quiet:
                return
            await asyncio.sleep(0.05)

    async def rate(self, seconds: float, per_second: float) -> None:
        start = time.monotonic_ns()
        interval = 1e9 / per_second
        sent, count = 0, int(seconds * per_second)
        while sent < count:
            due = min(count, int((time.monotonic_ns() - start) / interval) + 1)
            while sent < due:
                side = self.sides[sent % len(self.sides)]
                await side.wire.send(side.frame(start + int(sent * interval)))
                sent += 1
            await asyncio.sleep(0.001)


async def _setup(urls: tuple[str, str], kind: str,
                 pairs: list[tuple[int, User | None, User | None]],
                 http: Any, calls: list[tuple[Peer, Peer, str]]) -> list[Side]:
    sides: list[Side] = []
    url, expert_url = urls
    for n, client, expert in pairs:
        if kind == "bare":
            a = await Wire.open(http, url, {"pair": f"p{n}"})
            b = await Wire.open(http, expert_url, {"pair": f"p{n}"})
            session_id = f"s_bench{n:06d}"
        else:
            assert client is not None and expert is not None
            cp, ep = await Peer.open(http, url, client), await Peer.open(http, expert_url, expert)
            await ep.wire.ok("presence", {"status": "online"})
            session_id = await go_live(cp, ep, expert.id)
            calls.append((cp, ep, session_id))
            a, b = cp.wire, ep.wire
        sides += [Side(a, frame_template(session_id)), Side(b, frame_template(session_id))]
    return sides


def worker(conn: Connection, urls: tuple[str, str], kind: str,
           pairs: list[tuple[int, User | None, User | None]], pinned: bool) -> None:
    if pinned:
        os.sched_setaffinity(0, CLIENT_CPU)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        async with http_session() as http:
            calls: list[tuple[Peer, Peer, str]] = []
            sides = await _setup(urls, kind, pairs, http, calls)
            load = Load(sides)
            conn.send("ready")
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    break
                _, mode, seconds, value = command
                load.received = []
                first_acks = [side.ack for side in sides]
                for side in sides:
                    side.wire.refused = 0
                    side.wire.on_signal = load._receiver(side)
                t0 = time.monotonic_ns()
                if mode == "closed":
                    await load.closed(seconds, int(value))
                else:
                    await load.rate(seconds, float(value))
                t1 = time.monotonic_ns()
                sent = sum(s.ack - a for s, a in zip(sides, first_acks, strict=True))
                refused = sum(s.wire.refused for s in sides)
                await load.drained(sent - refused)  # the stragglers fall outside the window
                lost = sum(s.wire.closed.is_set() for s in sides)
                refused = sum(s.wire.refused for s in sides)
                conn.send((t0, t1, load.received, refused, lost, sent))
            # Hung up, not dropped: the experts must be free for the next P.
            await asyncio.gather(*(hang_up(cp, ep, sid) for cp, ep, sid in calls),
                                 return_exceptions=True)
            for side in sides:
                await side.wire.close()
        conn.send("closed")

    asyncio.run(serve())


@dataclass
class Result:
    throughput: float
    p50_ms: float
    p99_ms: float
    cpu: float
    refused: int
    cpu_us_per_msg: float
    lost: int
    redis_us_per_msg: float = 0.0
    messages_lost: int = 0  # sent, not refused, never received (after a drain)


class Clients:
    """``n`` client processes holding ``pairs`` calls against one server."""

    def __init__(self, urls: tuple[str, str], kind: str,
                 pairs: list[tuple[int, User | None, User | None]],
                 processes: int, server_pids: list[int], pinned: bool,
                 redis_pid: int = 0) -> None:
        ctx = mp.get_context("spawn")
        self.server_pids = server_pids
        self.redis_pid = redis_pid
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        for i in range(processes):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker, args=(theirs, urls, kind, pairs[i::processes],
                                                          pinned))
            proc.start()
            self.conns.append(mine)
            self.procs.append(proc)
        for conn, proc in zip(self.conns, self.procs, strict=True):
            if receive(conn, proc) != "ready":
                raise RuntimeError("client process failed")

    def measure(self, mode: str, seconds: float, value: float, warmup: float) -> Result:
        cpu0 = sum(cpu_seconds(pid) for pid in self.server_pids)
        redis0 = cpu_seconds(self.redis_pid) if self.redis_pid else 0.0
        started = time.monotonic()
        for conn in self.conns:
            conn.send(("run", mode, seconds + warmup, value / len(self.conns)
                       if mode == "rate" else value))
        answers = [receive(c, p) for c, p in zip(self.conns, self.procs, strict=True)]
        cpu = sum(cpu_seconds(pid) for pid in self.server_pids) - cpu0
        redis_cpu = cpu_seconds(self.redis_pid) - redis0 if self.redis_pid else 0.0
        elapsed = time.monotonic() - started
        t0 = max(a[0] for a in answers) + int(warmup * 1e9)
        t1 = min(a[1] for a in answers)
        latencies = sorted(lat for a in answers for (at, lat) in a[2] if t0 <= at < t1)
        window = (t1 - t0) / 1e9
        # CPU per message over the whole run (warm-up and drain included): robust to other
        # load on the machine, which steals time from the server but not CPU seconds.
        total = sum(len(a[2]) for a in answers)
        return Result(len(latencies) / window, percentile(latencies, 50) / 1e6,
                      percentile(latencies, 99) / 1e6, cpu / elapsed,
                      sum(a[3] for a in answers), 1e6 * cpu / max(1, total),
                      sum(a[4] for a in answers), 1e6 * redis_cpu / max(1, total),
                      sum(a[5] - len(a[2]) - a[3] for a in answers))

    def close(self) -> None:
        stop_clients(self.conns, self.procs, 30)
