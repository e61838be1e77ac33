"""Export and erasure of the caller's account (docs/privacy.md)."""

from __future__ import annotations

from aiohttp import web

from accounts.tokens import COOKIE_NAME
from common.schema import Body, Text
from server.api.privacy import stream_zip
from server.apidoc import Raw, described
from server.http import caller, read_json
from server.keys import ERASER, EXPORTER

routes = web.RouteTableDef()

CONFIRM = Body(Text("password", max_len=1024, strip=False,
                    description="the account's password, to confirm"))


@routes.get("/api/v1/me/export")
@described("Everything the caller's account holds, as a zip (files byte for byte)",
           answer=Raw("application/zip", "account, profile, sessions with chat, reviews, "
                      "bookings, ledgers, notes about the caller, files"))
async def export(request: web.Request) -> web.StreamResponse:
    account = await caller(request)
    return await stream_zip(request, f"helpcall-{account.id}.zip",
                            lambda out: request.app[EXPORTER].write(account, out))


@routes.delete("/api/v1/me")
@described("Erase the caller's account: personal data gone, money records kept under the "
           "bare id; every token and socket ends. 409 while earnings, card credit, a call "
           "or a booking are open", body=CONFIRM, answer=None, status=204)
async def erase(request: web.Request) -> web.Response:
    account = await caller(request)
    password = CONFIRM.read(await read_json(request))["password"]
    await request.app[ERASER].erase(account, password)
    response = web.Response(status=204)
    response.del_cookie(COOKIE_NAME, path="/")
    return response
