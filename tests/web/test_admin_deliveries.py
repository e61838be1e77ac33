"""Failed webhook deliveries in the admin console, and "retry now" (issue #20).

The receivers are real aiohttp servers on loopback that answer 500 until "fixed". The
first pause after a failure is configured to an hour, so only "retry now" can bring the
delivery that follows.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import expect

from billing.brand_hooks import (
    ATTEMPTS_KEY,
    BACKOFF_KEY,
    DUE_KEY,
    FAILURES_KEY,
    LEASE_MS,
    _script,
    queue_key,
)
from billing.hook_failures import FailedDelivery, HookFailures, Target, failed_deliveries
from server.keys import REDIS
from server.worker import running_worker
from tests.brands.test_webhooks import PLATFORM_SECRET, Hooks, brand_with_hook, event, hooks
from tests.conftest import Running, StartApp, on_this_redis, on_this_redis_config
from tests.marketplace.conftest import admin
from tests.waiting import eventually
from tests.web.conftest import Browse, log_in
from tests.web.test_admin_console import page_with_token, post, signed_in_admin

__all__ = ["hooks"]

AN_HOUR = {"HELPCALL_WEBHOOK_FIRST_BACKOFF_SECONDS": "3600",
           "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "3600",
           # The receivers are on loopback: allowed here only (protocol §7.6).
           "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
async def site(start_app: StartApp) -> Running:
    return await start_app(**AN_HOUR)


async def failing(running: Running, count: int) -> list[FailedDelivery]:
    found: list[FailedDelivery] = []

    async def recorded() -> bool:
        found[:] = await failed_deliveries(running.app[REDIS])
        return len(found) == count

    await eventually(recorded, what=f"{count} failing deliveries recorded")
    return found


async def test_an_admin_sees_a_failed_brand_delivery_and_retries_it_now(
    site: Running, browse: Browse, hooks: Hooks
) -> None:
    redis = site.app[REDIS]
    receiver = await hooks()
    receiver.status = 500
    brand_id = await brand_with_hook(redis, "acme", receiver.url)
    await redis.xadd(on_this_redis(redis), event(1, brand_id))  # type: ignore[arg-type]
    boss = await admin(site)
    async with running_worker(redis, on_this_redis_config(redis, site.config), "w1"):
        [failed] = await failing(site, 1)
        assert failed.attempts == 1 and len(receiver.bodies) == 1

        page = await browse.page()
        await log_in(page, boss, "/login?next=/admin/deliveries")
        await page.goto("/admin/deliveries")
        row = page.locator(f'tr[data-failing="brand:{brand_id}"]')
        await expect(row).to_contain_text("acme")
        await expect(row).to_contain_text("evt_s_1")
        await expect(row).to_contain_text("HTTP 500")
        await expect(row.locator('[data-role="attempts"]')).to_have_text("1")

        receiver.status = 200  # the brand fixes its receiver
        async with page.expect_navigation():
            await row.get_by_role("button", name="Retry now").click()
        await expect(page.get_by_role("status")).to_have_text(
            "The next attempt is being made now.")
        delivered = await asyncio.wait_for(receiver.arrived.get(), 15)
        assert delivered["event_id"] == "evt_s_1"
        await failing(site, 0)  # the worker's bookkeeping follows the receiver's answer
        await page.reload()
        await expect(page.locator('[data-role="none-failing"]')).to_have_text(
            "No delivery is failing.")
        await expect(page.locator('tr[data-target="brand"] [data-role="delivered"]')
                     ).to_have_text("1")
    assert receiver.event_ids() == ["evt_s_1", "evt_s_1"]  # one failure, one delivery


async def test_retry_now_for_the_platform_webhook_and_a_second_click_changes_nothing(
    start_app: StartApp, hooks: Hooks
) -> None:
    receiver = await hooks()
    receiver.status = 503
    running = await start_app(HELPCALL_WEBHOOK_URL=receiver.url,
                              HELPCALL_WEBHOOK_SECRET=PLATFORM_SECRET, **AN_HOUR)
    redis = running.app[REDIS]
    entry_id = await redis.xadd(on_this_redis(redis),
                                event(2, ""))  # type: ignore[arg-type]
    await signed_in_admin(running)
    async with running_worker(redis, on_this_redis_config(redis, running.config), "w1"):
        [failed] = await failing(running, 1)
        assert (failed.target, failed.key, failed.event_id) == (Target.PLATFORM, entry_id,
                                                                "evt_s_2")
        html, token = await page_with_token(running, "/admin/deliveries")
        assert f'data-failing="platform:{entry_id}"' in html and "HTTP 503" in html

        receiver.status = 200
        status, location = await post(running, "/admin/deliveries/retry", token,
                                      target="platform", key=entry_id)
        assert (status, location) == (303, "/admin/deliveries?done=retried")
        await asyncio.wait_for(receiver.arrived.get(), 15)
        await failing(running, 0)
        status, location = await post(running, "/admin/deliveries/retry", token,
                                      target="platform", key=entry_id)
        assert location == "/admin/deliveries?done=nothing"
        for bad in ({"target": "nobody", "key": entry_id}, {"target": "brand", "key": ""}):
            assert (await post(running, "/admin/deliveries/retry", token, **bad))[1] == \
                "/admin/deliveries?done=nothing"
    assert receiver.event_ids() == ["evt_s_2", "evt_s_2"]


async def test_retry_now_hurries_a_waiting_brand_but_never_one_being_attempted(
    running: Running,
) -> None:
    redis = running.app[REDIS]
    claim, retry = _script(redis, "hook_claim"), _script(redis, "hook_retry")
    claim_keys = {"due": DUE_KEY, "queue": queue_key("b1"), "attempts": ATTEMPTS_KEY,
                  "backoff": BACKOFF_KEY}
    claim_args = {"brand": "b1", "lease_ms": LEASE_MS}
    await redis.rpush(queue_key("b1"), "evt_1\n{}")
    await redis.zadd(DUE_KEY, {"b1": 0})
    failures = HookFailures(redis)
    assert await claim(keys=claim_keys, args=claim_args)
    # Under way: hurrying it could send its event twice.
    assert not await failures.retry_now(Target.BRAND, "b1")
    await retry(keys={"due": DUE_KEY, "attempts": ATTEMPTS_KEY, "backoff": BACKOFF_KEY,
                      "failures": FAILURES_KEY},
                args={"brand": "b1", "delay_ms": 3_600_000, "error": "HTTP 500",
                      "event_id": "evt_1"})
    assert not await claim(keys=claim_keys, args=claim_args)  # waiting its hour
    assert await failures.retry_now(Target.BRAND, "b1")
    assert not await failures.retry_now(Target.BRAND, "b1")  # once is enough
    assert await claim(keys=claim_keys, args=claim_args)  # due at once
    assert not await failures.retry_now(Target.PLATFORM, "1-0")  # nothing of that id
