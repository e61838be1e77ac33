"""Accounts, tokens, the caller, recovery, and the categories (protocol §2, §7.4)."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiohttp import web

from accounts.models import (
    AccountUpdate,
    LogIn,
    NewPassword,
    PasswordChange,
    ResetRequest,
    SignUp,
    language_from_header,
)
from common import logcontext
from common.timefmt import iso_ms
from marketplace.categories import CATEGORIES
from server.api.shapes import ACCOUNT
from server.apidoc import BOOLEAN, STRING, TIME, array, described, obj
from server.http import caller, client_ip, read_json, request_token
from server.keys import ACCOUNTS

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def preferred_language(request: web.Request) -> str:
    return language_from_header(request.headers.get("Accept-Language"))


@routes.post("/api/v1/accounts")
@described("Create an account (client or expert)", body=SignUp, status=201, answer=ACCOUNT,
           auth="none")
async def create_account(request: web.Request) -> web.Response:
    signup = SignUp.parse(await read_json(request))
    if signup.language is None:
        signup = replace(signup, language=preferred_language(request))
    account = await request.app[ACCOUNTS].sign_up(signup, client_ip(request))
    log.info("account %s created (%s)", account.id, account.role.value)
    body = account.public()
    return web.json_response(body, status=201)


@routes.post("/api/v1/tokens")
@described("Log in: a bearer token", body=LogIn, auth="none",
           answer=obj(token=STRING, expires_at=TIME))
async def create_token(request: web.Request) -> web.Response:
    login = LogIn.parse(await read_json(request))
    account, token, expires_ms = await request.app[ACCOUNTS].log_in(login, client_ip(request))
    logcontext.bind(account_id=account.id)
    log.info("token issued to %s", account.id)
    return web.json_response({"token": token, "expires_at": iso_ms(expires_ms)})


@routes.delete("/api/v1/tokens/current")
@described("Log out: revoke this token at once (its sockets are disconnected)", status=204,
           answer=None)
async def revoke_token(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].log_out(request_token(request))
    return web.Response(status=204)


@routes.get("/api/v1/me")
@described("The caller's account", answer=ACCOUNT)
async def me(request: web.Request) -> web.Response:
    account = await caller(request)
    return web.json_response(account.public())


@routes.patch("/api/v1/me")
@described("Change the language or the optional mail received", body=AccountUpdate,
           answer=ACCOUNT)
async def update_me(request: web.Request) -> web.Response:
    account = await caller(request)
    change = AccountUpdate.parse(await read_json(request))
    return web.json_response((await request.app[ACCOUNTS].update(account, change)).public())


@routes.put("/api/v1/me/password")
@described("Change the password; every other token is revoked", body=PasswordChange,
           status=204, answer=None)
async def change_password(request: web.Request) -> web.Response:
    change = PasswordChange.parse(await read_json(request))
    await request.app[ACCOUNTS].change_password(request_token(request), change)
    return web.Response(status=204)


@routes.post("/api/v1/me/verification")
@described("Mail the email verification link again", status=202, answer=None)
async def resend_verification(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].send_verification(await caller(request))
    return web.Response(status=202)


@routes.post("/api/v1/email-verifications/{token}")
@described("Verify an email with the link's token", status=204, answer=None, auth="none")
async def verify_email(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].verify_email(request.match_info["token"])
    return web.Response(status=204)


@routes.post("/api/v1/password-resets")
@described("Mail a single-use reset link (the same answer for any email)", body=ResetRequest,
           status=202, answer=None, auth="none")
async def request_reset(request: web.Request) -> web.Response:
    wanted = ResetRequest.parse(await read_json(request))
    # The same answer whether or not the account exists: nobody learns who has one.
    await request.app[ACCOUNTS].request_reset(wanted.email)
    return web.Response(status=202)


@routes.post("/api/v1/password-resets/{token}")
@described("Set a new password with a reset link's token; every token is revoked",
           body=NewPassword, status=204, answer=None, auth="none")
async def reset_password(request: web.Request) -> web.Response:
    new = NewPassword.parse(await read_json(request))
    await request.app[ACCOUNTS].reset_password(request.match_info["token"], new.new_password)
    return web.Response(status=204)


@routes.get("/api/v1/categories")
@described("The categories, named in the Accept-Language", auth="none",
           answer=array(obj(slug=STRING, name=STRING, requires_verification=BOOLEAN)))
async def categories(request: web.Request) -> web.Response:
    language = preferred_language(request)
    return web.json_response([c.public(language) for c in CATEGORIES])
