"""Admin work on the marketplace: verification requests and review moderation."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid
from common.ids import looks_like_id
from common.schema import Choice
from marketplace.errors import NoSuchReview, NoSuchVerification
from marketplace.listing import Page
from marketplace.verifications import Decision, VerificationState
from server.api.shapes import PAGE, REVIEW, VERIFICATION
from server.apidoc import array, described, obj
from server.http import caller_with_role, read_json
from server.keys import EXPERTS

routes = web.RouteTableDef()


def _id(request: web.Request, name: str, missing: type[Exception]) -> str:
    value = request.match_info[name]
    if not looks_like_id(value):
        raise missing()
    return value


@routes.get("/api/v1/admin/verifications")
@described("Verification requests in a state (admins)", answer=obj(
    verifications=array(VERIFICATION), **PAGE), query=[
    Choice("state", required=False, options=tuple(VerificationState)), *Page.QUERY])
async def list_verifications(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    raw = request.query.get("state") or VerificationState.PENDING.value
    if raw not in {s.value for s in VerificationState}:
        raise Invalid(f"state must be one of: {', '.join(VerificationState)}", "state")
    page = Page.parse(request.query)
    found, total = await request.app[EXPERTS].verifications.in_state(VerificationState(raw), page)
    return web.json_response({"verifications": found, **page.public(total)})


@routes.post("/api/v1/admin/verifications/{request_id}")
@described("Approve or reject a verification request (admins)", body=Decision,
           answer=VERIFICATION)
async def decide_verification(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    request_id = _id(request, "request_id", NoSuchVerification)
    decision = Decision.parse(await read_json(request))
    decided = await request.app[EXPERTS].verifications.decide(request_id, admin.id, decision)
    return web.json_response(decided)


@routes.post("/api/v1/admin/reviews/{review_id}/hide")
@described("Hide a review (admins)", answer=REVIEW)
async def hide_review(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    review_id = _id(request, "review_id", NoSuchReview)
    return web.json_response(
        await request.app[EXPERTS].reviews.set_hidden(review_id, True, admin.id))


@routes.post("/api/v1/admin/reviews/{review_id}/show")
@described("Show a hidden review again (admins)", answer=REVIEW)
async def show_review(request: web.Request) -> web.Response:
    admin = await caller_with_role(request, Role.ADMIN)
    review_id = _id(request, "review_id", NoSuchReview)
    return web.json_response(
        await request.app[EXPERTS].reviews.set_hidden(review_id, False, admin.id))
