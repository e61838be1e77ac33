"""Card payments with ``HELPCALL_PAYMENTS=stripe`` (protocol §7.3, docs/payments.md):
top-ups of a client's or a brand's wallet, their status, refunds, and Stripe's webhook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from common.errors import NotFound
from common.ids import looks_like_id
from payments.gateway import StripeGateway
from payments.models import RefundRequest, ServerConfirm
from payments.service import Payments, StripeSettings
from payments.store import PaymentStore
from server.api.brand_access import acting
from server.api.shapes import CARD_TOPUP
from server.apidoc import BOOLEAN, CENTS, ID, Raw, described, enum, obj
from server.http import caller, read_body, read_json
from server.keys import CONFIG, PAYMENTS, REDIS
from sessions.wallet import TopUp

# A top-up confirmed on the server: its state now, and whether Stripe.js must finish it
# (3-D Secure).
CONFIRMED_TOPUP = obj("error", **CARD_TOPUP["properties"], requires_action=BOOLEAN)
REFUND = obj(refund_id=ID, status=enum("succeeded", "partial", "failed"), amount_cents=CENTS,
             refunded_cents=CENTS, balance_cents=CENTS)

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

MAX_WEBHOOK_BYTES = 256 * 1024


async def payments_ctx(app: web.Application) -> AsyncIterator[None]:
    """With ``stripe``: the service under ``PAYMENTS`` (after the context that sets REDIS)."""
    config = app[CONFIG]
    if config.payments != "stripe":
        yield
        return
    assert config.stripe_secret_key and config.stripe_publishable_key
    assert config.stripe_webhook_secret  # load_config refuses stripe without them
    gateway = StripeGateway(config.stripe_secret_key, config.stripe_api_base)
    app[PAYMENTS] = Payments(PaymentStore(app[REDIS]), gateway, StripeSettings(
        config.stripe_publishable_key, config.stripe_webhook_secret, config.currency))
    log.info("card payments through Stripe at %s; webhook endpoint "
             "/api/v1/payments/stripe/webhook", config.stripe_api_base)
    try:
        yield
    finally:
        await gateway.close()


def payments(request: web.Request) -> Payments:
    found = request.app.get(PAYMENTS)
    if found is None:
        raise NotFound("card payments are not enabled here (HELPCALL_PAYMENTS=test)")
    return found


def _topup_id(request: web.Request) -> str:
    value = request.match_info["topup_id"]
    if not looks_like_id(value):
        raise NotFound("no such top-up")
    return value


async def start_topup(request: web.Request, owner: str) -> web.Response:
    """``POST .../topups`` in stripe mode: a pending top-up and its PaymentIntent."""
    topup = TopUp.parse(await read_json(request))
    started = await payments(request).start_topup(owner, topup.amount_cents)
    return web.json_response(started.public(), status=201)


@routes.get("/api/v1/wallet/topups/{topup_id}")
@described("A card top-up of the caller's (stripe payments)", answer=CARD_TOPUP)
async def topup_status(request: web.Request) -> web.Response:
    account = await caller(request)
    topup = await payments(request).topup(account.id, _topup_id(request))
    return web.json_response(topup.public())


@routes.post("/api/v1/wallet/topups/{topup_id}/confirm")
@described("Confirm a card top-up with a payment method (stripe payments)",
           body=ServerConfirm, answer=CONFIRMED_TOPUP)
async def confirm_topup(request: web.Request) -> web.Response:
    account = await caller(request)
    confirm = ServerConfirm.parse(await read_json(request))
    answer = await payments(request).confirm_on_server(account.id, _topup_id(request),
                                                       confirm.payment_method)
    return web.json_response(answer)


@routes.post("/api/v1/wallet/refunds")
@described("Give unused credit back to the card(s) it came from (stripe payments)",
           body=RefundRequest, status=201, answer=REFUND)
async def refund(request: web.Request) -> web.Response:
    account = await caller(request)
    asked = RefundRequest.parse(await read_json(request))
    answer = await payments(request).refund(account.id, asked.amount_cents)
    return web.json_response(answer, status=201)


async def _brand_owner(request: web.Request) -> str:
    # A card payment is made by a person in a browser: brand admins, never an API key.
    return (await acting(request, keys_allowed=False)).brand.id


@routes.get("/api/v1/brands/{slug}/balance/topups/{topup_id}")
@described("A card top-up of the brand's (stripe payments)", answer=CARD_TOPUP)
async def brand_topup_status(request: web.Request) -> web.Response:
    owner = await _brand_owner(request)
    topup = await payments(request).topup(owner, _topup_id(request))
    return web.json_response(topup.public())


@routes.post("/api/v1/brands/{slug}/balance/topups/{topup_id}/confirm")
@described("Confirm a brand's card top-up (stripe payments)", body=ServerConfirm,
           answer=CONFIRMED_TOPUP)
async def confirm_brand_topup(request: web.Request) -> web.Response:
    owner = await _brand_owner(request)
    confirm = ServerConfirm.parse(await read_json(request))
    answer = await payments(request).confirm_on_server(owner, _topup_id(request),
                                                       confirm.payment_method)
    return web.json_response(answer)


async def start_brand_topup(request: web.Request) -> web.Response:
    return await start_topup(request, await _brand_owner(request))


@routes.post("/api/v1/payments/stripe/webhook")
@described("Stripe's events, signed (Stripe-Signature)", auth="none",
           body=Raw("application/json", "a Stripe event"),
           answer=obj(received=BOOLEAN, result={}))
async def stripe_webhook(request: web.Request) -> web.Response:
    service = payments(request)
    body = await read_body(request, MAX_WEBHOOK_BYTES)
    # Stripe re-sends until a 2xx: answer 2xx for every verified event, even one we ignore.
    answer = await service.handle_webhook(body, request.headers.get("Stripe-Signature"))
    return web.json_response({"received": True, "result": answer})

