"""Expert profiles, the listing, photos, verification requests and favourites."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid
from common.ids import looks_like_id
from marketplace.errors import NoSuchExpert
from marketplace.listing import ListingQuery, Page
from marketplace.photos import ACCEPTED_TYPES, MAX_UPLOAD_BYTES
from marketplace.profiles import ProfileUpdate
from marketplace.verifications import VerificationRequest
from server.api.shapes import EXPERT_CARD, OWN_PROFILE, PAGE, REVIEW, VERIFICATION
from server.apidoc import NO_CONTENT, STRING, Raw, array, described, obj
from server.http import caller_with_role, read_body, read_json
from server.keys import BLOBS, EXPERTS

routes = web.RouteTableDef()


def _expert_id(request: web.Request) -> str:
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id):
        raise NoSuchExpert()
    return expert_id


@routes.put("/api/v1/experts/me")
@described("Create or change the caller's expert profile", body=ProfileUpdate,
           answer=OWN_PROFILE)
async def put_profile(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    profile = ProfileUpdate.parse(await read_json(request))
    return web.json_response(await request.app[EXPERTS].save(expert, profile))


@routes.get("/api/v1/experts/me")
@described("The caller's expert profile", answer=OWN_PROFILE)
async def get_own_profile(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    return web.json_response(await request.app[EXPERTS].own(expert.id))


@routes.put("/api/v1/experts/me/photo")
@described("Upload the profile photo (JPEG, PNG or WebP; re-encoded)",
           body=Raw("image/*", "the picture"), answer=obj(photo_url=STRING))
async def put_photo(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    if request.content_type not in ACCEPTED_TYPES:
        raise Invalid(f"the photo must be sent as {', '.join(ACCEPTED_TYPES)}", "photo")
    data = await read_body(request, MAX_UPLOAD_BYTES)
    # Judged by size before decoding, a few at a time (marketplace/photos.py).
    jpeg = await request.app[EXPERTS].photos.decoder.reencode(data)
    url = await request.app[EXPERTS].photos.put(expert.id, jpeg, request.app[BLOBS])
    return web.json_response({"photo_url": url})


@routes.get("/media/experts/{expert_id}.jpg")
async def get_photo(request: web.Request) -> web.Response:
    jpeg = await request.app[EXPERTS].photos.get(_expert_id(request), request.app[BLOBS])
    if jpeg is None:
        raise web.HTTPNotFound()
    # photo_url carries a version (?v=): such a URL never changes, the bare one may.
    cache = "public, max-age=31536000, immutable" if "v" in request.query else "no-cache"
    return web.Response(body=jpeg, content_type="image/jpeg", headers={
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
    })


@routes.post("/api/v1/experts/me/verifications")
@described("Ask to be verified in a category", body=VerificationRequest, status=201,
           answer=VERIFICATION)
async def ask_verification(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    ask = VerificationRequest.parse(await read_json(request))
    created = await request.app[EXPERTS].verifications.submit(expert.id, expert.display_name, ask)
    return web.json_response(created, status=201)


@routes.get("/api/v1/experts/me/verifications")
@described("The caller's verification requests", query=Page.QUERY,
           answer=obj(verifications=array(VERIFICATION), **PAGE))
async def own_verifications(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    page = Page.parse(request.query)
    found, total = await request.app[EXPERTS].verifications.of_expert(expert.id, page)
    return web.json_response({"verifications": found, **page.public(total)})


@routes.get("/api/v1/experts")
@described("The expert listing", query=ListingQuery.QUERY, auth="none",
           answer=obj(experts=array(EXPERT_CARD), **PAGE))
async def list_experts(request: web.Request) -> web.Response:
    query = ListingQuery.parse(request.query)
    experts, total = await request.app[EXPERTS].listing(query)
    return web.json_response({"experts": experts, **query.page.public(total)})


@routes.get("/api/v1/experts/{expert_id}")
@described("One expert's card", auth="none", answer=EXPERT_CARD)
async def get_expert(request: web.Request) -> web.Response:
    return web.json_response(await request.app[EXPERTS].public(_expert_id(request)))


@routes.get("/api/v1/experts/{expert_id}/reviews")
@described("An expert's visible reviews", query=Page.QUERY, auth="none",
           answer=obj(reviews=array(REVIEW), **PAGE))
async def expert_reviews(request: web.Request) -> web.Response:
    expert_id = _expert_id(request)
    page = Page.parse(request.query)
    experts = request.app[EXPERTS]
    await experts.public(expert_id)  # 404 for an unknown expert, not an empty page
    reviews, total = await experts.reviews.of_expert(expert_id, page)
    return web.json_response({"reviews": reviews, **page.public(total)})


@routes.get("/api/v1/favourites")
@described("The caller's favourite experts", answer=obj(experts=array(EXPERT_CARD)))
async def list_favourites(request: web.Request) -> web.Response:
    client = await caller_with_role(request, Role.CLIENT)
    experts = request.app[EXPERTS]
    favourites = await experts.favourites.of(client.id)
    return web.json_response({"experts": await experts.cards(favourites)})


@routes.put("/api/v1/favourites/{expert_id}")
@described("Keep an expert as a favourite", status=204, answer=NO_CONTENT)
async def add_favourite(request: web.Request) -> web.Response:
    client = await caller_with_role(request, Role.CLIENT)
    expert_id = _expert_id(request)
    experts = request.app[EXPERTS]
    await experts.public(expert_id)
    if not await experts.favourites.add(client.id, expert_id):
        raise Invalid("you keep too many favourites already", "expert_id")
    return web.Response(status=204)


@routes.delete("/api/v1/favourites/{expert_id}")
@described("Forget a favourite", status=204, answer=NO_CONTENT)
async def remove_favourite(request: web.Request) -> web.Response:
    client = await caller_with_role(request, Role.CLIENT)
    await request.app[EXPERTS].favourites.remove(client.id, _expert_id(request))
    return web.Response(status=204)


