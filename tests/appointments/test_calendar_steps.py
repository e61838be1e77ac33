"""What a booking changes outside its own slot, the expert's calendar and the accounts'
lists, is changed in steps of their own (appointments/steps.py): stopped between any two of
them, a slot is never kept without a booking for more than a lease, a booking never loses
its slot, a reliability counter counts once and a notification shows once.

Each stop is left in Redis as a process killed there would leave it; the lease is 1 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from appointments.errors import WrongBookingState
from appointments.feeds import account_token_key, token_key
from appointments.keys import (
    active_key,
    booking_key,
    deadlines_key,
    index_key,
    notifications_key,
    reliability_key,
)
from appointments.steps import Slot
from appointments.store import BookingStore, NewBooking
from common.keyspace import bucket_of, bucket_stream
from server.api.appointments import APPOINTMENTS
from server.keyfolds import copy_then_delete
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import REDIS
from sessions.keys import booking_session_key
from tests.appointments.conftest import (
    an_hour_ahead,
    book,
    booked,
    funded_client,
    owed_steps,
)
from tests.conftest import Running, StartApp, User
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

QUARTER = 15 * 60_000


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS="1")


def store_of(running: Running) -> BookingStore:
    return running.app[APPOINTMENTS].store


async def script_only(running: Running, name: str, booking_id: str, **args: Any) -> list[Any]:
    """A booking script as ``BookingStore._run`` calls it, without the steps after it."""
    store = store_of(running)
    reply: list[Any] = await store._scripts[name](
        keys={"booking": booking_key(booking_id), "deadlines": deadlines_key(booking_id),
              "billing": bucket_stream(store.rules.billing_stream, bucket_of(booking_id))},
        args={"id": booking_id, "fee_percent": 20, "lease_ms": 1000, **args})
    return reply


async def calendar(running: Running, expert: User) -> list[str]:
    return list(await running.app[REDIS].zrange(active_key(expert.id), 0, -1))


async def no_intent_left(running: Running) -> None:
    redis = running.app[REDIS]

    async def none() -> bool:
        return not await owed_steps(redis)
    await eventually(none, within=5, what="every step taken, no intent left")


async def test_stopped_after_reserving_a_slot_it_is_free_again_within_a_lease(
    running: Running,
) -> None:
    expert, client, start = await an_hour_ahead(running)
    # A process reserved the slot (the intent, then the calendar), then stopped.
    assert await store_of(running).steps.reserve(
        Slot.new("bk_never", expert.id, start, start + QUARTER))
    assert (await book(running, client, expert, start)).status == 409
    # Within a lease a loop releases it: the slot can be booked again.
    async def free() -> bool:
        return await calendar(running, expert) == []
    await eventually(free, within=5, what="the slot nobody booked released")
    booking = await booked(running, client, expert, start)
    [member] = await calendar(running, expert)
    assert member.startswith(booking["id"] + "|")
    await no_intent_left(running)


async def test_a_booking_step_late_past_its_lease_finds_the_slot_released_and_refuses(
    running: Running,
) -> None:
    expert, client, start = await an_hour_ahead(running)
    store = store_of(running)
    slot = Slot.new("bk_late", expert.id, start, start + QUARTER)
    assert await store.steps.reserve(slot)
    await store.steps.fire(slot.intent)  # what a loop does once the intent falls due
    assert await calendar(running, expert) == []
    with pytest.raises(WrongBookingState):
        await store._book("bk_late", _new(client, expert, start), slot, None)
    assert await running.app[REDIS].exists(booking_key("bk_late")) == 0
    # Nothing was lost: the slot is anyone's.
    await booked(running, client, expert, start)


async def feed_token(running: Running, user: User) -> str:
    made = await running.client.post("/api/v1/calendar/token", headers=user.headers)
    assert made.status == 201
    token: str = (await made.json())["token"]
    return token


def _new(client: User, expert: User, start: int) -> NewBooking:
    return NewBooking(
        client_id=client.id, expert_id=expert.id, topic="t", start_ms=start,
        length_minutes=15, pricing_mode="free", rate_cents=0, hold_cents=0,
        min_notice_ms=0, cancel_notice_ms=0, late_cancel_fee_percent=0,
        no_show_fee_percent=0, client_name="c", expert_name="e", time_zone="UTC")


async def test_stopped_after_a_late_cancel_the_slot_goes_and_counts_once(
    running: Running,
) -> None:
    expert, client, start = await an_hour_ahead(running)
    booking = await booked(running, client, expert, start)
    reply = await script_only(running, "cancel", booking["id"], account=expert.id)
    owed = [str(m) for m in reply[5]]
    assert reply[0] == "cancelled" and {m.split("|")[0] for m in owed} == {"release", "post"}
    assert len(await calendar(running, expert)) == 1  # the step after the script not taken

    async def released() -> bool:
        return await calendar(running, expert) == []
    await eventually(released, within=5, what="the cancelled booking's slot released")
    await no_intent_left(running)
    # The stopped process back: its steps again change nothing.
    await store_of(running).steps.take(owed)
    redis = running.app[REDIS]
    assert await redis.hget(reliability_key(expert.id), "late_cancellations") == "1"
    kinds = [n for n in await redis.lrange(notifications_key(client.id), 0, -1)
             if "booking.cancelled" in n]
    assert len(kinds) == 1


async def test_stopped_after_accepting_a_new_time_the_old_slot_goes(running: Running) -> None:
    expert, client, start = await an_hour_ahead(running)
    booking = await booked(running, client, expert, start)
    later = start + 2 * QUARTER
    store = store_of(running)
    await store.propose(booking["id"], expert.id, later, later + QUARTER)
    slot = Slot.new(booking["id"], expert.id, later, later + QUARTER)
    assert await store.steps.reserve(slot)
    reply = await script_only(running, "respond", booking["id"], account=client.id,
                              answer="accept", reservation=slot.intent, member=slot.member)
    assert reply[0] == "rescheduled"
    assert len(await calendar(running, expert)) == 2  # old and new, until the step

    async def only_new() -> bool:
        return await calendar(running, expert) == [slot.member]
    await eventually(only_new, within=5, what="the old slot released, the new one kept")
    await no_intent_left(running)
    assert await running.app[REDIS].zscore(index_key(client.id), booking["id"]) == later


async def test_a_booking_of_the_earlier_layout_is_kept_whole_by_the_upgrade(
    running: Running,
) -> None:
    # Layout 10 kept bookings and their calendars, lists and notifications in the home
    # slot, and a slot was named <id>|<end ms>: put one back there, then upgrade.
    expert, client, start = await an_hour_ahead(running)
    booking = await booked(running, client, expert, start)
    bid, redis = booking["id"], running.app[REDIS]
    await no_intent_left(running)
    home = "hc:{0}:"
    old = {booking_key(bid): f"{home}{{b:{bid}}}",
           active_key(expert.id): f"{home}bookings:active:{expert.id}",
           index_key(client.id): f"{home}bookings:of:{client.id}",
           index_key(expert.id): f"{home}bookings:of:{expert.id}",
           notifications_key(expert.id): f"{home}notifications:{expert.id}"}
    [member] = await calendar(running, expert)
    legacy = f"{bid}|{start + QUARTER}"
    await redis.hset(booking_key(bid), "active_member", legacy)
    await redis.zadd(active_key(expert.id), {legacy: start})
    await redis.zrem(active_key(expert.id), member)
    for new, earlier in old.items():
        if new != earlier:
            await copy_then_delete(redis, new, earlier)
    # A booking of bucket 0 (one in 16) has its hash and deadlines in the home slot still.
    home_deadlines = f"{home}bookings:deadlines"
    if deadlines_key(bid) != home_deadlines:
        for due, deadline in await redis.zrange(deadlines_key(bid), 0, -1, withscores=True):
            await redis.zadd(home_deadlines, {due: deadline})
        await redis.delete(deadlines_key(bid))
    await redis.set(f"{home}booking:{bid}:session", "s_met")  # as if its call had started
    made = await feed_token(running, expert)
    await copy_then_delete(redis, token_key(made), f"{home}calendar:token:{made}")
    await copy_then_delete(redis, account_token_key(expert.id),
                           f"{home}calendar:account:{expert.id}")
    await redis.set(DONE_KEY, "10")
    assert await migrate_key_layout(redis) >= 5
    assert await redis.get(booking_session_key(bid)) == "s_met"
    assert (await running.client.get(f"/calendar/{made}.ics")).status == 200
    assert await calendar(running, expert) == [legacy]
    assert f"noshow|{bid}" in await redis.zrange(deadlines_key(bid), 0, -1)
    if deadlines_key(bid) != home_deadlines:
        assert await redis.exists(home_deadlines) == 0
    mine = await running.client.get("/api/v1/bookings", headers=client.headers)
    assert [b["id"] for b in (await mine.json())["bookings"]] == [bid]
    # Still whole: the slot is taken, and cancelling it frees it.
    other = await funded_client(running)
    assert (await book(running, other, expert, start)).status == 409
    cancelled = await running.client.post(f"/api/v1/bookings/{bid}/cancel",
                                          headers=expert.headers)
    assert cancelled.status == 200, await cancelled.text()
    assert await calendar(running, expert) == []
    assert await redis.hget(reliability_key(expert.id), "late_cancellations") == "1"
