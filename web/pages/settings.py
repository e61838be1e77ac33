"""A person's settings: language, mail preferences, password; and one-click unsubscribe."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from accounts.models import MAIL_TOPICS, AccountUpdate, PasswordChange
from accounts.tokens import COOKIE_NAME
from common.errors import Invalid
from mail import unsubscribe
from privacy.errors import NotYet
from server.keys import ACCOUNTS, ERASER, SECRET
from web import csrf
from web.pages.privacy import privacy_settings
from web.pages.recovery import notice
from web.render import render, translator
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


async def _settings(request: web.Request, status: int = 200, **context: Any) -> web.Response:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    full = {"done": None, "error": None,
            **await privacy_settings(request, who.account.id)} | context
    return await render(request, "settings.html", full, status=status)


async def _signed_in_form(request: web.Request) -> Any:
    if (await viewer(request)).account is None:
        raise login_redirect(request)
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    return form


@routes.get("/settings", name="settings")
async def settings_page(request: web.Request) -> web.Response:
    saved = translator(request)("settings.saved") if request.query.get("saved") else None
    return await _settings(request, done=saved)


@routes.post("/settings/language")
async def set_language(request: web.Request) -> web.Response:
    form = await _signed_in_form(request)
    account = (await viewer(request)).account
    assert account is not None
    try:
        change = AccountUpdate.parse({"language": str(form.get("language", ""))})
    except Invalid:
        return await _settings(request, 400, error=translator(request)("form.error.generic"))
    await request.app[ACCOUNTS].update(account, change)
    raise web.HTTPSeeOther("/settings?saved=1")


@routes.post("/settings/mail")
async def set_mail(request: web.Request) -> web.Response:
    form = await _signed_in_form(request)
    account = (await viewer(request)).account
    assert account is not None
    change = AccountUpdate(None, {topic: form.get(topic) == "on" for topic in MAIL_TOPICS})
    await request.app[ACCOUNTS].update(account, change)
    raise web.HTTPSeeOther("/settings?saved=1")


@routes.post("/settings/password")
async def set_password(request: web.Request) -> web.Response:
    form = await _signed_in_form(request)
    t = translator(request)
    try:
        change = PasswordChange.parse({"current_password": str(form.get("current_password", "")),
                                       "new_password": str(form.get("new_password", ""))})
    except Invalid:
        return await _settings(request, 400, error=t("form.error.password"))
    try:
        await request.app[ACCOUNTS].change_password(request.cookies.get(COOKIE_NAME), change)
    except Invalid:
        return await _settings(request, 400, error=t("settings.password_wrong"))
    return await _settings(request, done=t("settings.password_changed"))


@routes.post("/settings/verification")
async def resend_verification(request: web.Request) -> web.Response:
    await _signed_in_form(request)
    account = (await viewer(request)).account
    assert account is not None
    await request.app[ACCOUNTS].send_verification(account)
    return await _settings(request, 202, done=translator(request)("settings.resent"))


@routes.get("/mail/unsubscribe/{token}")
async def unsubscribe_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    found = unsubscribe.verify(request.app[SECRET], token)
    if found is None:
        return await _invalid_unsubscribe(request)
    return await render(request, "unsubscribe.html", {"token": token, "topic": found[1]})


@routes.post("/mail/unsubscribe/{token}")
async def unsubscribe_now(request: web.Request) -> web.Response:
    # RFC 8058: mail clients POST here without cookies; the signed token is the proof.
    found = unsubscribe.verify(request.app[SECRET], request.match_info["token"])
    if found is None:
        return await _invalid_unsubscribe(request)
    account_id, topic = found
    accounts = request.app[ACCOUNTS]
    account = await accounts.store.get(account_id)
    if account is None:
        return await _invalid_unsubscribe(request)
    await accounts.update(account, AccountUpdate(None, {topic: False}))
    t = translator(request)
    return await notice(request, t("unsubscribe.title"), t("unsubscribe.done"),
                        link=("/settings", t("nav.settings")))


async def _invalid_unsubscribe(request: web.Request) -> web.Response:
    t = translator(request)
    return await notice(request, t("unsubscribe.title"), t("unsubscribe.invalid"),
                        failed=True, status=404)


@routes.post("/settings/delete-account")
async def delete_account(request: web.Request) -> web.Response:
    account = (await viewer(request)).account
    if account is None:
        raise login_redirect(request)
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    t = translator(request)
    try:
        await request.app[ERASER].erase(account, str(form.get("password", "")))
    except Invalid:
        return await _settings(request, 400, error=t("settings.delete_wrong_password"))
    except NotYet as refused:
        return await _settings(request, 409, error=t(f"settings.delete_refused.{refused.reason}"))
    response = await notice(request, t("settings.deleted_title"), t("settings.deleted"),
                            link=("/", t("settings.deleted_home")))
    response.del_cookie(COOKIE_NAME, path="/")
    return response
