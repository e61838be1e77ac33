"""Appointment helpers: the app with the appointment routes and loop, experts with hours,
funded clients, and a notifier that records what each process delivered live."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web

from appointments.keys import EVERY_DEADLINES
from appointments.settings import AppointmentSettings
from appointments.store import BOOKINGS
from common.timefmt import iso_ms
from server.api import appointments as appointments_api
from sessions.holds import CALLS
from tests.conftest import Running, User

PROFILE = {
    "headline": "Home cook for 20 years",
    "bio": "Sauces, bread, knife skills.",
    "categories": ["cooking"],
    "languages": ["fr", "en"],
    "pricing": {"mode": "per_minute", "amount_cents": 120},
}

Note = tuple[str, dict[str, Any]]

# What holds money while bookings are in play, for reconcile (server/reconcile.py).
HOLDERS = (CALLS, BOOKINGS)


class Recorder:
    """One process's live deliveries; ``wait_for`` wakes on each new one (no polling)."""

    def __init__(self, wiring: Wiring) -> None:
        self._wiring = wiring
        self.sent: list[Note] = []

    async def notify(self, account_id: str, notification: dict[str, Any]) -> None:
        self.sent.append((account_id, notification))
        self._wiring.changed()


@dataclass
class Wiring:
    """What the fixture wires into every app of a test; change it before ``start_app``."""

    settings: AppointmentSettings = field(default_factory=lambda: AppointmentSettings(
        reminder_offsets_seconds=(2.0, 1.0), no_show_seconds=0.6, interval_seconds=0.05))
    recorders: list[Recorder] = field(default_factory=list)
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def changed(self) -> None:
        self._event.set()

    def all_sent(self) -> list[Note]:
        return [note for recorder in self.recorders for note in recorder.sent]

    def sent_to(self, account_id: str, kind: str) -> list[dict[str, Any]]:
        return [n for a, n in self.all_sent() if a == account_id and n["kind"] == kind]

    async def wait_for(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            self._event.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; delivered so far: {self.all_sent()}")
            try:
                await asyncio.wait_for(self._event.wait(), left)
            except TimeoutError:
                pass


@pytest.fixture
def wiring(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wiring]:
    wiring = Wiring()
    real_ctx = appointments_api.appointments_ctx

    def recorder(app: web.Application) -> Recorder:
        made_recorder = Recorder(wiring)
        wiring.recorders.append(made_recorder)
        return made_recorder

    def test_ctx(settings_of: Any, notifier_of: Any) -> Any:
        # The factory's context, with the test's short settings and a recording notifier.
        return real_ctx(lambda c: wiring.settings, recorder)

    monkeypatch.setattr(appointments_api, "appointments_ctx", test_ctx)
    yield wiring


@pytest.fixture(autouse=True)
def _wired(wiring: Wiring) -> Wiring:
    return wiring


async def expert_with_hours(running: Running, pricing: dict[str, Any] | None = None,
                            **availability: Any) -> User:
    expert = await running.user("expert")
    answer = await running.client.put(
        "/api/v1/experts/me", json={**PROFILE, "pricing": pricing or PROFILE["pricing"]},
        headers=expert.headers)
    assert answer.status == 200, await answer.text()
    await set_hours(running, expert, **availability)
    return expert


async def set_hours(running: Running, expert: User, **availability: Any) -> None:
    body = {"time_zone": "UTC", "weekly": {}, "lengths": [15, 30, 60], "min_notice_seconds": 0,
            "horizon_days": 30} | availability
    answer = await running.client.put("/api/v1/experts/me/availability", json=body,
                                      headers=expert.headers)
    assert answer.status == 200, await answer.text()


async def funded_client(running: Running, cents: int = 10_000) -> User:
    client = await running.user("client")
    answer = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": cents},
                                       headers=client.headers)
    assert answer.status == 201, await answer.text()
    return client


def hours_around(start_ms: int, minutes: int) -> dict[str, Any]:
    """Extra hours covering [start, start + minutes) exactly, in a fixed-offset zone where
    that stretch falls within one local day: ``{time_zone, extra_hours}``."""
    end_ms = start_ms + minutes * 60_000
    for hours in sorted(range(-12, 15), key=abs):
        tz = timezone(timedelta(hours=hours))
        start = datetime.fromtimestamp(start_ms / 1000, tz=UTC).astimezone(tz)
        end = datetime.fromtimestamp(end_ms / 1000, tz=UTC).astimezone(tz)
        if start.date() == end.date() or end.time().isoformat() == "00:00:00":
            name = "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
            stop = "24:00" if start.date() != end.date() else end.strftime("%H:%M:%S")
            return {"time_zone": name, "extra_hours": [
                {"date": start.date().isoformat(), "start": start.strftime("%H:%M:%S"),
                 "end": stop}]}
    raise AssertionError("no zone fits")


def soon(seconds: float) -> int:
    """A whole second, ``seconds`` from now, in epoch ms."""
    return (int(time.time() + seconds) + 1) * 1000


async def book(running: Running, client: User, expert: User, start_ms: int,
               length: int = 15, topic: str = "Béchamel, roux; sauces") -> Any:
    return await running.client.post("/api/v1/bookings", headers=client.headers, json={
        "expert_id": expert.id, "start": iso_ms(start_ms), "length_minutes": length,
        "topic": topic})


async def booked(running: Running, client: User, expert: User, start_ms: int,
                 length: int = 15, topic: str = "Béchamel, roux; sauces") -> dict[str, Any]:
    answer = await book(running, client, expert, start_ms, length, topic)
    assert answer.status == 201, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def wallet(running: Running, user: User) -> dict[str, Any]:
    answer = await running.client.get("/api/v1/wallet", headers=user.headers)
    body: dict[str, Any] = await answer.json()
    return body


async def an_hour_ahead(running: Running) -> tuple[User, User, int]:
    """An expert open for a quarter hour starting in an hour, a funded client, and that
    start: within the day's notice, so an expert's cancel is a late one."""
    expert = await expert_with_hours(running)
    client = await funded_client(running)
    start = soon(3600)
    await set_hours(running, expert, **hours_around(start, 15))
    return expert, client, start


async def owed_steps(redis: aioredis.Redis) -> list[str]:
    """The intents of the steps bookings still owe, in every bucket (appointments/steps.py,
    and the holds' ``pay``)."""
    return [m for zset in EVERY_DEADLINES for m in await redis.zrange(zset, 0, -1)
            if m.startswith(("reserve|", "release|", "post|", "pay|"))]
