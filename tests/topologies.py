"""Real Redis topologies from Debian's ``redis-server``: a 6-node Cluster, and Sentinel.

Started once per test session (they cost a few processes each, idle at ``hz 10``), on free
loopback ports, in a temporary directory, and stopped with SIGTERM then SIGKILL.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis

from tests.processes import free_port
from tests.waiting import until

REDIS_SERVER = "/usr/bin/redis-server"

# Short enough that a failover test does not wait long, long enough that a loaded
# machine (2 cores shared by several suites) does not see false failures.
NODE_TIMEOUT_MS = 3000


def available() -> bool:
    return Path(REDIS_SERVER).is_file() and shutil.which("redis-cli") is not None


class Node:
    """One ``redis-server`` (or sentinel) process with its own directory and log."""

    def __init__(self, root: Path, lines: list[str], sentinel: bool = False) -> None:
        self.port = free_port()
        self.dir = root / str(self.port)
        self.dir.mkdir(parents=True)
        conf = self.dir / ("sentinel.conf" if sentinel else "redis.conf")
        conf.write_text("\n".join([
            f"port {self.port}", "bind 127.0.0.1", f"dir {self.dir}", "save \"\"",
            "appendonly no", f"logfile {self.dir / 'log'}", "protected-mode no", *lines,
        ]) + "\n")
        args = [REDIS_SERVER, str(conf)] + (["--sentinel"] if sentinel else [])
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until(self._answers, 15, f"redis-server on port {self.port}")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL: the node dies as a crashed machine would, without a word."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None


class Cluster:
    """3 primaries and 3 replicas, created with ``redis-cli --cluster create``."""

    def __init__(self, root: Path) -> None:
        self.nodes: list[Node] = []
        try:
            for _ in range(6):
                self.nodes.append(Node(root, [
                    # Its own bus port: the default (port + 10000) may be taken or too high.
                    "cluster-enabled yes", f"cluster-port {free_port()}",
                    f"cluster-config-file {root}/nodes-{len(self.nodes)}.conf",
                    f"cluster-node-timeout {NODE_TIMEOUT_MS}", "cluster-require-full-coverage yes",
                ]))
            subprocess.run(
                ["redis-cli", "--cluster", "create", *(n.address for n in self.nodes),
                 "--cluster-replicas", "1", "--cluster-yes"],
                check=True, capture_output=True, timeout=60)
            until(self._ok, 60, "cluster_state:ok on every node")
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"redis://{self.nodes[0].address}/0"

    def _ok(self) -> bool:
        for node in self.nodes:
            if node.process is None:
                continue
            with node.client() as client:
                if client.cluster("info").get("cluster_state") != "ok":
                    return False
                # Every node must also know every other one, or a MOVED can name a stranger.
                if len(client.cluster("nodes")) < sum(n.process is not None for n in self.nodes):
                    return False
        return True

    def primary_of(self, key: str) -> Node:
        with self.nodes[0].client() as client:
            slot = int(client.cluster("keyslot", key))
            for start, end, primary, *_ in client.cluster("slots"):
                if start <= slot <= end:
                    port = int(primary[1])
                    return next(n for n in self.nodes if n.port == port)
        raise AssertionError(f"no primary serves {key}")

    def replica_of(self, primary: Node) -> Node:
        for node in self.nodes:
            if node.process is None or node is primary:
                continue
            with node.client() as client:
                role = client.execute_command("ROLE")
            if role[0] == "slave" and int(role[2]) == primary.port:
                return node
        raise AssertionError(f"no replica of {primary.address}")

    def wait_ok(self, timeout: float = 60) -> None:
        until(self._ok, timeout, "cluster_state:ok after a failover")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


class Sentinels:
    """One primary, one replica, three sentinels watching them as service ``helpcall``."""

    SERVICE = "helpcall"

    def __init__(self, root: Path) -> None:
        self.servers: list[Node] = []
        self.sentinels: list[Node] = []
        try:
            primary = Node(root, [])
            self.servers.append(primary)
            self.servers.append(Node(root, [f"replicaof 127.0.0.1 {primary.port}"]))
            for _ in range(3):
                self.sentinels.append(Node(root, [
                    f"sentinel monitor {self.SERVICE} 127.0.0.1 {primary.port} 2",
                    f"sentinel down-after-milliseconds {self.SERVICE} {NODE_TIMEOUT_MS}",
                    f"sentinel failover-timeout {self.SERVICE} 10000",
                ], sentinel=True))
            until(self._watching, 60, "sentinels agree and the replica is in sync")
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        hosts = ",".join(s.address for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{self.SERVICE}"

    def _watching(self) -> bool:
        for sentinel in self.sentinels:
            with sentinel.client() as client:
                fields = client.sentinel_master(self.SERVICE)
                if int(fields.get("num-other-sentinels", 0)) < 2:
                    return False
                if int(fields.get("num-slaves", 0)) < 1:
                    return False
        with self.servers[0].client() as client:
            return int(client.info("replication").get("connected_slaves", 0)) >= 1

    def primary_port(self) -> int:
        with self.sentinels[0].client() as client:
            return int(client.sentinel_get_master_addr_by_name(self.SERVICE)[1])

    def stop(self) -> None:
        for node in (*self.sentinels, *self.servers):
            with contextlib.suppress(Exception):
                node.stop()



Topology = TypeVar("Topology", "Cluster", "Sentinels")


def started(make: Callable[[Path], Topology], directory: Path) -> Iterator[Topology]:
    """For a fixture: ``yield from started(Cluster, path)``; skipped without redis-server."""
    if not available():
        pytest.skip("Debian's redis-server and redis-cli are needed (scripts/bootstrap test)")
    topology = make(directory)
    yield topology
    topology.stop()
