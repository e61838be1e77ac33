"""Expert earnings and payouts against a known set of real calls: each call's payout,
the month's total, available / pending / paid out, payout requests racing, the admin's
steps and the bank-transfer file, reconciliation, and strangers refused."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
import redis.asyncio as aioredis

from earnings.reconcile import reconcile_earnings
from earnings.store import Credit
from server.keys import EARNINGS
from sessions.reconcile import reconcile
from tests.conftest import Running, StartApp, User, on_this_redis
from tests.earnings.conftest import IBAN, Connect, credited, earnings, paid_call, payouts_by_expert
from tests.marketplace.conftest import admin
from tests.signaling.conftest import funded_client, online_expert

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

PER_MINUTE_600 = {"mode": "per_minute", "amount_cents": 600}


async def calls_for_two_experts(
    running: Running, connect: Connect
) -> tuple[User, User, list[str], list[str]]:
    """Two calls with one expert, one with another, one free call: (first expert, second
    expert, the first's sessions, the second's sessions)."""
    first, first_socket = await online_expert(running, connect, PER_MINUTE_600)
    second, second_socket = await online_expert(running, connect, PER_MINUTE_600)
    free, free_socket = await online_expert(running, connect, {"mode": "free"})
    client, client_socket = await funded_client(running, connect)
    mine = [await paid_call(running, client, client_socket, first, first_socket)
            for _ in range(2)]
    theirs = [await paid_call(running, client, client_socket, second, second_socket)]
    await paid_call(running, client, client_socket, free, free_socket)
    return first, second, mine, theirs


async def test_earnings_follow_the_calls_and_payouts_move_the_money(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0", HELPCALL_PAYOUT_MINIMUM_CENTS="3")
    first, second, mine, theirs = await calls_for_two_experts(running, connect)
    owed = await payouts_by_expert(redis)
    total = sum(owed[first.id].values())
    assert total > 0 and set(owed[first.id]) == set(mine)

    summary = await credited(running, first, total)
    assert summary["earned_cents"] == summary["available_cents"] == total
    assert (summary["pending_cents"], summary["paid_out_cents"]) == (0, 0)
    assert {c["session_id"]: c["payout_cents"] for c in summary["calls"]} == owed[first.id]
    [month] = summary["months"]
    assert month["payout_cents"] == total and len(month["month"]) == 7
    assert summary["currency"] == "EUR" and summary["minimum_payout_cents"] == 3
    assert summary["bank"] is None and summary["can_request"] is False
    other = await credited(running, second, sum(owed[second.id].values()))
    assert [c["session_id"] for c in other["calls"]] == theirs

    # No bank details yet: no payout. Then bad and good details.
    answer = await running.client.post("/api/v1/payouts", json={}, headers=first.headers)
    assert answer.status == 409
    bad = await running.client.put("/api/v1/earnings/bank", headers=first.headers,
                                   json={"holder": "Marie Curie", "iban": "FR76 1234"})
    assert bad.status == 400 and (await bad.json())["error"]["field"] == "iban"
    good = await running.client.put("/api/v1/earnings/bank", headers=first.headers,
                                    json={"holder": "Marie Curie", "iban": IBAN})
    assert (await good.json())["iban"] == "FR76 •••• 0189"
    for amount, status in ((2, 400), (total + 1, 409)):
        answer = await running.client.post("/api/v1/payouts", json={"amount_cents": amount},
                                           headers=first.headers)
        assert answer.status == status, await answer.text()

    # Two requests for everything at once: one gets it, the other nothing.
    answers = await asyncio.gather(*(
        running.client.post("/api/v1/payouts", json={"amount_cents": total},
                            headers=first.headers) for _ in range(2)))
    assert sorted(a.status for a in answers) == [201, 409]
    [payout] = [await a.json() for a in answers if a.status == 201]
    assert payout["state"] == "requested" and payout["amount_cents"] == total
    summary = await earnings(running, first)
    assert (summary["available_cents"], summary["pending_cents"]) == (0, total)

    boss = await admin(running)
    listed = await running.client.get("/api/v1/admin/payouts?state=requested",
                                      headers=boss.headers)
    assert [p["id"] for p in (await listed.json())["payouts"]] == [payout["id"]]
    early = await running.client.post(f"/api/v1/admin/payouts/{payout['id']}/pay",
                                      json={"reference": "TX1"}, headers=boss.headers)
    assert early.status == 409  # approve first
    approved = await running.client.post(f"/api/v1/admin/payouts/{payout['id']}/approve",
                                         headers=boss.headers)
    assert (await approved.json())["state"] == "approved"
    exported = await running.client.get("/api/v1/admin/payouts.csv", headers=boss.headers)
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await exported.text())))
    assert rows == [{"payout_id": payout["id"], "beneficiary_name": "Marie Curie",
                     "iban": IBAN.replace(" ", ""), "bic": "",
                     "amount": f"{total // 100}.{total % 100:02d}", "currency": "EUR",
                     "remittance_information": f"helpcall payout {payout['id']}"}]
    paid = await running.client.post(f"/api/v1/admin/payouts/{payout['id']}/pay",
                                     json={"reference": "BANK-2026-12-001"},
                                     headers=boss.headers)
    assert (await paid.json())["reference"] == "BANK-2026-12-001"
    summary = await earnings(running, first)
    assert (summary["available_cents"], summary["pending_cents"],
            summary["paid_out_cents"]) == (0, 0, total)
    assert [e["kind"] for e in reversed(summary["ledger"])] == [
        "earning", "earning", "payout_requested", "payout_paid"]
    assert summary["payouts"][0]["state"] == "paid"

    # A rejected request gives the money back.
    await running.client.put("/api/v1/earnings/bank", headers=second.headers,
                             json={"holder": "Ada", "iban": IBAN, "bic": "BNPAFRPP"})
    asked = await running.client.post("/api/v1/payouts", headers=second.headers)
    rejected = await running.client.post(
        f"/api/v1/admin/payouts/{(await asked.json())['id']}/reject", headers=boss.headers)
    assert (await rejected.json())["state"] == "rejected"
    own = await running.client.get("/api/v1/payouts", headers=second.headers)
    [payout_seen] = (await own.json())["payouts"]
    assert payout_seen["state"] == "rejected" and payout_seen["bank"]["iban"] != IBAN  # masked
    back = await earnings(running, second)
    assert back["available_cents"] == back["earned_cents"] and back["pending_cents"] == 0

    assert await reconcile(redis, on_this_redis(redis)) == []
    assert await reconcile_earnings(redis, on_this_redis(redis)) == []


async def test_strangers_are_refused(running: Running) -> None:
    client, expert = await running.user("client"), await running.user("expert")
    assert (await running.client.get("/api/v1/earnings", headers=client.headers)).status == 403
    assert (await running.client.get("/api/v1/earnings")).status == 401
    assert (await running.client.post("/api/v1/payouts", headers=client.headers)).status == 403
    for path in ("/api/v1/admin/payouts", "/api/v1/admin/payouts.csv"):
        assert (await running.client.get(path, headers=expert.headers)).status == 403
    boss = await admin(running)
    for payout_id, status in (("po_nothere", 404), ("../x", 404)):
        answer = await running.client.post(f"/api/v1/admin/payouts/{payout_id}/approve",
                                           headers=boss.headers)
        assert answer.status == status
    answer = await running.client.post("/api/v1/admin/payouts/po_x/explode",
                                       headers=boss.headers)
    assert answer.status == 400
    answer = await running.client.get("/api/v1/admin/payouts?state=lost", headers=boss.headers)
    assert answer.status == 400


async def test_an_event_delivered_twice_is_credited_once(
    running: Running, redis: aioredis.Redis
) -> None:
    expert = await running.user("expert")
    event = {"event_id": "evt_s_twice", "type": "session.ended", "session_id": "s_twice",
             "expert_id": expert.id, "expert_payout_cents": "480",
             "ended_at": "2026-11-30T23:59:59.999Z"}
    for _ in range(2):
        await redis.xadd(on_this_redis(redis), event)
    await credited(running, expert, 480)
    again = Credit.of_event(event)
    assert again is not None and await running.app[EARNINGS].store.credit(again) is False
    summary = await earnings(running, expert)
    assert summary["earned_cents"] == 480
    assert summary["months"] == [{"month": "2026-11", "payout_cents": 480}]
    assert await reconcile_earnings(redis, on_this_redis(redis)) == []
