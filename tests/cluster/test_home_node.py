"""On a Cluster, what is asked of "the" Redis is asked of the primary holding helpcall's keys."""

from __future__ import annotations

import pytest

from common.keyspace import HOME
from common.redisclient import detect_topology, info_of_home, redis_client
from tests.topologies import Cluster

pytestmark = pytest.mark.cluster


async def test_memory_and_readiness_are_read_where_the_keys_live(
    redis_cluster: Cluster,
) -> None:
    assert await detect_topology(redis_cluster.url) == "cluster"
    redis = redis_client(redis_cluster.url)
    try:
        server = await info_of_home(redis, "server")
        assert int(server["tcp_port"]) == redis_cluster.primary_of(HOME).port
        assert "used_memory" in await info_of_home(redis, "memory")
    finally:
        await redis.aclose()
