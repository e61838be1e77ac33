"""A brand's API keys and its webhook (docs/brands.md): managed by its admins only.

An API key may list keys but not create or revoke them, nor change the webhook: a leaked
key must not be able to mint more keys or redirect the brand's billing events.
"""

from __future__ import annotations

import base64
import secrets

from aiohttp import web

from billing.webhook_targets import RefusedTarget, TargetPolicy, check_url
from brands.models import KeyRequest, WebhookSettings
from common.errors import Invalid, NotFound
from common.ids import looks_like_id
from server.api.brand_access import acting, brands
from server.apidoc import BOOLEAN, ID, NO_CONTENT, STRING, TIME, array, described, nullable, obj
from server.http import read_json
from server.keys import CONFIG

routes = web.RouteTableDef()

KEY = obj(id=ID, name=STRING, prefix=STRING, created_at=TIME)


@routes.post("/api/v1/brands/{slug}/keys")
@described("Make an API key; its secret is shown this once", body=KeyRequest,
           status=201, answer=obj(**KEY["properties"], key=STRING))
async def create_key(request: web.Request) -> web.Response:
    brand = (await acting(request, keys_allowed=False)).brand
    name = KeyRequest.parse(await read_json(request)).name
    created = await brands(request).keys.create(brand.id, name)
    return web.json_response({**created.listing, "key": created.secret}, status=201)


@routes.get("/api/v1/brands/{slug}/keys")
@described("The brand's API keys (never their secrets)", auth="brand",
           answer=obj(keys=array(KEY)))
async def list_keys(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    return web.json_response({"keys": await brands(request).keys.list(brand.id)})


@routes.delete("/api/v1/brands/{slug}/keys/{key_id}")
@described("Revoke an API key", status=204, answer=NO_CONTENT)
async def revoke_key(request: web.Request) -> web.Response:
    brand = (await acting(request, keys_allowed=False)).brand
    key_id = request.match_info["key_id"]
    if not looks_like_id(key_id):
        raise NotFound("no such API key")
    await brands(request).keys.revoke(brand.id, key_id)
    return web.Response(status=204)


@routes.get("/api/v1/brands/{slug}/webhook")
@described("The brand's billing webhook", auth="brand",
           answer=obj(url=nullable(STRING), has_secret=BOOLEAN))
async def get_webhook(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    url, secret = await brands(request).store.webhook(brand.id)
    return web.json_response({"url": url or None, "has_secret": bool(secret)})


@routes.put("/api/v1/brands/{slug}/webhook")
@described("Set the brand's billing webhook; the answer shows its secret",
           body=WebhookSettings, answer=obj(url=nullable(STRING), secret=STRING))
async def set_webhook(request: web.Request) -> web.Response:
    """The answer shows the secret: the one given, or a new one made when there was none."""
    brand = (await acting(request, keys_allowed=False)).brand
    settings = WebhookSettings.parse(await read_json(request))
    if settings.url:
        # §7.6: https and public addresses only; checked again at each delivery.
        try:
            policy = TargetPolicy(request.app[CONFIG].webhook_allowed_networks)
            await check_url(settings.url, policy)
        except RefusedTarget as exc:
            raise Invalid(str(exc), "url") from None
    _, current = await brands(request).store.webhook(brand.id)
    # Standard Webhooks' form: whsec_ and the base64 of 24 random bytes (the HMAC key).
    secret = settings.secret or current or "whsec_" + base64.b64encode(
        secrets.token_bytes(24)).decode("ascii")
    await brands(request).store.set_webhook(brand.id, settings.url, secret)
    return web.json_response({"url": settings.url or None, "secret": secret})
