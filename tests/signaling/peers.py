"""A protocol-level participant: a real python-socketio client that records every event."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import aiohttp
import socketio

from tests.conftest import User


class SocketPeer:
    def __init__(self, url: str, user: User | None = None,
                 http: aiohttp.ClientSession | None = None) -> None:
        """``http``: the HTTP session to connect with (its own source address, say)."""
        self.url = url
        self.user = user
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Condition()

        @self.sio.on("*")
        async def record(event: str, data: Any = None) -> None:
            async with self._changed:
                self.events[event].append(data)
                self._changed.notify_all()

    async def connect(self, **auth: str) -> SocketPeer:
        if not auth and self.user is not None:
            auth = {"token": self.user.token}
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=5)
        return self

    async def call(self, event: str, payload: Any = None) -> dict[str, Any]:
        answer: dict[str, Any] = await self.sio.call(event, payload, timeout=10)
        return answer

    async def ok(self, event: str, payload: Any = None) -> dict[str, Any]:
        answer = await self.call(event, payload)
        assert answer.get("ok") is True, (event, answer)
        return answer

    async def error(self, event: str, payload: Any = None) -> str:
        answer = await self.call(event, payload)
        assert answer.get("ok") is False, (event, answer)
        return str(answer["error"]["code"])

    async def wait_for(
        self,
        event: str,
        match: Callable[[Any], bool] = lambda _: True,
        within: float = 10,
        nth: int = 1,
    ) -> Any:
        """The ``nth`` ``event`` (already received or coming) for which ``match`` holds."""
        async def found() -> Any:
            async with self._changed:
                while True:
                    matching = [data for data in self.events[event] if match(data)]
                    if len(matching) >= nth:
                        return matching[nth - 1]
                    await self._changed.wait()

        return await asyncio.wait_for(found(), within)

    async def state(self, state: str, within: float = 10, nth: int = 1) -> dict[str, Any]:
        data: dict[str, Any] = await self.wait_for(
            "call:state", lambda d: d["state"] == state, within, nth
        )
        return data

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
