"""Admins see how mail is going: sent, failed attempts, the last error, the queue."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from server.apidoc import BOOLEAN, INTEGER, STRING, TIME, described, nullable, obj
from server.http import caller_with_role
from server.keys import CONFIG, OUTBOX

routes = web.RouteTableDef()

MAIL_STATS = obj(smtp_configured=BOOLEAN, sent=INTEGER, failed_attempts=INTEGER,
                 dropped=INTEGER, last_error=nullable(STRING), last_error_at=nullable(TIME),
                 last_sent_at=nullable(TIME), queued=INTEGER, pending=INTEGER)


@routes.get("/api/v1/admin/mail")
@described("How mail is going (admins): sent, failed attempts, the last error, the queue",
           answer=MAIL_STATS)
async def mail_status(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    configured = request.app[CONFIG].smtp_url is not None
    return web.json_response(await request.app[OUTBOX].stats(configured))
