"""Presence is the expert's, not one socket's: with several tabs (sockets) open, closing
one keeps the expert online; closing the last makes them offline until they ask again.
And an expert's wish to be online outlives an upgrade of the key layout."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from server.keymigration import DONE_KEY, migrate_key_layout
from signaling.presence import (
    ONLINE_INDEX,
    PresenceStore,
    Status,
    proc_key,
    socks_key,
    unanswered_key,
)
from tests.conftest import Running
from tests.signaling.conftest import Connect, online_expert
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

async def test_closing_one_tab_of_several_keeps_the_expert_online(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    expert, first = await online_expert(running, connect)
    second = await connect(running, expert)  # another tab: joins without asking again
    sockets = socks_key(expert.id)

    async def status() -> str:
        answer = await running.client.get(f"/api/v1/experts/{expert.id}")
        found: str = (await answer.json())["status"]
        return found

    async def sockets_left(count: int) -> bool:
        return int(await redis.scard(sockets)) == count

    await eventually(lambda: sockets_left(2), what="two sockets")
    assert await status() == "online"
    await first.close()
    await eventually(lambda: sockets_left(1), what="one socket left")
    assert await status() == "online"
    await second.close()
    await eventually(lambda: sockets_left(0), what="no socket left")
    assert await status() == "offline"

    # A new socket starts offline: the last one's going was the end of the presence.
    third = await connect(running, expert)
    await eventually(lambda: sockets_left(1), what="a new socket")
    assert await status() == "offline"
    await third.ok("presence", {"status": "online"})
    assert await status() == "online"


async def test_who_asked_to_be_online_before_an_upgrade_still_has(
        redis: aioredis.Redis) -> None:
    # Layout 9 kept every expert's wish in one hash of the home slot, and their sockets
    # there: the wish moves to the expert's slot, the stopped processes' sockets go.
    await redis.hset("hc:{0}:presence:want", mapping={"a_on": "online", "a_off": "offline"})
    await redis.sadd("hc:{0}:presence:socks:a_on", "old_sid")
    await redis.sadd("hc:{0}:proc:p_old:experts", "a_on|old_sid")
    await redis.sadd("hc:{0}:presence:unanswered:a_on", "a_client")
    await redis.set(DONE_KEY, "9")
    assert await migrate_key_layout(redis) == 5
    assert await migrate_key_layout(redis) == 0
    assert not await redis.exists("hc:{0}:presence:want", "hc:{0}:presence:socks:a_on",
                                  "hc:{0}:proc:p_old:experts",
                                  "hc:{0}:presence:unanswered:a_on")
    assert await redis.smembers(unanswered_key("a_on")) == {"a_client"}

    presence = PresenceStore(redis, "p_new")
    assert await presence.statuses(["a_on", "a_off"]) == {"a_on": Status.OFFLINE,
                                                          "a_off": Status.OFFLINE}
    # Their app reconnects: the one who was online is again, without asking.
    await presence.socket_connected("a_on", "new_sid")
    await presence.socket_connected("a_off", "new_sid2")
    assert await presence.statuses(["a_on", "a_off"]) == {"a_on": Status.ONLINE,
                                                          "a_off": Status.OFFLINE}
    assert await presence.counts() == {Status.ONLINE: 1, Status.BUSY: 0, Status.OFFLINE: 0}
    assert await presence.socket_gone("a_on", "new_sid") == 0
    assert await presence.counts() == {Status.ONLINE: 0, Status.BUSY: 0, Status.OFFLINE: 0}


async def test_a_process_stopped_between_presence_steps_leaves_nothing_once_buried(
        redis: aioredis.Redis) -> None:
    # A socket listed for its process but never counted (stopped between the two), then
    # the process buried by a survivor: the expert's state is as if it never came.
    online = PresenceStore(redis, "p_live")
    await online.set_wanted("a_1", Status.ONLINE)
    await online.socket_connected("a_1", "kept")
    await redis.sadd(proc_key("p_dead"), "a_1|never_counted")
    assert await PresenceStore(redis, "p_survivor").bury_process("p_dead") == ["a_1"]
    assert await online.statuses(["a_1"]) == {"a_1": Status.ONLINE}
    assert not await redis.exists(proc_key("p_dead"))

    # Counted out but still listed (stopped after the script): burying it again changes
    # nothing more; the expert, with no socket left, is offline.
    await redis.sadd(proc_key("p_live"), "a_1|kept")
    assert await online.socket_gone("a_1", "kept") == 0
    await redis.sadd(proc_key("p_live"), "a_1|kept")  # as if its SREM never ran
    assert await PresenceStore(redis, "p_survivor").bury_process("p_live") == ["a_1"]
    assert await online.statuses(["a_1"]) == {"a_1": Status.OFFLINE}
    # Listed as online for the metrics but never written (stopped between): not counted.
    await redis.sadd(ONLINE_INDEX, "a_2")
    assert await online.counts() == {Status.ONLINE: 0, Status.BUSY: 0, Status.OFFLINE: 0}
