"""An expert's earnings and payout requests (docs/earnings.md), and the cleanup context
that credits experts from the billing stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from accounts.models import Role
from common.loops import stop_task
from earnings.consumer import EarningsConsumer
from earnings.models import BankDetails, PayoutAsk
from earnings.service import Earnings
from earnings.store import EarningsStore
from server.apidoc import ANY_OBJECT, STRING, array, described, nullable, obj
from server.http import caller_with_role, read_json
from server.keys import CONFIG, EARNINGS, PROC, REDIS

routes = web.RouteTableDef()


async def earnings_ctx(app: web.Application) -> AsyncIterator[None]:
    """``EARNINGS``, and this process's consumer of the billing stream's credits."""
    config, redis = app[CONFIG], app[REDIS]
    store = EarningsStore(redis)
    app[EARNINGS] = Earnings(store, config.payout_minimum_cents, config.currency)
    consumer = EarningsConsumer(redis, store, config.billing_stream, app[PROC])
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        await stop_task(task)


@routes.get("/api/v1/earnings")
@described("The caller's earnings (experts)", answer=ANY_OBJECT)
async def get_earnings(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    return web.json_response(await request.app[EARNINGS].summary(expert.id))


@routes.put("/api/v1/earnings/bank")
@described("Set where payouts go (experts)", body=BankDetails,
           answer=obj(holder=STRING, iban=STRING, bic=nullable(STRING)))
async def put_bank(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    details = BankDetails.parse(await read_json(request))
    await request.app[EARNINGS].set_bank(expert.id, details)
    return web.json_response(details.public())


@routes.post("/api/v1/payouts")
@described("Ask for a payout (experts)", body=PayoutAsk, status=201, answer=ANY_OBJECT)
async def request_payout(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    ask = PayoutAsk.parse(await read_json(request) if request.body_exists else {})
    payout = await request.app[EARNINGS].request(expert.id, ask)
    return web.json_response(payout.public(), status=201)


@routes.get("/api/v1/payouts")
@described("The caller's payouts (experts)", answer=obj(payouts=array(ANY_OBJECT)))
async def list_payouts(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    payouts = await request.app[EARNINGS].store.payouts_of(expert.id)
    return web.json_response({"payouts": [p.public() for p in payouts]})
