"""Verification gating: health is open to an expert only once an admin approves it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from server.keys import EXPERTS, REDIS
from tests.conftest import Running
from tests.marketplace.conftest import admin, put_profile

pytestmark = pytest.mark.cluster  # the cards' reads and steps, on a Cluster too

HEALTH = {"categories": ["health", "fitness-nutrition"]}


async def _ask(running: Running, headers: dict[str, str], **body: object) -> tuple[int, Any]:
    answer = await running.client.post("/api/v1/experts/me/verifications",
                                       json={"category": "health", "evidence": "MD, licence 42",
                                             **body}, headers=headers)
    return answer.status, await answer.json()


async def _listed_in_health(running: Running) -> list[str]:
    answer = await running.client.get("/api/v1/experts?category=health")
    return [e["id"] for e in (await answer.json())["experts"]]


async def test_an_unverified_expert_is_not_listed_and_approval_opens_the_category(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    expert = await running.user("expert", "Dr Who")
    own = await put_profile(running, expert, **HEALTH)
    assert own["categories"] == ["fitness-nutrition"]
    assert own["unverified_categories"] == ["health"]
    experts = running.app[EXPERTS]
    assert not await experts.verified_for(expert.id, "health")
    assert await experts.verified_for(expert.id, "fitness-nutrition")
    assert await _listed_in_health(running) == []

    status, asked = await _ask(running, expert.headers)
    assert status == 201 and asked["state"] == "pending"
    assert asked["expert"] == {"id": expert.id, "display_name": "Dr Who"}
    status, again = await _ask(running, expert.headers)
    assert again["error"]["code"] == "conflict"
    assert status == 409

    boss = await admin(running)
    pending = await running.client.get("/api/v1/admin/verifications?state=pending",
                                       headers=boss.headers)
    body = await pending.json()
    assert body["total"] == 1
    assert body["verifications"][0]["evidence"] == "MD, licence 42"
    assert body["verifications"][0]["category"] == "health"

    with caplog.at_level(logging.INFO, logger="marketplace.verifications"):
        decided = await running.client.post(
            f"/api/v1/admin/verifications/{asked['id']}",
            json={"decision": "approve", "note": "licence checked"}, headers=boss.headers)
    assert decided.status == 200
    result = await decided.json()
    assert result["state"] == "approved" and result["decided_by"] == boss.id
    assert result["decided_at"].endswith("Z") and result["note"] == "licence checked"
    assert any(asked["id"] in r.getMessage() and boss.id in r.getMessage()
               for r in caplog.records)
    entries = await experts.verifications.log_entries()
    assert entries[0]["decision"] == "approved" and entries[0]["admin_id"] == boss.id
    assert entries[0]["note"] == "licence checked" and entries[0]["at"].endswith("Z")

    assert await experts.verified_for(expert.id, "health")
    assert await _listed_in_health(running) == [expert.id]
    card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    assert card["categories"] == ["health", "fitness-nutrition"]
    status, _ = await _ask(running, expert.headers)
    assert status == 409  # already verified

    twice = await running.client.post(f"/api/v1/admin/verifications/{asked['id']}",
                                      json={"decision": "reject"}, headers=boss.headers)
    assert twice.status == 409
    left = await running.client.get("/api/v1/admin/verifications", headers=boss.headers)
    assert (await left.json())["total"] == 0

    # Dropping health from the profile and adding it back needs no new verification.
    await put_profile(running, expert, categories=["art"])
    assert await _listed_in_health(running) == []
    await put_profile(running, expert, **HEALTH)
    assert await _listed_in_health(running) == [expert.id]


async def test_a_verification_before_the_profile_asks_takes_effect_when_it_does(
    running: Running
) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert, categories=["art"])
    _, asked = await _ask(running, expert.headers)
    boss = await admin(running)
    await running.client.post(f"/api/v1/admin/verifications/{asked['id']}",
                              json={"decision": "approve"}, headers=boss.headers)
    assert await _listed_in_health(running) == []
    await put_profile(running, expert, **HEALTH)
    assert await _listed_in_health(running) == [expert.id]


async def test_a_rejection_keeps_the_category_closed_and_allows_a_new_request(
    running: Running
) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert, **HEALTH)
    _, asked = await _ask(running, expert.headers)
    boss = await admin(running)
    rejected = await running.client.post(
        f"/api/v1/admin/verifications/{asked['id']}",
        json={"decision": "reject", "note": "no licence number"}, headers=boss.headers)
    assert (await rejected.json())["state"] == "rejected"
    mine = await running.client.get("/api/v1/experts/me/verifications", headers=expert.headers)
    body = await mine.json()
    assert body["total"] == 1 and body["verifications"][0]["note"] == "no licence number"
    assert not await running.app[EXPERTS].verified_for(expert.id, "health")
    assert await _listed_in_health(running) == []
    listed = await running.client.get("/api/v1/admin/verifications?state=rejected",
                                      headers=boss.headers)
    assert [v["id"] for v in (await listed.json())["verifications"]] == [asked["id"]]
    status, _ = await _ask(running, expert.headers, evidence="licence 43")
    assert status == 201


async def test_racing_decisions_decide_once(running: Running) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert, **HEALTH)
    _, asked = await _ask(running, expert.headers)
    boss = await admin(running)
    answers = await asyncio.gather(*(
        running.client.post(f"/api/v1/admin/verifications/{asked['id']}",
                            json={"decision": d}, headers=boss.headers)
        for d in ("approve", "reject") * 3))
    assert sorted(a.status for a in answers) == [200, 409, 409, 409, 409, 409]
    assert await running.app[REDIS].xlen("hc:{0}:verifications:log") == 1


async def test_only_admins_decide_and_only_experts_ask(running: Running) -> None:
    expert = await running.user("expert")
    client = await running.user("client")
    await put_profile(running, expert, **HEALTH)
    _, asked = await _ask(running, expert.headers)
    for user in (expert, client):
        listed = await running.client.get("/api/v1/admin/verifications", headers=user.headers)
        assert listed.status == 403
        decided = await running.client.post(f"/api/v1/admin/verifications/{asked['id']}",
                                            json={"decision": "approve"}, headers=user.headers)
        assert decided.status == 403
    assert (await running.client.get("/api/v1/admin/verifications")).status == 401
    status, _ = await _ask(running, client.headers)
    assert status == 403
    mine = await running.client.get("/api/v1/experts/me/verifications", headers=client.headers)
    assert mine.status == 403
    assert not await running.app[EXPERTS].verified_for(expert.id, "health")


@pytest.mark.parametrize("body, field", [
    ({"category": "cooking"}, "category"),
    ({"category": "nope"}, "category"),
    ({"evidence": ""}, "evidence"),
    ({"evidence": "x" * 2001}, "evidence"),
])
async def test_requests_and_decisions_are_validated(
    running: Running, body: dict[str, object], field: str
) -> None:
    expert = await running.user("expert")
    status, answer = await _ask(running, expert.headers, **body)
    assert status == 400 and answer["error"]["field"] == field


async def test_decisions_are_validated(running: Running) -> None:
    expert = await running.user("expert")
    _, asked = await _ask(running, expert.headers)
    boss = await admin(running)
    for body, field in (({"decision": "maybe"}, "decision"),
                        ({"decision": "approve", "note": "n" * 2001}, "note")):
        answer = await running.client.post(f"/api/v1/admin/verifications/{asked['id']}",
                                           json=body, headers=boss.headers)
        assert answer.status == 400 and (await answer.json())["error"]["field"] == field
    bad_state = await running.client.get("/api/v1/admin/verifications?state=lost",
                                         headers=boss.headers)
    assert bad_state.status == 400
    missing = await running.client.post("/api/v1/admin/verifications/v_0123456789abcdef",
                                        json={"decision": "approve"}, headers=boss.headers)
    assert missing.status == 404
