"""``GET /api/v1/sessions/{id}/receipt``: the receipt of an ended paid session."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from server.api.shapes import PRICING
from server.apidoc import (
    BOOLEAN,
    CENTS,
    ID,
    INTEGER,
    STRING,
    TIME,
    array,
    described,
    enum,
    nullable,
    obj,
)
from server.http import caller
from server.keys import ACCOUNTS, CALLS
from sessions.receipts import receipt_for

routes = web.RouteTableDef()

SIDE = nullable(enum("client", "expert"))
SPAN = obj(**{"from": TIME, "to": TIME, "ms": INTEGER})
# sessions.receipt.receipt: the expert's copy adds the fee and the payout.
RECEIPT = obj(
    "fee_percent", "platform_fee_cents", "expert_payout_cents",
    session_id=ID, copy=enum("client", "expert"), end_reason=nullable(STRING), topic=STRING,
    client=obj(id=ID, display_name=STRING), expert=obj(id=nullable(ID), display_name=STRING),
    brand_id=nullable(ID), booking_id=nullable(ID), paid_by=enum("client", "brand"),
    currency=STRING, pricing=PRICING, created_at=TIME, accepted_at=nullable(TIME),
    ended_at=nullable(TIME),
    timeline=array(obj(at=TIME, event=STRING, cause=nullable(STRING), by=SIDE)),
    timeline_omitted=INTEGER, live_spans=array(SPAN),
    pauses=array(obj(**SPAN["properties"], cause=nullable(STRING), by=SIDE)),
    billing=obj(live_ms=INTEGER, live_seconds=INTEGER, guarantee_seconds=INTEGER,
                under_guarantee=BOOLEAN, increment_seconds=INTEGER,
                rounded_up_seconds=INTEGER, billed_seconds=INTEGER,
                amount_at_rate_cents=CENTS, balance_cap_cents=nullable(CENTS),
                capped_by_balance=BOOLEAN, consistent=BOOLEAN),
    billed_seconds=INTEGER, amount_cents=CENTS,
    fee_percent=INTEGER, platform_fee_cents=CENTS, expert_payout_cents=CENTS)


@routes.get("/api/v1/sessions/{session_id}/receipt")
@described("A session's receipt (its participants)", answer=RECEIPT)
async def get_receipt(request: web.Request) -> web.Response:
    account = await caller(request)
    body = await receipt_for(request.app[CALLS].store, request.match_info["session_id"],
                             account.id, account.role == Role.ADMIN,
                             request.app[ACCOUNTS].store.display_names)
    return web.json_response(body)
