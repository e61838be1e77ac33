"""Findings 3, 4 and 13 (webhooks), protocol §7.6: Standard Webhooks signatures with a
timestamp, brand URLs https and public only (at save and at each delivery, after DNS),
and one failing receiver never delaying another brand's events."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from billing.brand_hooks import STATS_KEY
from billing.webhook_targets import RefusedTarget, TargetPolicy, check_url, is_public
from billing.webhooks import standard_key, standard_signature, verify_standard
from server.config import load_config
from server.worker import running_worker
from tests.brands.conftest import admin, brand_admin, new_brand
from tests.brands.test_webhooks import BRAND_SECRET, Hooks, brand_with_hook, event, hooks
from tests.conftest import Running, StartApp, on_this_redis, on_this_redis_config
from tests.waiting import eventually

__all__ = ["hooks"]

WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_signatures_follow_standard_webhooks() -> None:
    # The specification's own example.
    body = b'{"test": 2432232314}'
    assert standard_signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, WHSEC) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert standard_key("not-whsec-secret") == b"not-whsec-secret"
    assert standard_key("whsec_not base64!") == b"whsec_not base64!"
    now = time.time()
    headers = {"webhook-id": "evt_1", "webhook-timestamp": str(int(now)),
               "webhook-signature": standard_signature("evt_1", int(now), body, WHSEC)}
    assert verify_standard(body, WHSEC, headers, now)
    assert not verify_standard(body + b" ", WHSEC, headers, now)
    # A delivery replayed ten minutes later is refused: the timestamp is signed.
    assert not verify_standard(body, WHSEC, headers, now + 600)
    stale = {**headers, "webhook-timestamp": str(int(now) + 600)}
    assert not verify_standard(body, WHSEC, stale, now + 600)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
    "2002:7f00:1::", "64:ff9b::a00:1", "192.0.2.1",
])
def test_non_public_addresses(address: str) -> None:
    import ipaddress

    assert not is_public(ipaddress.ip_address(address))


async def test_refused_urls_and_their_exceptions() -> None:
    policy = TargetPolicy()
    for url in ("http://169.254.169.254/latest/meta-data", "http://[::1]:6379/",
                "http://0x7f000001:9099/", "https://localhost/hook", "https://127.1/",
                "https://[::ffff:127.0.0.1]/", "http://8.8.8.8/hook", "ftp://8.8.8.8/",
                "https://no-such-host.invalid/"):
        with pytest.raises(RefusedTarget):
            await check_url(url, policy)
    await check_url("https://8.8.8.8/hook", policy)
    allowed = TargetPolicy(load_config(
        {"HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8, ::1/128"}).webhook_allowed_networks)
    await check_url("http://127.0.0.1:9099/hook", allowed)
    await check_url("http://localhost:9099/hook", allowed)
    with pytest.raises(RefusedTarget):
        await check_url("http://10.0.0.1:9099/hook", allowed)


async def test_a_brand_admin_cannot_point_the_webhook_inside(start_app: StartApp) -> None:
    running: Running = await start_app()
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    for url in ("http://169.254.169.254/latest", "http://[::1]:6379/", "http://0x7f000001:9099/",
                "https://127.0.0.1/", "http://8.8.8.8/hook", "https://localhost:8443/"):
        answer = await running.client.put("/api/v1/brands/acme/webhook", json={"url": url},
                                          headers=owner.headers)
        assert answer.status == 400, url
        assert (await answer.json())["error"]["field"] == "url"
    allowed = await start_app(HELPCALL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    answer = await allowed.client.put("/api/v1/brands/acme/webhook",
                                      json={"url": "http://127.0.0.1:9/hook"},
                                      headers=owner.headers)
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["secret"].startswith("whsec_")


async def test_each_delivery_checks_the_address_again(
    redis: aioredis.Redis, redis_url: str, hooks: Hooks
) -> None:
    # Saved while loopback was allowed (or resolved elsewhere): now it is not.
    inside = await hooks()
    acme = await brand_with_hook(redis, "acme", inside.url.replace("127.0.0.1", "localhost"))
    await redis.xadd(on_this_redis(redis), event(1, acme))  # type: ignore[arg-type]
    config = load_config({"REDIS_URL": redis_url, "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2"})
    async with running_worker(redis, on_this_redis_config(redis, config), "w1"):
        async def refused() -> bool:
            return "refused" in str(await redis.hget(STATS_KEY, "last_error") or "")

        await eventually(refused, what="the delivery refused")
    assert inside.bodies == []
    allowing = load_config({"REDIS_URL": redis_url, "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
                            "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128"})
    async with running_worker(redis, on_this_redis_config(redis, allowing), "w1"):
        delivered = await asyncio.wait_for(inside.arrived.get(), 15)
    assert delivered["event_id"] == "evt_s_1"
    body, headers = inside.bodies[-1]
    assert verify_standard(body, BRAND_SECRET, headers, time.time())
    assert headers["webhook-id"] == "evt_s_1"


async def test_a_failing_brand_receiver_never_delays_another_brand(
    redis: aioredis.Redis, redis_url: str, hooks: Hooks
) -> None:
    down, up = await hooks(), await hooks()
    down.status = 503
    dead = await brand_with_hook(redis, "dead", down.url)
    live = await brand_with_hook(redis, "live", up.url)
    for n in range(3):
        await redis.xadd(on_this_redis(redis), event(n, dead))  # type: ignore[arg-type]
    for n in range(3, 6):
        await redis.xadd(on_this_redis(redis), event(n, live))  # type: ignore[arg-type]
    config = load_config({"REDIS_URL": redis_url, "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": "0.2",
                          "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    async with running_worker(redis, on_this_redis_config(redis, config), "w1"):
        # The live brand gets all its events while the dead one still fails.
        for _ in range(3):
            await asyncio.wait_for(up.arrived.get(), 15)
        assert up.event_ids() == ["evt_s_3", "evt_s_4", "evt_s_5"]
        assert set(down.event_ids()) == {"evt_s_0"}  # retried, in order
        down.status = 200
        for _ in range(3):
            await asyncio.wait_for(down.arrived.get(), 15)
    assert [e for e in down.event_ids() if e != "evt_s_0"] == ["evt_s_1", "evt_s_2"]
