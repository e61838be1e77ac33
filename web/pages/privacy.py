"""A person's own data: "My documents" (the vault), a session's transcript, the privacy
page, and the privacy part of settings (notes about them, export; the erasure form is
settings.py's, the page it is part of)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from accounts.models import Account
from common.errors import HelpcallError
from common.ids import looks_like_id
from common.timefmt import iso_ms
from privacy.vault import VaultQuery
from server.keys import ACCOUNTS, CONFIG, NOTES, VAULT
from sessions.errors import NoSuchSession
from sessions.receipt import has_receipt
from web import csrf
from web.render import render, translator
from web.session import login_redirect, viewer

routes = web.RouteTableDef()
KINDS = ("file", "transcript", "receipt", "invite")


async def _account_id(request: web.Request) -> str:
    who = await viewer(request)
    if who.account is None:
        raise login_redirect(request)
    return who.account.id


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1048576:.1f} MiB"


@routes.get("/documents", name="documents")
async def documents_page(request: web.Request) -> web.Response:
    account_id = await _account_id(request)
    raw = {k: request.query.get(k, "").strip() for k in ("expert", "from", "to")}
    error = None
    try:
        query = VaultQuery.parse(raw)
    except HelpcallError:
        error, query = translator(request)("documents.bad_filter"), VaultQuery()
    found = await request.app[VAULT].listing(account_id, query)
    kept = {k: v for k, v in raw.items() if v and error is None}
    return await render(request, "documents.html", {
        "documents": [d.public() for d in found], "filters": raw, "error": error,
        "zip_url": "/api/v1/me/documents.zip" + (f"?{urlencode(kept)}" if kept else ""),
        "size_text": size_text,
        "retention_days": request.app[CONFIG].retention_days,
    }, status=400 if error else 200)


@routes.get("/sessions/{session_id}/transcript", name="transcript")
async def transcript_page(request: web.Request) -> web.Response:
    account_id = await _account_id(request)
    try:
        record, names = await request.app[VAULT].transcript(
            request.match_info["session_id"], account_id)
    except NoSuchSession:
        raise web.HTTPNotFound() from None
    view = record.view
    return await render(request, "transcript.html", {
        "session": view.public(0), "has_receipt": has_receipt(view),
        "messages": record.chat, "names": names, "me": account_id,
        "size_text": size_text,
    })


@routes.get("/privacy", name="privacy")
async def privacy_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    return await render(request, "privacy.html", {
        "retention_days": _days(config.retention_days),
        "billing_days": _days(config.billing_retention_days),
    })


def _days(value: float) -> str:
    return f"{value:g}"


async def privacy_settings(request: web.Request, account_id: str) -> dict[str, Any]:
    """What the privacy part of the settings page shows (``_privacy_settings.html``)."""
    about = await request.app[NOTES].about(account_id)
    names = await request.app[ACCOUNTS].store.display_names([e for e, _ in about])
    return {"notes_about_me": [{"expert_id": e, "expert_name": names.get(e, ""),
                                "updated_at": iso_ms(at)} for e, at in about]}


async def _signed_in_form(request: web.Request) -> tuple[Account, Any]:
    account = (await viewer(request)).account
    if account is None:
        raise login_redirect(request)
    form = await request.post()
    csrf.check(request, form.get(csrf.FIELD))
    return account, form


@routes.post("/settings/notes/{expert_id}/erase")
async def erase_note(request: web.Request) -> web.Response:
    account, _ = await _signed_in_form(request)
    expert_id = request.match_info["expert_id"]
    if looks_like_id(expert_id):
        await request.app[NOTES].erase(expert_id, account.id)
    raise web.HTTPSeeOther("/settings?saved=1#privacy")
