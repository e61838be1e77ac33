"""The one way every process builds its Redis client: a single Redis, a Cluster, or Sentinel.

``REDIS_URL`` may name a single Redis, any node of a Redis/Valkey Cluster (found out at
start with ``INFO cluster``), or ``redis+sentinel://host:port[,host:port]/<service>`` for a
Sentinel-managed primary. Every store is handed the client this module builds and uses the
same commands whatever it is (docs/cluster.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff

from common.clusterclient import QueueingCluster
from common.keyspace import HOME, SHARDED_STREAM

# Connections one process may open; beyond that, commands wait for a free one.
MAX_CONNECTIONS = 64
SENTINEL_SCHEME = "redis+sentinel"

Topology = Literal["single", "cluster", "sentinel"]

# What each URL turned out to be, found once per process (a second client for the same URL,
# the delivery manager's, must not ask again).
_topologies: dict[str, Topology] = {}


@dataclass(frozen=True)
class SentinelTarget:
    """``redis+sentinel://[:password@]host:port[,host:port]/<service>[/<db>]``."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    password: str | None = None
    db: int = 0

    @classmethod
    def parse(cls, url: str) -> SentinelTarget:
        parts = urlsplit(url)
        if parts.scheme != SENTINEL_SCHEME:
            raise ValueError(f"expected {SENTINEL_SCHEME}://")
        auth, _, hosts = parts.netloc.rpartition("@")
        password = unquote(auth.partition(":")[2]) if auth else None
        sentinels = tuple(_host_port(h) for h in hosts.split(",") if h)
        path = [p for p in parts.path.split("/") if p]
        if not sentinels or not path or len(path) > 2:
            raise ValueError(
                "expected redis+sentinel://host:port[,host:port]/<service>[/<db>]")
        db = int(path[1]) if len(path) == 2 else 0
        return cls(sentinels, unquote(path[0]), password or None, db)


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port")
    return host.strip("[]"), int(port)


def check_url(url: str) -> str:
    """The URL if its form is one helpcall can use, else ``ValueError`` saying what is."""
    scheme = urlsplit(url).scheme
    if scheme == SENTINEL_SCHEME:
        SentinelTarget.parse(url)
    elif scheme not in ("redis", "rediss", "unix"):
        raise ValueError(
            "expected a redis://, rediss://, unix:// or redis+sentinel:// URL")
    return url


def _ask_sync(url: str) -> Topology:
    with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) as probe:
        return _topology_of(probe.info("cluster"))


def _topology_of(info: dict[str, object]) -> Topology:
    return "cluster" if str(info.get("cluster_enabled", 0)) == "1" else "single"


async def detect_topology(url: str) -> Topology:
    """Single, cluster or sentinel; asked once per URL and process, then remembered."""
    if url not in _topologies:
        if urlsplit(url).scheme == SENTINEL_SCHEME:
            _topologies[url] = "sentinel"
        else:
            probe = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
            try:
                _topologies[url] = _topology_of(await probe.info("cluster"))
            finally:
                await probe.aclose()
    return _topologies[url]


def topology(url: str) -> Topology:
    """The remembered topology; asked synchronously (once) by a caller that did not await it."""
    if url not in _topologies:
        if urlsplit(url).scheme == SENTINEL_SCHEME:
            _topologies[url] = "sentinel"
        else:
            _topologies[url] = _ask_sync(url)
    return _topologies[url]


def redis_client(url: str) -> aioredis.Redis:
    kind = topology(url)
    if kind == "cluster":
        # RedisCluster offers every command the stores use (scripts are routed by their first
        # key, pipelines split by slot); typed as Redis so that no store needs to know.
        # Commands past MAX_CONNECTIONS wait, as on a single Redis (common/clusterclient.py).
        cluster = QueueingCluster.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=10,
            permits=MAX_CONNECTIONS)
        return cast(aioredis.Redis, cluster)
    if kind == "sentinel":
        return sentinel_primary(SentinelTarget.parse(url))
    # A blocking pool: redis-py's default pool raises MaxConnectionsError on the first
    # command past its size, which under a burst (hundreds of sockets connecting at once)
    # failed requests instead of queueing them. str replies everywhere; fail fast when
    # Redis is away instead of hanging a request.
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=10,
        decode_responses=True, socket_connect_timeout=2, socket_timeout=10,
    )
    return aioredis.Redis.from_pool(pool)


@asynccontextmanager
async def stream_reads(redis: aioredis.Redis, url: str | None) -> AsyncIterator[aioredis.Redis]:
    """The client a process's blocking stream reads go through (``common.streams.read_new``).
    A blocked read holds one of its client's ``MAX_CONNECTIONS`` for its whole wait. One
    Redis has one billing stream, so ``redis`` itself; a Cluster has one per bucket, and
    each reader blocks on all of them at once: there, a client of their own, so that they
    never keep a connection from the requests."""
    if url is None or not is_cluster(redis):
        yield redis
        return
    reads = redis_client(url)
    try:
        yield reads
    finally:
        await reads.aclose()


def sentinel_primary(target: SentinelTarget) -> aioredis.Redis:
    """A client of the service's current primary: after a failover it asks the sentinels again."""
    sentinels = Sentinel(  # type: ignore[no-untyped-call]
        list(target.sentinels), socket_connect_timeout=2, socket_timeout=5)
    client: aioredis.Redis = sentinels.master_for(
        target.service, decode_responses=True, socket_connect_timeout=2,
        socket_timeout=10, password=target.password, db=target.db)
    return client


def is_cluster(client: object) -> bool:
    return isinstance(client, RedisCluster)



def stream_on(name: str, kind: Topology) -> str:
    """The billing stream of bucket 0, which names them all: on a Cluster ``<name>:{0}``,
    each bucket's events in ``<name>:{<n>}``, in the slot of the script that appends them
    (protocol §7.1; ``common.keyspace.every_stream``); on a single Redis ``name``, the one."""
    return f"{name}{SHARDED_STREAM}" if kind == "cluster" else name


@dataclass
class Listener:
    """One connection of a subscription and the channels it reads (``sharded``: with
    SSUBSCRIBE, on the primary serving the channels' slot)."""

    client: aioredis.Redis
    channels: list[str]
    sharded: bool


async def listeners(url: str, channels: list[str]) -> list[Listener]:
    """The connections that read ``channels``: one on a single Redis or Sentinel's primary; on
    a Cluster, one per primary serving some of them, for sharded pub/sub (Redis 7): a message
    then crosses only its own shard, not the whole cluster bus."""
    # No silent reconnection: what was published during a gap is lost, the caller must know.
    options: dict[str, Any] = {"decode_responses": True, "socket_connect_timeout": 2,
                               "retry": Retry(NoBackoff(), 0)}
    if not url.startswith("unix:"):
        options["socket_keepalive"] = True  # notices a silently cut subscription
    kind = await detect_topology(url)
    if kind == "sentinel":
        target = SentinelTarget.parse(url)
        sentinels = Sentinel(  # type: ignore[no-untyped-call]
            list(target.sentinels), socket_connect_timeout=2, socket_timeout=5)
        primary = sentinels.master_for(target.service, password=target.password,
                                       db=target.db, **options)
        return [Listener(primary, channels, sharded=False)]
    if kind == "single":
        return [Listener(aioredis.Redis.from_url(url, **options), channels, sharded=False)]
    cluster = RedisCluster.from_url(url, socket_connect_timeout=2)
    try:
        await cluster.initialize()
        by_node: dict[tuple[str, int], list[str]] = {}
        for channel in channels:
            node = cluster.get_node_from_key(channel)
            if node is None:
                raise aioredis.ConnectionError(f"no primary serves the slot of {channel}")
            by_node.setdefault((str(node.host), int(node.port)), []).append(channel)
    finally:
        await cluster.aclose()
    return [Listener(aioredis.Redis(host=host, port=port, **options), found, sharded=True)
            for (host, port), found in by_node.items()]


async def info_of_home(redis: aioredis.Redis, section: str) -> dict[str, Any]:
    """``INFO <section>`` of the server holding helpcall's keys: on a Cluster, the primary of
    the home slot (a plain ``INFO`` there would answer for any node)."""
    if isinstance(redis, RedisCluster):
        await redis.initialize()  # once: the slot map, before the first command if need be
        node = redis.get_node_from_key(HOME)
        info: dict[str, Any] = await redis.info(section, target_nodes=node)
        return info
    return await redis.info(section)
