"""Reminders and no-shows, fired by every process's loop but acted on exactly once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import redis.asyncio as aioredis

from appointments.keys import EVERY_DEADLINES
from appointments.soon import UpcomingBookings
from common.redisvalues import text_map
from server.api.appointments import APPOINTMENTS
from server.keys import REDIS
from sessions.reconcile import reconcile
from tests.appointments.conftest import (
    HOLDERS,
    Wiring,
    booked,
    expert_with_hours,
    funded_client,
    hours_around,
    set_hours,
    soon,
    wallet,
)
from tests.conftest import Running, StartApp, User, billing_entries, on_this_redis
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def no_deadline_left(redis: aioredis.Redis) -> None:
    """Every deadline fired, and the intent of the hold settled went at the next tick."""
    async def none() -> bool:
        return all([await redis.zcard(zset) == 0 for zset in EVERY_DEADLINES])
    await eventually(none, within=5, what="no booking deadline left")


async def billing_events(redis: aioredis.Redis) -> list[dict[str, str]]:
    return [text_map(fields or {}) for _, fields in await billing_entries(redis) or []]


async def stored(running: Running, user: User, kind: str) -> list[dict[str, Any]]:
    answer = await running.client.get("/api/v1/notifications", headers=user.headers)
    return [n for n in (await answer.json())["notifications"] if n["kind"] == kind]


async def booking_state(running: Running, user: User, booking_id: str) -> dict[str, Any]:
    answer = await running.client.get(f"/api/v1/bookings/{booking_id}", headers=user.headers)
    body: dict[str, Any] = await answer.json()
    return body


async def test_reminders_fire_once_with_two_processes(start_app: StartApp, wiring: Wiring,
                                                      redis: aioredis.Redis) -> None:
    first, second = await start_app(), await start_app()
    expert = await expert_with_hours(first)
    client = await funded_client(first)
    start = soon(3)  # reminders 2 s and 1 s before, no-show check 0.6 s after
    await set_hours(first, expert, **hours_around(start, 15))
    booking = await booked(first, client, expert, start)

    def reminded(account: str) -> list[dict[str, Any]]:
        return wiring.sent_to(account, "booking.reminder")

    await wiring.wait_for(lambda: len(reminded(client.id)) == 2 and len(reminded(expert.id)) == 2)
    # The no-show check comes after both reminders: once it is delivered, all have fired.
    await wiring.wait_for(lambda: len(wiring.sent_to(client.id, "booking.no_show")) == 1)
    for user in (client, expert):
        live = reminded(user.id)
        assert sorted(n["seconds_before"] for n in live) == [1, 2]
        assert len({n["id"] for n in live}) == 2
        assert {n["booking_id"] for n in live} == {booking["id"]}
        assert len(await stored(second, user, "booking.reminder")) == 2
    assert sum(1 for r in wiring.recorders for a, n in r.sent
               if n["kind"] == "booking.no_show") == 2  # one to each side, from one process
    assert len(wiring.recorders) == 2
    await no_deadline_left(redis)


async def test_a_reminder_already_past_at_booking_is_not_sent(start_app: StartApp,
                                                              wiring: Wiring) -> None:
    wiring.settings = replace(wiring.settings, reminder_offsets_seconds=(60.0, 1.0))
    running = await start_app()
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(2)  # the 60 s reminder is already past; the 1 s one is still ahead
    await set_hours(running, expert, **hours_around(start, 15))
    await booked(running, client, expert, start)
    await wiring.wait_for(lambda: len(wiring.sent_to(client.id, "booking.no_show")) == 1)
    [live] = wiring.sent_to(client.id, "booking.reminder")
    assert live["seconds_before"] == 1
    assert len(await stored(running, client, "booking.reminder")) == 1


async def test_the_client_no_show_pays_the_expert(running: Running, wiring: Wiring,
                                                  redis: aioredis.Redis) -> None:
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(2)
    await set_hours(running, expert, no_show_fee_percent=80, **hours_around(start, 15))
    booking = await booked(running, client, expert, start)  # 15 min at 120: 1800 held
    await running.app[APPOINTMENTS].mark_joined(booking["id"], expert.id)
    await wiring.wait_for(lambda: len(wiring.sent_to(expert.id, "booking.no_show")) == 1)
    body = await booking_state(running, client, booking["id"])
    assert (body["state"], body["no_show_by"], body["amount_cents"]) == ("no_show", "client",
                                                                         1440)
    assert await wallet(running, client) == {"balance_cents": 8560, "held_cents": 0,
                                             "available_cents": 8560, "currency": "EUR"}
    [event] = await billing_events(redis)
    assert event == event | {
        "type": "booking.no_show", "event_id": f"evt_{booking['id']}_no_show",
        "booking_id": booking["id"], "client_id": client.id, "expert_id": expert.id,
        "no_show_by": "client", "amount_cents": "1440", "platform_fee_cents": "288",
        "expert_payout_cents": "1152", "currency": "EUR", "held_cents": "1800"}
    reliability = await running.client.get(f"/api/v1/experts/{expert.id}/reliability")
    assert (await reliability.json())["no_shows"] == 0


async def test_the_expert_no_show_releases_the_hold_and_counts(running: Running, wiring: Wiring,
                                                               redis: aioredis.Redis) -> None:
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(2)
    await set_hours(running, expert, **hours_around(start, 15))
    booking = await booked(running, client, expert, start)
    await running.app[APPOINTMENTS].mark_joined(booking["id"], client.id)
    await wiring.wait_for(lambda: len(wiring.sent_to(client.id, "booking.no_show")) == 1)
    body = await booking_state(running, client, booking["id"])
    assert (body["state"], body["no_show_by"], body["amount_cents"]) == ("no_show", "expert", 0)
    assert body["joined"]["client"] is not None and body["joined"]["expert"] is None
    assert await wallet(running, client) == {"balance_cents": 10_000, "held_cents": 0,
                                             "available_cents": 10_000, "currency": "EUR"}
    [event] = await billing_events(redis)
    assert (event["type"], event["no_show_by"], event["amount_cents"],
            event["expert_payout_cents"]) == ("booking.no_show", "expert", "0", "0")
    reliability = await running.client.get(f"/api/v1/experts/{expert.id}/reliability")
    assert await reliability.json() == {"attended": 0, "no_shows": 1, "late_cancellations": 0}
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []


async def test_both_joined_is_attended_with_no_event(running: Running, wiring: Wiring,
                                                     redis: aioredis.Redis) -> None:
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(2)
    await set_hours(running, expert, **hours_around(start, 15))
    booking = await booked(running, client, expert, start)
    service = running.app[APPOINTMENTS]
    await service.mark_joined(booking["id"], client.id)
    attended = await service.mark_joined(booking["id"], expert.id)
    assert attended.state == "attended"
    again = await service.mark_joined(booking["id"], client.id)  # a reconnect
    assert again.state == "attended"
    assert (await wallet(running, client))["held_cents"] == 0
    await no_deadline_left(redis)
    assert not await UpcomingBookings(running.app[REDIS], 60_000)(expert.id)
    assert await billing_events(redis) == []
    reliability = await running.client.get(f"/api/v1/experts/{expert.id}/reliability")
    assert (await reliability.json())["attended"] == 1
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []
