"""The people in a benchmark: accounts made over HTTP, and calls driven by protocol peers."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.wire import Wire, http_session

PROFILE = {
    "headline": "Bench expert",
    "bio": "Answers load tests.",
    "categories": ["cooking"],
    "languages": ["en"],
    "pricing": {"mode": "per_minute", "amount_cents": 60},
}
PASSWORD = "bench password 1"
_names = itertools.count(1)


@dataclass
class User:
    id: str
    token: str
    role: str


async def _user(http: aiohttp.ClientSession, url: str, role: str) -> User:
    email = f"{role}{next(_names)}-{secrets.token_hex(3)}@bench.test"
    body = {"email": email, "password": PASSWORD, "display_name": email[:20], "role": role}
    async with http.post(f"{url}/api/v1/accounts", json=body) as created:
        assert created.status == 201, await created.text()
        account = await created.json()
    async with http.post(f"{url}/api/v1/tokens",
                         json={"email": email, "password": PASSWORD}) as answer:
        assert answer.status == 200, await answer.text()
        token = (await answer.json())["token"]
    user = User(account["id"], token, role)
    headers = {"Authorization": f"Bearer {token}"}
    if role == "expert":
        async with http.put(f"{url}/api/v1/experts/me", json=PROFILE, headers=headers) as r:
            assert r.status == 200, await r.text()
    else:
        async with http.post(f"{url}/api/v1/wallet/topups", json={"amount_cents": 10_000_000},
                             headers=headers) as r:
            assert r.status == 201, await r.text()
    return user


async def make_users(url: str, role: str, count: int, parallel: int = 8) -> list[User]:
    """Accounts are made ahead of any timed part: scrypt costs ~50 ms per hash."""
    gate = asyncio.Semaphore(parallel)

    async def one(http: aiohttp.ClientSession) -> User:
        async with gate:
            return await _user(http, url, role)

    async with http_session() as http:
        return list(await asyncio.gather(*(one(http) for _ in range(count))))


async def make_pairs(url: str, count: int) -> list[tuple[User, User]]:
    clients = await make_users(url, "client", count)
    experts = await make_users(url, "expert", count)
    return list(zip(clients, experts, strict=True))


class Peer:
    """A ``Wire`` that keeps ``call:state`` / ``call:summary`` / ``call:incoming`` as futures."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self._waits: dict[tuple[str, str], asyncio.Future[Any]] = {}
        wire.on_event = self._on_event

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, url: str, user: User) -> Peer:
        return cls(await Wire.open(http, url, {"token": user.token}))

    def _future(self, key: tuple[str, str]) -> asyncio.Future[Any]:
        future = self._waits.get(key)
        if future is None:
            future = self._waits[key] = asyncio.get_running_loop().create_future()
        return future

    def _on_event(self, name: str, data: Any) -> None:
        if name == "call:state":
            key = (data["session_id"], data["state"])
        elif name == "call:summary":
            key = (data["session_id"], "summary")
        elif name == "call:incoming":
            key = (data["session_id"], "incoming")
        else:
            return
        future = self._future(key)
        if not future.done():
            future.set_result(data)

    async def wait(self, session_id: str, what: str, within: float = 15) -> Any:
        future = self._future((session_id, what))
        try:
            return await asyncio.wait_for(asyncio.shield(future), within)
        finally:
            self._waits.pop((session_id, what), None)

    def forget(self, session_id: str) -> None:
        for key in [k for k in self._waits if k[0] == session_id]:
            del self._waits[key]


async def go_live(client: Peer, expert: Peer, expert_id: str) -> str:
    """One call from ``call:start`` to ``live`` as two protocol-level peers (no media)."""
    started = await client.wire.ok("call:start", {"expert_id": expert_id, "topic": "bench"})
    session_id = str(started["session_id"])
    await expert.wait(session_id, "incoming")
    await expert.wire.ok("call:accept", {"session_id": session_id})
    media = {"session_id": session_id, "state": "connected"}
    await asyncio.gather(client.wire.ok("media", media), expert.wire.ok("media", media))
    await asyncio.gather(client.wait(session_id, "live"), expert.wait(session_id, "live"))
    return session_id


async def hang_up(client: Peer, expert: Peer, session_id: str) -> None:
    await client.wire.ok("call:hangup", {"session_id": session_id})
    await asyncio.gather(client.wait(session_id, "summary"), expert.wait(session_id, "summary"))
    client.forget(session_id)
    expert.forget(session_id)


async def paged_lifecycle(http: aiohttp.ClientSession, tabs: tuple[Peer, Peer],
                          users: tuple[User, User], own: tuple[str, str],
                          pages_at: Callable[[str], tuple[str, str]], signals: int = 0) -> str:
    """One call as the browser app makes it. A profile page and a console page open (on
    the URLs ``own`` names); the call is started on the one and answered on the other, and
    both navigate away (their sockets close). Two call pages open at the URLs
    ``pages_at(session_id)`` names, join, go live, exchange ``signals`` ICE candidates each
    way, hang up and close. ``tabs``: each side's other tab, open throughout (it keeps the
    expert online; it hears the ring and the states, as a second tab does)."""
    profile, console = [await Peer.open(http, url, user)
                        for url, user in zip(own, users, strict=True)]
    try:
        started = await profile.wire.ok("call:start", {"expert_id": users[1].id,
                                                       "topic": "bench"})
        session_id = str(started["session_id"])
        await console.wait(session_id, "incoming")
        await console.wire.ok("call:accept", {"session_id": session_id})
    finally:
        for page in (profile, console):
            await page.wire.close()
    urls = pages_at(session_id)
    pages = [await Peer.open(http, url, user) for url, user in zip(urls, users, strict=True)]
    try:
        ref = {"session_id": session_id}
        await asyncio.gather(*(page.wire.ok("call:join", ref) for page in pages))
        media = {**ref, "state": "connected"}
        await asyncio.gather(*(page.wire.ok("media", media) for page in pages))
        await asyncio.gather(*(page.wait(session_id, "live") for page in pages))
        await exchange(pages, session_id, signals)
        await pages[0].wire.ok("call:hangup", ref)
        await asyncio.gather(*(page.wait(session_id, "summary") for page in pages))
    finally:
        for page in pages:
            await page.wire.close()
    for tab in tabs:
        tab.forget(session_id)
    return session_id


CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
             "sdpMid": "0", "sdpMLineIndex": 0}


async def exchange(pages: list[Peer], session_id: str, count: int) -> None:
    """Each page sends ``count`` ICE candidates to the other; returns once all arrived."""
    if count == 0:
        return
    arrived = [asyncio.Event() for _ in pages]
    seen = [0] * len(pages)

    def counter(i: int) -> Callable[[str], None]:
        def counted(frame: str) -> None:
            seen[i] += 1
            if seen[i] == count:
                arrived[i].set()
        return counted

    for i, page in enumerate(pages):
        page.wire.on_signal = counter(i)
    payload = {"session_id": session_id, "candidate": CANDIDATE}
    await asyncio.gather(*(page.wire.ok("signal", payload) for page in pages
                           for _ in range(count)))
    await asyncio.gather(*(event.wait() for event in arrived))
