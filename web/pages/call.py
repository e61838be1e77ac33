"""The call page (both sides), the expert console, and the device check."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.ids import looks_like_id
from marketplace.onboarding import missing
from server.keys import CONFIG
from web.onboarding import onboarding_steps
from web.pages.public import category_list, problem_page
from web.render import render
from web.session import login_redirect, same_site_path, viewer

routes = web.RouteTableDef()

@routes.get("/call/{session_id}", name="call")
async def call(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    session_id = request.match_info["session_id"]
    if not looks_like_id(session_id):
        return await problem_page(request, "call_not_found")
    config = request.app[CONFIG]
    context = {
        "session_id": session_id,
        "billing": {
            "guarantee_seconds": config.guarantee_seconds,
            "increment_seconds": config.billing_increment_seconds,
        },
    }
    return await render(request, "call.html", context)

@routes.get("/console", name="console")
async def console(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    if not who.is_role(Role.EXPERT):
        return await problem_page(request, "forbidden")
    fee = request.app[CONFIG].platform_fee_percent
    names = {str(c["slug"]): c["name"] for c in category_list(request)}
    steps = await onboarding_steps(request, who.account.id)
    context = {"fee_percent": fee, "category_names": names, "steps": steps,
               "missing": missing(steps)}
    return await render(request, "console.html", context)


@routes.get("/console/profile", name="console_profile")
async def console_profile(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    if not who.is_role(Role.EXPERT):
        return await problem_page(request, "forbidden")
    context = {"categories": category_list(request)}
    return await render(request, "console_profile.html", context)


@routes.get("/devices", name="devices")
async def devices(request: web.Request) -> web.Response:
    back = same_site_path(request.query.get("back")) or ""
    return await render(request, "devices.html", {"back": back})
