"""The Socket.IO server, guarded against malformed packets (docs/security.md, finding 7).

python-socketio raises ``ValueError``/``TypeError`` on a packet it cannot decode, and
python-engineio logs any exception of its message handler with a stack trace. A stranger
can send such packets at will, so this server drops them with one log line instead.
Deeply nested or otherwise refused JSON is handled before that (``common.safejson``): the
packet still reaches the namespace, which answers it with an ``invalid`` ack.
"""

from __future__ import annotations

import logging
from typing import Any

import engineio
import socketio

from common.safejson import EngineJson, SocketJson

log = logging.getLogger(__name__)


def install_json() -> None:
    """Give both libraries our JSON (class attributes: they are the libraries' own hooks)."""
    socketio.packet.Packet.json = SocketJson
    engineio.packet.Packet.json = EngineJson


class GuardedServer(socketio.AsyncServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install_json()

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            log.info("dropped a malformed Socket.IO packet from %s: %s", eio_sid,
                     str(exc)[:200])
