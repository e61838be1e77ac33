"""The expert's earnings page (``/earnings``) and the admins' payouts page
(``/admin/payouts``): plain forms with CSRF tokens, answered by a redirect back with the
outcome, over the same use cases as the API (docs/earnings.md)."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Account, Role
from common.errors import Forbidden, HelpcallError
from common.ids import looks_like_id
from earnings.models import BankDetails, Decision, PayoutAsk
from server.http import csv_download
from server.keys import ACCOUNTS, EARNINGS
from web import csrf
from web.pages.public import problem_page
from web.render import render
from web.session import login_redirect, viewer

routes = web.RouteTableDef()


async def _signed_in(request: web.Request, role: Role) -> Account:
    """The signed-in account of ``role``; others see the not-for-this-account page."""
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    if not who.is_role(role):
        raise Forbidden(f"this page is for {role.value} accounts")
    return who.account


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    return {k: v for k, v in form.items() if isinstance(v, str)}


@routes.get("/earnings", name="earnings")
async def earnings_page(request: web.Request) -> web.Response:
    expert = await _signed_in(request, Role.EXPERT)
    summary = await request.app[EARNINGS].summary(expert.id)
    return await render(request, "earnings.html", {
        "e": summary, "outcome": request.query.get("done", ""),
        "problem": request.query.get("problem", ""),
    })


@routes.post("/earnings/bank", name="earnings_bank")
async def save_bank(request: web.Request) -> web.Response:
    expert = await _signed_in(request, Role.EXPERT)
    form = await _form(request)
    try:
        details = BankDetails.parse({k: form.get(k, "") for k in ("holder", "iban", "bic")})
    except HelpcallError as exc:
        raise web.HTTPSeeOther(f"/earnings?done=bank_failed&problem={exc.code}") from None
    await request.app[EARNINGS].set_bank(expert.id, details)
    raise web.HTTPSeeOther("/earnings?done=bank_saved")


@routes.post("/earnings/payouts", name="earnings_payout")
async def ask_payout(request: web.Request) -> web.Response:
    expert = await _signed_in(request, Role.EXPERT)
    await _form(request)
    try:
        await request.app[EARNINGS].request(expert.id, PayoutAsk(None))
    except HelpcallError:
        raise web.HTTPSeeOther("/earnings?done=payout_failed") from None
    raise web.HTTPSeeOther("/earnings?done=payout_requested")


@routes.get("/admin/payouts", name="admin_payouts")
async def payouts_page(request: web.Request) -> web.Response:
    await _signed_in(request, Role.ADMIN)
    store = request.app[EARNINGS].store
    lists = {state: await store.payouts_in(state, 100)
             for state in ("requested", "approved", "paid")}
    experts = {p.expert_id for payouts in lists.values() for p in payouts}
    names = await request.app[ACCOUNTS].store.display_names(sorted(experts))
    return await render(request, "admin_payouts.html", {
        "lists": lists, "names": names, "outcome": request.query.get("done", ""),
    })


@routes.post("/admin/payouts/{payout_id}", name="admin_payout_decide")
async def decide(request: web.Request) -> web.Response:
    admin = await _signed_in(request, Role.ADMIN)
    form = await _form(request)
    payout_id = request.match_info["payout_id"]
    if not looks_like_id(payout_id):
        return await problem_page(request, "not_found")
    try:
        decision = Decision.parse(form.get("action", ""), {"reference": form.get("reference")})
        await request.app[EARNINGS].decide(payout_id, admin.id, decision)
    except HelpcallError:
        raise web.HTTPSeeOther("/admin/payouts?done=failed") from None
    raise web.HTTPSeeOther(f"/admin/payouts?done={decision.action}")


@routes.get("/admin/payouts.csv", name="admin_payouts_csv")
async def export(request: web.Request) -> web.StreamResponse:
    await _signed_in(request, Role.ADMIN)
    return csv_download(await request.app[EARNINGS].bank_transfer_file(),
                        "helpcall-payouts.csv")
