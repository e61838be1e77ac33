"""Accounts, tokens, the caller, and the categories."""

from __future__ import annotations

import logging

from aiohttp import web

from accounts.models import LogIn, SignUp
from common import logcontext
from common.timefmt import iso_ms
from marketplace.categories import CATEGORIES
from server.api.shapes import ACCOUNT
from server.apidoc import BOOLEAN, STRING, TIME, array, described, obj
from server.http import caller, client_ip, read_json
from server.keys import ACCOUNTS

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def preferred_language(request: web.Request) -> str:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",")[0].strip().lower()
    return "fr" if first.startswith("fr") else "en"


@routes.post("/api/v1/accounts")
@described("Create an account (client or expert)", body=SignUp, status=201, answer=ACCOUNT,
           auth="none")
async def create_account(request: web.Request) -> web.Response:
    signup = SignUp.parse(await read_json(request))
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


@routes.get("/api/v1/me")
@described("The caller's account", answer=ACCOUNT)
async def me(request: web.Request) -> web.Response:
    account = await caller(request)
    return web.json_response(account.public())


@routes.get("/api/v1/categories")
@described("The categories, named in the Accept-Language", auth="none",
           answer=array(obj(slug=STRING, name=STRING, requires_verification=BOOLEAN)))
async def categories(request: web.Request) -> web.Response:
    language = preferred_language(request)
    return web.json_response([c.public(language) for c in CATEGORIES])
