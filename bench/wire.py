"""A lean Socket.IO client speaking Engine.IO 4 over a websocket, for load generation.

The official python-socketio client costs about as much CPU per message as the server
does, and this machine has two cores: a benchmark client built on it measures itself.
This one keeps the protocol honest (namespace connect with ``auth``, acknowledgements,
answering the server's pings) and lets the hot path send pre-encoded frames and read
a timestamp with a string search instead of a JSON parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import aiohttp

# Answers a frame to send back at once on the same socket, or None.
RawHandler = Callable[[str], "str | None"]
EventHandler = Callable[[str, Any], None]


class WireError(RuntimeError):
    pass


class Wire:
    """One socket: ``await Wire.open(http, url, auth)``, then ``call`` / ``send`` / ``close``."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.sid = ""
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        # The hot path: frames starting with 42["signal" go here untouched.
        self.on_signal: RawHandler | None = None
        self.on_event: EventHandler | None = None
        self.closed = asyncio.Event()
        self.refused = 0  # acks of untracked (hot path) frames answering ok: false

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, base_url: str, auth: dict[str, Any] | None = None
    ) -> Wire:
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await http.ws_connect(url, autoping=False, max_msg_size=0, compress=0)
        wire = cls(ws)
        opening = await ws.receive_str()
        if not opening.startswith("0"):
            raise WireError(f"unexpected engine.io opening {opening[:80]!r}")
        await ws.send_str("40" + (json.dumps(auth) if auth else ""))
        answer = await ws.receive_str()
        while answer == "2":  # a ping may come first on a slow start
            await ws.send_str("3")
            answer = await ws.receive_str()
        if answer.startswith("44"):
            await ws.close()
            raise WireError(f"connection refused: {answer[2:]}")
        if not answer.startswith("40"):
            raise WireError(f"unexpected namespace answer {answer[:80]!r}")
        wire.sid = json.loads(answer[2:])["sid"]
        wire._reader = asyncio.create_task(wire._read())
        return wire

    async def _read(self) -> None:
        ws = self.ws
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                data: str = msg.data
                if data.startswith('42["signal"'):
                    if self.on_signal is not None:
                        reply = self.on_signal(data)
                        if reply is not None and not await self.send(reply):
                            break
                elif data.startswith("43"):
                    self._acked(data)
                elif data == "2":
                    await ws.send_str("3")
                elif data.startswith("42"):
                    name, *args = json.loads(data[2:])
                    if self.on_event is not None:
                        self.on_event(name, args[0] if args else None)
                elif data.startswith("41"):
                    break  # the server closed our namespace
        finally:
            self.closed.set()
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(WireError("socket closed"))

    def _acked(self, data: str) -> None:
        bracket = data.index("[")
        future = self._acks.pop(int(data[2:bracket]), None)
        if future is None:
            if '"ok":false' in data:
                self.refused += 1
        elif not future.done():
            args = json.loads(data[bracket:])
            future.set_result(args[0] if args else None)

    async def call(self, event: str, payload: Any = None, within: float = 10) -> Any:
        ack = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack] = future
        await self.ws.send_str(f"42{ack}" + json.dumps([event, payload]))
        return await asyncio.wait_for(future, within)

    async def ok(self, event: str, payload: Any = None) -> dict[str, Any]:
        answer = await self.call(event, payload)
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise WireError(f"{event}: {answer}")
        return answer

    def next_ack_id(self) -> int:
        """An ack id for a pre-encoded frame whose ack we do not wait for."""
        return next(self._ids)

    async def send(self, frame: str) -> bool:
        """Send a pre-encoded frame; False when the socket is gone (counted, not raised)."""
        if self.closed.is_set():
            return False
        try:
            await self.ws.send_str(frame)
        except (ConnectionError, aiohttp.ClientError):
            return False
        return True

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader


def http_session(limit: int = 0) -> aiohttp.ClientSession:
    # No connection cap: every websocket holds its connection for its whole life.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, force_close=False))
