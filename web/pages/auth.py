"""Sign up, log in, log out, and the language switch."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from accounts.errors import (
    AccountSuspended,
    EmailTaken,
    SignUpInterrupted,
    TooManyAttempts,
    TooManySignUps,
)
from accounts.models import Account, LogIn, Role, SignUp
from accounts.tokens import COOKIE_NAME
from common.errors import Invalid, Unauthorized
from server.http import client_ip
from server.keys import ACCOUNTS
from web import csrf
from web.forms import read_form
from web.i18n import LANG_COOKIE, LANGUAGES
from web.render import render, translator
from web.session import clear_session_cookie, is_https, local_path, set_session_cookie

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_FIELD_ERRORS = {
    "email": "form.error.email",
    "password": "form.error.password",
    "display_name": "form.error.name",
    "role": "form.error.role",
}


def home_of(account: Account) -> str:
    return "/console" if account.role == Role.EXPERT else "/experts"


def _fields(form: Mapping[str, object], *names: str) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in names}


async def _signed_in(
    request: web.Request, login: LogIn, target: str | None
) -> web.HTTPSeeOther:
    account, token, expires_ms = await request.app[ACCOUNTS].log_in(login, client_ip(request))
    redirect = web.HTTPSeeOther(local_path(target, home_of(account)))
    set_session_cookie(request, redirect, token, expires_ms)
    return redirect


@routes.get("/login", name="login")
async def login_page(request: web.Request) -> web.Response:
    return await render(request, "login.html", {"next": request.query.get("next", "")})


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    values = _fields(form, "email", "password", "next")
    t = translator(request)
    try:
        login = LogIn.parse({"email": values["email"], "password": values["password"]})
        raise await _signed_in(request, login, values["next"])
    except TooManyAttempts as exc:
        error, status = t("form.error.throttled", seconds=exc.retry_after), 429
    except Invalid:
        error, status = t("form.error.login"), 400
    except Unauthorized:
        error, status = t("form.error.login"), 401
    except AccountSuspended:
        error, status = t("form.error.suspended"), 403
    context = {"next": values["next"], "email": values["email"], "error": error}
    return await render(request, "login.html", context, status=status)


@routes.get("/signup", name="signup")
async def signup_page(request: web.Request) -> web.Response:
    return await render(request, "signup.html", {"next": request.query.get("next", "")})


@routes.post("/signup")
async def signup_submit(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    values = _fields(form, "email", "password", "display_name", "role", "next")
    t = translator(request)
    error_field = None
    try:
        signup = SignUp.parse(
            {k: values[k] for k in ("email", "password", "display_name", "role")}
            | {"language": t.language}
        )
        account = await request.app[ACCOUNTS].sign_up(signup, client_ip(request))
        log.info("account %s signed up from the browser", account.id)
        login = LogIn(email=signup.email, password=signup.password)
        raise await _signed_in(request, login, values["next"])
    except (TooManyAttempts, TooManySignUps) as exc:
        error, status = t("form.error.throttled", seconds=exc.retry_after), 429
    except EmailTaken:
        error, error_field, status = t("form.error.taken"), "email", 409
    except SignUpInterrupted:
        error, status = t("form.error.slow"), 409
    except Invalid as exc:
        error_field = exc.field
        error, status = t(_FIELD_ERRORS.get(exc.field or "", "form.error.generic")), 400
    context = {
        "next": values["next"],
        "values": values,
        "error": error,
        "error_field": error_field,
    }
    return await render(request, "signup.html", context, status=status)


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    token = request.cookies.get(COOKIE_NAME)
    if token:
        try:
            # Revoked at once: the token gets 401 everywhere and its sockets are closed.
            await request.app[ACCOUNTS].log_out(token)
        except Unauthorized:
            pass  # revoked or expired already: nothing left to end
    redirect = web.HTTPSeeOther("/")
    clear_session_cookie(request, redirect)
    raise redirect


@routes.get("/lang/{language}")
async def switch_language(request: web.Request) -> web.Response:
    language = request.match_info["language"]
    if language not in LANGUAGES:
        raise web.HTTPNotFound()
    redirect = web.HTTPSeeOther(local_path(request.query.get("next")))
    redirect.set_cookie(
        LANG_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        path="/",
        samesite="Lax",
        secure=is_https(request),
    )
    raise redirect
