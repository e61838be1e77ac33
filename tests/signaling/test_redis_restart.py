"""Redis restarted under a running call between two processes: the subscription comes back,
and the call goes on after ``call:join`` (protocol §3)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from server.embedded_redis import EmbeddedRedis
from tests.signaling.multiprocess import (
    candidate,
    exchange,
    for_session,
    live_call,
    numbered,
    numbers,
    people,
    start_processes,
)
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually


async def _joined(socket: SocketPeer, session_id: str) -> bool:
    # While Redis is still loading, the join answers an error: try again.
    answer = await socket.call("call:join", {"session_id": session_id})
    return answer.get("ok") is True


async def _crosses(sender: SocketPeer, receiver: SocketPeer, session_id: str,
                   probes: list[int]) -> bool:
    """Sends one more numbered probe; True once the other side hears one."""
    probes.append(probes[-1] + 1 if probes else 1000)
    await sender.call("signal", candidate(probes[-1], session_id))
    try:
        await receiver.wait_for("signal", numbered(probes[-1]), within=0.5)
    except TimeoutError:
        return False
    return True


def _outage_logged_briefly(log: str) -> None:
    """An operator reads one line per failed tick while Redis is away, not a traceback each."""
    lines = log.splitlines()
    for line, after in pairwise(lines):
        if "tick failed" in line or "renewal failed" in line:
            assert not after.startswith("Traceback"), f"{line}\n{after}"


async def test_a_call_resumes_after_redis_restarts(tmp_path: Path) -> None:
    redis = EmbeddedRedis(tmp_path / "own-redis")
    url = redis.start_sync()
    # A lease longer than the restart, so that nobody is buried meanwhile.
    processes = start_processes(2, url, tmp_path, HELPCALL_LEASE_SECONDS="10",
                                HELPCALL_RECONNECT_GRACE_SECONDS="30")
    try:
        client_process, expert_process = processes
        async with people(client_process.url) as crowd:
            expert, client = await crowd.expert(), await crowd.client()
            expert_socket = await crowd.socket(expert_process, expert)
            await expert_socket.ok("presence", {"status": "online"})
            client_socket = await crowd.socket(client_process, client)
            session_id = await live_call(client_socket, expert_socket, expert.id)

            redis.stop_sync()
            assert redis.start_sync() == url

            await eventually(lambda: _joined(client_socket, session_id), within=20,
                             what="call:join to work again")
            # Each process subscribes again on its own (backing off up to 2 s): probe both ways.
            probes: list[int] = []
            await eventually(lambda: _crosses(client_socket, expert_socket, session_id, probes),
                             within=20, what="signals to cross processes again")
            await eventually(lambda: _crosses(expert_socket, client_socket, session_id, probes),
                             within=20, what="signals to cross back")
            await client_socket.ok("media", {"session_id": session_id, "state": "connected"})
            # call:state live crosses processes: the subscriptions are back.
            for socket in (client_socket, expert_socket):
                await socket.wait_for("call:state", lambda d: d["session_id"] == session_id
                                      and d["state"] == "live", nth=2)
            await exchange(client_socket, expert_socket, session_id, 5, 10)
            assert [n for n in numbers(expert_socket, session_id) if n < 1000] == list(range(5))
            assert [n for n in numbers(client_socket, session_id) if n < 1000] == list(range(10, 15))
            await expert_socket.ok("call:hangup", {"session_id": session_id})
            assert (await client_socket.wait_for("call:summary",
                                                 for_session(session_id)))["end_reason"] == "hangup"
        for process in processes:
            _outage_logged_briefly(process.output())
    finally:
        for process in processes:
            process.stop()
        redis.stop_sync()
