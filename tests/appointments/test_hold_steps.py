"""The client's money a booking holds is taken and settled as steps of their own
(sessions/holds.py), as a call's is: stopped between any two of them, money is never held
without a booking for more than a lease, and a fee is never charged twice.

Each stop is left in Redis as a process killed there would leave it; the lease is 1 s.
"""

from __future__ import annotations

import pytest

from appointments.keys import EVERY_DEADLINES, booking_key, deadlines_key
from appointments.store import BookingStore
from common.keyspace import bucket_of, bucket_stream
from server.api.appointments import APPOINTMENTS
from server.keys import REDIS
from sessions.holds import Hold
from sessions.wallet import holds_key, ledger_key
from tests.appointments.conftest import (
    booked,
    expert_with_hours,
    funded_client,
    hours_around,
    set_hours,
    soon,
    wallet,
)
from tests.conftest import Running, StartApp, User
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS="1")


def store_of(running: Running) -> BookingStore:
    return running.app[APPOINTMENTS].store


async def nothing_held(running: Running, client: User) -> None:
    async def none() -> bool:
        redis = running.app[REDIS]
        intents = [m for zset in EVERY_DEADLINES for m in await redis.zrange(zset, 0, -1)
                   if m.startswith("pay|")]
        return (await wallet(running, client))["held_cents"] == 0 and not intents
    await eventually(none, within=5, what="the booking's money given back, no intent left")


async def test_stopped_after_holding_for_a_booking_the_money_is_given_back(
    running: Running,
) -> None:
    client = await funded_client(running, cents=3_000)
    # A process held a booking's price (steps 1 and 2), then stopped: no booking.
    assert await store_of(running).holds.take(Hold.new("bk_never", client.id), 3_000)
    assert (await wallet(running, client))["available_cents"] == 0
    await nothing_held(running, client)
    assert (await wallet(running, client))["available_cents"] == 3_000


async def test_a_booking_keeps_its_hold_under_its_own_name(running: Running) -> None:
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(3600)
    await set_hours(running, expert, **hours_around(start, 15))
    booking = await booked(running, client, expert, start)
    held = await running.app[REDIS].hgetall(holds_key(client.id))
    [(ref, cents)] = held.items()
    assert ref.startswith(booking["id"] + "|") and int(cents) > 0
    assert (await wallet(running, client))["held_cents"] == int(cents)


async def test_stopped_before_settling_a_late_cancel_its_fee_is_charged_once(
    running: Running,
) -> None:
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(3600)  # within the day's notice: a client's cancel costs half the hold
    await set_hours(running, expert, **hours_around(start, 15))
    booking = await booked(running, client, expert, start)
    store = store_of(running)
    # The cancel's script only, as BookingStore._run calls it, without the step after it.
    bid = booking["id"]
    reply = await store._scripts["cancel"](
        keys={"booking": booking_key(bid), "deadlines": deadlines_key(bid),
              "billing": bucket_stream(store.rules.billing_stream, bucket_of(bid))},
        args={"id": bid, "fee_percent": 20, "lease_ms": 1000, "account": client.id})
    assert reply[0] == "cancelled" and reply[4].startswith(f"pay|{booking['id']}|")
    fee = int(reply[4].rsplit("|", 1)[1])
    assert fee > 0 and (await wallet(running, client))["held_cents"] > 0
    await nothing_held(running, client)
    assert (await wallet(running, client))["balance_cents"] == 10_000 - fee
    # The step again (the stopped process back): nothing more is charged.
    hold, charge = Hold.of_intent(reply[4]) or (None, 0)
    assert hold is not None
    await store.holds.settle(hold, charge)
    assert (await wallet(running, client))["balance_cents"] == 10_000 - fee
    kinds = [f["kind"] for _, f in await running.app[REDIS].xrange(ledger_key(client.id))]
    assert kinds == ["topup", "hold", "release", "charge"]
    entries = await running.app[REDIS].xrange(ledger_key(client.id))
    assert {f["booking_id"] for _, f in entries[1:]} == {booking["id"]}
