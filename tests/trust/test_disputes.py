"""Disputes through the API: a paid call disputed by its client, answered by its expert and
refunded in part by an admin, with the wallet, the earnings, exactly one ``session.refunded``
event (delivered to the webhook like the others) and reconcile agreeing; and every refusal."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.redisvalues import text_map
from server.keys import CALLS, TRUST
from server.reconcile import reconcile_all
from server.worker import running_worker
from sessions.wallet import ledger_key, wallet_key
from tests.billing.test_worker import Receiver, next_of, receiver, worker_config
from tests.conftest import Running, StartApp, billing_entries, on_this_redis
from tests.earnings.conftest import credited, earnings
from tests.marketplace.conftest import admin
from tests.trust.conftest import Connect, called, get_json, pair, post_json
from tests.waiting import eventually
from trust.disputes import Decision, Outcome, split

# Each event in its session's stream, in order, on a Cluster too (protocol §5, §7.1).
pytestmark = pytest.mark.cluster

__all__ = ["receiver"]

COMPLAINT = {"reason": "poor_quality", "text": "The picture froze all the time."}


async def wallet(running: Running, user: object) -> int:
    body = await get_json(running, "/api/v1/wallet", user)  # type: ignore[arg-type]
    return int(body["balance_cents"])


async def billing_events(redis: aioredis.Redis, kind: str) -> list[dict[str, str]]:
    return [e for e in (text_map(raw) for _, raw in await billing_entries(redis))
            if e["type"] == kind]


async def test_a_dispute_refunded_in_part_moves_the_money_once_and_reconciles(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis, redis_url: str,
    receiver: Receiver,
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    people = await pair(running, connect)
    session_id = await called(running, people)
    path = f"/api/v1/sessions/{session_id}/dispute"
    call = await get_json(running, f"/api/v1/sessions/{session_id}", people.client)
    paid, fee = call["amount_cents"], None
    assert paid >= 10
    [ended] = await billing_events(redis, "session.ended")
    fee, payout = int(ended["platform_fee_cents"]), int(ended["expert_payout_cents"])
    await credited(running, people.expert, payout)
    before = await wallet(running, people.client)

    # Nothing to read yet; the expert may not open it; a stranger learns nothing.
    await get_json(running, path, people.client, status=404)
    refused = await post_json(running, path, people.expert, COMPLAINT, 409)
    assert refused["error"]["reason"] == "not_client"
    stranger = await running.user("client")
    await post_json(running, path, stranger, COMPLAINT, 404)
    bad = await post_json(running, path, people.client, {"reason": "bored", "text": "x"}, 400)
    assert bad["error"]["field"] == "reason"

    opened = await post_json(running, path, people.client, COMPLAINT, 201)
    assert (opened["state"], opened["reason"], opened["amount_cents"]) == (
        "open", "poor_quality", paid)
    again = await post_json(running, path, people.client, COMPLAINT, 409)
    assert again["error"]["reason"] == "already"

    # The expert answers once; the client reads it.
    answer_path = path + "/answer"
    await post_json(running, answer_path, people.client, {"text": "no"}, 404)
    answered = await post_json(running, answer_path, people.expert,
                               {"text": "The client's network was bad."}, 200)
    assert answered["state"] == "answered"
    await post_json(running, answer_path, people.expert, {"text": "again"}, 409)
    seen = await get_json(running, path, people.client)
    assert seen["answer"] == "The client's network was bad." and seen["outcome"] is None
    await get_json(running, path, stranger, status=404)

    # The admin sees it to decide; only admins decide; more than was paid is refused.
    boss = await admin(running)
    listed = await get_json(running, "/api/v1/admin/disputes", boss)
    assert [d["session_id"] for d in listed["disputes"]] == [session_id]
    decide = f"/api/v1/admin/disputes/{session_id}/decision"
    await post_json(running, decide, people.client, {"outcome": "full"}, 403)
    too_much = await post_json(running, decide, boss,
                               {"outcome": "partial", "refund_cents": paid + 1}, 400)
    assert too_much["error"]["field"] == "refund_cents"
    await post_json(running, decide, boss, {"outcome": "partial"}, 400)

    part = paid // 2
    decided = await post_json(running, decide, boss, {
        "outcome": "partial", "refund_cents": part, "note": "Half the call was unusable."}, 200)
    fee_back = (2 * fee * part + paid) // (2 * paid)
    assert (decided["state"], decided["refund_cents"]) == ("decided", part)
    assert decided["platform_fee_refund_cents"] == fee_back
    assert decided["expert_payout_refund_cents"] == part - fee_back
    await post_json(running, decide, boss, {"outcome": "none"}, 409)

    # The client's wallet has it back, with a ledger entry; the expert's earnings lose
    # their share; one session.refunded event says so.
    assert await wallet(running, people.client) == before + part
    [refunded] = await billing_events(redis, "session.refunded")
    assert refunded["session_id"] == session_id and refunded["event_id"] == f"ref_{session_id}"
    assert int(refunded["refund_cents"]) == part
    assert int(refunded["expert_payout_refund_cents"]) == part - fee_back
    assert int(refunded["platform_fee_refund_cents"]) == fee_back

    async def debited() -> bool:
        return bool((await earnings(running, people.expert))["earned_cents"]
                    == payout - (part - fee_back))

    await eventually(debited, what="the refund taken from the earnings")
    summary = await earnings(running, people.expert)
    assert summary["available_cents"] == payout - (part - fee_back)
    assert [e["kind"] for e in summary["ledger"]][:1] == ["refund"]
    assert await reconcile_all(redis, on_this_redis(redis)) == []

    # Both sides read the outcome.
    for person in (people.client, people.expert):
        outcome = await get_json(running, path, person)
        assert (outcome["outcome"], outcome["refund_cents"]) == ("partial", part)
    # Each side was told, in its in-app notifications.
    told = {person.id: [n["kind"] for n in (await get_json(
        running, "/api/v1/notifications", person))["notifications"]]
        for person in (people.client, people.expert)}
    assert told[people.client.id] == ["dispute.decided", "dispute.answered"]
    assert told[people.expert.id] == ["dispute.decided", "dispute.opened"]
    log = await get_json(running, "/api/v1/admin/moderation-log", boss)
    assert log["entries"][0]["action"] == "dispute_decided"
    assert log["entries"][0]["subject_id"] == session_id

    # The webhook workers deliver the refund like any other billing event.
    async with running_worker(redis, worker_config(redis_url, receiver.url), "w1"):
        kinds = {(await next_of(receiver.delivered)).event["type"] for _ in range(2)}
    assert kinds == {"session.ended", "session.refunded"}
    [hook] = [r.event for r in receiver.successes if r.event["type"] == "session.refunded"]
    assert hook["refund_cents"] == part and hook["session_id"] == session_id


async def test_late_free_and_unended_calls_are_not_disputed(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0",
                              HELPCALL_DISPUTE_WINDOW_SECONDS="0.001")
    people = await pair(running, connect)
    session_id = await called(running, people)
    late = await post_json(running, f"/api/v1/sessions/{session_id}/dispute", people.client,
                           {"reason": "wrong_charge", "text": "Too long ago?"}, 409)
    assert late["error"]["reason"] == "too_late"

    free = await pair(running, connect, {"mode": "free"})
    free_id = await called(running, free)
    refused = await post_json(running, f"/api/v1/sessions/{free_id}/dispute", free.client,
                              {"reason": "other", "text": "It was free"}, 409)
    assert refused["error"]["reason"] == "not_paid"

    ringing = await people.client_socket.ok("call:start", {"expert_id": people.expert.id,
                                                           "topic": "again"})
    early = await post_json(running, f"/api/v1/sessions/{ringing['session_id']}/dispute",
                            people.client, {"reason": "other", "text": "not yet"}, 409)
    assert early["error"]["reason"] == "not_ended"
    await post_json(running, "/api/v1/sessions/s_0123456789abcdef0123/dispute",
                    people.client, COMPLAINT, 404)
    await post_json(running, "/api/v1/sessions/nonsense/dispute", people.client, COMPLAINT, 404)


async def test_reconcile_names_a_refund_that_the_stream_does_not_back(
    redis: aioredis.Redis
) -> None:
    # A wallet credited as if a dispute had been refunded, with no session.refunded event.
    await redis.hset(wallet_key("a_0123456789abcdef0123"), mapping={"balance": 500, "held": 0})
    await redis.xadd(ledger_key("a_0123456789abcdef0123"), {
        "kind": "dispute_refund", "amount_cents": 500, "balance_cents": 500,
        "session_id": "s_0123456789abcdef0123", "at": "2026-12-03T10:00:00.000Z"})
    problems = await reconcile_all(redis, on_this_redis(redis))
    assert problems == ["session s_0123456789abcdef0123: refunded 500 to the wallet but 0 in "
                        "the billing stream"]


async def test_stopped_after_a_decision_the_refund_is_credited_by_a_reaper_once(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis,
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0", HELPCALL_LEASE_SECONDS="1")
    people = await pair(running, connect)
    session_id = await called(running, people)
    await post_json(running, f"/api/v1/sessions/{session_id}/dispute", people.client,
                    COMPLAINT, 201)
    paid = (await get_json(running, f"/api/v1/sessions/{session_id}", people.client))[
        "amount_cents"]
    [ended] = await billing_events(redis, "session.ended")
    fee = int(ended["platform_fee_cents"])
    before = await wallet(running, people.client)
    store = running.app[TRUST].disputes.store
    # The decision's script only, as decide() runs it, without the credit after it.
    _, credit = await store.record_decision(session_id, people.client.id, "a_admin",
                                            Decision(Outcome.FULL, None, "froze"),
                                            split(paid, fee, paid))
    assert credit.startswith(f"credit|{session_id}|{people.client.id}|{paid}|")
    # Owed, not yet credited; its event not yet in the session's stream either.
    assert await wallet(running, people.client) == before
    assert await billing_events(redis, "session.refunded") == []

    async def credited_back() -> bool:
        return await wallet(running, people.client) == before + paid
    await eventually(credited_back, within=5, what="the refund credited by a reaper")
    await running.app[CALLS].store.steps.holds.credit(credit)  # the stopped process, back
    assert await wallet(running, people.client) == before + paid
    [refunded] = await billing_events(redis, "session.refunded")
    assert (refunded["refund_cents"], refunded["outcome"]) == (str(paid), "full")
    kinds = [f["kind"] for _, f in await redis.xrange(ledger_key(people.client.id))]
    assert kinds.count("dispute_refund") == 1
    assert await reconcile_all(redis, on_this_redis(redis)) == []
