"""Several real ``python -m server`` processes on one Redis, and people to put on them."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from tests.conftest import User
from tests.mailbox import follow_verification
from tests.processes import ServerProcess
from tests.sessions.test_crash import make_user
from tests.signaling.conftest import PROFILE
from tests.signaling.peers import SocketPeer

LEASE_SECONDS = 1.5
_names = itertools.count(1)


def start_processes(count: int, redis_url: str, data_dir: Path,
                    **extra: str) -> list[ServerProcess]:
    env = {
        "REDIS_URL": redis_url, "HELPCALL_DATA_DIR": str(data_dir),
        "HELPCALL_SECRET_KEY": "shared-secret", "HELPCALL_LEASE_SECONDS": str(LEASE_SECONDS),
        "HELPCALL_GUARANTEE_SECONDS": "0", "HELPCALL_REAPER_INTERVAL_SECONDS": "0.05",
        "HELPCALL_LOG_LEVEL": "INFO", **extra,
    }
    processes = [ServerProcess(env) for _ in range(count)]
    try:
        for process in processes:
            process.wait_ready(timeout=120)  # a loaded machine starts slowly
    except BaseException:
        for process in processes:
            process.stop()
        raise
    return processes


class People:
    """Accounts made through the HTTP API, and their sockets on chosen processes."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http = http
        self.url = url
        self.sockets: list[SocketPeer] = []

    async def expert(self, verified_with: aioredis.Redis | None = None) -> User:
        """An expert with a profile; ``verified_with`` clicks the mailed verification link."""
        expert = await make_user(self.http, self.url, "expert", f"expert{next(_names)}")
        if verified_with is not None:
            path = await follow_verification(verified_with, expert.email)
            async with self.http.get(f"{self.url}{path}", allow_redirects=False) as answer:
                assert answer.status in (200, 303), await answer.text()
        async with self.http.put(f"{self.url}/api/v1/experts/me", json=PROFILE,
                                 headers=expert.headers) as answer:
            assert answer.status == 200
        return expert

    async def client(self) -> User:
        client = await make_user(self.http, self.url, "client", f"client{next(_names)}")
        async with self.http.post(f"{self.url}/api/v1/wallet/topups",
                                  json={"amount_cents": 10_000},
                                  headers=client.headers) as answer:
            assert answer.status == 201
        return client

    async def socket(self, process: ServerProcess, user: User) -> SocketPeer:
        socket = await SocketPeer(process.url, user).connect()
        self.sockets.append(socket)
        return socket

    async def online_pair(self, client_at: ServerProcess, expert_at: ServerProcess
                          ) -> tuple[User, User, SocketPeer, SocketPeer]:
        """An expert online from a tab on ``expert_at``, and a funded client with a socket
        on ``client_at``: (expert, client, the client's socket, the expert's tab)."""
        expert, client = await self.expert(), await self.client()
        tab = await self.socket(expert_at, expert)
        await tab.ok("presence", {"status": "online"})
        return expert, client, await self.socket(client_at, client), tab


@asynccontextmanager
async def people(url: str) -> AsyncIterator[People]:
    async with aiohttp.ClientSession() as http:
        crowd = People(http, url)
        try:
            yield crowd
        finally:
            for socket in crowd.sockets:
                await socket.close()


def for_session(session_id: str) -> Callable[[dict[str, object]], bool]:
    return lambda data: data.get("session_id") == session_id


async def live_call(client: SocketPeer, expert: SocketPeer, expert_id: str) -> str:
    """From ``call:start`` to ``live``; answers the session id."""
    session_id = str((await client.ok("call:start", {"expert_id": expert_id,
                                                     "topic": "x"}))["session_id"])
    await expert.wait_for("call:incoming", for_session(session_id))
    await expert.ok("call:accept", {"session_id": session_id})
    await client.wait_for("call:state", lambda d: d == d | {"session_id": session_id,
                                                            "state": "accepted"})
    for socket in (client, expert):
        await socket.ok("media", {"session_id": session_id, "state": "connected"})
    for socket in (client, expert):
        await socket.wait_for("call:state", lambda d: d["session_id"] == session_id
                              and d["state"] == "live")
    return session_id


def candidate(n: int, session_id: str) -> dict[str, object]:
    return {"session_id": session_id,
            "candidate": {"candidate": f"candidate:{n}", "sdpMid": "0", "sdpMLineIndex": 0}}


def numbers(socket: SocketPeer, session_id: str) -> list[int]:
    """The numbers of the ``candidate`` signals a socket received, in arrival order."""
    return [int(d["candidate"]["candidate"].split(":")[1]) for d in socket.events["signal"]
            if d["session_id"] == session_id and d.get("candidate")]


def numbered(n: int) -> Callable[[dict[str, Any]], bool]:
    return lambda d: bool(d.get("candidate")) and d["candidate"]["candidate"] == f"candidate:{n}"


async def exchange(first: SocketPeer, second: SocketPeer, session_id: str, count: int,
                   offset: int) -> None:
    """``first`` signals 0..count-1 and ``second`` offset..; waits for the last of each."""
    for n in range(count):
        await first.ok("signal", candidate(n, session_id))
        await second.ok("signal", candidate(offset + n, session_id))
    await second.wait_for("signal", numbered(count - 1))
    await first.wait_for("signal", numbered(offset + count - 1))
