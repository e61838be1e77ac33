"""Admins see how webhook delivery of billing events is going."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from billing.stats import delivery_stats
from server.apidoc import BOOLEAN, INTEGER, STRING, described, nullable, obj
from server.http import caller_with_role
from server.keys import CONFIG, REDIS

routes = web.RouteTableDef()


@routes.get("/api/v1/admin/billing")
@described("How delivery of billing events is going (admins)", answer=obj(
    webhook_configured=BOOLEAN, delivered=INTEGER, failed_attempts=INTEGER,
    last_error=nullable(STRING), last_error_at=nullable(STRING),
    last_delivered_at=nullable(STRING), stream_length=INTEGER, pending=INTEGER))
async def billing_status(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    return web.json_response(await delivery_stats(request.app[REDIS], request.app[CONFIG]))
