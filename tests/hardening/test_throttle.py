"""Findings 5, 10 and 13 (accounts): logins counted before the password is checked, growing
delays per email-and-IP that never lock the owner out, sign-ups that reveal no registered
email, and a sign-up limit per IP."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Running, StartApp
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

WRONG = {"password": "wrong guess"}


def from_ip(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


async def test_thirty_parallel_wrong_passwords_are_mostly_refused(running: Running) -> None:
    user = await running.user()
    answers = await asyncio.gather(*(running.client.post(
        "/api/v1/tokens", json={"email": user.email, **WRONG}) for _ in range(30)))
    statuses = [a.status for a in answers]
    # The free attempts, and perhaps one or two more if the burst outlasted a delay.
    free = running.config.login_free_attempts
    assert free <= statuses.count(401) <= free + 2
    assert statuses.count(429) == 30 - statuses.count(401)


async def test_two_hundred_parallel_guesses_then_the_right_one_get_no_token(
    start_app: StartApp
) -> None:
    # Delays far longer than the burst: on a slow machine 200 requests may outlast short
    # ones, and the right password would then rightly be let in.
    running = await start_app(HELPCALL_LOGIN_DELAY_SECONDS="60")
    user = await running.user()
    guesses = await asyncio.gather(*(running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": f"guess {n}"})
        for n in range(200)))
    assert sum(a.status == 401 for a in guesses) <= running.config.login_free_attempts + 3
    right = await running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"})
    assert right.status == 429
    assert "token" not in await right.json()


async def test_delays_grow_and_never_lock_the_owner_out(start_app: StartApp) -> None:
    running = await start_app(HELPCALL_TRUST_PROXY="true", HELPCALL_LOGIN_DELAY_SECONDS="0.3")
    user = await running.user()
    attacker = from_ip("203.0.113.7")
    waits = []
    for _ in range(running.config.login_free_attempts):
        answer = await running.client.post("/api/v1/tokens", json={"email": user.email, **WRONG},
                                           headers=attacker)
        assert answer.status == 401
    for _ in range(3):
        # The first Retry-After of each delay: later polls of the same delay count down.
        first: list[int] = []

        async def admitted(first: list[int] = first) -> bool:
            answer = await running.client.post(
                "/api/v1/tokens", json={"email": user.email, **WRONG}, headers=attacker)
            if answer.status == 429 and not first:
                first.append(int(answer.headers["Retry-After"]))
            return answer.status == 401

        await eventually(admitted, what="the next attempt admitted after its delay")
        waits += first
    assert waits == sorted(waits)
    # The owner, elsewhere, is never slowed by the attacker's failures.
    owner = await running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"},
        headers=from_ip("198.51.100.20"))
    assert owner.status == 200
    # And from the attacker's own address, the right password works once its wait is over.
    async def owner_there() -> bool:
        answer = await running.client.post(
            "/api/v1/tokens", json={"email": user.email, "password": "correct horse"},
            headers=attacker)
        return answer.status == 200

    await eventually(owner_there, what="the right password after the wait")


async def test_one_address_spraying_accounts_is_slowed_not_locked(start_app: StartApp) -> None:
    running = await start_app(HELPCALL_TRUST_PROXY="true")
    user = await running.user()
    sprayer = from_ip("203.0.113.9")
    for n in range(running.config.login_ip_free_attempts):
        answer = await running.client.post(
            "/api/v1/tokens", json={"email": f"guess{n}@example.test", **WRONG}, headers=sprayer)
        assert answer.status == 401
    answer = await running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"},
        headers=sprayer)
    assert answer.status == 429
    assert int(answer.headers["Retry-After"]) <= 60
    elsewhere = await running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"},
        headers=from_ip("198.51.100.30"))
    assert elsewhere.status == 200


async def test_a_taken_email_is_refused_and_leaves_the_owner_untouched(
    running: Running,
) -> None:
    # The contract answers 409 (protocol §2); the sign-up limit per IP bounds probing.
    owner = await running.user()
    body = {"email": owner.email, "password": "another password", "display_name": "Eve",
            "role": "client"}
    taken_answer = await running.client.post("/api/v1/accounts", json=body)
    assert taken_answer.status == 409
    assert (await taken_answer.json())["error"]["code"] == "conflict"
    # The owner's account is untouched: their password still works, the new one does not.
    assert (await running.client.post("/api/v1/tokens", json={
        "email": owner.email, "password": "correct horse"})).status == 200
    assert (await running.client.post("/api/v1/tokens", json={
        "email": owner.email, "password": "another password"})).status == 401


async def test_sign_ups_are_limited_per_address(start_app: StartApp) -> None:
    running = await start_app(HELPCALL_SIGNUPS_PER_IP_PER_HOUR="3", HELPCALL_TRUST_PROXY="1")
    answers = [await running.client.post("/api/v1/accounts", headers=from_ip("203.0.113.5"),
                                         json={"email": f"bulk{n}@example.test",
                                               "password": "correct horse",
                                               "display_name": "Bulk", "role": "client"})
               for n in range(5)]
    assert [a.status for a in answers] == [201, 201, 201, 429, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    other = await running.client.post("/api/v1/accounts", headers=from_ip("198.51.100.5"), json={
        "email": "someone@example.test", "password": "correct horse", "display_name": "S",
        "role": "client"})
    assert other.status == 201
