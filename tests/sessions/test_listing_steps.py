"""The indexes that list a session, and the index of a process's sockets, are written as
steps before the scripts (sessions/listing.py): a session is never missing from them, and
an entry left by a script that refused, or by a process stopped before its script ran,
shows nobody a call that is not theirs.

Each stop is left in Redis as a process killed there would leave it (the steps before it
ran, the rest never did); then the test shows what the people see next.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import redis.asyncio as aioredis

from common.keyspace import account_prefix, slot_of
from common.lua import in_order
from privacy.retention import RetentionRules
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import CALLS, PROC, REDIS, RETENTION
from sessions.keys import brand_sessions_key, index_key, proc_sockets_key
from sessions.listing import Listing
from tests.conftest import Running, StartApp, User
from tests.signaling.conftest import Connect, funded_client, online_expert, rung
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app()


def listing(running: Running) -> Listing:
    return running.app[CALLS].store.listing


async def listed(running: Running, user: User) -> list[str]:
    """The ids of the sessions ``user`` sees in their list."""
    answer = await running.client.get("/api/v1/sessions", headers=user.headers)
    assert answer.status == 200
    body: dict[str, Any] = await answer.json()
    return [s["id"] for s in body["sessions"]]


async def exported(running: Running, user: User) -> list[str]:
    """The ids of the sessions in ``user``'s data export."""
    answer = await running.client.get("/api/v1/me/export", headers=user.headers)
    assert answer.status == 200
    archive = zipfile.ZipFile(io.BytesIO(await answer.read()))
    sessions: list[dict[str, Any]] = json.loads(archive.read("sessions.json"))
    return [s["id"] for s in sessions]


async def ringing(running: Running, connect: Connect) -> tuple[User, User, SocketPeer, str]:
    """A client ringing an expert: (client, expert, the client's socket, session id)."""
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "tap"})
    return client, expert, client_socket, started["session_id"]


async def test_a_call_is_listed_for_both_parties_in_their_own_slots(
    running: Running, connect: Connect
) -> None:
    client, expert, _, session_id = await ringing(running, connect)
    assert await listed(running, client) == [session_id]
    assert await listed(running, expert) == [session_id]
    for user in (client, expert):
        assert slot_of(index_key(user.id)) == slot_of(account_prefix(user.id))
    # The client's socket is in its process's index, so a surviving process can detach it.
    members = await running.app[REDIS].smembers(proc_sockets_key(running.app[PROC]))
    assert any(m.startswith(session_id + "|") for m in members)


async def test_a_process_stopped_after_listing_a_call_shows_nobody_a_call(
    running: Running, connect: Connect
) -> None:
    expert, _ = await online_expert(running, connect)
    client, _ = await funded_client(running, connect)
    ghost = "s_stoppedbeforeitsscript0"
    await in_order(running.app[REDIS], first=[
        *listing(running).listed(ghost, client.id, expert.id, brand_id="b_ghost"),
        listing(running).socket("p_stopped", ghost, "sock1")])

    assert await listed(running, client) == []
    assert await listed(running, expert) == []
    answer = await running.client.get(f"/api/v1/sessions/{ghost}", headers=client.headers)
    assert answer.status == 404
    assert await exported(running, client) == []
    # Burying the stopped process detaches nothing, and fails on nothing.
    assert await running.app[CALLS].bury_process("p_stopped", 0) == 1
    assert await running.app[REDIS].exists(proc_sockets_key("p_stopped")) == 0

    # The retention job drops the entries left without their session.
    retention = running.app[RETENTION]
    retention.rules = RetentionRules(retention_ms=-60_000, billing_retention_ms=86_400_000,
                                     billing_stream=retention.rules.billing_stream)
    assert not (await retention.run_once()).skipped
    for key in (index_key(client.id), index_key(expert.id), brand_sessions_key("b_ghost")):
        assert await running.app[REDIS].zscore(key, ghost) is None


async def test_an_expert_listed_for_a_call_they_were_never_rung_for_does_not_see_it(
    running: Running, connect: Connect
) -> None:
    """A router listed a second expert, then its script refused (another router rang the
    first expert meanwhile): that expert sees nothing of the call."""
    first, first_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    session_id = await rung(client_socket, first_socket, {"category": "cooking",
                                                          "topic": "sauce"})
    other = await running.user("expert")
    await in_order(running.app[REDIS], first=listing(running).listed(session_id, other.id))

    assert await listed(running, other) == []
    assert await exported(running, other) == []
    answer = await running.client.get(f"/api/v1/sessions/{session_id}", headers=other.headers)
    assert answer.status in (403, 404)
    assert await listed(running, first) == [session_id]
    assert await listed(running, client) == [session_id]


async def test_a_socket_that_left_leaves_its_process_index_at_the_next_tick(
    running: Running, connect: Connect
) -> None:
    _, _, client_socket, session_id = await ringing(running, connect)
    await client_socket.ok("call:cancel", {"session_id": session_id})
    index = proc_sockets_key(running.app[PROC])
    await client_socket.close()

    async def out_of_the_index() -> bool:
        members = await running.app[REDIS].smembers(index)
        return not any(m.startswith(session_id + "|") for m in members)
    await eventually(out_of_the_index, within=5, what="the socket out of its process's index")


async def test_indexes_of_the_earlier_layout_move_to_their_owners(
    redis: aioredis.Redis,
) -> None:
    await redis.zadd("hc:{0}:sessions:a_old", {"s_1": 1})
    await redis.zadd("hc:{0}:brand:b_old:sessions", {"s_1": 1})
    await redis.sadd("hc:{0}:proc:p_old:socks", "s_1|sock")
    await redis.set(DONE_KEY, "5")
    assert await migrate_key_layout(redis) == 3
    assert await redis.zrange(index_key("a_old"), 0, -1) == ["s_1"]
    assert await redis.zrange(brand_sessions_key("b_old"), 0, -1) == ["s_1"]
    assert await redis.smembers(proc_sockets_key("p_old")) == {"s_1|sock"}
    assert await redis.exists("hc:{0}:sessions:a_old", "hc:{0}:brand:b_old:sessions",
                              "hc:{0}:proc:p_old:socks") == 0
