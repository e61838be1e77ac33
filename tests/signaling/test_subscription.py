"""A process's subscription on a single Redis: read with hiredis directly (``WireFeed``).

What the process notices: every message in order; a subscription Redis cuts is reported
(``down``), taken again (``up(again=True)``), and what is published afterwards arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from signaling.subscription import Subscription


class Listening:
    def __init__(self) -> None:
        self.heard: asyncio.Queue[str] = asyncio.Queue()
        self.ups: asyncio.Queue[bool] = asyncio.Queue()
        self.downs = 0

    async def handle(self, data: str) -> None:
        if data == "boom":
            raise ValueError("a message this process cannot handle")
        await self.heard.put(data)

    def up(self, again: bool) -> None:
        self.ups.put_nowait(again)

    def down(self) -> None:
        self.downs += 1


@pytest.fixture
async def listening(redis: aioredis.Redis, redis_url: str) -> AsyncIterator[Listening]:
    seen = Listening()
    subscription = Subscription(redis_url, ["t:mine", "t:all"], seen.handle, seen.up, seen.down)
    task = asyncio.create_task(subscription.run())
    assert await asyncio.wait_for(seen.ups.get(), 5) is False
    yield seen
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def next_messages(seen: Listening, count: int) -> list[str]:
    return [await asyncio.wait_for(seen.heard.get(), 5) for _ in range(count)]


async def test_messages_on_both_channels_arrive_in_order(
        redis: aioredis.Redis, listening: Listening) -> None:
    for n, channel in enumerate(["t:mine", "t:all", "t:other", "t:mine"]):
        await redis.publish(channel, f"m{n}")
    assert await next_messages(listening, 3) == ["m0", "m1", "m3"]


async def test_a_message_that_fails_to_be_handled_does_not_stop_the_next(
        redis: aioredis.Redis, listening: Listening) -> None:
    await redis.publish("t:mine", "boom")
    await redis.publish("t:mine", "after")
    assert await next_messages(listening, 1) == ["after"]


async def test_a_cut_subscription_is_reported_and_taken_again(
        redis: aioredis.Redis, listening: Listening) -> None:
    assert await redis.client_kill_filter(_type="pubsub") == 1
    assert await asyncio.wait_for(listening.ups.get(), 5) is True
    assert listening.downs == 1
    await redis.publish("t:mine", "back")
    assert await next_messages(listening, 1) == ["back"]
