"""The brand API: creation, the page, admins, invitations, keys, and isolation between brands."""

from __future__ import annotations

from typing import Any

import pytest

from tests.brands.conftest import admin, brand_admin, join, member_expert, new_brand
from tests.conftest import Running, User
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def status_of(running: Running, method: str, path: str, headers: dict[str, str],
                    body: Any = None) -> int:
    answer = await running.client.request(method, path, json=body, headers=headers)
    return answer.status


async def test_only_a_platform_admin_creates_a_brand_and_slugs_are_unique(
    running: Running
) -> None:
    platform = await admin(running)
    client = await running.user("client")
    body = {"slug": "acme", "name": "Acme"}
    assert await status_of(running, "POST", "/api/v1/brands", client.headers, body) == 403
    created = await new_brand(running, platform, "acme", primary_colour="#AA0011",
                              welcome="Hello", sponsored=True, fee_percent=7)
    assert created["slug"] == "acme" and created["primary_colour"] == "#aa0011"
    assert created["sponsored"] is True and created["fee_percent"] == 7
    assert await status_of(running, "POST", "/api/v1/brands", platform.headers, body) == 409
    for bad in ({"slug": "Acme!", "name": "x"}, {"slug": "b", "name": ""},
                {"slug": "c", "name": "c", "primary_colour": "red"},
                {"slug": "d", "name": "d", "logo_url": "javascript:alert(1)"},
                {"slug": "e", "name": "e", "fee_percent": 101}):
        assert await status_of(running, "POST", "/api/v1/brands", platform.headers, bad) == 400


async def test_a_brand_admin_manages_the_page_but_not_the_fee(running: Running) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    changed = await running.client.put("/api/v1/brands/acme", headers=owner.headers, json={
        "name": "Acme Beauty", "accent_colour": "#fefefe", "welcome": "Ask us",
        "logo_url": "https://cdn.example.test/logo.png", "sponsored": True})
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert body["name"] == "Acme Beauty" and body["logo_url"].startswith("https://")
    assert await status_of(running, "PUT", "/api/v1/brands/acme", owner.headers,
                           {"fee_percent": 1}) == 403
    assert await status_of(running, "PUT", "/api/v1/brands/acme", platform.headers,
                           {"fee_percent": 1}) == 200
    listed = await (await running.client.get("/api/v1/brands", headers=owner.headers)).json()
    assert [b["slug"] for b in listed["brands"]] == ["acme"]


async def test_a_brand_admin_sets_the_webhook_and_sees_its_secret_once(
    running: Running
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    hook = "https://8.8.8.8/helpcall"  # a public address (a name would need DNS here)
    answer = await running.client.put("/api/v1/brands/acme/webhook", json={"url": hook},
                                      headers=owner.headers)
    assert answer.status == 200, await answer.text()
    secret = (await answer.json())["secret"]
    assert secret.startswith("whsec_")
    shown = await (await running.client.get("/api/v1/brands/acme/webhook",
                                            headers=owner.headers)).json()
    assert shown == {"url": hook, "has_secret": True}
    kept = await (await running.client.put("/api/v1/brands/acme/webhook", json={"url": hook},
                                           headers=owner.headers)).json()
    assert kept["secret"] == secret
    assert await status_of(running, "PUT", "/api/v1/brands/acme/webhook", owner.headers,
                           {"url": "ftp://x"}) == 400


async def test_invitations_add_an_expert_once_and_admins_remove_them(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    expert, _ = await member_expert(running, connect, owner, "acme")
    experts = await (await running.client.get("/api/v1/brands/acme/experts",
                                              headers=owner.headers)).json()
    assert [(e["id"], e["status"]) for e in experts["experts"]] == [(expert.id, "online")]

    invited = await (await running.client.post("/api/v1/brands/acme/invitations",
                                               headers=owner.headers)).json()
    client = await running.user("client")
    path = f"/api/v1/brand-invitations/{invited['token']}/accept"
    assert await status_of(running, "POST", path, client.headers) == 403
    other = await running.user("expert")
    assert await status_of(running, "POST", path, other.headers) == 200
    assert await status_of(running, "POST", path, other.headers) == 404  # used up
    assert await status_of(running, "POST", "/api/v1/brand-invitations/nope/accept",
                           other.headers) == 404

    assert await status_of(running, "DELETE", f"/api/v1/brands/acme/experts/{expert.id}",
                           owner.headers) == 204
    assert await status_of(running, "DELETE", f"/api/v1/brands/acme/experts/{expert.id}",
                           owner.headers) == 404
    experts = await (await running.client.get("/api/v1/brands/acme/experts",
                                              headers=owner.headers)).json()
    assert [e["id"] for e in experts["experts"]] == [other.id]


def brand_endpoints(slug: str, someone: str) -> list[tuple[str, str, Any]]:
    """Every brand endpoint, with a valid body: refusals must not depend on validation."""
    base = f"/api/v1/brands/{slug}"
    return [
        ("GET", base, None),
        ("PUT", base, {"name": "Taken over"}),
        ("PUT", f"{base}/logo", None),
        ("GET", f"{base}/experts", None),
        ("DELETE", f"{base}/experts/{someone}", None),
        ("POST", f"{base}/invitations", None),
        ("GET", f"{base}/sessions", None),
        ("GET", f"{base}/balance", None),
        ("POST", f"{base}/balance/topups", {"amount_cents": 100}),
        ("POST", f"{base}/admins", {"account_id": someone}),
        ("DELETE", f"{base}/admins/{someone}", None),
        ("POST", f"{base}/keys", {"name": "x"}),
        ("GET", f"{base}/keys", None),
        ("DELETE", f"{base}/keys/k_0123456789abcdef0123", None),
        ("GET", f"{base}/webhook", None),
        ("PUT", f"{base}/webhook", {"url": "https://evil.example.test/hook"}),
        ("GET", f"{base}/analytics", None),
        ("GET", f"{base}/analytics.csv", None),
    ]


async def two_brands(running: Running, connect: Connect) -> tuple[User, User, User, User]:
    platform = await admin(running)
    await new_brand(running, platform, "alpha")
    await new_brand(running, platform, "beta")
    alpha_admin = await brand_admin(running, platform, "alpha")
    beta_admin = await brand_admin(running, platform, "beta")
    beta_expert, _ = await member_expert(running, connect, beta_admin, "beta")
    return platform, alpha_admin, beta_admin, beta_expert


async def test_every_endpoint_refuses_another_brands_admin(
    running: Running, connect: Connect
) -> None:
    platform, alpha_admin, beta_admin, beta_expert = await two_brands(running, connect)
    for method, path, body in brand_endpoints("beta", beta_expert.id):
        assert await status_of(running, method, path, alpha_admin.headers, body) == 403, \
            (method, path)
        # A member expert of the brand is not its admin either.
        assert await status_of(running, method, path, beta_expert.headers, body) == 403, \
            (method, path)
        assert await status_of(running, method, path, {}, body) == 401, (method, path)
    # Nothing changed: beta still has its name and its expert.
    brand = await (await running.client.get("/api/v1/brands/beta",
                                            headers=beta_admin.headers)).json()
    assert brand["name"] == "Beta" and brand["admins"] == [beta_admin.id]
    experts = await (await running.client.get("/api/v1/brands/beta/experts",
                                              headers=beta_admin.headers)).json()
    assert [e["id"] for e in experts["experts"]] == [beta_expert.id]
    assert await status_of(running, "GET", "/api/v1/brands/beta", platform.headers) == 200


async def test_api_keys_work_for_their_brand_only_until_revoked(
    running: Running, connect: Connect
) -> None:
    _, alpha_admin, beta_admin, beta_expert = await two_brands(running, connect)
    created = await running.client.post("/api/v1/brands/alpha/keys", json={"name": "crm"},
                                        headers=alpha_admin.headers)
    assert created.status == 201
    key = await created.json()
    assert key["key"].startswith("hcb_") and key["name"] == "crm"
    bearer = {"Authorization": f"Bearer {key['key']}"}
    listed = await (await running.client.get("/api/v1/brands/alpha/keys",
                                             headers=alpha_admin.headers)).json()
    assert listed["keys"] == [{k: key[k] for k in ("id", "name", "prefix", "created_at")}]
    assert key["key"] not in str(listed)

    assert await status_of(running, "GET", "/api/v1/brands/alpha/experts", bearer) == 200
    assert await status_of(running, "GET", "/api/v1/brands/alpha/analytics", bearer) == 200
    assert await status_of(running, "POST", "/api/v1/brands/alpha/invitations", bearer) == 201
    # Not the platform API, not other brands, not more keys.
    assert await status_of(running, "GET", "/api/v1/me", bearer) == 401
    for method, path, body in brand_endpoints("beta", beta_expert.id):
        assert await status_of(running, method, path, bearer, body) == 403, (method, path)
    assert await status_of(running, "POST", "/api/v1/brands/alpha/keys", bearer,
                           {"name": "more"}) == 403
    assert await status_of(running, "PUT", "/api/v1/brands/alpha/webhook", bearer,
                           {"url": "https://evil.example.test/"}) == 403
    # Another brand's admin cannot revoke it.
    assert await status_of(running, "DELETE", f"/api/v1/brands/beta/keys/{key['id']}",
                           beta_admin.headers) == 404
    assert await status_of(running, "DELETE", f"/api/v1/brands/alpha/keys/{key['id']}",
                           alpha_admin.headers) == 204
    assert await status_of(running, "GET", "/api/v1/brands/alpha/experts", bearer) == 401
    assert await status_of(running, "DELETE", f"/api/v1/brands/alpha/keys/{key['id']}",
                           alpha_admin.headers) == 404


async def test_brand_lists_show_only_the_callers_brands(
    running: Running, connect: Connect
) -> None:
    platform, alpha_admin, _, beta_expert = await two_brands(running, connect)
    mine = await (await running.client.get("/api/v1/brands", headers=alpha_admin.headers)).json()
    assert [b["slug"] for b in mine["brands"]] == ["alpha"]
    everything = await (await running.client.get("/api/v1/brands",
                                                 headers=platform.headers)).json()
    assert sorted(b["slug"] for b in everything["brands"]) == ["alpha", "beta"]
    none = await (await running.client.get("/api/v1/brands", headers=beta_expert.headers)).json()
    assert none["brands"] == []
    # The expert joined through an invitation of beta only.
    await join(running, alpha_admin, "alpha", beta_expert)
    experts = await (await running.client.get("/api/v1/brands/alpha/experts",
                                              headers=alpha_admin.headers)).json()
    assert [e["id"] for e in experts["experts"]] == [beta_expert.id]


async def test_an_expert_sees_and_leaves_their_brands(running: Running, connect: Connect) -> None:
    _, alpha_admin, _, beta_expert = await two_brands(running, connect)
    await join(running, alpha_admin, "alpha", beta_expert)
    mine = await (await running.client.get("/api/v1/brand-memberships",
                                           headers=beta_expert.headers)).json()
    assert sorted(b["slug"] for b in mine["brands"]) == ["alpha", "beta"]
    assert "fee_percent" not in mine["brands"][0]
    assert await status_of(running, "DELETE", "/api/v1/brand-memberships/alpha",
                           beta_expert.headers) == 204
    assert await status_of(running, "DELETE", "/api/v1/brand-memberships/alpha",
                           beta_expert.headers) == 404
    assert await status_of(running, "GET", "/api/v1/brand-memberships",
                           alpha_admin.headers) == 403
    experts = await (await running.client.get("/api/v1/brands/alpha/experts",
                                              headers=alpha_admin.headers)).json()
    assert experts["experts"] == []
