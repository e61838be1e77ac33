"""``/sessions/<id>/receipt``: the printable receipt of an ended paid session, in the
reader's language. The same receipt as ``GET /api/v1/sessions/{id}/receipt``; a stranger
sees the page-not-found page, exactly as for a session that does not exist."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from server.keys import ACCOUNTS, CALLS
from sessions.errors import WrongState
from sessions.receipts import receipt_for
from web.pages.disputes import dispute_context
from web.render import render
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


def clock(iso: str | None) -> str:
    """``08:52:22`` from an ISO 8601 UTC time (the page says the times are UTC)."""
    return iso[11:19] if iso else ""


@routes.get("/sessions/{session_id}/receipt", name="receipt")
async def receipt_page(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    session_id = request.match_info["session_id"]
    try:
        receipt = await receipt_for(request.app[CALLS].store, session_id, who.account.id,
                                    who.is_role(Role.ADMIN),
                                    request.app[ACCOUNTS].store.display_names)
    except WrongState:
        return await render(request, "receipt.html", {"receipt": None}, status=409)
    return await render(request, "receipt.html", {
        "receipt": receipt, "clock": clock, **await dispute_context(request, session_id)})
