"""A brand's sponsored call disputed and refunded in full: the money goes back to the brand
that paid, the platform fee and the payout come back whole, and the brand's own webhook
receives the session.refunded event beside the session.ended one."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from brands.service import Brands
from common.redisvalues import text_map
from server.config import load_config
from server.reconcile import reconcile_all
from server.worker import running_worker
from tests.brands.conftest import brand_admin, member_expert, new_brand, top_up_brand
from tests.brands.test_calls import live_for_a_second_then_hang_up
from tests.brands.test_webhooks import BRAND_SECRET, Hooks, hooks
from tests.conftest import StartApp, billing_entries, on_this_redis, on_this_redis_config
from tests.earnings.conftest import credited, earnings
from tests.marketplace.conftest import admin
from tests.trust.conftest import PER_MINUTE_600, Connect, get_json, post_json
from tests.waiting import eventually

# Each event in its session's stream, in order, on a Cluster too (protocol §5, §7.1).
pytestmark = pytest.mark.cluster

__all__ = ["hooks"]


async def test_a_sponsored_call_is_refunded_to_the_brand_and_told_to_its_hook(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis, redis_url: str, hooks: Hooks
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    platform = await admin(running)
    brand = await new_brand(running, platform, "acme", sponsored=True, fee_percent=5)
    owner = await brand_admin(running, platform, "acme")
    await top_up_brand(running, platform, "acme", 10_000)
    member, member_socket = await member_expert(running, connect, owner, "acme",
                                                PER_MINUTE_600)
    client = await running.user("client")
    client_socket = await connect(running, client)
    session_id = (await client_socket.ok("call:start", {"brand": "acme", "topic": "x"}))[
        "session_id"]
    await live_for_a_second_then_hang_up(running, client, client_socket, member_socket,
                                         session_id)
    ended = text_map((await billing_entries(redis))[0][1])
    paid, payout = int(ended["amount_cents"]), int(ended["expert_payout_cents"])
    await credited(running, member, payout)

    await post_json(running, f"/api/v1/sessions/{session_id}/dispute", client,
                    {"reason": "not_delivered", "text": "Nobody helped."}, 201)
    await post_json(running, f"/api/v1/admin/disputes/{session_id}/decision", platform,
                    {"outcome": "full"}, 200)
    balance = await get_json(running, "/api/v1/brands/acme/balance", owner)
    assert balance["balance_cents"] == 10_000  # all of it back to the brand that paid
    assert balance["ledger"][0]["kind"] == "dispute_refund"
    assert (await get_json(running, "/api/v1/wallet", client))["balance_cents"] == 0
    refunded = text_map((await billing_entries(redis))[-1][1])
    assert refunded["type"] == "session.refunded" and refunded["brand_id"] == brand["id"]
    assert int(refunded["refund_cents"]) == paid
    assert int(refunded["expert_payout_refund_cents"]) == payout  # a full refund: all of it
    assert int(refunded["platform_fee_refund_cents"]) == int(ended["platform_fee_cents"])

    async def taken_back() -> bool:
        return bool((await earnings(running, member))["earned_cents"] == 0)

    await eventually(taken_back, what="the payout taken back")
    assert await reconcile_all(redis, on_this_redis(redis)) == []

    # The brand's receiver gets both events of its call, signed with its own secret.
    hook = await hooks()
    await Brands(redis).store.set_webhook(brand["id"], hook.url, BRAND_SECRET)
    config = load_config({"REDIS_URL": redis_url, "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
                          "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    async with running_worker(redis, on_this_redis_config(redis, config), "w1"):
        kinds = [(await asyncio.wait_for(hook.arrived.get(), 15))["type"] for _ in range(2)]
    assert kinds == ["session.ended", "session.refunded"]
