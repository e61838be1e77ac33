"""Brands: creation by a platform admin, the page, admins, member experts, invitations,
sessions and the brand balance (docs/brands.md)."""

from __future__ import annotations

import logging

from aiohttp import web

from accounts.models import Role, normalise_email
from brands.errors import NoSuchBrand
from brands.models import BrandCreate, BrandUpdate
from common.errors import Forbidden, NotFound
from common.ids import looks_like_id
from common.schema import Body, Identifier, Text
from server.api.accounts import preferred_language
from server.api.brand_access import acting, brands, platform_admin
from server.api.payments import start_brand_topup
from server.api.shapes import (
    BRAND,
    BRAND_PUBLIC,
    BRAND_WITH_ADMINS,
    LEDGER_ENTRY,
    SESSIONS,
    TOPUP_ANSWER,
    WALLET,
)
from server.apidoc import ID, INTEGER, NO_CONTENT, STRING, array, described, nullable, obj
from server.http import caller, caller_with_role, read_json
from server.keys import ACCOUNTS, CALLS, CONFIG, EXPERTS, MAILER, WALLETS
from sessions.wallet import TopUp

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

ADMIN = Body(Identifier("account_id"))


def _account_id(request: web.Request, name: str) -> str:
    value = request.match_info[name]
    if not looks_like_id(value):
        raise NotFound("no such account")
    return value


@routes.post("/api/v1/brands")
@described("Create a brand (platform admins)", body=BrandCreate, status=201,
           answer=BRAND_WITH_ADMINS)
async def create_brand(request: web.Request) -> web.Response:
    await caller_with_role(request, Role.ADMIN)
    create = BrandCreate.parse(await read_json(request))
    for account_id in create.admins:
        await request.app[ACCOUNTS].store.require(account_id)
    brand = await brands(request).store.create(create)
    admins = await brands(request).store.admins(brand.id)
    return web.json_response({**brand.private(), "admins": admins}, status=201)


@routes.get("/api/v1/brands")
@described("The brands the caller administers (all, for a platform admin)",
           answer=obj(brands=array(BRAND)))
async def list_brands(request: web.Request) -> web.Response:
    account = await caller(request)
    found = await brands(request).visible_to(account)
    return web.json_response({"brands": [b.private() for b in found]})


@routes.get("/api/v1/brands/{slug}")
@described("One brand, for its admins", auth="brand",
           answer=obj(**BRAND_WITH_ADMINS["properties"], embed_html=STRING))
async def get_brand(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    admins = await brands(request).store.admins(brand.id)
    return web.json_response({**brand.private(), "admins": admins,
                              "embed_html": embed_html(request, brand.slug)})


def embed_html(request: web.Request, slug: str) -> str:
    base = f"{request.scheme}://{request.host}"
    return (f'<iframe src="{base}/b/{slug}?embed=1" title="Video advice" '
            'width="360" height="480" style="border:0" allow="camera; microphone"></iframe>')


@routes.put("/api/v1/brands/{slug}")
@described("Change a brand's page or money rules", body=BrandUpdate, auth="brand",
           answer=BRAND)
async def update_brand(request: web.Request) -> web.Response:
    who = await acting(request)
    update = BrandUpdate.parse(await read_json(request))
    update.require_readable(who.brand)
    if update.changes_fee and not who.is_platform_admin:
        raise Forbidden("only a platform admin sets a brand's platform fee")
    brand = await brands(request).store.update(who.brand.id, update.changes)
    return web.json_response(brand.private())


@routes.post("/api/v1/brands/{slug}/admins")
@described("Make an account an admin of the brand (platform admins)", body=ADMIN,
           status=201, answer=obj(admins=array(ID)))
async def add_admin(request: web.Request) -> web.Response:
    who = await platform_admin(request)
    account_id = ADMIN.read(await read_json(request))["account_id"]
    await request.app[ACCOUNTS].store.require(account_id)
    await brands(request).store.add_admin(who.brand.id, account_id)
    return web.json_response({"admins": await brands(request).store.admins(who.brand.id)},
                             status=201)


@routes.delete("/api/v1/brands/{slug}/admins/{account_id}")
@described("Remove an admin of the brand (platform admins)", status=204, answer=NO_CONTENT)
async def remove_admin(request: web.Request) -> web.Response:
    who = await platform_admin(request)
    if not await brands(request).store.remove_admin(who.brand.id,
                                                    _account_id(request, "account_id")):
        raise NotFound("this account is not an admin of the brand")
    return web.Response(status=204)


@routes.get("/api/v1/brands/{slug}/experts")
@described("The brand's member experts", auth="brand", answer=obj(experts=array(obj(
    id=ID, display_name=STRING, status=STRING))))
async def list_experts(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    cards = await request.app[EXPERTS].in_category(brand.queue)
    # Members without a profile yet take no calls, but their admins see them.
    listed = {card["id"] for card in cards}
    missing = [m for m in await brands(request).store.members(brand.id) if m not in listed]
    names = await request.app[ACCOUNTS].store.display_names(missing)
    cards += [{"id": m, "display_name": names.get(m, ""), "status": "offline",
               "profile": False} for m in missing]
    return web.json_response({"experts": cards})


@routes.delete("/api/v1/brands/{slug}/experts/{expert_id}")
@described("Remove a member expert", auth="brand", status=204, answer=NO_CONTENT)
async def remove_expert(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    expert_id = _account_id(request, "expert_id")
    if not await brands(request).store.remove_member(brand.id, expert_id):
        raise NotFound("this expert is not a member of the brand")
    log.info("expert %s removed from brand %s", expert_id, brand.id)
    return web.Response(status=204)


INVITATION = Body(Text("email", required=False, max_len=254, sample="ada@example.test",
                       description="mail the invitation to this address"))


@routes.post("/api/v1/brands/{slug}/invitations")
@described("Invite an expert: a single-use token, mailed when an email is given",
           auth="brand", status=201, body=INVITATION,
           answer=obj(token=STRING, accept_url=STRING, expires_in_seconds=INTEGER,
                      mailed_to=nullable(STRING)))
async def invite(request: web.Request) -> web.Response:
    who = await acting(request)
    email = await _invited_email(request)
    by = who.account.id if who.account else "api_key"
    invitation = await brands(request).invitations.create(who.brand.id, by)
    if email is not None:
        language = who.account.language if who.account else preferred_language(request)
        await request.app[MAILER].brand_invitation(email, who.brand.name, invitation.token,
                                                   language)
    return web.json_response({
        "token": invitation.token,
        # A page: opened from the mail or a chat, it shows the brand and accepts in one click.
        "accept_url": f"{request.app[CONFIG].public_base}/invitations/{invitation.token}",
        "expires_in_seconds": invitation.ttl_seconds,
        "mailed_to": email,
    }, status=201)


async def _invited_email(request: web.Request) -> str | None:
    """The optional ``{email}`` to mail the invitation to (the body may be absent)."""
    if not request.can_read_body:
        return None
    raw = INVITATION.read(await read_json(request))["email"]
    return normalise_email(raw) if raw else None


@routes.post("/api/v1/brand-invitations/{token}/accept")
@described("Join the brand that invited the caller (experts)",
           answer=obj(brand=BRAND_PUBLIC))
async def accept_invitation(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    token = request.match_info["token"]
    if len(token) > 100:
        raise NoSuchBrand()
    brand_id = await brands(request).invitations.accept(token, expert.id)
    brand = await brands(request).store.by_id(brand_id)
    return web.json_response({"brand": brand.public()})


@routes.get("/api/v1/brands/{slug}/sessions")
@described("The brand's sessions", auth="brand", answer=SESSIONS)
async def list_sessions(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    views, now_ms = await request.app[CALLS].store.list_for_brand(brand.id)
    return web.json_response({"sessions": [s.public(now_ms) for s in views]})


@routes.get("/api/v1/brands/{slug}/balance")
@described("The brand's balance and ledger", auth="brand",
           answer=obj(**WALLET["properties"], ledger=array(LEDGER_ENTRY)))
async def balance(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    wallets = request.app[WALLETS]
    wallet = await wallets.get(brand.id)
    return web.json_response({**wallet.public(), "ledger": await wallets.ledger(brand.id)})


@routes.post("/api/v1/brands/{slug}/balance/topups")
@described("Add credit to a brand: platform admins in test mode, its admins by card with "
           "stripe", body=TopUp, status=201, answer=TOPUP_ANSWER)
async def top_up(request: web.Request) -> web.Response:
    if request.app[CONFIG].payments == "stripe":
        return await start_brand_topup(request)  # by card, by a brand admin (§7.3)
    who = await platform_admin(request)
    if request.app[CONFIG].payments != "test":
        raise Forbidden("top-ups without a payment provider exist only in test mode")
    topup = TopUp.parse(await read_json(request))
    balance_cents = await request.app[WALLETS].top_up(who.brand.id, topup.amount_cents)
    log.info("test top-up of %d cents for brand %s", topup.amount_cents, who.brand.id)
    return web.json_response({"balance_cents": balance_cents}, status=201)
