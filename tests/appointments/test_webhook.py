"""Booking events reach the billing webhook like session events."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from billing.webhooks import verify
from server.worker import running_worker
from tests.appointments.conftest import booked, expert_with_hours, funded_client, hours_around, soon
from tests.billing.test_worker import SECRET, Receiver, next_of, receiver, worker_config
from tests.conftest import Running

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

__all__ = ["receiver"]  # the webhook endpoint fixture, shared with the worker tests


async def test_a_late_cancellation_is_delivered_signed(running: Running, redis: aioredis.Redis,
                                                       redis_url: str, receiver: Receiver) -> None:
    start = soon(30)
    expert = await expert_with_hours(running, pricing={"mode": "per_session", "amount_cents": 999},
                                     **hours_around(start, 15))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start)
    await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=client.headers)
    async with running_worker(redis, worker_config(redis_url, receiver.url), "w-test"):
        delivered = await next_of(receiver.delivered)
    assert verify(delivered.body, SECRET, delivered.headers["X-Helpcall-Signature"])
    assert delivered.headers["X-Helpcall-Event-Id"] == f"evt_{booking['id']}_cancelled"
    assert delivered.event == delivered.event | {
        "type": "booking.cancelled", "booking_id": booking["id"], "cancelled_by": "client",
        "held_cents": 999, "amount_cents": 500, "platform_fee_cents": 100,
        "expert_payout_cents": 400, "currency": "EUR"}
