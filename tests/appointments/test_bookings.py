"""Booking through the real app on the real Redis: holds, races, cancellation, rescheduling."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from appointments.keys import active_key
from appointments.soon import UpcomingBookings
from common.redisvalues import text_map
from common.timefmt import iso_ms
from server.keys import REDIS
from sessions.reconcile import reconcile
from tests.appointments.conftest import (
    HOLDERS,
    Wiring,
    book,
    booked,
    expert_with_hours,
    funded_client,
    hours_around,
    soon,
    wallet,
)
from tests.conftest import Running, StartApp, User, billing_entries, on_this_redis

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

DAY = 86_400_000


async def billing_events(redis: aioredis.Redis) -> list[dict[str, str]]:
    return [text_map(fields or {}) for _, fields in await billing_entries(redis)]


async def ledger_kinds(running: Running, user: User) -> list[tuple[str, int]]:
    answer = await running.client.get("/api/v1/wallet/ledger", headers=user.headers)
    entries = (await answer.json())["entries"]
    return [(e["kind"], e["amount_cents"]) for e in reversed(entries)]


def tomorrow_hours() -> tuple[int, dict[str, Any]]:
    """Two free hours starting about a day from now: (their start, the availability)."""
    start = soon(DAY / 1000)
    return start, hours_around(start, 120)


async def slot_starts(running: Running, expert: User, length: int = 15,
                      tz: str = "UTC") -> list[str]:
    answer = await running.client.get(f"/api/v1/experts/{expert.id}/slots",
                                      params={"length": str(length), "tz": tz})
    assert answer.status == 200, await answer.text()
    return [s["start"] for s in (await answer.json())["slots"]]


@pytest.mark.parametrize("pricing, held", [
    ({"mode": "per_minute", "amount_cents": 120}, 3600),
    ({"mode": "per_session", "amount_cents": 2500}, 2500),
    ({"mode": "free"}, 0),
])
async def test_booking_holds_the_price_and_takes_the_slot(
        running: Running, wiring: Wiring, pricing: dict[str, Any], held: int) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, pricing, **hours)
    client = await funded_client(running)
    assert iso_ms(start) in await slot_starts(running, expert, 30)
    booking = await booked(running, client, expert, start, 30)
    assert booking["state"] == "booked"
    assert booking["held_cents"] == held
    assert booking["start"] == iso_ms(start)
    assert booking["join_path"] == f"/appointments/{booking['id']}"
    assert (await wallet(running, client))["held_cents"] == held
    assert await ledger_kinds(running, client) == [("topup", 10_000)] + (
        [("hold", held)] if held else [])
    taken = await slot_starts(running, expert, 30)
    assert iso_ms(start) not in taken and iso_ms(start + 30 * 60_000) in taken
    # The 15-minute slots inside the booked half hour are gone too.
    assert iso_ms(start + 15 * 60_000) not in await slot_starts(running, expert, 15)
    [note] = wiring.sent_to(expert.id, "booking.created")
    assert note["booking_id"] == booking["id"]
    for user in (client, expert):
        mine = await running.client.get("/api/v1/bookings", headers=user.headers)
        assert [b["id"] for b in (await mine.json())["bookings"]] == [booking["id"]]
    stranger = await running.user("client")
    answer = await running.client.get(f"/api/v1/bookings/{booking['id']}",
                                      headers=stranger.headers)
    assert answer.status == 403


async def test_slots_in_the_client_zone(running: Running) -> None:
    expert = await expert_with_hours(running, time_zone="Europe/Paris", horizon_days=365,
                                     weekly={"mon": [{"start": "09:00", "end": "10:00"}]})
    answer = await running.client.get(f"/api/v1/experts/{expert.id}/slots", params={
        "from": "2027-03-15T00:00:00Z", "to": "2027-04-06T00:00:00Z", "length": "60",
        "tz": "America/New_York"})
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["expert_time_zone"] == "Europe/Paris"
    # 2027: America moves on 14 March, Europe on 28 March.
    assert [(s["start"], s["local_start"]) for s in body["slots"]] == [
        ("2027-03-15T08:00:00.000Z", "2027-03-15T04:00:00-04:00"),
        ("2027-03-22T08:00:00.000Z", "2027-03-22T04:00:00-04:00"),
        ("2027-03-29T07:00:00.000Z", "2027-03-29T03:00:00-04:00"),
        ("2027-04-05T07:00:00.000Z", "2027-04-05T03:00:00-04:00"),
    ]
    bad = await running.client.get(f"/api/v1/experts/{expert.id}/slots",
                                   params={"tz": "Nowhere/Land"})
    assert bad.status == 400 and (await bad.json())["error"]["field"] == "tz"


async def test_two_concurrent_requests_never_share_a_slot(running: Running,
                                                          redis: aioredis.Redis) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, **hours)
    for n in range(4):
        at = start + n * 15 * 60_000
        clients = [await funded_client(running) for _ in range(2)]
        answers = await asyncio.gather(*(book(running, c, expert, at) for c in clients))
        assert sorted(a.status for a in answers) == [201, 409]
        loser = next(c for c, a in zip(clients, answers, strict=True) if a.status == 409)
        assert (await wallet(running, loser))["held_cents"] == 0
    assert len(await redis.zrange(active_key(expert.id), 0, -1)) == 4


async def test_two_processes_never_share_a_slot(start_app: StartApp) -> None:
    first, second = await start_app(), await start_app()
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(first, **hours)
    for n in range(4):
        at = start + n * 15 * 60_000
        one, two = await funded_client(first), await funded_client(second)
        answers = await asyncio.gather(book(first, one, expert, at), book(second, two, expert, at))
        assert sorted(a.status for a in answers) == [201, 409], [a.status for a in answers]
        body = await next(a for a in answers if a.status == 409).json()
        assert body["error"]["code"] == "conflict"


async def test_what_cannot_be_booked(running: Running) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, pricing={"mode": "per_session",
                                                       "amount_cents": 5000}, **hours)
    poor = await funded_client(running, cents=4999)
    answer = await book(running, poor, expert, start)
    assert answer.status == 402
    assert (await wallet(running, poor))["held_cents"] == 0
    client = await funded_client(running)
    off_grid = await book(running, client, expert, start + 60_000)
    assert off_grid.status == 400 and (await off_grid.json())["error"]["field"] == "start"
    not_offered = await book(running, client, expert, start, length=45)
    assert not_offered.status == 400
    outside = await book(running, client, expert, start + 3 * 3600_000)
    assert outside.status == 400
    other = await running.user("expert")
    assert (await book(running, client, other, start)).status == 404
    assert (await book(running, expert, expert, start)).status == 403


async def test_cancel_before_the_notice_is_free(running: Running, redis: aioredis.Redis,
                                                wiring: Wiring) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, cancel_notice_seconds=3600, **hours)
    client = await funded_client(running)
    booking = await booked(running, client, expert, start, 30)
    answer = await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                       headers=client.headers)
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["state"] == "cancelled" and body["cancelled_by"] == "client"
    assert body["amount_cents"] == 0
    assert await wallet(running, client) == {
        "balance_cents": 10_000, "held_cents": 0, "available_cents": 10_000, "currency": "EUR"}
    assert await billing_events(redis) == []
    assert [n["cancelled_by"] for n in wiring.sent_to(expert.id, "booking.cancelled")] == [
        "client"]
    assert iso_ms(start) in await slot_starts(running, expert, 30)
    again = await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                      headers=client.headers)
    assert again.status == 409
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []


async def test_late_cancel_by_the_client_pays_the_fee(running: Running,
                                                      redis: aioredis.Redis) -> None:
    start = soon(30)
    expert = await expert_with_hours(running, cancel_notice_seconds=3600,
                                     late_cancel_fee_percent=50, **hours_around(start, 30))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start, 30)  # 30 min at 120/min: 3600
    answer = await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                       headers=client.headers)
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["amount_cents"] == 1800
    assert await wallet(running, client) == {
        "balance_cents": 8200, "held_cents": 0, "available_cents": 8200, "currency": "EUR"}
    assert await ledger_kinds(running, client) == [
        ("topup", 10_000), ("hold", 3600), ("release", 3600), ("charge", -1800)]
    [event] = await billing_events(redis)
    assert event == event | {
        "type": "booking.cancelled", "event_id": f"evt_{booking['id']}_cancelled",
        "booking_id": booking["id"], "client_id": client.id, "expert_id": expert.id,
        "cancelled_by": "client", "amount_cents": "1800", "platform_fee_cents": "360",
        "expert_payout_cents": "1440", "currency": "EUR", "starts_at": iso_ms(start),
        "held_cents": "3600"}
    assert event["at"].endswith("Z") and len(event["at"]) == 24


async def test_late_cancel_by_the_expert_releases_everything_and_tells_the_client(
        running: Running, redis: aioredis.Redis, wiring: Wiring) -> None:
    start = soon(30)
    expert = await expert_with_hours(running, cancel_notice_seconds=3600, **hours_around(start, 30))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start, 30)
    answer = await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                       headers=expert.headers)
    assert answer.status == 200, await answer.text()
    assert (await wallet(running, client))["balance_cents"] == 10_000
    assert (await wallet(running, client))["held_cents"] == 0
    [event] = await billing_events(redis)
    assert (event["type"], event["cancelled_by"], event["amount_cents"]) == (
        "booking.cancelled", "expert", "0")
    [note] = wiring.sent_to(client.id, "booking.cancelled")
    assert note["cancelled_by"] == "expert" and note["booking_id"] == booking["id"]
    listed = await running.client.get("/api/v1/notifications", headers=client.headers)
    assert [n["kind"] for n in (await listed.json())["notifications"]] == ["booking.cancelled"]
    reliability = await running.client.get(f"/api/v1/experts/{expert.id}/reliability")
    assert (await reliability.json())["late_cancellations"] == 1
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []


async def test_reschedule_proposed_by_the_client_and_accepted_by_the_expert(
        running: Running, wiring: Wiring) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, **hours)
    client = await funded_client(running)
    booking = await booked(running, client, expert, start, 30)
    later = start + 60 * 60_000
    path = f"/api/v1/bookings/{booking['id']}/reschedule"
    off = await running.client.post(path, json={"start": iso_ms(later + 60_000)},
                                    headers=client.headers)
    assert off.status == 400
    proposed = await running.client.post(path, json={"start": iso_ms(later)},
                                         headers=client.headers)
    assert proposed.status == 200, await proposed.text()
    assert (await proposed.json())["reschedule"] == {
        "start": iso_ms(later), "end": iso_ms(later + 30 * 60_000), "proposed_by": "client"}
    [note] = wiring.sent_to(expert.id, "booking.reschedule_proposed")
    assert note["proposed_start"] == iso_ms(later)
    own = await running.client.post(path + "/accept", headers=client.headers)
    assert own.status == 403
    accepted = await running.client.post(path + "/accept", headers=expert.headers)
    assert accepted.status == 200, await accepted.text()
    body = await accepted.json()
    assert (body["start"], body["reschedule"], body["held_cents"]) == (iso_ms(later), None, 3600)
    free = await slot_starts(running, expert, 30)
    assert iso_ms(start) in free and iso_ms(later) not in free
    assert wiring.sent_to(client.id, "booking.rescheduled")
    ics = await running.client.get(f"/api/v1/bookings/{booking['id']}.ics",
                                   headers=client.headers)
    assert "SEQUENCE:1" in await ics.text()


async def test_reschedule_declined_or_overtaken(running: Running) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, **hours)
    client, rival = await funded_client(running), await funded_client(running)
    booking = await booked(running, client, expert, start)
    path = f"/api/v1/bookings/{booking['id']}/reschedule"
    later = start + 15 * 60_000
    assert (await running.client.post(path, json={"start": iso_ms(later)},
                                      headers=expert.headers)).status == 200
    declined = await running.client.post(path + "/decline", headers=client.headers)
    assert declined.status == 200 and (await declined.json())["reschedule"] is None
    assert (await running.client.post(path + "/accept", headers=client.headers)).status == 409
    # A proposal whose slot someone else books meanwhile can no longer be accepted.
    assert (await running.client.post(path, json={"start": iso_ms(later)},
                                      headers=expert.headers)).status == 200
    await booked(running, rival, expert, later)
    taken = await running.client.post(path + "/accept", headers=client.headers)
    assert taken.status == 409
    still = await running.client.get(f"/api/v1/bookings/{booking['id']}", headers=client.headers)
    assert (await still.json())["start"] == iso_ms(start)


async def test_an_appointment_blocks_on_demand_rings_that_would_run_into_it(
        running: Running) -> None:
    start = soon(20)
    expert = await expert_with_hours(running, **hours_around(start, 15))
    idle = await expert_with_hours(running, **hours_around(start, 15))
    client = await funded_client(running)
    await booked(running, client, expert, start)
    within_a_minute = UpcomingBookings(running.app[REDIS], 60_000)
    assert await within_a_minute(expert.id)
    assert not await UpcomingBookings(running.app[REDIS], 1_000)(expert.id)
    assert not await within_a_minute(idle.id)


async def test_reconcile_agrees_after_holds_and_releases(running: Running,
                                                         redis: aioredis.Redis) -> None:
    start, hours = tomorrow_hours()
    expert = await expert_with_hours(running, **hours)
    client = await funded_client(running)
    kept = await booked(running, client, expert, start)
    dropped = await booked(running, client, expert, start + 15 * 60_000)
    await running.client.post(f"/api/v1/bookings/{dropped['id']}/cancel", headers=client.headers)
    assert kept["state"] == "booked"
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []


async def test_reconcile_agrees_after_a_late_cancellation_fee(running: Running,
                                                              redis: aioredis.Redis) -> None:
    start = soon(30)
    expert = await expert_with_hours(running, **hours_around(start, 15))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start)
    await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=client.headers)
    assert await reconcile(redis, on_this_redis(redis), HOLDERS) == []
