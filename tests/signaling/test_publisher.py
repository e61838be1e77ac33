"""The cross-process publisher on a single Redis: its own connection, replies off.

What another process would notice: every message arrives, in order; a lost connection
fails only what was in flight and the next batch gets through; a Redis that refuses
``CLIENT REPLY`` still gets every message (through redis-py); a wrong password says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub

from common.redisclient import redis_client
from common.resp import Address, address_of
from signaling.publisher import ClientPublisher, Publish, WirePublisher, publisher_for


@pytest.fixture
async def listening(redis: aioredis.Redis) -> AsyncIterator[PubSub]:
    pubsub = redis.pubsub()
    await pubsub.subscribe("t:a", "t:b")
    for _ in range(2):
        await pubsub.get_message(timeout=1)  # the two subscribe confirmations
    yield pubsub
    await pubsub.aclose()  # type: ignore[no-untyped-call]


async def heard(pubsub: PubSub, count: int) -> list[tuple[str, str]]:
    got: list[tuple[str, str]] = []
    async with asyncio.timeout(5):
        while len(got) < count:
            message = await pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                got.append((message["channel"], message["data"]))
    return got


def wire(url: str, redis: aioredis.Redis) -> WirePublisher:
    publisher = publisher_for(url, redis)
    assert isinstance(publisher, WirePublisher)
    return publisher


def with_login(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}"))


async def test_every_message_arrives_in_order_and_counted_ones_learn_their_receivers(
        redis: aioredis.Redis, redis_url: str, listening: PubSub) -> None:
    publisher = wire(redis_url, redis)
    loop = asyncio.get_running_loop()
    counted = [loop.create_future() for _ in range(2)]
    batch = [Publish("t:a", "1"), Publish("t:b", "2", counted[0]), Publish("t:a", "3"),
             Publish("t:nobody", "4", counted[1]), Publish("t:b", "5")]
    try:
        await publisher.publish(batch)
        await publisher.publish([Publish("t:a", "6")])
        assert await heard(listening, 5) == [("t:a", "1"), ("t:b", "2"), ("t:a", "3"),
                                             ("t:b", "5"), ("t:a", "6")]
        assert await asyncio.gather(*counted) == [1, 0]
    finally:
        await publisher.close()


async def test_a_killed_connection_fails_what_waits_and_the_next_batch_gets_through(
        redis: aioredis.Redis, redis_url: str, listening: PubSub) -> None:
    publisher = wire(redis_url, redis)
    try:
        await publisher.publish([Publish("t:a", "before")])
        assert await heard(listening, 1) == [("t:a", "before")]
        killed = await redis.client_kill_filter(_type="normal", skipme=True)
        assert killed >= 1  # the publisher's connection (and idle ones of the pool)
        # A batch written before the loss is noticed fails, and its counted message learns
        # it; once noticed, the next batch connects again.
        async with asyncio.timeout(5):
            while True:
                late = asyncio.get_running_loop().create_future()
                try:
                    await publisher.publish([Publish("t:b", "after", late)])
                    if await late == 1:
                        break
                except aioredis.ConnectionError:
                    with contextlib.suppress(aioredis.ConnectionError):
                        await late  # failed with the connection, never left hanging
        assert ("t:b", "after") in await heard(listening, 1)
    finally:
        await publisher.close()


async def test_a_redis_refusing_client_reply_still_gets_every_message(
        redis: aioredis.Redis, redis_url: str, listening: PubSub) -> None:
    # A managed Redis may forbid CLIENT: an ACL user without it stands for one.
    await redis.execute_command("ACL", "SETUSER", "noclient", "on", ">pw", "~*", "&*",
                                "+@all", "-client")
    url = with_login(redis_url, "noclient", "pw")
    client = redis_client(url)
    publisher = wire(url, client)
    done = asyncio.get_running_loop().create_future()
    try:
        await publisher.publish([Publish("t:a", "x"), Publish("t:b", "y", done)])
        assert await heard(listening, 2) == [("t:a", "x"), ("t:b", "y")]
        assert await done == 1
    finally:
        await publisher.close()
        await client.aclose()
        await redis.execute_command("ACL", "DELUSER", "noclient")


async def test_a_wrong_password_is_an_authentication_error(
        redis: aioredis.Redis, redis_url: str) -> None:
    await redis.execute_command("ACL", "SETUSER", "pub", "on", ">right", "~*", "&*", "+@all")
    publisher = wire(with_login(redis_url, "pub", "wrong"), redis)
    try:
        with pytest.raises(aioredis.AuthenticationError):
            await publisher.publish([Publish("t:a", "x")])
    finally:
        await publisher.close()
        await redis.execute_command("ACL", "DELUSER", "pub")


async def test_a_redis_out_of_reach_is_a_connection_error(redis: aioredis.Redis) -> None:
    publisher = wire("redis://127.0.0.1:1/0", redis)  # nothing listens on port 1
    with pytest.raises(aioredis.ConnectionError, match=r"cannot reach Redis at 127\.0\.0\.1:1"):
        await publisher.publish([Publish("t:a", "x")])


def test_only_a_plain_single_redis_gets_the_own_connection() -> None:
    assert address_of("redis://:s3@10.0.0.5:6380/2") == Address(
        host="10.0.0.5", port=6380, password="s3", db=2)
    assert address_of("unix:///run/redis.sock?db=1") == Address(path="/run/redis.sock", db=1)
    assert address_of("rediss://h:6379/0") is None  # TLS: redis-py knows its options
    assert address_of("redis+sentinel://h:26379/main") is None


async def test_a_cluster_or_sentinel_client_publishes_through_redis_py(
        redis: aioredis.Redis) -> None:
    publisher = publisher_for("redis+sentinel://127.0.0.1:26379/main", redis)
    assert isinstance(publisher, ClientPublisher)
