"""A brand's balance for its admins, topped up by card in stripe mode (docs/payments.md)."""

from __future__ import annotations

from aiohttp import web

from brands.errors import NoSuchBrand
from common.errors import Forbidden, Invalid
from common.validation import read_slug
from server.keys import BRANDS, CONFIG, WALLETS
from web.pages.public import problem_page
from web.render import render
from web.session import login_redirect, viewer
from web.stripe_page import allow_stripe, card_context

routes = web.RouteTableDef()


@routes.get("/brands/{slug}/balance", name="brand_balance")
async def brand_balance(request: web.Request) -> web.Response:
    account = (await viewer(request)).account
    if account is None:
        raise login_redirect(request)
    try:
        slug = read_slug(request.match_info["slug"])
        brand = (await request.app[BRANDS].acting_account(slug, account)).brand
    except (Invalid, NoSuchBrand):
        return await problem_page(request, "not_found")
    except Forbidden:
        return await problem_page(request, "forbidden")
    config = request.app[CONFIG]
    wallet = await request.app[WALLETS].get(brand.id)
    response = await render(request, "brand_balance.html", {
        "brand": brand, "wallet": wallet.public(), **card_context(config)})
    allow_stripe(response, config)
    return response
