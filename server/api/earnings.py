"""An expert's earnings and payout requests (docs/earnings.md), and the cleanup context
that credits experts from the billing stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from accounts.models import Role
from common.loops import stop_task
from common.redisclient import stream_reads
from earnings.consumer import EarningsConsumer
from earnings.models import BankDetails, PayoutAsk
from earnings.service import Earnings
from earnings.store import EarningsStore
from server.api.shapes import PAYOUT
from server.apidoc import BOOLEAN, CENTS, ID, STRING, TIME, array, described, enum, nullable, obj
from server.http import caller_with_role, read_json
from server.keys import CONFIG, EARNINGS, PROC, REDIS

routes = web.RouteTableDef()

BANK = obj(holder=STRING, iban=STRING, bic=nullable(STRING))
# One movement of the expert's balances, with the balances after it; the fields naming what
# it is for (session_id, booking_id, call_at, event_id, payout_id, reference) only when set.
# The session and booking ids are copied from billing events as they came. A ``refund`` is a
# disputed call's share taken back (docs/trust.md).
LEDGER_ENTRY = obj(
    "session_id", "booking_id", "call_at", "event_id", "payout_id", "reference",
    id=STRING, kind=enum("earning", "payout_requested", "payout_paid", "payout_rejected",
                         "refund"),
    amount_cents={**CENTS, "description": "negative when money leaves available"},
    available_cents=CENTS, pending_cents=CENTS, paid_out_cents=CENTS, at=TIME, session_id=STRING,
    booking_id=STRING, call_at=TIME,
    event_id=STRING, payout_id=ID, reference=STRING)
EARNINGS_SUMMARY = obj(
    currency=STRING, earned_cents=CENTS, available_cents=CENTS, pending_cents=CENTS,
    paid_out_cents=CENTS, minimum_payout_cents=CENTS, can_request=BOOLEAN,
    months=array(obj(month={"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                     payout_cents=CENTS)),
    calls=array(obj(session_id=nullable(STRING), booking_id=nullable(STRING), at=nullable(TIME),
                    payout_cents=CENTS)),
    payouts=array(PAYOUT), ledger=array(LEDGER_ENTRY), bank=nullable(BANK))


async def earnings_ctx(app: web.Application) -> AsyncIterator[None]:
    """``EARNINGS``, and this process's consumer of the billing stream's credits."""
    config, redis = app[CONFIG], app[REDIS]
    store = EarningsStore(redis)
    app[EARNINGS] = Earnings(store, config.payout_minimum_cents, config.currency)
    async with stream_reads(redis, config.redis_url) as reads:
        consumer = EarningsConsumer(redis, store, config.billing_stream, app[PROC], reads)
        task = asyncio.create_task(consumer.run())
        try:
            yield
        finally:
            await stop_task(task)


@routes.get("/api/v1/earnings")
@described("The caller's earnings (experts)", answer=EARNINGS_SUMMARY)
async def get_earnings(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    return web.json_response(await request.app[EARNINGS].summary(expert.id))


@routes.put("/api/v1/earnings/bank")
@described("Set where payouts go (experts)", body=BankDetails,
           answer=BANK)
async def put_bank(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    details = BankDetails.parse(await read_json(request))
    await request.app[EARNINGS].set_bank(expert.id, details)
    return web.json_response(details.public())


@routes.post("/api/v1/payouts")
@described("Ask for a payout (experts)", body=PayoutAsk, status=201, answer=PAYOUT)
async def request_payout(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    ask = PayoutAsk.parse(await read_json(request) if request.body_exists else {})
    payout = await request.app[EARNINGS].request(expert.id, ask)
    return web.json_response(payout.public(), status=201)


@routes.get("/api/v1/payouts")
@described("The caller's payouts (experts)", answer=obj(payouts=array(PAYOUT)))
async def list_payouts(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    payouts = await request.app[EARNINGS].store.payouts_of(expert.id)
    return web.json_response({"payouts": [p.public() for p in payouts]})
