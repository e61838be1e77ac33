"""A client nobody could take leaves a callback; the next expert online sees and takes it."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Running
from tests.signaling.conftest import PROFILE, Connect, funded_client

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_the_next_expert_online_sees_and_takes_a_callback_request(
    running: Running, connect: Connect
) -> None:
    client, client_socket = await funded_client(running, connect)
    await client_socket.ok("call:start", {"category": "cooking", "topic": "Bread"})
    assert (await client_socket.state("ended"))["reason"] == "declined"
    left = await running.client.post("/api/v1/callbacks", json={"category": "cooking",
                                     "topic": "Bread"}, headers=client.headers)
    assert left.status == 201
    again = await running.client.post("/api/v1/callbacks", json={"category": "cooking"},
                                      headers=client.headers)
    assert again.status == 409

    experts = []
    for _ in range(2):
        expert = await running.user("expert")
        await running.client.put("/api/v1/experts/me", json=PROFILE, headers=expert.headers)
        experts.append(expert)
    socket = await connect(running, experts[0])
    online = await socket.ok("presence", {"status": "online"})
    [request] = online["callbacks"]
    assert request["client_id"] == client.id and request["topic"] == "Bread"

    takes = await asyncio.gather(*(
        running.client.post(f"/api/v1/callbacks/{request['id']}/take", headers=e.headers)
        for e in experts
    ))
    assert sorted(t.status for t in takes) == [200, 409]
    winner = experts[[t.status for t in takes].index(200)]
    told = await client_socket.wait_for("callback")
    assert told["expert"]["id"] == winner.id and told["topic"] == "Bread"
    listed = await running.client.get("/api/v1/callbacks", headers=experts[0].headers)
    assert (await listed.json())["callbacks"] == []


async def test_callback_requests_are_for_clients_and_categories_that_exist(
    running: Running,
) -> None:
    expert = await running.user("expert")
    client = await running.user("client")
    answer = await running.client.post("/api/v1/callbacks", json={"category": "cooking"},
                                       headers=expert.headers)
    assert answer.status == 403
    answer = await running.client.post("/api/v1/callbacks", json={"category": "astrology"},
                                       headers=client.headers)
    assert answer.status == 400 and (await answer.json())["error"]["field"] == "category"
    answer = await running.client.post("/api/v1/callbacks/cb_0123456789abcdef/take",
                                       headers=expert.headers)
    assert answer.status == 404
