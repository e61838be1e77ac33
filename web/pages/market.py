"""Marketplace pages: favourite experts, appointments, notifications, the expert's hours."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.ids import looks_like_id
from web.pages.public import problem_page
from web.render import render
from web.session import login_redirect, viewer

routes = web.RouteTableDef()

# Slot lengths the availability editor offers, in minutes (the API accepts 1..240).
LENGTHS = (15, 30, 45, 60, 90, 120)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def _signed_in(request: web.Request, role: Role | None = None) -> web.Response | None:
    """None when the viewer may see the page, else the answer to give instead."""
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    if role is not None and not who.is_role(role):
        return await problem_page(request, "forbidden")
    return None


@routes.get("/favourites", name="favourites")
async def favourites(request: web.Request) -> web.Response:
    refused = await _signed_in(request, Role.CLIENT)
    return refused or await render(request, "favourites.html")


@routes.get("/appointments", name="appointments")
async def appointments(request: web.Request) -> web.Response:
    refused = await _signed_in(request)
    return refused or await render(request, "appointments.html", {"focus": ""})


@routes.get("/appointments/{booking_id}", name="appointment")
async def appointment(request: web.Request) -> web.Response:
    # The join link of the calendars: the list, with this booking brought into view.
    refused = await _signed_in(request)
    booking_id = request.match_info["booking_id"]
    if refused:
        return refused
    if not looks_like_id(booking_id):
        return await problem_page(request, "not_found")
    return await render(request, "appointments.html", {"focus": booking_id})


@routes.get("/notifications", name="notifications")
async def notifications(request: web.Request) -> web.Response:
    refused = await _signed_in(request)
    return refused or await render(request, "notifications.html")


@routes.get("/console/availability", name="console_availability")
async def availability(request: web.Request) -> web.Response:
    refused = await _signed_in(request, Role.EXPERT)
    context = {"lengths": LENGTHS, "weekdays": WEEKDAYS}
    return refused or await render(request, "availability.html", context)
