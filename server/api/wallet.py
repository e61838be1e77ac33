"""The caller's wallet: balance, top-ups (test, or by card: server/api/payments.py),
movements."""

from __future__ import annotations

import logging

from aiohttp import web

from common.errors import Forbidden
from server.api.payments import start_topup
from server.api.shapes import LEDGER_ENTRY, TOPUP_ANSWER, WALLET
from server.apidoc import array, described, obj
from server.http import caller, read_json
from server.keys import CONFIG, WALLETS
from sessions.wallet import TopUp

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


@routes.get("/api/v1/wallet")
@described("The caller's wallet", answer=WALLET)
async def get_wallet(request: web.Request) -> web.Response:
    account = await caller(request)
    wallet = await request.app[WALLETS].get(account.id)
    return web.json_response(wallet.public())


@routes.post("/api/v1/wallet/topups")
@described("Add credit: at once in test mode, by card with stripe (§7.3)", body=TopUp,
           status=201, answer=TOPUP_ANSWER)
async def top_up(request: web.Request) -> web.Response:
    account = await caller(request)
    if request.app[CONFIG].payments == "stripe":
        return await start_topup(request, account.id)  # protocol §7.3
    if request.app[CONFIG].payments != "test":
        raise Forbidden("top-ups without a payment provider exist only in test mode")
    topup = TopUp.parse(await read_json(request))
    balance = await request.app[WALLETS].top_up(account.id, topup.amount_cents)
    log.info("test top-up of %d cents for %s", topup.amount_cents, account.id)
    return web.json_response({"balance_cents": balance}, status=201)


@routes.get("/api/v1/wallet/ledger")
@described("The wallet's movements, newest first", answer=obj(entries=array(LEDGER_ENTRY)))
async def ledger(request: web.Request) -> web.Response:
    account = await caller(request)
    return web.json_response({"entries": await request.app[WALLETS].ledger(account.id)})
