"""Where sockets are, as processes read it: a session's just after one of its sockets
entered, an account's with the processes that must hear when it arrives somewhere new.

The manager tells no other process when a socket is the first of its side ever in the
session (the call's start, its accept): nobody can hold a stale location of that room. A
re-join, on any process, is never a first, so the processes that relay into the call still
forget what they cached (tests/signaling/test_delivery.py shows nothing is lost then).
"""

from __future__ import annotations

import pytest

from common.keyspace import account_prefix, process_prefix
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import REDIS
from signaling.directory import (
    WATCH_SECONDS,
    SocketDirectory,
    parse_read,
    queue_read,
    watchers_key,
)
from signaling.frames import session_rooms
from tests.conftest import Running
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.multiprocess import for_session

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


async def test_only_the_first_socket_of_each_side_is_a_first_entry(
        running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    directory = SocketDirectory(running.app[REDIS])

    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "x"})
    session_id = started["session_id"]
    client_room, expert_room = session_rooms(session_id)
    found, first = await directory.session_entered(client_room)
    assert first and len(found[client_room]) == 1 and found[expert_room] == frozenset()

    await expert_socket.wait_for("call:incoming", for_session(session_id))
    await expert_socket.ok("call:accept", {"session_id": session_id})
    found, first = await directory.session_entered(expert_room)
    assert first and found[expert_room] == found[client_room]  # one process holds both

    second_tab = await connect(running, client)
    await second_tab.ok("call:join", {"session_id": session_id})
    _, first = await directory.session_entered(client_room)
    assert not first  # the client's second socket: others may have cached the first
    _, first = await directory.session_entered(expert_room)
    assert first  # nothing changed on the expert's side


async def test_an_account_arriving_on_a_process_is_announced_to_its_watchers_only(
        running: Running) -> None:
    redis = running.app[REDIS]
    directory = SocketDirectory(redis)
    assert await directory.account_entered("a_1", "p_1", "k1") == []  # nobody read where

    async with redis.pipeline(transaction=False) as pipe:  # p_2 locates the account
        assert queue_read(pipe, "a:a_1", "p_2") == 3
        *_, where = await pipe.execute()
    assert parse_read("a:a_1", where) == {"a:a_1": frozenset({"p_1"})}

    assert await directory.account_entered("a_1", "p_3", "k2") == ["p_2"]  # p_2's is stale
    assert await directory.account_entered("a_1", "p_3", "k3") is None  # a second tab
    assert await directory.account_entered("a_1", "p_2", "k4") == []  # the watcher itself
    ttl = await redis.pttl(watchers_key("a_1"))
    assert 0 < ttl <= WATCH_SECONDS * 1000  # watchers that stop reading are forgotten


async def test_a_process_buried_takes_its_sockets_counts_along_whatever_step_it_stopped_at(
        running: Running) -> None:
    # A socket is listed for its process, then counted for its account (two slots); it is
    # counted out, then unlisted. A process stopped between two of those steps leaves a
    # listing without a count, which burying it passes over.
    redis = running.app[REDIS]
    directory = SocketDirectory(redis)
    await directory.account_entered("a_1", "p_1", "k1")
    await directory.account_entered("a_2", "p_1", "k2")
    await directory.account_entered("a_2", "p_2", "k3")  # another process, alive
    await redis.sadd(process_prefix("p_1") + "accounts", "a_3|k4")  # stopped: a_3 uncounted
    await redis.hdel(account_prefix("a_1") + "sockets", "p_1")  # stopped: k1 counted out

    async def where(account_id: str) -> dict[str, frozenset[str]]:
        async with redis.pipeline(transaction=False) as pipe:
            queue_read(pipe, f"a:{account_id}", "p_9")
            *_, found = await pipe.execute()
        return parse_read(f"a:{account_id}", found)

    assert (await where("a_2"))["a:a_2"] == {"p_1", "p_2"}
    assert await directory.bury("p_1") == 3
    assert await directory.bury("p_1") == 0  # a second survivor finds nothing left
    assert (await where("a_1"))["a:a_1"] == frozenset()
    assert (await where("a_2"))["a:a_2"] == {"p_2"}
    assert (await where("a_3"))["a:a_3"] == frozenset()
    await directory.account_left("a_2", "p_2", "k3")
    assert (await where("a_2"))["a:a_2"] == frozenset()
    assert not await redis.exists(process_prefix("p_2") + "accounts")


async def test_where_the_sockets_of_an_earlier_version_were_is_forgotten_once(
        running: Running) -> None:
    redis = running.app[REDIS]
    await redis.hset("hc:{0}:sockets:a_1", "p_old", 2)
    await redis.sadd("hc:{0}:watchers:a_1", "p_old")
    await redis.sadd("hc:{0}:proc:p_old:accounts", "a_1")
    await redis.set(DONE_KEY, "7")
    assert await migrate_key_layout(redis) == 3
    assert await migrate_key_layout(redis) == 0
    assert not await redis.exists("hc:{0}:sockets:a_1", "hc:{0}:watchers:a_1",
                                  "hc:{0}:proc:p_old:accounts")
