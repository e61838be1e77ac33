"""The admins' moderation page: the reports queue, suspending and restoring accounts, and the
log of every moderation decision (docs/trust.md)."""

from __future__ import annotations

from aiohttp import web

from accounts.models import normalise_email
from common.errors import NotFound
from common.ids import looks_like_id
from server.keys import ACCOUNTS, TRUST
from trust.errors import NoSuchReport
from trust.reports import CloseRequest
from trust.suspensions import SuspensionRequest
from web.pages.admin import AdminStep, admin_or_problem, admin_step
from web.render import render

routes = web.RouteTableDef()
PAGE = "/admin/moderation"


@routes.get(PAGE, name="admin_moderation")
async def moderation_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    trust = request.app[TRUST]
    reports = await trust.reports.listed("open")
    suspended = await trust.suspensions.listed()
    log = await trust.moderation.newest()
    people = sorted({p for r in reports for p in (r["reporter_id"], r["account_id"])}
                    | {e["admin_id"] for e in log}
                    | {e["subject_id"] for e in log if e["subject_id"].startswith("a_")})
    return await render(request, "admin_moderation.html", {
        "reports": reports, "suspended": suspended, "log": log,
        "names": await request.app[ACCOUNTS].store.display_names(people),
        "outcome": request.query.get("done", "")})


async def _act(request: web.Request, step: AdminStep, outcome: str) -> web.Response:
    return await admin_step(request, step, f"{PAGE}?done={outcome}", f"{PAGE}?done=failed")


@routes.post("/admin/moderation/reports/{report_id}/close")
async def close_report(request: web.Request) -> web.Response:
    trust = request.app[TRUST]

    async def close(admin: str, form: dict[str, str]) -> None:
        report_id = request.match_info["report_id"]
        if not looks_like_id(report_id):
            raise NoSuchReport()
        note = CloseRequest.parse({"note": form.get("note", "")}).note
        closed = await trust.reports.close(report_id, admin, note)
        await trust.moderation.record(admin, "report_closed", report_id, note,
                                      closed["account_id"])

    return await _act(request, close, "closed")


@routes.post("/admin/moderation/suspensions")
async def suspend(request: web.Request) -> web.Response:
    """Suspend by account id or email (a report names the id, an appeal the email)."""
    async def step(admin: str, form: dict[str, str]) -> None:
        who = form.get("account", "").strip()
        account_id = who if looks_like_id(who) else await request.app[ACCOUNTS].store.id_of(
            normalise_email(who))
        reason = SuspensionRequest.parse({"reason": form.get("reason", "")}).reason
        if account_id is None:
            raise NotFound("no such account")
        await request.app[TRUST].suspensions.suspend(admin, account_id, reason)

    return await _act(request, step, "suspended")


@routes.post("/admin/moderation/suspensions/{account_id}/lift")
async def lift(request: web.Request) -> web.Response:
    async def step(admin: str, form: dict[str, str]) -> None:
        reason = SuspensionRequest.parse({"reason": form.get("reason", "")}).reason
        await request.app[TRUST].suspensions.lift(admin, request.match_info["account_id"],
                                                  reason)

    return await _act(request, step, "restored")
