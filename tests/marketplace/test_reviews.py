"""Reviews: who may review, once; the reply; the rating on the card; hiding by an admin."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from marketplace import keys
from marketplace.ratings import Ratings
from marketplace.reviews import RATINGS_PER_CALL, Reviews, rating
from tests.conftest import Running, StartApp, User
from tests.marketplace.conftest import admin, live_then_ended
from tests.signaling.conftest import Connect, funded_client, online_expert

pytestmark = pytest.mark.cluster  # the cards' reads and steps, on a Cluster too


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    # These calls are live for milliseconds: reviewable only without a guarantee (§7.8).
    return await start_app(HELPCALL_GUARANTEE_SECONDS="0")


async def _review(running: Running, user: User, session_id: str,
                  **body: Any) -> tuple[int, Any]:
    answer = await running.client.post(f"/api/v1/sessions/{session_id}/review",
                                       json={"rating": 5, "text": "Great", **body},
                                       headers=user.headers)
    return answer.status, await answer.json()


async def _card(running: Running, expert: User) -> Any:
    return await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()


def test_the_average_has_one_decimal_rounded_half_up() -> None:
    assert rating(0, 0) is None
    assert rating(9, 2) == 4.5
    assert rating(13, 3) == 4.3  # 4.333
    assert rating(14, 3) == 4.7  # 4.666
    assert rating(89, 20) == 4.5  # 4.45 exactly: half up
    assert rating(5, 1) == 5.0


async def test_the_client_reviews_once_and_the_card_shows_the_average(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    first = await live_then_ended(client_socket, expert_socket, expert)
    second = await live_then_ended(client_socket, expert_socket, expert)

    status, review = await _review(running, client, first, rating=4, text="  Clear advice ")
    assert status == 201
    assert review["rating"] == 4 and review["text"] == "Clear advice"
    assert review["session_id"] == first and review["expert_id"] == expert.id
    assert review["client"] == {"display_name": client.display_name}
    assert review["reply"] is None and review["created_at"].endswith("Z")
    status, again = await _review(running, client, first, rating=1)
    assert status == 409 and again["error"]["code"] == "conflict"

    status, _ = await _review(running, client, second, rating=5, text="")
    assert status == 201
    card = await _card(running, expert)
    assert card["rating"] == 4.5 and card["reviews"] == 2

    listed = await running.client.get(f"/api/v1/experts/{expert.id}/reviews")
    body = await listed.json()
    assert body["total"] == 2 and [r["rating"] for r in body["reviews"]] == [5, 4]
    page = await running.client.get(f"/api/v1/experts/{expert.id}/reviews?per_page=1&page=2")
    paged = await page.json()
    assert [r["rating"] for r in paged["reviews"]] == [4] and paged["total"] == 2


async def test_concurrent_reviews_of_one_session_count_once(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    session_id = await live_then_ended(client_socket, expert_socket, expert)
    answers = await asyncio.gather(*(_review(running, client, session_id, rating=r)
                                     for r in (1, 2, 3, 4, 5)))
    assert sorted(status for status, _ in answers) == [201, 409, 409, 409, 409]
    card = await _card(running, expert)
    assert card["reviews"] == 1


async def test_only_the_client_of_an_ended_live_session_may_review(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    stranger = await running.user("client")

    # Ringing, then declined: ended but never live.
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "t"})
    session_id = started["session_id"]
    status, answer = await _review(running, client, session_id)
    assert status == 409  # not ended yet
    await expert_socket.ok("call:decline", {"session_id": session_id})
    await client_socket.wait_for(
        "call:state", lambda d: d["session_id"] == session_id and d["state"] == "ended")
    status, _ = await _review(running, client, session_id)
    assert status == 409  # protocol §7.8

    live = await live_then_ended(client_socket, expert_socket, expert)
    assert (await _review(running, expert, live))[0] == 403
    assert (await _review(running, stranger, live))[0] == 404
    assert (await _review(running, client, "s_0123456789abcdef"))[0] == 404
    assert (await _review(running, client, "not-an-id"))[0] == 404
    for bad, field in (({"rating": 0}, "rating"), ({"rating": 6}, "rating"),
                       ({"rating": "5"}, "rating"), ({"rating": True}, "rating"),
                       ({"text": "x" * 2001}, "text")):
        status, answer = await _review(running, client, live, **bad)
        assert status == 400 and answer["error"]["field"] == field
    unauthenticated = await running.client.post(f"/api/v1/sessions/{live}/review",
                                                json={"rating": 5})
    assert unauthenticated.status == 401
    assert (await _card(running, expert))["reviews"] == 0


async def test_the_expert_replies_once(running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    other_expert = await running.user("expert")
    session_id = await live_then_ended(client_socket, expert_socket, expert)
    _, review = await _review(running, client, session_id)

    async def reply(user: User, text: object = "Thank you!") -> tuple[int, Any]:
        answer = await running.client.post(f"/api/v1/reviews/{review['id']}/reply",
                                           json={"text": text}, headers=user.headers)
        return answer.status, await answer.json()

    assert (await reply(other_expert))[0] == 403
    assert (await reply(client))[0] == 403
    assert (await reply(expert, ""))[0] == 400
    status, replied = await reply(expert)
    assert status == 200
    assert replied["reply"]["text"] == "Thank you!"
    assert replied["reply"]["created_at"].endswith("Z")
    assert (await reply(expert, "again"))[0] == 409
    missing = await running.client.post("/api/v1/reviews/r_0123456789abcdef/reply",
                                        json={"text": "hi"}, headers=expert.headers)
    assert missing.status == 404
    listed = await (await running.client.get(f"/api/v1/experts/{expert.id}/reviews")).json()
    assert listed["reviews"][0]["reply"]["text"] == "Thank you!"


async def test_an_admin_hides_a_review_and_the_rating_follows(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    first = await live_then_ended(client_socket, expert_socket, expert)
    second = await live_then_ended(client_socket, expert_socket, expert)
    _, abusive = await _review(running, client, first, rating=1, text="abuse")
    await _review(running, client, second, rating=4)
    assert (await _card(running, expert))["rating"] == 2.5

    hide = f"/api/v1/admin/reviews/{abusive['id']}/hide"
    for user in (client, expert):
        assert (await running.client.post(hide, headers=user.headers)).status == 403
    boss = await admin(running)
    answers = await asyncio.gather(*(running.client.post(hide, headers=boss.headers)
                                     for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    assert (await answers[0].json())["hidden"] is True
    card = await _card(running, expert)
    assert card["rating"] == 4.0 and card["reviews"] == 1
    listed = await (await running.client.get(f"/api/v1/experts/{expert.id}/reviews")).json()
    assert abusive["id"] not in [r["id"] for r in listed["reviews"]]
    assert listed["total"] == 1 and listed["reviews"][0]["rating"] == 4
    listing = await (await running.client.get("/api/v1/experts")).json()
    assert listing["experts"][0]["rating"] == 4.0

    shown = await running.client.post(f"/api/v1/admin/reviews/{abusive['id']}/show",
                                      headers=boss.headers)
    assert (await shown.json())["hidden"] is False
    card = await _card(running, expert)
    assert card["rating"] == 2.5 and card["reviews"] == 2
    missing = await running.client.post("/api/v1/admin/reviews/r_0123456789abcdef/hide",
                                        headers=boss.headers)
    assert missing.status == 404


async def test_reviews_of_an_unknown_expert_are_404(running: Running) -> None:
    answer = await running.client.get("/api/v1/experts/e_0123456789abcdef/reviews")
    assert answer.status == 404
    bad_page = await running.client.get("/api/v1/experts/e_0123456789abcdef/reviews?page=0")
    assert bad_page.status == 400


async def test_brand_reports_see_visible_ratings_however_many_sessions(
    redis: aioredis.Redis
) -> None:
    # Written as the review scripts write them, for more sessions than one script call takes.
    sessions = [f"s_{n:05d}" for n in range(2 * RATINGS_PER_CALL + 100)]
    async with redis.pipeline(transaction=False) as pipe:
        for n, session_id in enumerate(sessions):
            if n % 3 == 2:
                continue  # never reviewed
            pipe.set(keys.session_review(session_id), f"r_{n}")
            pipe.hset(keys.review(f"r_{n}"), mapping={
                "rating": 1 + n % 5, "hidden": "1" if n % 3 == 1 else "0"})
        await pipe.execute()
    ratings = await Reviews(redis, Ratings(redis, 0)).visible_ratings(sessions)
    assert ratings == {s: 1 + n % 5 for n, s in enumerate(sessions) if n % 3 == 0}
    assert await Reviews(redis, Ratings(redis, 0)).visible_ratings([]) == {}
