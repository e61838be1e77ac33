"""Favourites: a client keeps experts and sees whether they are online."""

from __future__ import annotations

import pytest

from tests.conftest import Running
from tests.marketplace.conftest import put_profile
from tests.signaling.conftest import Connect, online_expert

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_a_client_keeps_favourites_with_their_live_status(
    running: Running, connect: Connect
) -> None:
    client = await running.user("client")
    online, socket = await online_expert(running, connect)
    offline = await running.user("expert")
    await put_profile(running, offline)

    for expert in (offline, online, online):
        answer = await running.client.put(f"/api/v1/favourites/{expert.id}",
                                          headers=client.headers)
        assert answer.status == 204
    listed = await (await running.client.get("/api/v1/favourites", headers=client.headers)).json()
    assert [(e["id"], e["status"]) for e in listed["experts"]] == [
        (online.id, "online"), (offline.id, "offline")]
    assert listed["experts"][0]["headline"] and "rating" in listed["experts"][0]

    await socket.ok("presence", {"status": "offline"})
    listed = await (await running.client.get("/api/v1/favourites", headers=client.headers)).json()
    assert listed["experts"][0]["status"] == "offline"

    for _ in range(2):  # removing is idempotent
        gone = await running.client.delete(f"/api/v1/favourites/{online.id}",
                                           headers=client.headers)
        assert gone.status == 204
    listed = await (await running.client.get("/api/v1/favourites", headers=client.headers)).json()
    assert [e["id"] for e in listed["experts"]] == [offline.id]

    other = await running.user("client")
    mine = await (await running.client.get("/api/v1/favourites", headers=other.headers)).json()
    assert mine == {"experts": []}


async def test_favourites_are_for_clients_and_known_experts(running: Running) -> None:
    client = await running.user("client")
    expert = await running.user("expert")
    assert (await running.client.put(f"/api/v1/favourites/{expert.id}",
                                     headers=client.headers)).status == 404  # no profile yet
    await put_profile(running, expert)
    for path in ("/api/v1/favourites/e_0123456789abcdef", "/api/v1/favourites/junk"):
        assert (await running.client.put(path, headers=client.headers)).status == 404
    assert (await running.client.put(f"/api/v1/favourites/{expert.id}",
                                     headers=expert.headers)).status == 403
    assert (await running.client.get("/api/v1/favourites", headers=expert.headers)).status == 403
    assert (await running.client.delete(f"/api/v1/favourites/{expert.id}",
                                        headers=expert.headers)).status == 403
    assert (await running.client.get("/api/v1/favourites")).status == 401
