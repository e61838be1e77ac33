"""A brand's uploaded logo: sent by its admins, re-encoded like expert photos, served with
the branded page (``/b/<slug>/logo.jpg``)."""

from __future__ import annotations

from aiohttp import web

from common.errors import Invalid
from marketplace.photos import ACCEPTED_TYPES
from server.api.brand_access import acting, brands, slug_of
from server.apidoc import STRING, Raw, described, obj
from server.http import read_body
from server.keys import BLOBS, EXPERTS

routes = web.RouteTableDef()

MAX_LOGO_BYTES = 1024 * 1024


@routes.put("/api/v1/brands/{slug}/logo")
@described("Upload the brand's logo (re-encoded as JPEG)", auth="brand",
           body=Raw("image/*", "the picture"), answer=obj(logo_url=STRING))
async def put_logo(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    if request.content_type not in ACCEPTED_TYPES:
        raise Invalid(f"the logo must be sent as {', '.join(ACCEPTED_TYPES)}", "logo")
    data = await read_body(request, MAX_LOGO_BYTES)
    # Judged by size before decoding, a few at a time (marketplace/photos.py).
    jpeg = await request.app[EXPERTS].photos.decoder.reencode(data)
    url = await brands(request).store.put_logo(brand, jpeg, request.app[BLOBS])
    return web.json_response({"logo_url": url})


@routes.get("/b/{slug}/logo.jpg")
async def get_logo(request: web.Request) -> web.Response:
    brand = await brands(request).store.by_slug(slug_of(request))
    jpeg = await brands(request).store.logo(brand.id, request.app[BLOBS])
    if jpeg is None:
        raise web.HTTPNotFound()
    cache = "public, max-age=31536000, immutable" if "v" in request.query else "no-cache"
    return web.Response(body=jpeg, content_type="image/jpeg", headers={
        "Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
