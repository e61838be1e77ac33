"""A brand's invitation as a page: ``/invitations/<token>`` shows the brand and lets the
signed-in expert accept with one button (others log in or sign up first, and come back)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from accounts.models import Role
from brands.errors import NoSuchInvitation
from brands.invitations import MAX_TOKEN_LENGTH
from server.keys import BRANDS
from web import csrf
from web.pages.recovery import notice
from web.render import render, translator
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


async def _invalid(request: web.Request) -> web.Response:
    t = translator(request)
    return await notice(request, t("invitation.title", brand="helpcall"),
                        t("invitation.invalid"), failed=True, status=404)


@routes.get("/invitations/{token}")
async def invitation_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    brands = request.app[BRANDS]
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise NoSuchInvitation()
        brand = await brands.store.by_id(await brands.invitations.brand_of(token))
    except NoSuchInvitation:
        return await _invalid(request)
    return await render(request, "invitation.html", {
        "brand": brand, "here": f"/invitations/{quote(token)}"})


@routes.post("/invitations/{token}")
async def accept(request: web.Request) -> web.Response:
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    token = request.match_info["token"]
    if who.account.role != Role.EXPERT or len(token) > MAX_TOKEN_LENGTH:
        return await _invalid(request)
    brands = request.app[BRANDS]
    try:
        brand = await brands.store.by_id(await brands.invitations.accept(token, who.account.id))
    except NoSuchInvitation:
        return await _invalid(request)
    t = translator(request)
    return await notice(request, t("invitation.title", brand=brand.name),
                        t("invitation.accepted", brand=brand.name),
                        link=("/console", t("invitation.console")))
