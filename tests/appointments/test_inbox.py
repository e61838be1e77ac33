"""In-app notifications: counted unread until read, per account, never unread again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.appointments.conftest import booked, expert_with_hours, funded_client, hours_around, soon
from tests.conftest import Running, User

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def inbox(running: Running, user: User) -> dict[str, Any]:
    answer = await running.client.get("/api/v1/notifications", headers=user.headers)
    assert answer.status == 200
    body: dict[str, Any] = await answer.json()
    return body


async def mark_read(running: Running, user: User, **body: object) -> tuple[int, dict[str, Any]]:
    answer = await running.client.post("/api/v1/notifications/read", headers=user.headers,
                                       json=body)
    return answer.status, await answer.json()


async def test_notifications_stay_unread_until_read_up_to_what_was_shown(
    running: Running,
) -> None:
    start = soon(120)
    expert = await expert_with_hours(running, **hours_around(start, 300))
    client = await funded_client(running)
    first = await booked(running, client, expert, start, 30)
    listed = await inbox(running, expert)
    assert listed["unread"] == 1 and listed["notifications"][0]["read"] is False
    shown_at = listed["notifications"][0]["at"]

    # A second booking arrives after the expert's app showed the first.
    await booked(running, client, expert, start + 3_600_000, 30)
    status, answer = await mark_read(running, expert, until=shown_at)
    assert status == 200 and answer == {"unread": 1}
    listed = await inbox(running, expert)
    assert [n["read"] for n in listed["notifications"]] == [False, True]

    # A mark behind the current one changes nothing; without until, everything is read.
    assert (await mark_read(running, expert, until="2000-01-01T00:00:00.000Z"))[1] == {"unread": 1}
    assert (await mark_read(running, expert))[1] == {"unread": 0}
    assert (await inbox(running, expert))["unread"] == 0

    # Each account has its own: the client's cancellation notice is unread for the expert
    # only, and the client's own list is untouched by the expert reading theirs.
    await running.client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=client.headers)
    assert (await inbox(running, expert))["unread"] == 1
    assert (await inbox(running, client))["unread"] == 0


async def test_marking_read_refuses_bad_input_and_strangers(running: Running) -> None:
    user = await running.user("client")
    assert (await mark_read(running, user))[1] == {"unread": 0}  # nothing to read: fine
    status, body = await mark_read(running, user, until="yesterday")
    assert status == 400 and body["error"]["field"] == "until"
    answer = await running.client.post("/api/v1/notifications/read", json={})
    assert answer.status == 401
    empty = await running.client.post("/api/v1/notifications/read", headers=user.headers)
    assert empty.status == 200
