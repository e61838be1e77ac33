"""Disputes of paid calls (docs/trust.md): the client opens one, the expert answers, an
admin decides; and the cleanup context that builds the trust package under ``TRUST``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid
from common.schema import Choice, Schema
from server.apidoc import CENTS, ID, STRING, TIME, array, described, enum, nullable, obj
from server.http import caller, caller_with_role, read_json, route_id
from server.keys import ACCOUNTS, APPOINTMENTS, CALLS, CONFIG, MAILER, REDIS, SIO, TRUST
from signaling.notifier import NotificationSender
from trust.disputes import AnswerRequest, Decision, DisputeRequest, Outcome, Reason
from trust.keys import DISPUTE_STATES
from trust.service import Trust

routes = web.RouteTableDef()

_DISPUTE_FIELDS: dict[str, Schema] = dict(
    session_id=ID, state=enum(*DISPUTE_STATES), reason=enum(*Reason), text=STRING,
    client_id=ID, expert_id=ID, amount_cents=CENTS, currency=STRING, opened_at=TIME,
    answer=nullable(STRING), answered_at=nullable(TIME), outcome=nullable(enum(*Outcome)),
    refund_cents=nullable(CENTS), decided_at=nullable(TIME), note=nullable(STRING))
DISPUTE = obj(**_DISPUTE_FIELDS)
ADMIN_DISPUTE = obj(**_DISPUTE_FIELDS, decided_by=nullable(ID),
                    platform_fee_refund_cents=nullable(CENTS),
                    expert_payout_refund_cents=nullable(CENTS))


async def trust_ctx(app: web.Application) -> AsyncIterator[None]:
    """``TRUST``: after the calls context, whose session store the disputes read."""
    config = app[CONFIG]
    sender = NotificationSender(app[SIO])

    async def notify(account_id: str, notice: dict[str, Any]) -> None:
        # Beside the appointments' notifications (started later; there by the first dispute).
        await app[APPOINTMENTS].inbox.push(account_id, notice)
        await sender.notify(account_id, notice)
        await app[MAILER].dispute(account_id, notice)

    app[TRUST] = Trust.build(app[REDIS], app[ACCOUNTS].store, app[CALLS].store,
                             config.dispute_window_seconds, notify)
    yield


def _session_id(request: web.Request) -> str:
    return route_id(request, "session_id", "session")


@routes.post("/api/v1/sessions/{session_id}/dispute")
@described("Dispute a paid call (its client, once, within the dispute window)",
           body=DisputeRequest, status=201, answer=DISPUTE)
async def open_dispute(request: web.Request) -> web.Response:
    client = await caller(request)
    session_id = _session_id(request)
    wanted = DisputeRequest.parse(await read_json(request))
    body = await request.app[TRUST].disputes.open(session_id, client.id, wanted)
    return web.json_response(body, status=201)


@routes.get("/api/v1/sessions/{session_id}/dispute")
@described("A call's dispute and its outcome (its two parties, admins)", answer=DISPUTE)
async def read_dispute(request: web.Request) -> web.Response:
    account = await caller(request)
    body = await request.app[TRUST].disputes.read(_session_id(request), account.id,
                                                  admin=account.role == Role.ADMIN)
    return web.json_response(body)


@routes.post("/api/v1/sessions/{session_id}/dispute/answer")
@described("Answer a dispute of one's call (the expert, once, before the decision)",
           body=AnswerRequest, answer=DISPUTE)
async def answer_dispute(request: web.Request) -> web.Response:
    expert = await caller(request)
    session_id = _session_id(request)
    answer = AnswerRequest.parse(await read_json(request))
    return web.json_response(await request.app[TRUST].disputes.answer(session_id, expert.id,
                                                                      answer))


@routes.get("/api/v1/admin/disputes")
@described("Disputes in a state, newest first (admins); by default those to decide",
           query=[Choice("state", required=False, options=DISPUTE_STATES)],
           answer=obj(disputes=array(ADMIN_DISPUTE)))
async def list_disputes(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    state = request.query.get("state")
    if state is not None and state not in DISPUTE_STATES:
        raise Invalid(f"state must be one of: {', '.join(DISPUTE_STATES)}", "state")
    states = (state,) if state else ("open", "answered")
    return web.json_response({"disputes": await request.app[TRUST].disputes.listed(states)})


@routes.post("/api/v1/admin/disputes/{session_id}/decision")
@described("Decide a dispute (admins, once): refund all, part or nothing", body=Decision,
           answer=ADMIN_DISPUTE)
async def decide_dispute(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    session_id = _session_id(request)
    decision = Decision.parse(await read_json(request))
    return web.json_response(await request.app[TRUST].disputes.decide(session_id, admin.id,
                                                                      decision))
