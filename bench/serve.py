"""Runs ``python -m server`` for a benchmark, with two bench-only switches.

``--no-rate-limits`` lifts the per-socket token buckets of ``signaling/ratelimit.py``
(``signal`` 50/s, call events 10/s) so that a closed loop measures the server, not the
limiter (a real socket never needs more);
``--uvloop`` installs uvloop's event loop first. Nothing else differs from production.

``--broadcast-manager`` puts back python-socketio's ``AsyncRedisManager`` (every emit
published on one channel read by every process), the baseline of issue 14.
Two experiments try changes recommended in docs/performance.md without editing the server:
``--direct-rooms`` answers the relay's membership check with one lookup in the manager's
room table instead of ``rooms(sid)`` (a scan of every room); ``--blocking-pool`` gives the
server's Redis clients a pool that waits for a connection instead of failing past 100.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from typing import Any


def _direct_rooms() -> None:
    from signaling import namespace
    from signaling.errors import NotJoined
    from signaling.notifier import session_room

    def attached_role(self: Any, peer: Any, sid: str, session_id: str) -> str:
        role: str | None = peer.joined.get(session_id)
        rooms = self.server.manager.rooms.get(self.namespace, {})
        if role is None or sid not in rooms.get(session_room(session_id, role), ()):
            raise NotJoined()
        return role

    namespace.CallNamespace._attached_role = attached_role  # type: ignore[method-assign]


def _blocking_pool() -> None:
    import redis.asyncio as aioredis
    import socketio

    from common import redisclient

    def redis_client(url: str) -> aioredis.Redis:
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=5, decode_responses=True,
            socket_connect_timeout=2, socket_timeout=10)
        return aioredis.Redis.from_pool(pool)

    redisclient.redis_client = redis_client
    original = socketio.AsyncRedisManager.__init__

    def manager_init(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("redis_options", {"max_connections": 10_000})
        original(self, *args, **kwargs)

    socketio.AsyncRedisManager.__init__ = manager_init


def _broadcast_manager() -> None:
    """The client manager helpcall used before issue 14: python-socketio's
    ``AsyncRedisManager`` (one channel that every process reads and decodes), on the
    waiting connection pool it had, to compare with ``signaling/manager.py`` in one run."""
    import redis.asyncio as aioredis
    import socketio

    from server import app

    class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
        def _redis_connect(self) -> None:
            pool = aioredis.BlockingConnectionPool.from_url(
                self.redis_url, max_connections=32, timeout=10, **self.redis_options)
            self.redis = aioredis.Redis.from_pool(pool)
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            self.connected = True

    def client_manager(config: Any, proc: str) -> Any:
        if config.redis_url is None:
            return None
        return RedisManager(config.redis_url, channel="helpcall:socketio")

    app._client_manager = client_manager


def _gc_stats() -> None:
    import gc
    import threading
    import time

    spent = [0.0, 0.0, 0.0]
    counts = [0, 0, 0]
    started = [0.0]

    def timing(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            counts[info["generation"]] += 1

    def report() -> None:
        while True:
            time.sleep(5)
            print(f"gc: collections {counts}, seconds {[round(t, 3) for t in spent]}",
                  file=sys.stderr, flush=True)

    gc.callbacks.append(timing)
    threading.Thread(target=report, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--direct-rooms", action="store_true")
    parser.add_argument("--blocking-pool", action="store_true")
    parser.add_argument("--broadcast-manager", action="store_true",
                        help="python-socketio's AsyncRedisManager, as before issue 14")
    parser.add_argument("--gc-stats", action="store_true",
                        help="log the garbage collector's time every 5 s")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="import the app, then gc.freeze() before serving")
    args = parser.parse_args()
    # Patches first: server.app binds redis_client when it is imported.
    if args.blocking_pool:
        _blocking_pool()
    if args.direct_rooms:
        _direct_rooms()
    if args.broadcast_manager:
        _broadcast_manager()
    if args.gc_stats:
        _gc_stats()
    if args.gc_freeze:
        import gc

        import server.app  # noqa: F401 - everything imported is then frozen

        gc.collect()
        gc.freeze()
    if args.no_rate_limits:
        from signaling import ratelimit

        for name in ratelimit.LIMITS:
            ratelimit.LIMITS[name] = (1e12, 1e12)
    if args.uvloop:
        import uvloop

        uvloop.install()
    sys.argv = ["server"]
    runpy.run_module("server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
