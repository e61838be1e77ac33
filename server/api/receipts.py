"""``GET /api/v1/sessions/{id}/receipt``: the receipt of an ended paid session."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from server.apidoc import ANY_OBJECT, described
from server.http import caller
from server.keys import ACCOUNTS, CALLS
from sessions.receipts import receipt_for

routes = web.RouteTableDef()


@routes.get("/api/v1/sessions/{session_id}/receipt")
@described("A session's receipt (its participants)", answer=ANY_OBJECT)
async def get_receipt(request: web.Request) -> web.Response:
    account = await caller(request)
    body = await receipt_for(request.app[CALLS].store, request.match_info["session_id"],
                             account.id, account.role == Role.ADMIN,
                             request.app[ACCOUNTS].store.display_names)
    return web.json_response(body)
