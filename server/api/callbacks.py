"""Callback requests: left by a client nobody could take, taken by the next expert."""

from __future__ import annotations

import logging

from aiohttp import web

from accounts.models import Role
from common.errors import NotFound
from common.ids import looks_like_id
from marketplace.callbacks import CallbackRequest
from server.api.shapes import PERSON
from server.apidoc import ID, STRING, TIME, array, described, obj
from server.http import caller_with_role, read_json
from server.keys import ACCOUNTS, EXPERTS, MAILER, SIO, TRUST
from signaling.notifier import account_room

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
MAILED_EXPERTS = 50  # a callback request is mailed to at most this many experts of its category


@routes.post("/api/v1/callbacks")
@described("Ask to be called back in a category (clients)", body=CallbackRequest,
           status=201, answer=obj(id=ID, category=STRING, topic=STRING, created_at=TIME))
async def leave(request: web.Request) -> web.Response:
    client = await caller_with_role(request, Role.CLIENT)
    wanted = CallbackRequest.parse(await read_json(request))
    body = await request.app[EXPERTS].callbacks.leave(client.id, wanted)
    experts = await request.app[EXPERTS].in_category(wanted.category)
    await request.app[MAILER].callback_request(
        [e["id"] for e in experts[:MAILED_EXPERTS]], body)
    return web.json_response(body, status=201)


@routes.get("/api/v1/callbacks")
@described("Open callback requests in the caller's categories (experts)",
           answer=obj(callbacks=array(obj(id=ID, client_id=ID, category=STRING, topic=STRING,
                                            created_at=TIME))))
async def open_requests(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    found = await request.app[EXPERTS].callbacks_for(expert.id)
    blocked = await request.app[TRUST].blocks.blocked_among(
        expert.id, {c["client_id"] for c in found})
    return web.json_response({"callbacks": [c for c in found if c["client_id"] not in blocked]})


@routes.post("/api/v1/callbacks/{request_id}/take")
@described("Take a callback request (experts); the client is told who will call",
           answer=obj(request_id=ID, topic=STRING, category=STRING, client=PERSON))
async def take(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    request_id = request.match_info["request_id"]
    if not looks_like_id(request_id):
        raise NotFound("no such callback request")
    experts = request.app[EXPERTS]
    await request.app[TRUST].blocks.ensure_unblocked(
        expert.id, await experts.callbacks.client_of(request_id) or "")
    taken = await experts.callbacks.take(
        request_id, expert.id, await experts.open_categories(expert.id)
    )
    client = await request.app[ACCOUNTS].store.require(taken["client_id"])
    # The client learns who will help and calls them directly (call:start {expert_id}).
    await request.app[SIO].emit("callback", {
        "request_id": request_id, "topic": taken["topic"], "category": taken["category"],
        "expert": {"id": expert.id, "display_name": expert.display_name},
    }, room=account_room(client.id))
    log.info("callback %s taken by %s", request_id, expert.id)
    return web.json_response({
        "request_id": request_id, "topic": taken["topic"], "category": taken["category"],
        "client": {"id": client.id, "display_name": client.display_name},
    })
