"""Finding 12, protocol §7.8: a review needs a session live past the guarantee."""

from __future__ import annotations

import pytest

from tests.conftest import StartApp
from tests.marketplace.conftest import live_then_ended
from tests.signaling.conftest import Connect, funded_client, online_expert

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_a_call_live_for_milliseconds_cannot_be_reviewed(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="15")
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    session_id = await live_then_ended(client_socket, expert_socket, expert)
    answer = await running.client.post(f"/api/v1/sessions/{session_id}/review",
                                       json={"rating": 1, "text": "bad"}, headers=client.headers)
    assert answer.status == 409
    assert (await answer.json())["error"]["code"] == "conflict"
    card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    assert card["reviews"] == 0


async def test_without_a_guarantee_any_live_call_can_be_reviewed(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    session_id = await live_then_ended(client_socket, expert_socket, expert)
    answer = await running.client.post(f"/api/v1/sessions/{session_id}/review",
                                       json={"rating": 5, "text": "ok"}, headers=client.headers)
    assert answer.status == 201
