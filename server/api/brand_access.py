"""Who acts for the brand named in the path: shared by every brand route module.

``Authorization: Bearer hcb_...`` is a brand API key, valid for its own brand only; any
other token (or the browser's cookie) is an account, which must be a platform admin or
hold the brand-admin right for that brand.
"""

from __future__ import annotations

from aiohttp import web

from accounts.models import Role
from brands.apikeys import looks_like_brand_key
from brands.errors import NoSuchBrand
from brands.service import Acting, Brands
from common.errors import Forbidden, Invalid
from common.validation import read_slug
from server.http import caller, caller_with_role, request_token
from server.keys import BRANDS


def brands(request: web.Request) -> Brands:
    return request.app[BRANDS]


def slug_of(request: web.Request) -> str:
    try:
        return read_slug(request.match_info["slug"])
    except Invalid:
        raise NoSuchBrand() from None


async def acting(request: web.Request, *, keys_allowed: bool = True) -> Acting:
    slug = slug_of(request)
    token = request_token(request)
    if token is not None and looks_like_brand_key(token):
        if not keys_allowed:
            raise Forbidden("an API key cannot do this: sign in as a brand admin")
        return await brands(request).acting_key(slug, token)
    return await brands(request).acting_account(slug, await caller(request))


async def platform_admin(request: web.Request) -> Acting:
    """Platform-admin-only brand actions (creating, money rules, admins, top-ups)."""
    if looks_like_brand_key(request_token(request)):
        raise Forbidden("only a platform admin can do this")
    account = await caller_with_role(request, Role.ADMIN)
    return await brands(request).acting_account(slug_of(request), account)
