"""The thinnest honest peer: python-socketio on aiohttp relaying ``signal`` within a pair.

No auth, no Redis, no validation: a socket joins the room named in its ``auth``
(``{"pair": "<id>"}``) at connect, and every ``signal`` goes to the other member of that
room, with the sender's id added as ``from`` and ``{"ok": true}`` as the ack, so that it
moves the same frames as helpcall does. Same engine settings as ``server/app.py``.

``python -m bench.bare_relay --port 8100 [--uvloop]``
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import socketio
from aiohttp import web

log = logging.getLogger(__name__)


def make_app() -> web.Application:
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        ping_interval=10.0,
        ping_timeout=5.0,
        max_http_buffer_size=100 * 1024,
        cors_allowed_origins=None,
        logger=False,
        engineio_logger=False,
    )
    pairs: dict[str, str] = {}

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> None:
        pair = auth.get("pair") if isinstance(auth, dict) else None
        room = str(pair) if pair else sid
        pairs[sid] = room
        await sio.enter_room(sid, room)

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: object = None) -> None:
        pairs.pop(sid, None)

    @sio.event  # type: ignore[untyped-decorator]
    async def signal(sid: str, data: Any) -> dict[str, bool]:
        if isinstance(data, dict):
            data["from"] = sid
        await sio.emit("signal", data, room=pairs[sid], skip_sid=sid)
        return {"ok": True}

    app = web.Application()
    sio.attach(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--uvloop", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    loop_factory = None
    if args.uvloop:
        import uvloop

        loop_factory = uvloop.new_event_loop
    web.run_app(make_app(), host="127.0.0.1", port=args.port, print=None,
                access_log=None, loop=loop_factory() if loop_factory else None)


if __name__ == "__main__":
    main()
