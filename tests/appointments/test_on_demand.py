"""An expert is not rung on demand when a call would run into one of their appointments."""

from __future__ import annotations

import pytest

from tests.appointments.conftest import (
    booked,
    expert_with_hours,
    funded_client,
    hours_around,
    soon,
)
from tests.conftest import Running
from tests.signaling.conftest import Connect, connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

__all__ = ["connect"]


async def test_an_appointment_soon_refuses_on_demand_rings(
    running: Running, connect: Connect
) -> None:
    start = soon(600)  # in ten minutes: a call now would run into it
    expert = await expert_with_hours(running, **hours_around(start, 15))
    await booked(running, await funded_client(running), expert, start)
    expert_socket = await connect(running, expert)
    await expert_socket.ok("presence", {"status": "online"})
    walk_in = await funded_client(running)
    socket = await connect(running, walk_in)
    assert await socket.error("call:start", {"expert_id": expert.id, "topic": "now?"}) == "unavailable"
    # The category router waits instead of ringing them: the call stays queued.
    queued = await socket.ok("call:start", {"category": "cooking", "topic": "now?"})
    assert queued["state"] == "queued"
    assert (await socket.wait_for("queue"))["position"] == 0
    assert "call:incoming" not in expert_socket.events


async def test_an_appointment_far_away_does_not(running: Running, connect: Connect) -> None:
    start = soon(3 * 3600)
    expert = await expert_with_hours(running, **hours_around(start, 15))
    await booked(running, await funded_client(running), expert, start)
    expert_socket = await connect(running, expert)
    await expert_socket.ok("presence", {"status": "online"})
    socket = await connect(running, await funded_client(running))
    assert (await socket.ok("call:start", {"expert_id": expert.id, "topic": "now"}))["state"] == "ringing"
