"""A Cluster primary dies mid-call: its replica takes over, the call ends correctly, billed once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from common.redisclient import redis_client
from tests.cluster.conftest import app_on
from tests.conftest import Running, on_this_redis
from tests.sessions.test_metering import PER_MINUTE_600, accepted_call, go_live
from tests.signaling.conftest import Connect, connect
from tests.topologies import Cluster, started
from tests.waiting import eventually

__all__ = ["connect"]  # the Socket.IO client fixture

HOME = "hc:{0}:layout"  # any key of the home slot names the primary serving helpcall's keys


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of its own: this test kills one of its primaries."""
    yield from started(Cluster, tmp_path / "cluster")


@pytest.fixture
async def on_cluster(cluster: Cluster, tmp_path: Path) -> AsyncIterator[Running]:
    async with app_on(cluster.url, tmp_path, HELPCALL_GUARANTEE_SECONDS="0") as running:
        yield running


async def test_a_call_survives_its_primary_and_is_billed_once(
    cluster: Cluster, on_cluster: Running, connect: Connect
) -> None:
    running = on_cluster
    client, client_socket, _, expert_socket, session_id = await accepted_call(
        running, connect, PER_MINUTE_600)
    await go_live(client_socket, expert_socket, session_id)
    home = cluster.primary_of(HOME)
    with home.client() as primary:
        assert primary.wait(1, 5000) == 1  # the live call has reached the replica

    home.kill()
    cluster.wait_ok()

    async def hung_up() -> bool:
        answer = await client_socket.call("call:hangup", {"session_id": session_id})
        return bool(answer["ok"]) or answer["error"]["code"] == "conflict"

    await eventually(hung_up, within=60, what="a hang-up once the replica is primary")
    ended = await client_socket.state("ended")
    assert ended["reason"] == "hangup"

    redis = redis_client(cluster.url)
    try:
        events = [fields for _, fields in await redis.xrange(on_this_redis(redis))
                  if fields["session_id"] == session_id]
        assert len(events) == 1
        charged = int(events[0]["amount_cents"])
        wallet = await (await running.client.get("/api/v1/wallet", headers=client.headers)).json()
        assert (wallet["balance_cents"], wallet["held_cents"]) == (10_000 - charged, 0)
    finally:
        await redis.aclose()
