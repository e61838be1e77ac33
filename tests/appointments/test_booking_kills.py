"""A real ``python -m server`` killed (SIGKILL) between the steps of a booking, and what a
surviving process makes of what it left (docs/cluster.md, "Bookings as steps").

The doomed process is armed with ``HELPCALL_KILL_AT`` (common/faults.py) and shares Redis
with the survivor, an app of this test process whose lease is 2 s. What is checked is what
the people see next, through the survivor: the slot free again or released, the money
given back, the reliability counted once, the notification shown once.
"""

from __future__ import annotations

import signal
from typing import Any

import aiohttp
import pytest

from appointments.keys import active_key, reliability_key
from common.timefmt import iso_ms
from server.keys import REDIS
from tests.appointments.conftest import (
    Wiring,
    an_hour_ahead,
    booked,
    owed_steps,
    wallet,
)
from tests.conftest import Doom, Running, User
from tests.processes import ServerProcess
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster


async def killed(doomed: ServerProcess, user: User, path: str,
                 body: dict[str, Any] | None = None) -> None:
    """``user`` asks ``doomed``, which dies on it without an answer."""
    async with aiohttp.ClientSession(doomed.url) as http:
        with pytest.raises(aiohttp.ClientError):
            await http.post(path, json=body, headers=user.headers)
    assert doomed.process.wait(30) == -signal.SIGKILL, doomed.output()


async def settled(survivor: Running, expert: User) -> None:
    """The calendar empty and no step owed any more."""
    redis = survivor.app[REDIS]

    async def done() -> bool:
        return not await owed_steps(redis) and await redis.zcard(active_key(expert.id)) == 0
    await eventually(done, within=15, what="the steps the dead process owed taken")


async def test_killed_holding_a_slot_and_money_before_booking_both_come_back(
        survivor: Running, doom: Doom) -> None:
    doomed = await doom("booking.held")
    expert, client, start = await an_hour_ahead(survivor)
    await killed(doomed, client, "/api/v1/bookings", {
        "expert_id": expert.id, "start": iso_ms(start), "length_minutes": 15, "topic": "t"})
    # Left between the steps: the slot reserved, the money held, no booking.
    assert await survivor.app[REDIS].zcard(active_key(expert.id)) == 1
    assert (await wallet(survivor, client))["held_cents"] > 0
    await settled(survivor, expert)
    assert (await wallet(survivor, client))["available_cents"] == 10_000
    mine = await survivor.client.get("/api/v1/bookings", headers=client.headers)
    assert (await mine.json())["bookings"] == []
    await booked(survivor, client, expert, start)  # the slot is anyone's again


async def test_killed_after_a_late_cancel_the_slot_goes_and_counts_once(
        survivor: Running, doom: Doom, wiring: Wiring) -> None:
    doomed = await doom("booking.script:cancel")
    expert, client, start = await an_hour_ahead(survivor)
    booking = await booked(survivor, client, expert, start)
    await killed(doomed, expert, f"/api/v1/bookings/{booking['id']}/cancel")
    await settled(survivor, expert)
    redis = survivor.app[REDIS]
    assert await redis.hget(reliability_key(expert.id), "late_cancellations") == "1"
    inbox = await survivor.client.get("/api/v1/notifications", headers=client.headers)
    kinds = [n["kind"] for n in (await inbox.json())["notifications"]]
    assert kinds.count("booking.cancelled") == 1
    # ... and the survivor told the client live, as the dead process would have.
    await wiring.wait_for(lambda: bool(wiring.sent_to(client.id, "booking.cancelled")))
    # The expert cancelled: the client pays nothing, and nothing stays held.
    assert (await wallet(survivor, client))["available_cents"] == 10_000
    state = await survivor.client.get(f"/api/v1/bookings/{booking['id']}",
                                      headers=client.headers)
    assert (await state.json())["state"] == "cancelled"
