"""Forgotten passwords, reset links and email confirmation links (protocol §7.4)."""

from __future__ import annotations

from aiohttp import web

from accounts.models import NewPassword, ResetRequest
from accounts.service import NoSuchLink
from common.errors import Invalid
from server.keys import ACCOUNTS
from web import csrf
from web.render import render, translator

routes = web.RouteTableDef()


async def notice(request: web.Request, title: str, text: str, *, failed: bool = False,
                 link: tuple[str, str] | None = None, status: int = 200) -> web.Response:
    return await render(request, "notice.html", {"title": title, "text": text,
                                                 "failed": failed, "link": link},
                        status=status)


@routes.get("/forgot-password")
async def forgot_page(request: web.Request) -> web.Response:
    return await render(request, "forgot_password.html", {"sent": False})


@routes.post("/forgot-password")
async def forgot_submit(request: web.Request) -> web.Response:
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    try:
        wanted = ResetRequest.parse({"email": str(form.get("email", ""))})
    except Invalid:
        return await render(request, "forgot_password.html", {
            "sent": False, "error": translator(request)("form.error.email")}, status=400)
    await request.app[ACCOUNTS].request_reset(wanted.email)
    return await render(request, "forgot_password.html", {"sent": True}, status=202)


@routes.get("/password-reset/{token}")
async def reset_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    resets = request.app[ACCOUNTS].resets
    if resets is None or await resets.peek(token) is None:
        return await _reset_invalid(request)
    return await render(request, "reset_password.html", {"token": token})


async def _reset_invalid(request: web.Request) -> web.Response:
    t = translator(request)
    return await notice(request, t("reset.title"), t("reset.invalid"), failed=True,
                        link=("/forgot-password", t("login.forgot")), status=404)


@routes.post("/password-reset/{token}")
async def reset_submit(request: web.Request) -> web.Response:
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    token = request.match_info["token"]
    t = translator(request)
    try:
        new = NewPassword.parse({"new_password": str(form.get("new_password", ""))})
    except Invalid:
        return await render(request, "reset_password.html", {
            "token": token, "error": t("form.error.password")}, status=400)
    try:
        await request.app[ACCOUNTS].reset_password(token, new.new_password)
    except NoSuchLink:
        return await _reset_invalid(request)
    return await notice(request, t("reset.title"), t("reset.done"),
                        link=("/login", t("nav.login")))


@routes.get("/verify-email/{token}")
async def verify_email(request: web.Request) -> web.Response:
    t = translator(request)
    try:
        await request.app[ACCOUNTS].verify_email(request.match_info["token"])
    except NoSuchLink:
        return await notice(request, t("verify.title"), t("verify.invalid"), failed=True,
                            link=("/settings", t("nav.settings")), status=404)
    return await notice(request, t("verify.title"), t("verify.done"),
                        link=("/", "helpcall"))
