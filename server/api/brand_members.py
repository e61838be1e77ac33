"""An expert's own brand memberships: which brands they take calls for, and leaving one."""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from common.errors import NotFound
from server.api.brand_access import brands, slug_of
from server.api.shapes import BRAND_PUBLIC
from server.apidoc import NO_CONTENT, array, described, obj
from server.http import caller_with_role

routes = web.RouteTableDef()


@routes.get("/api/v1/brand-memberships")
@described("The brands the caller takes calls for (experts)",
           answer=obj(brands=array(BRAND_PUBLIC)))
async def my_brands(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    store = brands(request).store
    found = [await store.by_id(b) for b in await store.brands_of_expert(expert.id)]
    return web.json_response({"brands": [b.public() for b in found]})


@routes.delete("/api/v1/brand-memberships/{slug}")
@described("Leave a brand (experts)", status=204, answer=NO_CONTENT)
async def leave(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    brand = await brands(request).store.by_slug(slug_of(request))
    if not await brands(request).store.remove_member(brand.id, expert.id):
        raise NotFound("you are not a member of this brand")
    return web.Response(status=204)
