"""Reviews: a client reviews a session that went live; the expert may reply once."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.ids import looks_like_id
from marketplace.errors import NoSuchReview
from marketplace.reviews import ReplyRequest, ReviewRequest, check_reviewable
from server.api.shapes import REVIEW
from server.apidoc import described
from server.http import caller, caller_with_role, read_json
from server.keys import CALLS, CONFIG, EXPERTS
from sessions.errors import NoSuchSession

routes = web.RouteTableDef()


@routes.post("/api/v1/sessions/{session_id}/review")
@described("Review a session that went live (its client, once)", body=ReviewRequest,
           status=201, answer=REVIEW)
async def review_session(request: web.Request) -> web.Response:
    account = await caller(request)
    session_id = request.match_info["session_id"]
    found = await request.app[CALLS].store.get(session_id) if looks_like_id(session_id) else None
    if found is None:
        raise NoSuchSession()
    session, _ = found
    check_reviewable(session, account.id, request.app[CONFIG].guarantee_seconds)
    review = ReviewRequest.parse(await read_json(request))
    created = await request.app[EXPERTS].reviews.add(session, account.display_name, review)
    return web.json_response(created, status=201)


@routes.post("/api/v1/reviews/{review_id}/reply")
@described("Reply to a review of the caller (experts, once)", body=ReplyRequest,
           answer=REVIEW)
async def reply_to_review(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    review_id = request.match_info["review_id"]
    if not looks_like_id(review_id):
        raise NoSuchReview()
    reply = ReplyRequest.parse(await read_json(request))
    return web.json_response(await request.app[EXPERTS].reviews.reply(review_id, expert.id, reply))
