"""The admins' side of payouts (docs/earnings.md): the requests by state, a decision on
one (approve, pay with the bank's reference, reject), and the bank-transfer file."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid
from common.ids import looks_like_id
from common.schema import Body, Text
from earnings import keys
from earnings.models import Decision
from earnings.store import NoSuchPayout
from server.api.shapes import PAYOUT
from server.apidoc import Raw, array, described, obj
from server.http import caller_with_role, csv_download, read_json
from server.keys import EARNINGS

routes = web.RouteTableDef()

@routes.get("/api/v1/admin/payouts")
@described("Payouts in a state (admins)", answer=obj(payouts=array(PAYOUT)))
async def list_payouts(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    state = request.query.get("state", "requested")
    if state not in keys.STATES:
        raise Invalid(f"state must be one of {', '.join(keys.STATES)}", "state")
    payouts = await request.app[EARNINGS].store.payouts_in(state)
    return web.json_response({"payouts": [p.public(for_admin=True) for p in payouts]})


@routes.post("/api/v1/admin/payouts/{payout_id}/{action}")
@described("approve, pay (with the transfer's reference) or reject a payout (admins)",
           body=Body(Text("reference", required=False, max_len=100,
                          description="required (non-empty) for pay")), answer=PAYOUT)
async def decide(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    body = await read_json(request) if request.body_exists else {}
    decision = Decision.parse(request.match_info["action"], body)
    payout_id = request.match_info["payout_id"]
    if not looks_like_id(payout_id):
        raise NoSuchPayout()
    payout = await request.app[EARNINGS].decide(payout_id, admin.id, decision)
    return web.json_response(payout.public(for_admin=True))


@routes.get("/api/v1/admin/payouts.csv")
@described("Payouts as CSV (admins)", answer=Raw("text/csv", "one row per payout"))
async def export(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    return csv_download(await request.app[EARNINGS].bank_transfer_file(),
                        "helpcall-payouts.csv")
