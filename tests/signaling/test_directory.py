"""Where sockets are, as processes read it: a session's just after one of its sockets
entered, an account's with the processes that must hear when it arrives somewhere new.

The manager tells no other process when a socket is the first of its side ever in the
session (the call's start, its accept): nobody can hold a stale location of that room. A
re-join, on any process, is never a first, so the processes that relay into the call still
forget what they cached (tests/signaling/test_delivery.py shows nothing is lost then).
"""

from __future__ import annotations

from server.keys import REDIS
from signaling.directory import (
    WATCH_SECONDS,
    WATCHERS_PREFIX,
    SocketDirectory,
    parse_read,
    queue_read,
)
from signaling.frames import session_rooms
from tests.conftest import Running
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.multiprocess import for_session


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
    assert await directory.account_entered("a_1", "p_1") == []  # nobody read where it is

    async with redis.pipeline(transaction=False) as pipe:  # p_2 locates the account
        assert queue_read(pipe, "a:a_1", "p_2") == 3
        *_, where = await pipe.execute()
    assert parse_read("a:a_1", where) == {"a:a_1": frozenset({"p_1"})}

    assert await directory.account_entered("a_1", "p_3") == ["p_2"]  # p_2's copy is stale
    assert await directory.account_entered("a_1", "p_3") is None  # a second tab: no change
    assert await directory.account_entered("a_1", "p_2") == []  # the watcher itself
    ttl = await redis.pttl(f"{WATCHERS_PREFIX}a_1")
    assert 0 < ttl <= WATCH_SECONDS * 1000  # watchers that stop reading are forgotten
