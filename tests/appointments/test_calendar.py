"""Calendars over HTTP: a booking's invite and the private, revocable feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from appointments.feeds import account_token_key, token_key
from server.keys import REDIS
from tests.appointments.conftest import booked, expert_with_hours, funded_client
from tests.appointments.ical import instant, parse, unescape
from tests.conftest import Running, User

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


async def paris_booking(running: Running) -> tuple[dict[str, Any], str, User, User]:
    expert = await expert_with_hours(running, time_zone="Europe/Paris", horizon_days=365,
                                     weekly={"sun": [{"start": "01:00", "end": "04:00"}]})
    client = await funded_client(running)
    answer = await running.client.get(f"/api/v1/experts/{expert.id}/slots", params={
        "from": "2027-03-28T00:00:00Z", "to": "2027-03-29T00:00:00Z", "length": "60"})
    slots = (await answer.json())["slots"]
    # 2027-03-28 is the spring change in Paris: 01:00 CET, then 03:00 CEST.
    assert [s["start"] for s in slots] == ["2027-03-28T00:00:00.000Z",
                                           "2027-03-28T01:00:00.000Z"]
    booking = await booked(running, client, expert, ms(slots[1]["start"]), 60,
                           topic="Pâte feuilletée, beurre; tourage\\pliage " + "é" * 40)
    return booking, slots[1]["start"], client, expert


async def test_the_invite_parses_back(running: Running) -> None:
    booking, start, client, _ = await paris_booking(running)
    answer = await running.client.get(f"/api/v1/bookings/{booking['id']}.ics",
                                      headers=client.headers)
    assert answer.status == 200, await answer.text()
    assert answer.content_type == "text/calendar"
    cal = parse(await answer.text())
    [event] = cal.all("VEVENT")
    assert event.get("UID").value == f"{booking['id']}@helpcall"
    assert event.get("DTSTART").params == {"TZID": "Europe/Paris"}
    assert event.get("DTSTART").value == "20270328T030000"
    assert instant(cal, event.get("DTSTART")).timestamp() * 1000 == ms(start)
    assert instant(cal, event.get("DTEND")).timestamp() * 1000 == ms(start) + 3_600_000
    summary = unescape(event.get("SUMMARY").value)
    assert summary.startswith("helpcall: Pâte feuilletée, beurre; tourage\\pliage ")
    description = unescape(event.get("DESCRIPTION").value)
    assert f"{running.url}/appointments/{booking['id']}" in description
    assert event.get("URL").value == f"{running.url}/appointments/{booking['id']}"
    stranger = await running.user("client")
    refused = await running.client.get(f"/api/v1/bookings/{booking['id']}.ics",
                                       headers=stranger.headers)
    assert refused.status == 403
    anonymous = await running.client.get(f"/api/v1/bookings/{booking['id']}.ics")
    assert anonymous.status == 401


async def test_the_feed_is_private_and_revocable(running: Running) -> None:
    booking, _, client, expert = await paris_booking(running)
    for user in (client, expert):
        made = await running.client.post("/api/v1/calendar/token",
                                         headers=user.headers)
        assert made.status == 201, await made.text()
        body = await made.json()
        assert body["url"] == f"{running.url}/calendar/{body['token']}.ics"
        feed = await running.client.get(f"/calendar/{body['token']}.ics")
        assert feed.status == 200, await feed.text()
        [event] = parse(await feed.text()).all("VEVENT")
        assert event.get("UID").value == f"{booking['id']}@helpcall"
        again = await running.client.post("/api/v1/calendar/token",
                                          headers=user.headers)
        fresh = (await again.json())["token"]
        assert fresh != body["token"]
        assert (await running.client.get(f"/calendar/{body['token']}.ics")).status == 404
        assert (await running.client.get(f"/calendar/{fresh}.ics")).status == 200
    assert (await running.client.get("/calendar/not-a-real-token-at-all.ics")).status == 404


async def test_a_feed_token_replaced_half_way_is_already_revoked(running: Running) -> None:
    # appointments/feeds.py: a process stopped after pointing the account at its new token,
    # before writing that token's key, leaves the old token's key behind: it is refused.
    _, _, client, _ = await paris_booking(running)
    made = await running.client.post("/api/v1/calendar/token", headers=client.headers)
    old = (await made.json())["token"]
    await running.app[REDIS].set(account_token_key(client.id), "never-written")
    assert await running.app[REDIS].exists(token_key(old)) == 1
    assert (await running.client.get(f"/calendar/{old}.ics")).status == 404
    # Replacing it again gives a working feed.
    again = await running.client.post("/api/v1/calendar/token", headers=client.headers)
    fresh = (await again.json())["token"]
    assert (await running.client.get(f"/calendar/{fresh}.ics")).status == 200
