"""Real WebRTC peers (aiortc) that negotiate through helpcall's relay, as browsers do."""

from __future__ import annotations

import asyncio
from typing import Any

from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from tests.signaling.peers import SocketPeer


class RtcPeer:
    """One side of a call: the client makes the offer, the expert answers."""

    def __init__(self, socket: SocketPeer, session_id: str,
                 configuration: RTCConfiguration | None = None) -> None:
        self.socket = socket
        self.session_id = session_id
        self.pc = RTCPeerConnection(configuration or RTCConfiguration(iceServers=[]))
        self.received: asyncio.Queue[str] = asyncio.Queue()
        self.channel: RTCDataChannel | None = None
        # The answerer's channel arrives over SCTP after ICE connects, so "live" can come first.
        self._has_channel = asyncio.Event()
        self.reported: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        socket.sio.on("signal", self._on_signal)

        @self.pc.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            self._use(channel)

        @self.pc.on("connectionstatechange")
        async def on_state() -> None:
            state = self.pc.connectionState
            if state in ("connected", "disconnected", "failed"):
                media = "connected" if state == "connected" else "disconnected"
                answer = await socket.call("media", {"session_id": session_id, "state": media})
                await self.reported.put(answer)

    def _use(self, channel: RTCDataChannel) -> None:
        self.channel = channel
        self._has_channel.set()

        @channel.on("message")
        def on_message(message: str) -> None:
            self.received.put_nowait(message)

    async def offer(self) -> None:
        self._use(self.pc.createDataChannel("chat"))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_description()

    async def _send_description(self) -> None:
        description = self.pc.localDescription
        await self.socket.ok("signal", {
            "session_id": self.session_id,
            "description": {"type": description.type, "sdp": description.sdp},
        })

    async def _on_signal(self, data: dict[str, Any]) -> None:
        assert data["session_id"] == self.session_id
        description = data.get("description")
        if description is None:
            return  # aiortc puts its candidates in the SDP; end-of-candidates needs nothing
        await self.pc.setRemoteDescription(RTCSessionDescription(**description))
        if description["type"] == "offer":
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            await self._send_description()

    async def send_when_open(self, text: str) -> None:
        await asyncio.wait_for(self._has_channel.wait(), 10)
        assert self.channel is not None
        if self.channel.readyState != "open":
            opened = asyncio.Event()
            self.channel.on("open", opened.set)
            await asyncio.wait_for(opened.wait(), 10)
        self.channel.send(text)

    async def close(self) -> None:
        await self.pc.close()
