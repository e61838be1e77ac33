"""The expert listing: filters, sorts, pages, validation; the profile's own fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Running, User
from tests.marketplace.conftest import put_profile
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # the cards' reads and steps, on a Cluster too


async def _expert(running: Running, name: str, **profile: Any) -> User:
    expert = await running.user("expert", name)
    await put_profile(running, expert, **profile)
    return expert


async def _list(running: Running, query: str = "") -> dict[str, Any]:
    answer = await running.client.get(f"/api/v1/experts?{query}")
    assert answer.status == 200, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [e["display_name"] for e in body["experts"]]


async def test_a_card_carries_the_profile_and_the_protocol_fields(running: Running) -> None:
    expert = await running.user("expert", "Ada")
    own = await put_profile(running, expert, time_zone="Europe/Paris")
    assert own["unverified_categories"] == []
    card = (await _list(running))["experts"][0]
    assert card == {
        "id": expert.id, "display_name": "Ada", "headline": "Home cook for 20 years",
        "bio": "Sauces, bread, knife skills.", "categories": ["cooking"],
        "languages": ["fr", "en"], "pricing": {"mode": "per_minute", "amount_cents": 120},
        "time_zone": "Europe/Paris", "photo_url": None, "status": "offline",
        "rating": None, "reviews": 0,
    }
    me = await running.client.get("/api/v1/experts/me", headers=expert.headers)
    assert (await me.json())["time_zone"] == "Europe/Paris"
    one = await running.client.get(f"/api/v1/experts/{expert.id}")
    assert await one.json() == card


async def test_time_zone_is_optional_and_must_be_an_iana_name(running: Running) -> None:
    expert = await running.user("expert")
    assert (await put_profile(running, expert))["time_zone"] is None
    for bad in ("Mars/Olympus", "CEST+2", 3):
        answer = await running.client.put(
            "/api/v1/experts/me", json={"headline": "h", "categories": ["art"],
                                        "languages": ["en"], "pricing": {"mode": "free"},
                                        "time_zone": bad},
            headers=expert.headers)
        assert answer.status == 400
        assert (await answer.json())["error"]["field"] == "time_zone"


async def test_filters_by_category_language_price_and_presence(
    running: Running, connect: Connect
) -> None:
    await _expert(running, "Cook", categories=["cooking"], languages=["fr"],
                  pricing={"mode": "per_minute", "amount_cents": 100})
    await _expert(running, "Coder", categories=["computing"], languages=["en-GB"],
                  pricing={"mode": "per_session", "amount_cents": 3000})
    await _expert(running, "Both", categories=["cooking", "computing"], languages=["en", "de"],
                  pricing={"mode": "free"})
    online = await _expert(running, "Online", categories=["art"], languages=["fr"],
                           pricing={"mode": "per_minute", "amount_cents": 200})
    peer = await connect(running, online)
    await peer.ok("presence", {"status": "online"})

    assert sorted(_names(await _list(running, "category=cooking"))) == ["Both", "Cook"]
    assert sorted(_names(await _list(running, "language=en"))) == ["Both", "Coder"]
    assert _names(await _list(running, "language=en-GB")) == ["Coder"]
    assert sorted(_names(await _list(running, "min_price_cents=150"))) == ["Coder", "Online"]
    assert sorted(_names(await _list(running, "max_price_cents=100"))) == ["Both", "Cook"]
    assert _names(await _list(running, "min_price_cents=100&max_price_cents=200&language=fr"
                                       "&category=art")) == ["Online"]
    assert _names(await _list(running, "online=true")) == ["Online"]
    assert len(_names(await _list(running, "online=false&category="))) == 4


async def test_sorts_by_price_availability_and_pages(running: Running, connect: Connect) -> None:
    for n, cents in enumerate((300, 100, 200, 500, 400)):
        await _expert(running, f"E{n}", pricing={"mode": "per_minute", "amount_cents": cents})
    online = await _expert(running, "Z online",
                           pricing={"mode": "per_minute", "amount_cents": 999})
    peer = await connect(running, online)
    await peer.ok("presence", {"status": "online"})

    by_price = await _list(running, "sort=price")
    assert _names(by_price) == ["E1", "E2", "E0", "E4", "E3", "Z online"]
    assert (by_price["page"], by_price["per_page"], by_price["total"]) == (1, 20, 6)
    assert _names(await _list(running, "sort=availability"))[0] == "Z online"
    assert _names(await _list(running))[0] == "Z online"

    second = await _list(running, "sort=price&per_page=2&page=2")
    assert _names(second) == ["E0", "E4"]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 6)
    beyond = await _list(running, "sort=price&per_page=4&page=3")
    assert beyond["experts"] == [] and beyond["total"] == 6


@pytest.mark.parametrize("query, field", [
    ("category=plumbing", "category"),
    ("language=French", "language"),
    ("online=maybe", "online"),
    ("min_price_cents=-1", "min_price_cents"),
    ("min_price_cents=abc", "min_price_cents"),
    ("max_price_cents=1.5", "max_price_cents"),
    ("min_price_cents=500&max_price_cents=100", "max_price_cents"),
    ("max_price_cents=99999999999", "max_price_cents"),
    ("sort=cheapest", "sort"),
    ("page=0", "page"),
    ("page=x", "page"),
    ("per_page=101", "per_page"),
    ("per_page=0", "per_page"),
    ("categroy=art", "categroy"),
])
async def test_every_parameter_is_validated(running: Running, query: str, field: str) -> None:
    answer = await running.client.get(f"/api/v1/experts?{query}")
    assert answer.status == 400
    error = (await answer.json())["error"]
    assert error["code"] == "invalid" and error["field"] == field


async def test_own_profile_is_for_experts_and_404_before_one_exists(running: Running) -> None:
    expert = await running.user("expert")
    client = await running.user("client")
    assert (await running.client.get("/api/v1/experts/me", headers=expert.headers)).status == 404
    assert (await running.client.get("/api/v1/experts/me", headers=client.headers)).status == 403
    assert (await running.client.get("/api/v1/experts/me")).status == 401
