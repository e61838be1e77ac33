"""The admin's verification queue: pending requests, what the expert submitted, a decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from accounts.models import Role
from common.errors import HelpcallError
from common.ids import looks_like_id
from marketplace.listing import Page
from marketplace.verifications import Decision, VerificationState
from server.keys import EXPERTS
from web import csrf
from web.forms import read_form
from web.pages.public import problem_page
from web.render import render
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


async def admin_or_problem(request: web.Request) -> str | web.Response:
    """The admin's account id; a login redirect or a forbidden page for anyone else."""
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    if not who.is_role(Role.ADMIN):
        return await problem_page(request, "forbidden")
    return who.account.id


# One admin form's change: (admin id, the form's fields); a HelpcallError means refused.
AdminStep = Callable[[str, dict[str, str]], Awaitable[None]]


async def admin_step(request: web.Request, step: AdminStep, done: str,
                     failed: str) -> web.Response:
    """An admin's form post: checked, its step run, then back to ``done`` (or ``failed``)."""
    admin = await admin_or_problem(request)
    if isinstance(admin, web.Response):
        return admin
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    try:
        await step(admin, {k: str(v) for k, v in form.items()})
    except HelpcallError:
        raise web.HTTPSeeOther(failed) from None
    raise web.HTTPSeeOther(done)


@routes.get("/admin/verifications", name="admin_verifications")
async def verifications(request: web.Request) -> web.Response:
    admin = await admin_or_problem(request)
    if isinstance(admin, web.Response):
        return admin
    store = request.app[EXPERTS].verifications
    pending, total = await store.in_state(VerificationState.PENDING, Page(1, 100))
    return await render(request, "admin_verifications.html", {
        "pending": pending, "total": total, "decisions": await store.log_entries(20),
        "outcome": request.query.get("done", ""),
    })


@routes.post("/admin/verifications/{request_id}", name="admin_decide")
async def decide(request: web.Request) -> web.Response:
    admin = await admin_or_problem(request)
    if isinstance(admin, web.Response):
        return admin
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    request_id = request.match_info["request_id"]
    if not looks_like_id(request_id):
        return await problem_page(request, "not_found")
    try:
        decision = Decision.parse({"decision": form.get("decision"), "note": form.get("note", "")})
        await request.app[EXPERTS].verifications.decide(request_id, admin, decision)
    except HelpcallError:
        raise web.HTTPSeeOther("/admin/verifications?done=failed") from None
    raise web.HTTPSeeOther(f"/admin/verifications?done={decision.state.value}")
