"""The account scripts' rules, each script loaded into the real test Redis on its own: the
login delay grows and is capped, an email is claimed once, revocations stay small."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua
from common.redistime import redis_ms

KEYS = {"pair": "pair", "ip": "ip"}
# Long delays, so what the script answers never depends on how fast this machine is.
RULES = {"free_pair": 2, "free_ip": 50, "base_ms": 100_000, "cap_pair_ms": 500_000,
         "cap_ip_ms": 60_000, "ttl_pair_ms": 3_600_000, "ttl_ip_ms": 900_000}


async def test_a_login_waits_twice_as_long_after_each_failure_past_the_free_ones(
        redis: aioredis.Redis) -> None:
    attempt = Lua(redis, "accounts/lua/login_attempt.lua")
    assert await attempt(keys=KEYS, args=RULES) == 0
    assert await attempt(keys=KEYS, args=RULES) == 0
    assert await redis.hget("pair", "n") == "2"
    assert 3_000_000 < await redis.pttl("pair") <= 3_600_000
    assert 0 < await redis.pttl("ip") <= 900_000
    # The third waits base * 2^0 after the last attempt, and is not counted.
    assert 40_000 < await attempt(keys=KEYS, args=RULES) <= 100_000
    assert await redis.hget("pair", "n") == "2"
    await redis.hset("pair", mapping={"n": 3, "at": await redis_ms(redis)})
    assert 140_000 < await attempt(keys=KEYS, args=RULES) <= 200_000
    await redis.hset("pair", mapping={"n": 30, "at": await redis_ms(redis)})
    assert 440_000 < await attempt(keys=KEYS, args=RULES) <= 500_000  # capped
    await redis.hset("pair", "at", 0)  # the wait is over
    assert await attempt(keys=KEYS, args=RULES) == 0
    assert await redis.hmget("pair", "n") == ["31"]
    # The address's count has its own, lower cap.
    await redis.delete("pair")
    await redis.hset("ip", mapping={"n": 90, "at": await redis_ms(redis)})
    assert 0 < await attempt(keys=KEYS, args=RULES) <= 60_000


async def test_a_right_password_forgives_the_pair_and_one_attempt_of_the_address(
        redis: aioredis.Redis) -> None:
    success = Lua(redis, "accounts/lua/login_success.lua")
    await redis.hset("pair", mapping={"n": 4, "at": 1})
    await redis.hset("ip", mapping={"n": 4, "at": 1})
    assert await success(keys=KEYS) == 1
    assert await redis.exists("pair") == 0
    assert await redis.hget("ip", "n") == "3"
    await redis.hset("ip", "n", 0)
    await success(keys=KEYS)
    assert await redis.hget("ip", "n") == "0"  # never below zero


async def test_sign_ups_of_an_address_are_counted_in_a_fixed_window(
        redis: aioredis.Redis) -> None:
    signup = Lua(redis, "accounts/lua/signup.lua")
    args = {"limit": 2, "window_ms": 3_600_000}
    assert [await signup(keys={"counter": "c"}, args=args) for _ in range(2)] == [0, 0]
    assert 3_000_000 < await signup(keys={"counter": "c"}, args=args) <= 3_600_000


async def test_an_account_is_written_once_and_expires_unless_kept(
        redis: aioredis.Redis) -> None:
    create = Lua(redis, "accounts/lua/create.lua")
    args = {"id": "a_1", "email": "ada@example.com", "display_name": "Ada", "role": "client",
            "pw": "hash", "language": "fr", "verified": 1, "pending_ms": 60_000}
    assert await create(keys={"account": "a_1"}, args=args) > 0
    assert await create(keys={"account": "a_1"}, args={**args, "pw": "other"}) == 0
    account = await redis.hgetall("a_1")
    assert (account["role"], account["language"], account["epoch"]) == ("client", "fr", "0")
    assert (account["pw"], account["verified_at"]) == ("hash", account["created_at"])
    assert 0 < await redis.pttl("a_1") <= 60_000
    await create(keys={"account": "a_3"}, args={**args, "id": "a_3", "verified": 0})
    assert await redis.hexists("a_3", "verified_at") is False


async def test_a_claim_is_kept_only_by_its_holder(redis: aioredis.Redis) -> None:
    keep = Lua(redis, "accounts/lua/claim_keep.lua")
    await redis.set("email:ada", "a_1", px=60_000)
    assert await keep(keys={"email": "email:ada"}, args={"id": "a_2"}) == 0
    assert await redis.pttl("email:ada") > 0
    assert await keep(keys={"email": "email:ada"}, args={"id": "a_1"}) == 1
    assert await redis.pttl("email:ada") == -1
    assert await keep(keys={"email": "email:bob"}, args={"id": "a_1"}) == 0


async def test_revocations_drop_expired_ones_and_a_new_password_drops_them_all(
        redis: aioredis.Redis) -> None:
    revoke = Lua(redis, "accounts/lua/revoke.lua")
    new_epoch = Lua(redis, "accounts/lua/new_epoch.lua")
    far = await redis_ms(redis) + 3_600_000
    await redis.hset("acct", mapping={"id": "a_1", "epoch": 0, "pw": "old",
                                      "rv:expired": 1, "rv:live": far})
    pubsub = redis.pubsub()
    await pubsub.subscribe("revoked")
    confirmed = await pubsub.get_message(timeout=5)  # subscribed before anything is told
    assert confirmed is not None and confirmed["type"] == "subscribe"
    assert await revoke(keys={"account": "acct"},
                        args={"jti": "new", "expires_ms": far, "channel": "revoked"}) == 1
    fields = await redis.hgetall("acct")
    assert sorted(k for k in fields if k.startswith("rv:")) == ["rv:live", "rv:new"]
    assert await new_epoch(keys={"account": "acct"},
                           args={"pw": "fresh", "keep": "jti_9", "channel": "revoked"}) == 1
    fields = await redis.hgetall("acct")
    assert [k for k in fields if k.startswith("rv:")] == []
    assert (fields["pw"], fields["keep"], fields["epoch"]) == ("fresh", "jti_9", "1")
    told = [await pubsub.get_message(timeout=5) for _ in range(2)]
    assert [m["data"] for m in told if m] == ["a_1", "a_1"]
    await pubsub.aclose()
    assert await revoke(keys={"account": "gone"},
                        args={"jti": "x", "expires_ms": far, "channel": "revoked"}) == 0
    assert await new_epoch(keys={"account": "gone"},
                           args={"pw": "p", "keep": "", "channel": "revoked"}) == -1
