"""A signed-in person's own pages: wallet and session history with receipts."""

from __future__ import annotations

from aiohttp import web

from server.keys import CONFIG
from web.render import render
from web.session import login_redirect, viewer
from web.stripe_page import allow_stripe, card_context

routes = web.RouteTableDef()


@routes.get("/wallet", name="wallet")
async def wallet(request: web.Request) -> web.Response:
    if (await viewer(request)).account is None:
        raise login_redirect(request)
    config = request.app[CONFIG]
    response = await render(request, "wallet.html", card_context(config))
    allow_stripe(response, config)  # the card top-up form (web/templates/card_topup.html)
    return response


@routes.get("/sessions", name="sessions")
async def sessions(request: web.Request) -> web.Response:
    if (await viewer(request)).account is None:
        raise login_redirect(request)
    config = request.app[CONFIG]
    return await render(request, "sessions.html", {"fee_percent": config.platform_fee_percent})
