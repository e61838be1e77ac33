"""Brand analytics against a known set of real calls, and the pure summary across days."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from brands.analytics import CallFacts, summarise
from sessions.keys import session_key
from tests.brands.conftest import admin, brand_admin, member_expert, new_brand, top_up_brand
from tests.brands.test_calls import billing_events
from tests.conftest import StartApp, User
from tests.signaling.conftest import Connect
from tests.signaling.peers import SocketPeer
from tests.signaling.test_category_calls import incoming_for

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}


async def live_and_hang_up(client: SocketPeer, expert: SocketPeer, session_id: str) -> None:
    await expert.ok("call:accept", {"session_id": session_id})
    for socket in (client, expert):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client.state("live")
    await client.ok("call:hangup", {"session_id": session_id})
    await client.state("ended")


async def test_figures_of_a_known_set_of_calls(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    platform = await admin(running)
    await new_brand(running, platform, "acme", sponsored=True)
    owner = await brand_admin(running, platform, "acme")
    await top_up_brand(running, platform, "acme", 50_000)
    members = [await member_expert(running, connect, owner, "acme", PER_MINUTE_600)
               for _ in range(2)]
    sockets = [socket for _, socket in members]
    clients: list[tuple[User, SocketPeer]] = []
    for _ in range(3):
        user = await running.user("client")
        clients.append((user, await connect(running, user)))

    # Call 1: the first expert rung declines, the other answers.
    first = (await clients[0][1].ok("call:start", {"brand": "acme"}))["session_id"]
    decliner = await incoming_for(sockets, first)
    await decliner.ok("call:decline", {"session_id": first})
    answerer = next(s for s in sockets if s is not decliner)
    await answerer.wait_for("call:incoming", lambda d: d["session_id"] == first)
    await live_and_hang_up(clients[0][1], answerer, first)
    # Call 2: only the decliner is online, and answers.
    await answerer.ok("presence", {"status": "offline"})
    second = (await clients[1][1].ok("call:start", {"brand": "acme"}))["session_id"]
    await decliner.wait_for("call:incoming", lambda d: d["session_id"] == second)
    await live_and_hang_up(clients[1][1], decliner, second)
    # Call 3: nobody online, given up without a ring.
    await decliner.ok("presence", {"status": "offline"})
    await clients[2][1].ok("call:start", {"brand": "acme"})
    await clients[2][1].state("ended")

    for (client, _), session_id, rating in ((clients[0], first, 4), (clients[1], second, 5)):
        review = await running.client.post(f"/api/v1/sessions/{session_id}/review",
                                           json={"rating": rating}, headers=client.headers)
        assert review.status == 201, await review.text()

    events = await billing_events(redis)
    assert sorted(e["session_id"] for e in events) == sorted([first, second])
    assert all(e["paid_by"] in ("brand", "none") for e in events)
    waits = []
    for session_id in (first, second):
        created, accepted = await redis.hmget(session_key(session_id), "created_at",
                                              "accepted_at")
        waits.append(int(str(accepted)) - int(str(created)))

    answer = await running.client.get("/api/v1/brands/acme/analytics", headers=owner.headers)
    assert answer.status == 200, await answer.text()
    figures = await answer.json()
    total = figures["total"]
    assert total == {
        "calls": 3, "rung": 3, "answered": 2, "answer_rate": 0.667,
        "live_minutes": round(sum(int(e["live_ms"]) for e in events) / 60_000, 2),
        "avg_rating": 4.5, "ratings": 2,
        "avg_wait_seconds": round(sum(waits) / 2 / 1000, 1),
        "spend_cents": sum(int(e["amount_cents"]) for e in events),
        "client_paid_cents": 0,
    }
    [day] = figures["by_day"]
    assert day["calls"] == 3 and day["answered"] == 2
    experts = {row["expert_id"]: row for row in figures["by_expert"]}
    ids = {socket: user.id for user, socket in members}
    assert experts[ids[decliner]]["rung"] == 2 and experts[ids[decliner]]["answered"] == 1
    assert experts[ids[decliner]]["answer_rate"] == 0.5
    assert experts[ids[decliner]]["avg_rating"] == 5
    assert experts[ids[answerer]]["rung"] == 1 and experts[ids[answerer]]["answer_rate"] == 1.0
    assert experts[ids[answerer]]["avg_rating"] == 4

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    later = await (await running.client.get(
        f"/api/v1/brands/acme/analytics?from={tomorrow}&to={tomorrow}",
        headers=owner.headers)).json()
    assert later["total"]["calls"] == 0 and later["by_day"] == []
    bad = await running.client.get("/api/v1/brands/acme/analytics?from=yesterday",
                                   headers=owner.headers)
    assert bad.status == 400

    download = await running.client.get("/api/v1/brands/acme/analytics.csv",
                                        headers=owner.headers)
    assert download.status == 200 and download.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await download.text())))
    assert rows[0]["scope"] == "total" and rows[0]["calls"] == "3"
    assert rows[0]["answer_rate"] == "0.667" and rows[0]["avg_rating"] == "4.5"
    assert {r["key"] for r in rows if r["scope"] == "expert"} == set(ids.values())

    page = await running.client.get("/b/acme/dashboard", headers=owner.headers)
    assert page.status == 200
    html = await page.text()
    assert '<td data-figure="calls">3</td>' in html
    assert html.count("<svg") == 2 and 'data-value="3"' in html


def facts(day: int, hour: int, answered: bool, rung: set[str], expert: str = "",
          live_ms: int = 0, amount: int = 0, paid_by: str = "none",
          rating: int | None = None) -> CallFacts:
    created = int(datetime(2026, 11, day, hour, tzinfo=UTC).timestamp() * 1000)
    return CallFacts(f"s_{day}{hour}", created, expert, frozenset(rung), answered, live_ms,
                     30_000 if answered else None, paid_by, amount, rating)


def test_summary_per_day_and_per_expert() -> None:
    summary = summarise([
        facts(20, 9, True, {"a", "b"}, "b", 90_000, 150, "brand", 3),
        facts(20, 23, False, {"a"}),
        facts(21, 0, True, {"a"}, "a", 30_000, 50, "client", 5),
        facts(21, 1, False, set()),
    ])
    assert summary["total"] == {
        "calls": 4, "rung": 4, "answered": 2, "answer_rate": 0.5, "live_minutes": 2.0,
        "avg_rating": 4.0, "ratings": 2, "avg_wait_seconds": 30.0, "spend_cents": 150,
        "client_paid_cents": 50,
    }
    assert [(d["day"], d["calls"], d["rung"], d["answered"]) for d in summary["by_day"]] == [
        ("2026-11-20", 2, 3, 1), ("2026-11-21", 2, 1, 1)]
    by_expert = {row["expert_id"]: row for row in summary["by_expert"]}
    assert (by_expert["a"]["rung"], by_expert["a"]["answered"]) == (3, 1)
    assert by_expert["a"]["answer_rate"] == 0.333 and by_expert["a"]["live_minutes"] == 0.5
    assert (by_expert["b"]["rung"], by_expert["b"]["answer_rate"]) == (1, 1.0)
    assert by_expert["b"]["spend_cents"] == 150
