"""The admins' disputes: those to decide, and one dispute beside its call's receipt timeline
with the decision form (refund all, part or nothing), as ``docs/trust.md`` describes."""

from __future__ import annotations

from aiohttp import web

from common.errors import HelpcallError
from common.ids import looks_like_id
from server.keys import ACCOUNTS, CALLS, TRUST
from sessions.receipts import receipt_for
from trust.disputes import Decision
from trust.errors import NoSuchDispute
from web.pages.admin import admin_or_problem, admin_step
from web.pages.public import problem_page
from web.pages.receipt import clock
from web.render import render

routes = web.RouteTableDef()


@routes.get("/admin/disputes", name="admin_disputes")
async def disputes_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    disputes = request.app[TRUST].disputes
    waiting = await disputes.listed(("open", "answered"))
    decided = (await disputes.listed(("decided",)))[:50]
    people = sorted({p for d in waiting + decided for p in (d["client_id"], d["expert_id"])})
    names = await request.app[ACCOUNTS].store.display_names(people)
    return await render(request, "admin_disputes.html",
                        {"waiting": waiting, "decided": decided, "names": names})


@routes.get("/admin/disputes/{session_id}", name="admin_dispute")
async def dispute_page(request: web.Request) -> web.Response:
    admin = await admin_or_problem(request)
    if isinstance(admin, web.Response):
        return admin
    session_id = request.match_info["session_id"]
    if not looks_like_id(session_id):
        return await problem_page(request, "not_found")
    try:
        dispute = await request.app[TRUST].disputes.read(session_id, admin, admin=True)
        receipt = await receipt_for(request.app[CALLS].store, session_id, admin, True,
                                    request.app[ACCOUNTS].store.display_names)
    except HelpcallError:
        return await problem_page(request, "not_found")
    return await render(request, "admin_dispute.html", {
        "dispute": dispute, "receipt": receipt, "clock": clock,
        "outcome": request.query.get("done", "")})


@routes.post("/admin/disputes/{session_id}")
async def decide(request: web.Request) -> web.Response:
    session_id = request.match_info["session_id"]

    async def step(admin: str, form: dict[str, str]) -> None:
        if not looks_like_id(session_id):
            raise NoSuchDispute()
        cents = form.get("refund_cents", "").strip()
        outcome = form.get("outcome", "")
        decision = Decision.parse({
            "outcome": outcome, "note": form.get("note", ""),
            "refund_cents": int(cents) if outcome == "partial" and cents.isdigit() else None})
        await request.app[TRUST].disputes.decide(session_id, admin, decision)

    page = f"/admin/disputes/{session_id}"
    return await admin_step(request, step, f"{page}?done=decided", f"{page}?done=failed")
