"""A call's dispute on its receipt page (docs/trust.md): the client opens it there, the
expert answers there, and both read the admins' decision there."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from accounts.models import Role
from common.errors import HelpcallError
from common.ids import looks_like_id
from server.keys import TRUST
from trust.disputes import AnswerRequest, DisputeRequest, Reason
from trust.reports import ReportReason
from web import csrf
from web.forms import read_form
from web.pages.public import problem_page
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


async def dispute_context(request: web.Request, session_id: str) -> dict[str, Any]:
    """What the receipt template shows of the dispute, for the reader."""
    who = await viewer(request)
    assert who.account is not None
    dispute = await request.app[TRUST].disputes.store.get(session_id)
    admin = who.is_role(Role.ADMIN)
    return {"dispute": await request.app[TRUST].disputes.read(session_id, who.account.id,
                                                               admin) if dispute else None,
            "dispute_reasons": list(Reason), "report_reasons": list(ReportReason),
            "dispute_done": request.query.get("dispute", ""),
            "dispute_window_hours": round(request.app[TRUST].disputes.window_ms / 3_600_000),
            "report_done": request.query.get("report", "")}


async def _form(request: web.Request) -> tuple[str, str, Any]:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    return who.account.id, request.match_info["session_id"], form


def _back(session_id: str, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/sessions/{session_id}/receipt?dispute={done}#dispute")


@routes.post("/sessions/{session_id}/dispute")
async def open_dispute(request: web.Request) -> web.Response:
    account_id, session_id, form = await _form(request)
    if not looks_like_id(session_id):
        return await problem_page(request, "not_found")
    try:
        wanted = DisputeRequest.parse({"reason": form.get("reason"), "text": form.get("text")})
        await request.app[TRUST].disputes.open(session_id, account_id, wanted)
    except HelpcallError:
        raise _back(session_id, "failed") from None
    raise _back(session_id, "opened")


@routes.post("/sessions/{session_id}/dispute/answer")
async def answer_dispute(request: web.Request) -> web.Response:
    account_id, session_id, form = await _form(request)
    if not looks_like_id(session_id):
        return await problem_page(request, "not_found")
    try:
        answer = AnswerRequest.parse({"text": form.get("text")})
        await request.app[TRUST].disputes.answer(session_id, account_id, answer)
    except HelpcallError:
        raise _back(session_id, "failed") from None
    raise _back(session_id, "answered")
