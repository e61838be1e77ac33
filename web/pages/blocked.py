"""Blocking from the pages (docs/trust.md): the person's list of whom they blocked, each
undoable, under their settings; and the block and report forms of a call's receipt."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from accounts.models import Account
from common.errors import HelpcallError
from common.ids import looks_like_id
from server.keys import TRUST
from trust.reports import ReportRequest
from web import csrf
from web.forms import read_form
from web.pages.public import problem_page
from web.render import render
from web.session import login_redirect, same_site_path, viewer

routes = web.RouteTableDef()
PAGE = "/settings/blocked"


async def _me(request: web.Request) -> Account:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    return who.account


async def _posted(request: web.Request) -> tuple[Account, str, Any]:
    account = await _me(request)
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    return account, request.match_info["account_id"], form


@routes.get(PAGE, name="blocked")
async def blocked_page(request: web.Request) -> web.Response:
    account = await _me(request)
    return await render(request, "blocked.html", {
        "blocked": await request.app[TRUST].blocked_list(account.id),
        "done": request.query.get("done", "")})


@routes.post(PAGE + "/{account_id}/unblock")
async def unblock(request: web.Request) -> web.Response:
    account, whom, _ = await _posted(request)
    if not looks_like_id(whom):
        return await problem_page(request, "not_found")
    await request.app[TRUST].blocks.unblock(account.id, whom)
    raise web.HTTPSeeOther(PAGE + "?done=unblocked")


@routes.post(PAGE + "/{account_id}/block")
async def block(request: web.Request) -> web.Response:
    account, whom, _ = await _posted(request)
    if not looks_like_id(whom):
        return await problem_page(request, "not_found")
    try:
        await request.app[TRUST].block(account, whom)
    except HelpcallError:
        raise web.HTTPSeeOther(PAGE + "?done=failed") from None
    raise web.HTTPSeeOther(PAGE + "?done=blocked")


@routes.post("/reports/{account_id}")
async def report(request: web.Request) -> web.Response:
    """A report from a call's receipt (with its session) or a profile (without)."""
    account, whom, form = await _posted(request)
    session_id = str(form.get("session_id", ""))
    back = (f"/sessions/{session_id}/receipt" if looks_like_id(session_id)
            else same_site_path(str(form.get("back", ""))) or "/")
    try:
        wanted = ReportRequest.parse({"account_id": whom, "reason": form.get("reason"),
                                      "text": form.get("text"),
                                      "session_id": session_id or None})
        await request.app[TRUST].report(account, wanted)
    except HelpcallError:
        raise web.HTTPSeeOther(f"{back}?report=failed#report") from None
    raise web.HTTPSeeOther(f"{back}?report=sent#report")
