"""A dropped socket pauses the call; call:join within the grace resumes it, else dropped."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from tests.conftest import StartApp
from tests.sessions.test_metering import accepted_call, billing_events, go_live
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_a_dropped_socket_rejoins_and_the_call_goes_live_again(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app()
    client, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)
    sent = await expert_socket.ok("chat", {"session_id": session_id, "text": "Still there?"})

    await client_socket.close()  # the network drops
    assert (await expert_socket.state("paused"))["session_id"] == session_id

    again = await connect(running, client)
    joined = await again.ok("call:join", {"session_id": session_id})
    assert joined["state"] == "paused" and joined["polite"] is False
    assert joined["ice_servers"] == [] and joined["role"] == "client"
    assert joined["peer"]["id"] == expert_socket.user.id  # type: ignore[union-attr]
    assert [m["message_id"] for m in joined["chat"]] == [sent["message_id"]]
    assert joined["chat"][0]["text"] == "Still there?"
    await again.ok("media", {"session_id": session_id, "state": "connected"})
    await expert_socket.state("live", nth=2)
    assert (await again.state("live"))["polite"] is False
    await again.ok("call:hangup", {"session_id": session_id})
    [event] = await billing_events(redis)
    assert event["end_reason"] == "hangup"


async def test_a_socket_that_never_comes_back_ends_as_dropped(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_RECONNECT_GRACE_SECONDS="0.5")
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)
    await client_socket.close()
    await expert_socket.state("paused")
    ended = await expert_socket.state("ended")
    assert ended["reason"] == "dropped"
    [event] = await billing_events(redis)
    assert event["end_reason"] == "dropped"
    summary = await expert_socket.wait_for("call:summary")
    assert summary["end_reason"] == "dropped"


async def test_media_disconnected_pauses_at_once(start_app: StartApp, connect: Connect) -> None:
    running = await start_app()
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)
    await client_socket.ok("media", {"session_id": session_id, "state": "disconnected"})
    assert (await expert_socket.state("paused"))["session_id"] == session_id
    await client_socket.ok("media", {"session_id": session_id, "state": "connected"})
    await expert_socket.state("live", nth=2)
