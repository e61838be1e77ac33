"""Retention: a day of calls (chat, files, billing events) is trimmed back to the memory
and key count Redis had before it, with short configured values; reconcile still agrees;
and only one process trims at a time."""

from __future__ import annotations

import redis.asyncio as aioredis

from privacy.retention import LEASE
from server.keys import RECONCILE, RETENTION
from sessions.keys import rung_key, session_key, session_pattern
from tests.conftest import Running, StartApp, User, billing_entries
from tests.privacy.conftest import PNG, share
from tests.signaling.conftest import PROFILE, Connect
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

SHORT = {
    "HELPCALL_RETENTION_DAYS": "0.00001",  # 0.864 s
    "HELPCALL_BILLING_RETENTION_DAYS": "0.00001",
    "HELPCALL_RINGS_PER_EXPERT": "1000",
    "HELPCALL_RINGS_PER_CLIENT": "1000",
    "HELPCALL_FILE_RATE_FILES": "1000",
}
CALLS = 24  # a day: one call an hour, from 4 clients (the socket event limits are per socket)
CLIENTS = 4


async def _one_call(running: Running, client: User, client_socket: SocketPeer,
                    expert: User, expert_socket: SocketPeer, n: int) -> None:
    started = await client_socket.ok("call:start", {"expert_id": expert.id,
                                                    "topic": f"call {n}"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    for socket in (client_socket, expert_socket):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    await client_socket.state("live", nth=n // CLIENTS + 1)
    # One message a call: the chat is rate limited per socket (5 a second).
    await client_socket.ok("chat", {"session_id": session_id, "text": f"here is a photo {n}"})
    await share(running, client, session_id, PNG, f"photo-{n}.png")
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.state("ended", nth=n // CLIENTS + 1)


async def _footprint(redis: aioredis.Redis) -> tuple[int, int]:
    """(keys, bytes the keys take): ``MEMORY USAGE`` of every key, which unlike INFO
    memory's totals does not move with client buffers."""
    total, keys = 0, 0
    async for key in redis.scan_iter(count=1000):  # every node of a Cluster (DBSIZE: one)
        keys += 1
        total += int(await redis.memory_usage(key, samples=0) or 0)
    return keys, total


async def _sessions_left(redis: aioredis.Redis) -> int:
    return len([k async for k in redis.scan_iter(match=session_pattern())])


async def test_a_day_of_calls_is_trimmed_back_to_the_baseline(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(**SHORT)
    retention = running.app[RETENTION]
    expert = await running.user("expert")
    free = {**PROFILE, "pricing": {"mode": "free", "amount_cents": 0}}
    assert (await running.client.put("/api/v1/experts/me", json=free,
                                     headers=expert.headers)).status == 200
    expert_socket = await connect(running, expert)
    await expert_socket.ok("presence", {"status": "online"})
    clients = [await running.user("client") for _ in range(CLIENTS)]
    sockets = [await connect(running, client) for client in clients]
    made = 0

    async def call(i: int) -> None:
        nonlocal made
        await _one_call(running, clients[i], sockets[i], expert, expert_socket, made)
        made += 1

    async def trimmed() -> bool:
        report = await retention.run_once()
        return not report.skipped and await _sessions_left(redis) == 0 and (
            len(await billing_entries(redis))) == 0

    # One call of each client first, trimmed: their counters exist from then on (the baseline).
    for i in range(CLIENTS):
        await call(i)
    await eventually(trimmed, what="the first call trimmed")
    base_keys, base_memory = await _footprint(redis)

    for n in range(CALLS):
        await call(n % CLIENTS)
    peak_keys, peak_memory = await _footprint(redis)
    assert peak_keys > base_keys + CALLS and peak_memory > base_memory

    await eventually(trimmed, what="the day trimmed")
    keys, memory = await _footprint(redis)
    print(f"retention: keys {base_keys} -> {peak_keys} -> {keys}; "
          f"bytes in keys {base_memory} -> {peak_memory} -> {memory}")
    assert keys == base_keys
    assert memory <= base_memory + (peak_memory - base_memory) // 10
    # The shared files' bytes are gone too, and reconcile finds nothing wrong.
    for client in clients:
        assert not list((running.config.data_dir / "blobs" / client.id).glob("f_*"))
        assert await running.app[RETENTION].files.files.usage(client.id) == (0, 0)
    assert await running.app[RECONCILE]() == []


async def test_one_process_trims_at_a_time(start_app: StartApp, redis: aioredis.Redis) -> None:
    running = await start_app()
    await redis.set(LEASE, "p_someoneelse0000000000", px=60_000)
    assert (await running.app[RETENTION].run_once()).skipped
    await redis.delete(LEASE)
    report = await running.app[RETENTION].run_once()
    assert not report.skipped and await redis.get(LEASE) is None


async def test_a_category_call_leaves_no_key_behind(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    """A routed call also has the set of experts it rang (``:rung``): trimmed with it."""
    running = await start_app(**SHORT)
    expert = await running.user("expert")
    assert (await running.client.put("/api/v1/experts/me", json=PROFILE,
                                     headers=expert.headers)).status == 200
    expert_socket = await connect(running, expert)
    await expert_socket.ok("presence", {"status": "online"})
    client = await running.user("client")
    assert (await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 5000},
                                      headers=client.headers)).status == 201
    client_socket = await connect(running, client)
    started = await client_socket.ok("call:start", {"category": "cooking", "topic": "Sauce"})
    session_id = started["session_id"]
    await expert_socket.wait_for("call:incoming", lambda d: d["session_id"] == session_id)
    await expert_socket.ok("call:accept", {"session_id": session_id})
    await client_socket.ok("call:hangup", {"session_id": session_id})
    await client_socket.state("ended")
    assert [k async for k in redis.scan_iter(match=rung_key(session_id))]

    async def nothing_left() -> bool:
        await running.app[RETENTION].run_once()
        return not [k async for k in redis.scan_iter(match=session_key(session_id) + "*")]

    await eventually(nothing_left, what="every key of the session trimmed")
