"""Mail in the admin console: the queue and its totals (as ``GET /api/v1/admin/mail``
answers them) and the last failed attempts."""

from __future__ import annotations

from aiohttp import web

from server.keys import CONFIG, OUTBOX
from web.pages.admin import admin_or_problem
from web.render import render

routes = web.RouteTableDef()


@routes.get("/admin/mail", name="admin_mail")
async def mail_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    outbox = request.app[OUTBOX]
    return await render(request, "admin_mail.html", {
        "stats": await outbox.stats(request.app[CONFIG].smtp_url is not None),
        "failures": await outbox.failures(),
    })
