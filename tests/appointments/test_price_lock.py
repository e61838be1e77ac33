"""The price the client agreed to (protocol §7.2) on bookings: a changed price books
nothing and holds nothing; the same price books; a change racing the booking is caught by
the store, which reads the price again just before the hold."""

from __future__ import annotations

from typing import Any

import pytest

from appointments.service import hold_cents
from appointments.store import NewBooking
from common.timefmt import iso_ms
from server.api.appointments import APPOINTMENTS
from sessions.errors import PriceChanged
from sessions.pricing import Pricing, PricingMode
from tests.appointments.conftest import expert_with_hours, funded_client, wallet
from tests.appointments.test_bookings import tomorrow_hours
from tests.conftest import Running, User
from tests.sessions.test_price_lock import set_price

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

SHOWN = {"mode": "per_session", "amount_cents": 2500}
RAISED = {"mode": "per_session", "amount_cents": 9000}


async def book_at(running: Running, client: User, expert: User, start: int,
                  expected: dict[str, Any]) -> Any:
    return await running.client.post("/api/v1/bookings", headers=client.headers, json={
        "expert_id": expert.id, "start": iso_ms(start), "length_minutes": 30, "topic": "bread",
        "expected_pricing": expected})


async def expert_tomorrow(running: Running) -> tuple[User, int]:
    start, hours = tomorrow_hours()
    return await expert_with_hours(running, SHOWN, **hours), start


async def test_a_changed_price_books_nothing(running: Running) -> None:
    expert, start = await expert_tomorrow(running)
    client = await funded_client(running)
    await set_price(running, expert, RAISED)
    answer = await book_at(running, client, expert, start, SHOWN)
    assert answer.status == 409
    error = (await answer.json())["error"]
    assert error["code"] == "price_changed" and error["pricing"] == RAISED
    assert (await wallet(running, client))["held_cents"] == 0
    mine = await running.client.get("/api/v1/bookings", headers=client.headers)
    assert (await mine.json())["bookings"] == []
    # Confirmed at the new price, it books, and holds that price.
    answer = await book_at(running, client, expert, start, RAISED)
    assert answer.status == 201, await answer.text()
    assert (await answer.json())["held_cents"] == 9000


async def test_the_price_shown_books_at_that_price(running: Running) -> None:
    expert, start = await expert_tomorrow(running)
    client = await funded_client(running)
    answer = await book_at(running, client, expert, start, SHOWN)
    assert answer.status == 201, await answer.text()
    assert (await wallet(running, client))["held_cents"] == 2500


async def test_a_change_racing_the_booking_is_caught_before_the_hold(
        running: Running) -> None:
    expert, start = await expert_tomorrow(running)
    client = await funded_client(running)
    await set_price(running, expert, RAISED)
    shown = Pricing(PricingMode.PER_SESSION, 2500)  # what the service had read
    new = NewBooking(
        client_id=client.id, expert_id=expert.id, topic="bread", start_ms=start,
        length_minutes=30, pricing_mode=shown.mode.value, rate_cents=shown.amount_cents,
        hold_cents=hold_cents(shown, 30), min_notice_ms=0, cancel_notice_ms=0,
        late_cancel_fee_percent=0, no_show_fee_percent=0, client_name="C", expert_name="E",
        time_zone="UTC")
    store = running.app[APPOINTMENTS].store
    with pytest.raises(PriceChanged) as raised:
        await store.book("bk_raced", new)
    assert raised.value.current == Pricing(PricingMode.PER_SESSION, 9000)
    assert await store.get("bk_raced") is None
    assert (await wallet(running, client))["held_cents"] == 0
