"""Reports, blocks and suspensions (docs/trust.md), and the admins' moderation log."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid
from common.schema import Choice
from server.apidoc import BOOLEAN, ID, STRING, TIME, array, described, enum, nullable, obj
from server.http import caller, caller_with_role, read_json, route_id
from server.keys import TRUST
from trust.keys import REPORT_STATES
from trust.moderation_log import ACTIONS
from trust.reports import CloseRequest, ReportReason, ReportRequest
from trust.suspensions import SuspensionRequest

routes = web.RouteTableDef()

REPORT = obj(id=ID, state=enum(*REPORT_STATES), reporter_id=ID, account_id=ID,
             reason=enum(*ReportReason), text=STRING, session_id=nullable(ID),
             created_at=TIME, closed_at=nullable(TIME), closed_by=nullable(ID),
             note=nullable(STRING))
BLOCKED = obj(account_id=ID, display_name=STRING, blocked_at=TIME)
SUSPENSION = obj(account_id=ID, suspended=BOOLEAN, since=nullable(TIME),
                 reason=nullable(STRING))
LOG_ENTRY = obj(at=TIME, admin_id=ID, action=enum(*ACTIONS), subject_id=STRING,
                reason=STRING, detail=STRING)


@routes.post("/api/v1/reports")
@described("Report someone to the admins (during or after a call, or from a profile)",
           body=ReportRequest, status=201, answer=REPORT)
async def report(request: web.Request) -> web.Response:
    reporter = await caller(request)
    wanted = ReportRequest.parse(await read_json(request))
    return web.json_response(await request.app[TRUST].report(reporter, wanted), status=201)


@routes.get("/api/v1/admin/reports")
@described("Reports in a state, newest first (admins); open by default",
           query=[Choice("state", required=False, options=REPORT_STATES)],
           answer=obj(reports=array(REPORT)))
async def list_reports(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    state = request.query.get("state") or "open"
    if state not in REPORT_STATES:
        raise Invalid(f"state must be one of: {', '.join(REPORT_STATES)}", "state")
    return web.json_response({"reports": await request.app[TRUST].reports.listed(state)})


@routes.post("/api/v1/admin/reports/{report_id}/close")
@described("Close a report with a note (admins)", body=CloseRequest, answer=REPORT)
async def close_report(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    report_id = route_id(request, "report_id", "report")
    note = CloseRequest.parse(await read_json(request)).note
    trust = request.app[TRUST]
    closed = await trust.reports.close(report_id, admin.id, note)
    await trust.moderation.record(admin.id, "report_closed", report_id, note,
                                  closed["account_id"])
    return web.json_response(closed)


@routes.get("/api/v1/blocks")
@described("Whom the caller blocked, newest first", answer=obj(blocked=array(BLOCKED)))
async def list_blocks(request: web.Request) -> web.Response:
    account = await caller(request)
    return web.json_response({"blocked": await request.app[TRUST].blocked_list(account.id)})


@routes.put("/api/v1/blocks/{account_id}")
@described("Block someone: no call, booking or message between you two any more",
           answer=BLOCKED)
async def block(request: web.Request) -> web.Response:
    account = await caller(request)
    whom = route_id(request, "account_id", "account")
    return web.json_response(await request.app[TRUST].block(account, whom))


@routes.delete("/api/v1/blocks/{account_id}")
@described("Unblock someone", status=204, answer=None)
async def unblock(request: web.Request) -> web.Response:
    account = await caller(request)
    whom = route_id(request, "account_id", "account")
    await request.app[TRUST].blocks.unblock(account.id, whom)
    return web.Response(status=204)


async def _suspension(request: web.Request, suspended: bool) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    account_id = route_id(request, "account_id", "account")
    reason = SuspensionRequest.parse(await read_json(request)).reason
    suspensions = request.app[TRUST].suspensions
    change = suspensions.suspend if suspended else suspensions.lift
    return web.json_response(await change(admin.id, account_id, reason))


@routes.post("/api/v1/admin/accounts/{account_id}/suspension")
@described("Suspend an account (admins): tokens revoked, sockets closed, logins refused",
           body=SuspensionRequest, answer=SUSPENSION)
async def suspend(request: web.Request) -> web.Response:
    return await _suspension(request, True)


@routes.post("/api/v1/admin/accounts/{account_id}/suspension/lift")
@described("Lift an account's suspension (admins)", body=SuspensionRequest,
           answer=SUSPENSION)
async def lift(request: web.Request) -> web.Response:
    return await _suspension(request, False)


@routes.get("/api/v1/admin/moderation-log")
@described("Moderation decisions, newest first (admins)",
           answer=obj(entries=array(LOG_ENTRY)))
async def moderation_log(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    return web.json_response({"entries": await request.app[TRUST].moderation.newest()})
