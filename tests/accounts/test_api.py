import asyncio

import pytest

from accounts.tokens import TokenSigner
from tests.conftest import Running

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

SIGNUP = {"email": "Ada@Example.TEST ", "password": "long enough", "display_name": "Ada",
          "role": "client"}


async def test_sign_up_log_in_and_read_me(running: Running) -> None:
    created = await running.client.post("/api/v1/accounts", json=SIGNUP)
    assert created.status == 201
    account = await created.json()
    assert account["email"] == "ada@example.test"
    assert account["display_name"] == "Ada" and account["role"] == "client"
    assert "password" not in account and "pw" not in account

    login = await running.client.post(
        "/api/v1/tokens", json={"email": "ADA@example.test", "password": "long enough"}
    )
    assert login.status == 200
    body = await login.json()
    assert body["expires_at"].endswith("Z")

    me = await running.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert me.status == 200
    assert (await me.json())["id"] == account["id"]


async def test_an_email_is_taken_once_even_by_racing_sign_ups(running: Running) -> None:
    answers = await asyncio.gather(
        *(running.client.post("/api/v1/accounts", json=SIGNUP) for _ in range(5))
    )
    statuses = sorted(a.status for a in answers)
    assert statuses == [201, 409, 409, 409, 409]
    conflict = await next(a for a in answers if a.status == 409).json()
    assert conflict["error"]["code"] == "conflict"


async def test_bad_sign_ups_name_the_field(running: Running) -> None:
    cases = [
        ({k: v for k, v in SIGNUP.items() if k != "email"}, "email"),
        ({**SIGNUP, "email": "not-an-email"}, "email"),
        ({**SIGNUP, "password": "short"}, "password"),
        ({**SIGNUP, "password": 12345678}, "password"),
        ({**SIGNUP, "display_name": ""}, "display_name"),
        ({**SIGNUP, "role": "admin"}, "role"),
        ({**SIGNUP, "role": None}, "role"),
    ]
    for body, field in cases:
        answer = await running.client.post("/api/v1/accounts", json=body)
        assert answer.status == 400, body
        error = (await answer.json())["error"]
        assert error["code"] == "invalid" and error["field"] == field, error


async def test_non_json_and_oversized_bodies(running: Running) -> None:
    answer = await running.client.post("/api/v1/accounts", data=b"{not json")
    assert answer.status == 400
    assert (await answer.json())["error"]["code"] == "invalid"

    answer = await running.client.post("/api/v1/accounts", data=b"[1, 2]")
    assert answer.status == 400

    big = b'{"email": "' + b"a" * 70_000 + b'"}'
    answer = await running.client.post("/api/v1/accounts", data=big)
    assert answer.status == 413
    assert (await answer.json())["error"]["code"] == "too_large"


async def test_wrong_password_and_unknown_email_look_the_same(running: Running) -> None:
    await running.client.post("/api/v1/accounts", json=SIGNUP)
    for body in ({"email": SIGNUP["email"], "password": "wrong one"},
                 {"email": "nobody@example.test", "password": "long enough"}):
        answer = await running.client.post("/api/v1/tokens", json=body)
        assert answer.status == 401
        assert (await answer.json())["error"] == {
            "code": "unauthorized", "message": "wrong email or password"}


async def test_tokens_are_required_checked_and_expire(running: Running) -> None:
    user = await running.user()
    assert (await running.client.get("/api/v1/me")).status == 401
    for token in ("", "junk", user.token[:-2] + "xx", "x" + user.token):
        answer = await running.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status == 401, token
        assert (await answer.json())["error"]["code"] == "unauthorized"

    signer = TokenSigner(b"test-secret-key", 1000)
    expired, _ = signer.issue(user.id, now_ms=1_000)
    answer = await running.client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status == 401
    assert (await answer.json())["error"]["message"] == "token expired"

    forged, _ = TokenSigner(b"another-key", 10**9).issue(user.id, now_ms=0)
    answer = await running.client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status == 401


async def test_failed_logins_are_limited_per_email(running: Running) -> None:
    # Five free attempts per email and IP, then growing delays (tests/hardening).
    user = await running.user()
    for _ in range(5):
        answer = await running.client.post(
            "/api/v1/tokens", json={"email": user.email, "password": "wrong guess"}
        )
        assert answer.status == 401
    answer = await running.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"}
    )
    assert answer.status == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert (await answer.json())["error"]["code"] == "rate_limited"
    # Another account from the same address still logs in.
    other = await running.user()
    assert other.token


async def test_failed_logins_are_limited_per_address(running: Running) -> None:
    for n in range(50):
        await running.client.post(
            "/api/v1/tokens", json={"email": f"guess{n}@example.test", "password": "wrong guess"}
        )
    answer = await running.client.post(
        "/api/v1/tokens", json={"email": "fresh@example.test", "password": "whatever1"}
    )
    assert answer.status == 429


async def test_categories(running: Running) -> None:
    answer = await running.client.get("/api/v1/categories")
    categories = await answer.json()
    slugs = {c["slug"] for c in categories}
    assert slugs == {"art", "sport", "career", "home-garden", "computing", "fashion-beauty",
                     "fitness-nutrition", "cooking", "health"}
    assert [c["slug"] for c in categories if c["requires_verification"]] == ["health"]
    french = await running.client.get("/api/v1/categories", headers={"Accept-Language": "fr-FR"})
    assert {c["slug"]: c["name"] for c in await french.json()}["cooking"] == "Cuisine"


async def test_unknown_api_routes_answer_the_error_shape(running: Running) -> None:
    answer = await running.client.get("/api/v1/nothing-here")
    assert answer.status == 404
    assert (await answer.json())["error"]["code"] == "not_found"
    answer = await running.client.delete("/api/v1/categories")
    assert answer.status == 405
    assert "error" in await answer.json()
    assert "GET" in answer.headers["Allow"]  # RFC 9110; found by the API fuzzing
