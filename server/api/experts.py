"""Expert profiles and the expert listing."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import Invalid, NotFound
from common.ids import looks_like_id
from marketplace.categories import BY_SLUG
from marketplace.profiles import ProfileUpdate
from server.http import caller_with_role, read_json
from server.keys import EXPERTS

routes = web.RouteTableDef()


@routes.put("/api/v1/experts/me")
async def put_profile(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    profile = ProfileUpdate.parse(await read_json(request))
    return web.json_response(await request.app[EXPERTS].save(expert, profile))


@routes.get("/api/v1/experts")
async def list_experts(request: web.Request) -> web.Response:
    category = request.query.get("category") or None
    if category is not None and category not in BY_SLUG:
        raise Invalid(f"unknown category: {category}", "category")
    online = request.query.get("online", "").lower() in ("1", "true", "yes")
    experts = await request.app[EXPERTS].listing(category, online)
    return web.json_response({"experts": experts})


@routes.get("/api/v1/experts/{expert_id}")
async def get_expert(request: web.Request) -> web.Response:
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id):
        raise NotFound("no such expert")
    return web.json_response(await request.app[EXPERTS].public(expert_id))
