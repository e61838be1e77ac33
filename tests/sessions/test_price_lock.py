"""The price the client agreed to (protocol §7.2) on direct calls: a changed price holds
nothing and rings nobody; the same price starts the call; a change racing the start is
caught where the hold is taken (the profile read in the same pipeline)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from marketplace.keys import expert as expert_key
from server.keys import CALLS, REDIS
from sessions.agreed import still_agreed
from sessions.errors import ExpertUnavailable, PriceChanged
from sessions.keys import busy_key
from sessions.pricing import Pricing, PricingMode
from sessions.store import NewSession
from tests.conftest import Running, StartApp, User
from tests.signaling.conftest import PROFILE, Connect, funded_client, online_expert

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

SHOWN = {"mode": "per_minute", "amount_cents": 100}
RAISED = {"mode": "per_minute", "amount_cents": 5_000}


def test_the_price_agreed_is_the_one_the_profile_says_now() -> None:
    profile = json.dumps({"display_name": "E", "pricing": SHOWN})
    still_agreed(profile, Pricing(PricingMode.PER_MINUTE, 100))
    for other in (Pricing(PricingMode.PER_MINUTE, 99), Pricing(PricingMode.PER_SESSION, 100)):
        with pytest.raises(PriceChanged) as raised:
            still_agreed(profile, other)
        assert raised.value.as_dict()["pricing"] == SHOWN
    free = json.dumps({"pricing": {"mode": "free"}})
    still_agreed(free, Pricing(PricingMode.FREE, 0))
    with pytest.raises(ExpertUnavailable):
        still_agreed(None, Pricing(PricingMode.FREE, 0))  # no profile any more


async def set_price(running: Running, expert: User, pricing: dict[str, Any]) -> None:
    answer = await running.client.put("/api/v1/experts/me", json={**PROFILE, "pricing": pricing},
                                      headers=expert.headers)
    assert answer.status == 200, await answer.text()


async def wallet(running: Running, user: User) -> dict[str, Any]:
    answer = await running.client.get("/api/v1/wallet", headers=user.headers)
    body: dict[str, Any] = await answer.json()
    return body


async def sessions_of(running: Running, user: User) -> list[dict[str, Any]]:
    answer = await running.client.get("/api/v1/sessions", headers=user.headers)
    found: list[dict[str, Any]] = (await answer.json())["sessions"]
    return found


async def test_a_raised_price_holds_nothing_and_rings_nobody(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect, SHOWN)
    client, client_socket = await funded_client(running, connect)
    await set_price(running, expert, RAISED)  # after the client read the profile

    answer = await client_socket.call("call:start", {
        "expert_id": expert.id, "topic": "help", "expected_pricing": SHOWN})
    assert answer["ok"] is False
    assert answer["error"]["code"] == "price_changed"
    assert answer["error"]["pricing"] == RAISED
    assert (await wallet(running, client))["held_cents"] == 0
    assert await sessions_of(running, client) == []
    assert await sessions_of(running, expert) == []
    card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    assert card["status"] == "online"

    # The client confirms the new price: now it rings, and it is the expert's first ring.
    started = await client_socket.ok("call:start", {
        "expert_id": expert.id, "topic": "help", "expected_pricing": RAISED})
    incoming = await expert_socket.wait_for("call:incoming")
    assert incoming["session_id"] == started["session_id"]
    assert incoming["pricing"] == RAISED
    assert len(expert_socket.events["call:incoming"]) == 1


async def test_the_price_shown_starts_the_call_at_that_price(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect, SHOWN)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {
        "expert_id": expert.id, "topic": "help", "expected_pricing": SHOWN})
    assert started["state"] == "ringing"
    assert (await expert_socket.wait_for("call:incoming"))["pricing"] == SHOWN
    assert (await wallet(running, client))["held_cents"] == 100  # one minute


async def test_a_change_racing_the_start_is_caught_where_the_hold_is_made(
    running: Running, connect: Connect
) -> None:
    # The edge read 100; the profile says 5,000 by the time the script runs.
    expert, _ = await online_expert(running, connect, SHOWN)
    client, client_socket = await funded_client(running, connect)
    await set_price(running, expert, RAISED)
    store = running.app[CALLS].store
    new = NewSession(client.id, expert.id, "help", Pricing(PricingMode.PER_MINUTE, 100),
                     client_socket.sio.get_sid() or "sid", "p_test",
                     profile_key=expert_key(expert.id))
    with pytest.raises(PriceChanged) as raised:
        await store.start("s_raced", new)
    assert raised.value.as_dict()["pricing"] == RAISED
    assert (await wallet(running, client))["held_cents"] == 0
    assert await store.get("s_raced") is None
    assert await running.app[REDIS].get(busy_key(expert.id)) is None  # the expert is free


async def test_expected_pricing_is_checked_and_only_for_one_expert(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect, SHOWN)
    _, client_socket = await funded_client(running, connect)
    bad = await client_socket.call("call:start", {
        "expert_id": expert.id, "expected_pricing": {"mode": "per_hour", "amount_cents": 1}})
    assert bad["error"]["code"] == "invalid"
    assert bad["error"]["field"] == "expected_pricing.mode"
    for where in ({"category": "cooking"}, {"brand": "acme"}):
        answer = await client_socket.call("call:start", {
            **where, "topic": "x", "expected_pricing": SHOWN})
        assert answer["error"]["code"] == "invalid", answer
        assert answer["error"]["field"] == "expected_pricing"
    # Clients from before §7.2 send none: the current price is taken, as before.
    assert (await client_socket.ok("call:start", {"expert_id": expert.id}))["state"] == "ringing"


async def test_routing_rings_only_at_the_price_it_decided_on(
    start_app: StartApp, connect: Connect
) -> None:
    # The router read 100 from the card; the expert changed it before route.lua ran. The
    # app's own router stays out of the way (it runs at the reaper's interval).
    running = await start_app(HELPCALL_REAPER_INTERVAL_SECONDS="600")
    expert, _ = await online_expert(running, connect, SHOWN)
    client, client_socket = await funded_client(running, connect)
    await set_price(running, expert, RAISED)
    calls = running.app[CALLS]
    new = NewSession(client.id, "", "help", Pricing(PricingMode.FREE, 0),
                     client_socket.sio.get_sid() or "sid", "p_test", category="art")
    await calls.store.enqueue("s_routed", new, None)
    with pytest.raises(PriceChanged):
        await calls.route("s_routed", expert.id, Pricing(PricingMode.PER_MINUTE, 100),
                          expert_key(expert.id))
    found = await calls.store.get("s_routed")
    assert found is not None and found[0].state.value == "queued"
    assert (await wallet(running, client))["held_cents"] == 0
    outcome = await calls.route("s_routed", expert.id, Pricing(PricingMode.PER_MINUTE, 5_000),
                                expert_key(expert.id))
    assert outcome.session is not None and outcome.session.pricing.amount_cents == 5_000
