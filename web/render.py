"""Rendering a page: the context every template relies on, and safe response headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from server.keys import APPOINTMENTS, CONFIG
from web import csrf
from web.i18n import LANG_COOKIE, LANGUAGES, Translator, choose_language
from web.money import format_amount, format_duration, format_price
from web.session import viewer

LANGUAGE = web.RequestKey("web_language", str)

# No inline script may run; media and sockets stay on this origin.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS = "camera=(self), microphone=(self), display-capture=(self)"


def translator(request: web.Request) -> Translator:
    language = request.get(LANGUAGE)
    if language is None:
        language = choose_language(
            request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language")
        )
        request[LANGUAGE] = language
    return Translator(language)


def _script_data(value: object) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


async def page_context(request: web.Request) -> dict[str, Any]:
    t = translator(request)
    config = request.app[CONFIG]
    who = await viewer(request)
    currency = config.currency
    unread = await request.app[APPOINTMENTS].inbox.unread(who.account.id) if who.account else 0
    return {
        "t": t,
        "lang": t.language,
        "languages": LANGUAGES,
        "viewer": who,
        "unread": unread,
        "account": who.account,
        "csrf_field": csrf.FIELD,
        "csrf_token": csrf.form_token(request),
        "test_payments": config.payments == "test",
        "currency": currency,
        "path": request.rel_url.raw_path_qs,
        "money": lambda cents: format_amount(cents, currency, t.language),
        "price": lambda pricing: format_price(pricing, currency, t),
        "duration": lambda seconds: format_duration(seconds, t),
        "script_data": _script_data,
        "script_strings": t.script_strings(),
    }


async def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    full = await page_context(request)
    full.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, full, status=status)
    secure_headers(response)
    csrf.set_seed_cookie(request, response)
    response.headers["Content-Language"] = full["lang"]
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


def secure_headers(response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Permissions-Policy"] = PERMISSIONS
