"""Brands in the admin console: create, edit, top up (test payments), admins and experts.

The same rules as the brand API (``server/api/brands.py``): forms are parsed by the same
``BrandCreate`` / ``BrandUpdate`` dataclasses, so a page can never save what the API refuses.
Every change is a POST with the CSRF token, answered by a redirect back to the page with
``?done=<what>`` (or the form again with the error, status 400). ``error`` is a catalogue
key, or the parser's own message (which names the field) after a generic sentence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from accounts.models import normalise_email
from brands.errors import NoSuchBrand
from brands.models import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    Brand,
    BrandCreate,
    BrandUpdate,
)
from brands.service import Brands
from common.errors import HelpcallError, Invalid
from common.ids import looks_like_id
from common.validation import read_slug
from server.keys import ACCOUNTS, BRANDS, CONFIG, WALLETS
from sessions.wallet import TopUp
from web import csrf
from web.pages.admin import admin_or_problem
from web.pages.public import problem_page
from web.render import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_WHOLE = re.compile(r"^-?\d{1,9}$")
# The brand fields an admin edits in the form, in the order the page shows them.
FIELDS = ("name", "primary_colour", "accent_colour", "welcome", "fee_percent")

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]


def _brands(request: web.Request) -> Brands:
    return request.app[BRANDS]


def _text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _number(raw: str) -> int | str | None:
    # Whole numbers become ints; anything else stays text, so the parser names the field.
    if not raw:
        return None
    return int(raw) if _WHOLE.match(raw) else raw


def _shown(brand: Brand | None) -> dict[str, Any]:
    """What the form shows before anything was typed: the saved brand, or the defaults."""
    if brand is None:
        return {"slug": "", "name": "", "primary_colour": DEFAULT_PRIMARY,
                "accent_colour": DEFAULT_ACCENT, "welcome": "", "fee_percent": "",
                "sponsored": False}
    fee = "" if brand.fee_percent is None else str(brand.fee_percent)
    return {"slug": brand.slug, "name": brand.name, "primary_colour": brand.primary_colour,
            "accent_colour": brand.accent_colour, "welcome": brand.welcome,
            "fee_percent": fee, "sponsored": brand.sponsored}


def _payload(form: Form, *, creating: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {name: _text(form, name) for name in FIELDS}
    payload["fee_percent"] = _number(payload["fee_percent"])
    payload["sponsored"] = form.get("sponsored") == "on"
    if creating:
        payload["slug"] = _text(form, "slug")
    return payload


async def _checked_form(request: web.Request) -> Form | web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    return form


async def _brand(request: web.Request) -> Brand:
    try:
        return await _brands(request).store.by_slug(read_slug(request.match_info["slug"]))
    except Invalid:
        raise NoSuchBrand() from None


def _done(brand: Brand | None, what: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/admin/brands/{brand.slug}?done={what}" if brand
                            else f"/admin/brands?done={what}")


@routes.get("/admin/brands", name="admin_brands")
async def brands_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    return await _brands_page(request)


async def _brands_page(
    request: web.Request, error: str = "", values: dict[str, Any] | None = None
) -> web.Response:
    listed = sorted(await _brands(request).store.all(), key=lambda b: b.name.lower())
    return await render(request, "admin_brands.html", {
        "brands": listed, "error": error, "values": values or _shown(None),
        "done": request.query.get("done", ""),
    }, status=400 if error else 200)


@routes.post("/admin/brands")
async def create_brand(request: web.Request) -> web.Response:
    form = await _checked_form(request)
    if isinstance(form, web.Response):
        return form
    payload = _payload(form, creating=True)
    try:
        brand = await _brands(request).store.create(BrandCreate.parse(payload))
    except HelpcallError as exc:
        return await _brands_page(request, exc.message, {**payload, "fee_percent":
                                                        _text(form, "fee_percent")})
    log.info("brand %s created from the admin console", brand.id)
    raise _done(brand, "created")


@routes.get("/admin/brands/{slug}", name="admin_brand")
async def brand_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    try:
        return await _brand_page(request, await _brand(request))
    except NoSuchBrand:
        return await problem_page(request, "not_found")


async def _brand_page(
    request: web.Request, brand: Brand, error: str = "", values: dict[str, Any] | None = None
) -> web.Response:
    store, accounts, wallets = _brands(request).store, request.app[ACCOUNTS].store, \
        request.app[WALLETS]
    admins, members = await store.admins(brand.id), await store.members(brand.id)
    names = await accounts.display_names(sorted({*admins, *members}))
    wallet = await wallets.get(brand.id)
    return await render(request, "admin_brand.html", {
        "brand": brand, "values": values or _shown(brand),
        "admins": [(a, names.get(a, a)) for a in admins],
        "members": [(m, names.get(m, m)) for m in members],
        "wallet": wallet.public(), "ledger": (await wallets.ledger(brand.id))[:10],
        "error": error, "done": request.query.get("done", ""),
        "invitation": _invitation_url(request),
        "test_topups": request.app[CONFIG].payments == "test",
    }, status=400 if error else 200)


def _invitation_url(request: web.Request) -> str:
    # The token came back in our own redirect; it is shown, never used, on this page.
    token = request.query.get("invitation", "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,100}", token):
        return ""
    return f"{request.scheme}://{request.host}/invitations/{token}"


BrandAction = Callable[[web.Request, Form, Brand], Awaitable[web.Response]]


def _brand_action(path: str) -> Callable[[BrandAction], BrandAction]:
    """A POST on one brand: admin and CSRF checked, the brand found, a refusal shown."""

    def register(action: BrandAction) -> BrandAction:
        async def handler(request: web.Request) -> web.Response:
            form = await _checked_form(request)
            if isinstance(form, web.Response):
                return form
            try:
                brand = await _brand(request)
            except NoSuchBrand:
                return await problem_page(request, "not_found")
            try:
                return await action(request, form, brand)
            except HelpcallError as exc:
                return await _brand_page(request, brand, exc.message)

        routes.post(path)(handler)
        return action

    return register


@_brand_action("/admin/brands/{slug}")
async def update_brand(request: web.Request, form: Form, brand: Brand) -> web.Response:
    payload = _payload(form, creating=False)
    try:
        update = BrandUpdate.parse(payload)
        update.require_readable(brand)
    except HelpcallError as exc:
        kept = {**payload, "slug": brand.slug, "fee_percent": _text(form, "fee_percent")}
        return await _brand_page(request, brand, exc.message, kept)
    await _brands(request).store.update(brand.id, update.changes)
    raise _done(brand, "saved")


@_brand_action("/admin/brands/{slug}/topups")
async def top_up(request: web.Request, form: Form, brand: Brand) -> web.Response:
    if request.app[CONFIG].payments != "test":
        return await _brand_page(request, brand, "admin.brands.error_test_only")
    topup = TopUp.parse({"amount_cents": _number(_text(form, "amount_cents"))})
    await request.app[WALLETS].top_up(brand.id, topup.amount_cents)
    log.info("test top-up of %d cents for brand %s from the console", topup.amount_cents,
             brand.id)
    raise _done(brand, "topped_up")


@_brand_action("/admin/brands/{slug}/admins")
async def add_admin(request: web.Request, form: Form, brand: Brand) -> web.Response:
    email = normalise_email(_text(form, "email"))
    found = await request.app[ACCOUNTS].store.credentials(email)
    if found is None:
        return await _brand_page(request, brand, "admin.brands.error_no_account")
    await _brands(request).store.add_admin(brand.id, found[0])
    raise _done(brand, "admin_added")


@_brand_action("/admin/brands/{slug}/{kind:admins|experts}/{account_id}/remove")
async def remove_person(request: web.Request, form: Form, brand: Brand) -> web.Response:
    account_id = request.match_info["account_id"]
    if not looks_like_id(account_id):
        return await problem_page(request, "not_found")
    store = _brands(request).store
    if request.match_info["kind"] == "admins":
        removed = await store.remove_admin(brand.id, account_id)
    else:
        removed = await store.remove_member(brand.id, account_id)
    if not removed:
        return await problem_page(request, "not_found")
    raise _done(brand, "removed")


@_brand_action("/admin/brands/{slug}/invitations")
async def invite(request: web.Request, form: Form, brand: Brand) -> web.Response:
    admin = await admin_or_problem(request)
    invitation = await _brands(request).invitations.create(brand.id, str(admin))
    raise web.HTTPSeeOther(f"/admin/brands/{brand.slug}?done=invited"
                           f"&invitation={invitation.token}")
