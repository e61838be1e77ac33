"""Reports and suspensions through the API: the moderation queue, a suspension that drops a
live socket, refuses the login and hides the expert, its lifting, and the decisions log."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from accounts.store import SUSPENDED, account_key
from tests.conftest import Running
from tests.marketplace.conftest import admin
from tests.trust.conftest import Connect, called, get_json, pair, post_json
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # the cards' reads and steps, on a Cluster too

LOGIN = {"password": "correct horse"}


async def test_reports_reach_the_queue_and_are_closed_once(
    running: Running, connect: Connect
) -> None:
    people = await pair(running, connect)
    session_id = await called(running, people)
    report = {"account_id": people.expert.id, "reason": "fraud",
              "text": "Asked me to pay by bank transfer instead.", "session_id": session_id}
    made = await post_json(running, "/api/v1/reports", people.client, report, 201)
    assert (made["state"], made["session_id"], made["reporter_id"]) == (
        "open", session_id, people.client.id)
    # The expert reports the client from no call at all (as from a profile).
    await post_json(running, "/api/v1/reports", people.expert, {
        "account_id": people.client.id, "reason": "harassment", "text": "Rude messages"}, 201)

    stranger = await running.user("client")
    await post_json(running, "/api/v1/reports", stranger, report, 400)  # not their call
    await post_json(running, "/api/v1/reports", people.client,
                    {**report, "account_id": people.client.id}, 400)
    await post_json(running, "/api/v1/reports", people.client,
                    {**report, "reason": "ugly"}, 400)
    await post_json(running, "/api/v1/reports", people.client,
                    {**report, "account_id": "a_0123456789abcdef0123", "session_id": None}, 404)

    boss = await admin(running)
    await get_json(running, "/api/v1/admin/reports", people.client, 403)
    queue = (await get_json(running, "/api/v1/admin/reports", boss))["reports"]
    assert [r["reason"] for r in queue] == ["harassment", "fraud"]
    closed = await post_json(running, f"/api/v1/admin/reports/{made['id']}/close", boss,
                             {"note": "Warned the expert."}, 200)
    assert (closed["state"], closed["closed_by"]) == ("closed", boss.id)
    await post_json(running, f"/api/v1/admin/reports/{made['id']}/close", boss, {}, 409)
    assert len((await get_json(running, "/api/v1/admin/reports", boss))["reports"]) == 1
    done = await get_json(running, "/api/v1/admin/reports?state=closed", boss)
    assert [r["id"] for r in done["reports"]] == [made["id"]]
    [entry] = (await get_json(running, "/api/v1/admin/moderation-log", boss))["entries"]
    assert (entry["action"], entry["subject_id"], entry["reason"], entry["admin_id"]) == (
        "report_closed", made["id"], "Warned the expert.", boss.id)


async def test_a_suspension_drops_the_socket_refuses_login_hides_the_expert_until_lifted(
    running: Running, connect: Connect
) -> None:
    people = await pair(running, connect)
    expert, socket = people.expert, people.expert_socket
    listed = await get_json(running, "/api/v1/experts?category=cooking", people.client)
    assert [e["id"] for e in listed["experts"]] == [expert.id]
    boss = await admin(running)
    path = f"/api/v1/admin/accounts/{expert.id}/suspension"
    await post_json(running, path, people.client, {"reason": "x"}, 403)
    await post_json(running, path, boss, {"reason": ""}, 400)

    suspended = await post_json(running, path, boss, {"reason": "Fraud, three reports"}, 200)
    assert suspended["suspended"] is True and suspended["reason"] == "Fraud, three reports"
    await post_json(running, path, boss, {"reason": "again"}, 409)

    async def dropped() -> bool:
        return not socket.sio.connected

    await eventually(dropped, what="the suspended expert's socket closed")
    await get_json(running, "/api/v1/me", expert, 401)  # the old token is revoked
    login = await running.client.post("/api/v1/tokens", json={**LOGIN, "email": expert.email})
    assert login.status == 403
    assert (await login.json())["error"]["reason"] == "account_suspended"
    wrong = await running.client.post("/api/v1/tokens",
                                      json={"email": expert.email, "password": "wrong horse"})
    assert wrong.status == 401  # the suspension is told only to who knows the password
    assert (await get_json(running, "/api/v1/experts?category=cooking",
                           people.client))["experts"] == []
    await get_json(running, f"/api/v1/experts/{expert.id}", people.client, 404)
    assert await people.client_socket.error(
        "call:start", {"expert_id": expert.id, "topic": "x"}) == "unavailable"
    await post_json(running, f"/api/v1/admin/accounts/{boss.id}/suspension", boss,
                    {"reason": "no"}, 409)

    lifted = await post_json(running, path + "/lift", boss, {"reason": "Appeal accepted"}, 200)
    assert lifted == {"account_id": expert.id, "suspended": False, "since": None,
                      "reason": None}
    await post_json(running, path + "/lift", boss, {"reason": "again"}, 409)
    login = await running.client.post("/api/v1/tokens", json={**LOGIN, "email": expert.email})
    assert login.status == 200
    listed = await get_json(running, "/api/v1/experts?category=cooking", people.client)
    assert [e["id"] for e in listed["experts"]] == [expert.id]
    entries = (await get_json(running, "/api/v1/admin/moderation-log", boss))["entries"]
    assert [(e["action"], e["reason"]) for e in entries] == [
        ("restored", "Appeal accepted"), ("suspended", "Fraud, three reports")]


async def test_a_suspension_stopped_before_its_index_still_hides_the_expert(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    """The account hash decides, not the admins' index written after it: an expert whose
    suspension's process stopped between the two is neither listed nor rung."""
    people = await pair(running, connect)
    await redis.hset(account_key(people.expert.id), "suspended_at", "1")  # the first step only
    assert not await redis.sismember(SUSPENDED, people.expert.id)
    listed = await get_json(running, "/api/v1/experts?category=cooking", people.client)
    assert listed["experts"] == []
    await get_json(running, f"/api/v1/experts/{people.expert.id}", people.client, 404)
