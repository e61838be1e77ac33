"""REDIS_URL forms, checked at start, and the move of an earlier version's keys."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.redisclient import SentinelTarget, stream_on
from server.config import ConfigError, load_config
from server.keymigration import migrate_key_layout, new_name
from sessions.wallet import ledger_key, wallet_key
from tests.conftest import Running, StartApp


def test_a_sentinel_url_names_its_sentinels_and_service() -> None:
    target = SentinelTarget.parse("redis+sentinel://:s3cret@10.0.0.1:26379,[::1]:26380/helpcall/2")
    assert target.sentinels == (("10.0.0.1", 26379), ("::1", 26380))
    assert (target.service, target.password, target.db) == ("helpcall", "s3cret", 2)
    assert SentinelTarget.parse("redis+sentinel://h:1/svc").password is None


@pytest.mark.parametrize("url", [
    "redis+sentinel://h:26379",             # no service
    "redis+sentinel:///helpcall",           # no sentinel
    "redis+sentinel://h:port/helpcall",     # not a port
    "redis+sentinel://h:26379/a/b/c",       # too many parts
    "http://h:6379",                        # not Redis at all
])
def test_a_malformed_redis_url_stops_the_start(url: str) -> None:
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config({"REDIS_URL": url})


def test_every_supported_form_is_accepted() -> None:
    for url in ("redis://h:6379/0", "rediss://h:6380", "unix:///tmp/r.sock",
                "redis+sentinel://a:26379,b:26379/helpcall"):
        assert load_config({"REDIS_URL": url}).redis_url == url


def test_billing_events_on_a_cluster_go_to_the_first_shard_stream() -> None:
    assert stream_on("helpcall:billing", "single") == "helpcall:billing"
    assert stream_on("helpcall:billing", "sentinel") == "helpcall:billing"
    assert stream_on("helpcall:billing", "cluster") == "helpcall:billing:{0}"


def test_old_names_gain_the_hash_tag_once() -> None:
    # A wallet's key, then, is its owner's now (layout 5).
    assert new_name("hc:{w:a_1}:ledger") == "hc:{a:a_1}:ledger"
    assert new_name("hc:deadlines") == "hc:{0}:deadlines"
    assert new_name("hc:{0}:deadlines") == "hc:{0}:deadlines"
    # The last-rung times, a key of their own now (layout 6).
    for old in ("hc:lastrung", "hc:{0}:lastrung", "hc:{g:lastrung}"):
        assert new_name(old) == "hc:{g:lastrung}"


def test_an_experts_busy_flag_leaves_the_home_slot() -> None:
    for old in ("hc:busy:a_2", "hc:{0}:busy:a_2"):
        assert new_name(old) == "hc:{a:a_2}:busy"
    assert new_name("hc:{a:a_2}:busy") == "hc:{a:a_2}:busy"


def test_an_account_and_its_email_leave_the_home_slot() -> None:
    for old in ("hc:acct:a_1", "hc:{0}:acct:a_1"):
        assert new_name(old) == "hc:{a:a_1}:acct"
    for old in ("hc:acct:email:ann@x.org", "hc:{0}:acct:email:ann@x.org"):
        assert new_name(old) == "hc:{m:ann@x.org}:email"
    assert new_name("hc:{0}:acct:a_1:socks") == "hc:{0}:acct:a_1:socks"
    for current in ("hc:{a:a_1}:acct", "hc:{m:ann@x.org}:email", "hc:{ip:::1}:login",
                    "hc:{a:a_1}:rings"):
        assert new_name(current) == current


@pytest.mark.cluster  # the copy crosses slots there: DUMP and RESTORE, not RENAME
async def test_an_account_of_the_home_slot_layout_still_logs_in(
    redis: aioredis.Redis, start_app: StartApp
) -> None:
    first: Running = await start_app()
    user = await first.user("client")
    # What the previous version wrote: the hash and the email under hc:{0}:acct:...
    fields = await redis.hgetall(f"hc:{{a:{user.id}}}:acct")
    await redis.delete(f"hc:{{a:{user.id}}}:acct", f"hc:{{m:{user.email}}}:email")
    await redis.hset(f"hc:{{0}}:acct:{user.id}", mapping=fields)
    await redis.set(f"hc:{{0}}:acct:email:{user.email}", user.id)
    # The email copied before a stop, its original not yet deleted: the copy stands.
    await redis.set(f"hc:{{m:{user.email}}}:email", user.id)
    await redis.set("hc:{0}:layout", "1")
    assert await migrate_key_layout(redis) == 2
    assert await migrate_key_layout(redis) == 0  # done once
    assert not await redis.exists(f"hc:{{0}}:acct:{user.id}")
    token = await first.client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct horse"})
    assert token.status == 200, await token.text()
    again = await first.client.post("/api/v1/accounts", json={
        "email": user.email, "password": "another one", "display_name": "X", "role": "client"})
    assert again.status == 409


async def test_a_wallet_kept_by_an_earlier_version_is_still_there(
    redis: aioredis.Redis, start_app: StartApp
) -> None:
    first: Running = await start_app()
    client = await first.user("client")
    # What an earlier version wrote: the wallet and its ledger under the old names.
    await redis.delete(wallet_key(client.id), ledger_key(client.id), "hc:{0}:layout")
    await redis.hset(f"hc:{{w:{client.id}}}", mapping={"balance": 1234, "held": 0})
    await redis.xadd(f"hc:{{w:{client.id}}}:ledger", {"kind": "topup", "amount_cents": 1234})
    # Each renamed into the home slot (layout 1), then moved to its owner's (layout 5).
    assert await migrate_key_layout(redis) == 4
    assert await migrate_key_layout(redis) == 0  # done once
    answer = await first.client.get("/api/v1/wallet", headers=client.headers)
    assert (await answer.json())["balance_cents"] == 1234
