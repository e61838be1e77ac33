"""Two web processes on one Redis: a call across them, and the client's process SIGKILLed."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from sessions.keys import busy_key, session_key
from tests.conftest import User
from tests.processes import ServerProcess
from tests.sessions.test_metering import billing_events
from tests.signaling.conftest import PROFILE
from tests.signaling.peers import SocketPeer

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

LEASE_SECONDS = 1.5


@pytest.fixture
def two_processes(
    redis: aioredis.Redis, redis_url: str, tmp_path: Path
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    # Depends on ``redis`` so that its FLUSHALL happens before the processes take leases.
    env = {
        "REDIS_URL": redis_url, "HELPCALL_DATA_DIR": str(tmp_path),
        "HELPCALL_SECRET_KEY": "shared-secret", "HELPCALL_LEASE_SECONDS": str(LEASE_SECONDS),
        "HELPCALL_RECONNECT_GRACE_SECONDS": "1", "HELPCALL_GUARANTEE_SECONDS": "0",
        "HELPCALL_REAPER_INTERVAL_SECONDS": "0.05", "HELPCALL_LOG_LEVEL": "INFO",
    }
    first, second = ServerProcess(env), ServerProcess(env)
    first.wait_ready()
    second.wait_ready()
    yield first, second
    for process in (first, second):
        process.stop()


async def make_user(http: aiohttp.ClientSession, url: str, role: str, name: str) -> User:
    email = f"{name}@example.test"
    body = {"email": email, "password": "long enough", "display_name": name, "role": role}
    async with http.post(f"{url}/api/v1/accounts", json=body) as answer:
        assert answer.status == 201
        account = await answer.json()
    async with http.post(f"{url}/api/v1/tokens", json={"email": email, "password": "long enough"}) as answer:
        token = (await answer.json())["token"]
    return User(account["id"], email, token, role, name)


async def redis_now_ms(redis: aioredis.Redis) -> int:
    seconds, micros = await redis.time()
    return int(seconds) * 1000 + int(micros) // 1000


async def test_sigkill_of_the_clients_process_ends_the_call_billed_to_the_truth(
    two_processes: tuple[ServerProcess, ServerProcess], redis: aioredis.Redis
) -> None:
    client_process, expert_process = two_processes
    async with aiohttp.ClientSession() as http:
        expert = await make_user(http, expert_process.url, "expert", "Expert")
        client = await make_user(http, client_process.url, "client", "Client")
        async with http.put(f"{expert_process.url}/api/v1/experts/me", json=PROFILE,
                            headers=expert.headers) as answer:
            assert answer.status == 200
        async with http.post(f"{client_process.url}/api/v1/wallet/topups",
                             json={"amount_cents": 10_000}, headers=client.headers) as answer:
            assert answer.status == 201

        expert_socket = await SocketPeer(expert_process.url, expert).connect()
        client_socket = await SocketPeer(client_process.url, client).connect()
        try:
            await expert_socket.ok("presence", {"status": "online"})
            started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "x"})
            session_id = started["session_id"]
            # The ring crosses processes through Redis.
            assert (await expert_socket.wait_for("call:incoming"))["session_id"] == session_id
            await expert_socket.ok("call:accept", {"session_id": session_id})
            await client_socket.state("accepted")
            for socket in (client_socket, expert_socket):
                await socket.ok("media", {"session_id": session_id, "state": "connected"})
            await expert_socket.state("live")
            await client_socket.ok("signal", {"session_id": session_id, "candidate": None})
            assert (await expert_socket.wait_for("signal"))["from"] == client.id

            killed_at = await redis_now_ms(redis)
            client_process.stop(sig=signal.SIGKILL)

            assert (await expert_socket.state("paused", within=10))["session_id"] == session_id
            ended = await expert_socket.state("ended", within=10)
            assert ended["reason"] == "dropped"
        finally:
            await expert_socket.close()
            await client_socket.close()

    [event] = await billing_events(redis)
    assert event["end_reason"] == "dropped"
    live_started = await redis.hget(session_key(session_id), "live_started_at")
    truth_ms = killed_at - int(live_started)
    live_ms = int(event["live_ms"])
    # Billed up to the dead process's last heartbeat: never more than the truth, and
    # short of it by at most one lease.
    assert truth_ms - LEASE_SECONDS * 1000 <= live_ms <= truth_ms, (live_ms, truth_ms)
    assert await redis.get(busy_key(expert.id)) is None
