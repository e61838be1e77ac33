"""A Cluster primary dies mid-call: its replica takes over, the call ends correctly, billed once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from common.redisclient import redis_client
from sessions.keys import busy_key, session_key
from tests.cluster.conftest import app_on
from tests.conftest import Running, User, billing_entries
from tests.sessions.test_metering import PER_MINUTE_600, accepted_call, go_live
from tests.signaling.conftest import Connect, connect, funded_client, online_expert
from tests.signaling.peers import SocketPeer
from tests.topologies import Cluster, started
from tests.waiting import eventually

__all__ = ["connect"]  # the Socket.IO client fixture

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
    calls = cluster.primary_of(session_key(session_id))  # its bucket's: session, stream
    with calls.client() as primary:
        assert primary.wait(1, 5000) == 1  # the live call has reached the replica
    # Read the billing streams with a client that knows every node before one dies (the
    # node it is given may be the one killed).
    redis = redis_client(cluster.url)
    await redis.ping()

    calls.kill()
    cluster.wait_ok()

    async def hung_up() -> bool:
        answer = await client_socket.call("call:hangup", {"session_id": session_id})
        return bool(answer["ok"]) or answer["error"]["code"] == "conflict"

    await eventually(hung_up, within=60, what="a hang-up once the replica is primary")
    ended = await client_socket.state("ended")
    assert ended["reason"] == "hangup"
    try:
        events = [fields for _, fields in await billing_entries(redis)
                  if fields["session_id"] == session_id]
        assert len(events) == 1
        charged = int(events[0]["amount_cents"])
        wallet = await (await running.client.get("/api/v1/wallet", headers=client.headers)).json()
        assert (wallet["balance_cents"], wallet["held_cents"]) == (10_000 - charged, 0)
    finally:
        await redis.aclose()


async def call_served_apart(running: Running, connect: Connect, cluster: Cluster,
                            ) -> tuple[User, SocketPeer, SocketPeer, str]:
    """A call rung to an expert whose busy flag another primary serves than the call's."""
    for _ in range(20):  # a third of the pairs land on one primary
        _, client_socket = await funded_client(running, connect)
        expert, expert_socket = await online_expert(running, connect, PER_MINUTE_600)
        started = await client_socket.ok("call:start", {"expert_id": expert.id})
        session_id = str(started["session_id"])
        if (cluster.primary_of(busy_key(expert.id)).port
                != cluster.primary_of(session_key(session_id)).port):
            return expert, expert_socket, client_socket, session_id
        await client_socket.ok("call:cancel", {"session_id": session_id})
    raise AssertionError("every call landed on its expert's primary")


async def test_the_experts_primary_dying_mid_call_neither_breaks_the_call_nor_keeps_them_busy(
    cluster: Cluster, on_cluster: Running, connect: Connect
) -> None:
    running = on_cluster
    expert, expert_socket, client_socket, session_id = await call_served_apart(
        running, connect, cluster)
    await expert_socket.ok("call:accept", {"session_id": session_id})
    await go_live(client_socket, expert_socket, session_id)
    flags = cluster.primary_of(busy_key(expert.id))
    with flags.client() as primary:
        assert primary.wait(1, 5000) == 1  # the flag has reached the replica
    # Read the billing stream with a client that knows every node before one dies (the
    # node it is given may be the one killed).
    redis = redis_client(cluster.url)
    await redis.ping()

    flags.kill()
    # The call lives in its bucket's slot: the hang-up ends it at once, billed once,
    # whatever the expert's primary is doing; their flag is given back now or by a reaper later.
    await client_socket.ok("call:hangup", {"session_id": session_id})
    assert (await client_socket.state("ended"))["reason"] == "hangup"
    cluster.wait_ok()

    async def expert_free() -> bool:
        card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
        return bool(card["status"] == "online")

    await eventually(expert_free, within=60, what="the expert shown online again")
    _, other_socket = await funded_client(running, connect)
    assert (await other_socket.ok("call:start", {"expert_id": expert.id}))["state"] == "ringing"
    try:
        events = [fields for _, fields in await billing_entries(redis)
                  if fields["session_id"] == session_id]
        assert len(events) == 1
    finally:
        await redis.aclose()
