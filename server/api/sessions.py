"""The caller's sessions: history and one session (participants only)."""

from __future__ import annotations

from aiohttp import web

from common.errors import NotFound
from common.ids import looks_like_id
from server.http import caller
from server.keys import CALLS

routes = web.RouteTableDef()


@routes.get("/api/v1/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    account = await caller(request)
    views, now = await request.app[CALLS].store.list_for(account.id)
    return web.json_response({"sessions": [view.public(now) for view in views]})


@routes.get("/api/v1/sessions/{session_id}")
async def get_session(request: web.Request) -> web.Response:
    account = await caller(request)
    session_id = request.match_info["session_id"]
    found = await request.app[CALLS].store.get(session_id) if looks_like_id(session_id) else None
    # Someone else's session answers exactly like a missing one: ids reveal nothing.
    if found is None or found[0].role_of(account.id) is None:
        raise NotFound("no such session")
    view, now = found
    return web.json_response(view.public(now))
