"""The branded page ``/b/<slug>`` (``?embed=1`` for an iframe), its theme, and the brand
dashboard ``/b/<slug>/dashboard`` with server-rendered SVG charts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from brands import pages
from brands.errors import NoSuchBrand
from brands.models import Brand
from brands.report import bar_chart
from common.errors import Forbidden, Unauthorized
from server.api.brand_access import acting, brands, slug_of
from server.api.brand_analytics import figures
from server.api.brands import embed_html
from server.keys import ACCOUNTS, CONFIG, EXPERTS
from web.money import format_amount, format_price
from web.render import translator

routes = web.RouteTableDef()
routes.static("/brand-static/", pages.STATIC)


def _html(body: str, *, embed: bool = False, status: int = 200) -> web.Response:
    response = web.Response(text=body, content_type="text/html", charset="utf-8",
                            status=status)
    response.headers["Content-Security-Policy"] = pages.content_security_policy(embed)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _public_brand(request: web.Request) -> Brand:
    return await brands(request).store.by_slug(slug_of(request))


@routes.get("/b/{slug}")
async def brand_page(request: web.Request) -> web.Response:
    try:
        brand = await _public_brand(request)
    except NoSuchBrand as exc:
        return _html(pages.render("refused.html", title="Not found", message=exc.message),
                     status=404)
    embed = request.query.get("embed") == "1"
    experts = await request.app[EXPERTS].in_category(brand.queue)
    order = {"online": 0, "busy": 1, "offline": 2}
    experts.sort(key=lambda card: (order.get(card["status"], 3), card["display_name"]))
    body = pages.render(
        "page.html", brand=brand, embed=embed, experts=experts,
        online=any(card["status"] == "online" for card in experts),
        test_payments=request.app[CONFIG].payments == "test", **_words(request))
    return _html(body, embed=embed)


def _words(request: web.Request) -> dict[str, Any]:
    """The built-in labels in the visitor's language, money as the rest of the app writes it."""
    t = translator(request)
    currency = request.app[CONFIG].currency
    return {
        "t": t,
        "lang": t.language,
        "money": lambda cents: format_amount(cents, currency, t.language),
        "price": lambda pricing: format_price(pricing, currency, t),
    }


@routes.get("/b/{slug}/theme.css")
async def theme(request: web.Request) -> web.Response:
    brand = await _public_brand(request)
    response = web.Response(text=pages.theme_css(brand), content_type="text/css",
                            charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _percent(rate: float | None) -> str:
    return "\u2013" if rate is None else f"{rate * 100:.0f} %"  # an en dash: no figure


@routes.get("/b/{slug}/dashboard")
async def dashboard(request: web.Request) -> web.Response:
    try:
        brand = (await acting(request)).brand
    except Unauthorized:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path)}") from None
    except Forbidden as exc:
        return _html(pages.render("refused.html", title="Not allowed", message=exc.message),
                     status=403)
    span, summary = await figures(request, brand)
    ids = [row["expert_id"] for row in summary["by_expert"]]
    names = await request.app[ACCOUNTS].store.display_names(ids)
    words = _words(request)
    t = words["t"]
    context: dict[str, Any] = {
        **words,
        "brand": brand,
        "total": summary["total"],
        "by_expert": summary["by_expert"],
        "names": names,
        "day_from": _day(span.from_ms),
        "day_to": _day(span.to_ms - 1),
        "percent": _percent,
        "embed": embed_html(request, brand.slug),
        "calls_chart": Markup(bar_chart(
            [(row["day"], row["calls"]) for row in summary["by_day"]], t("branddash.calls_chart"),
            brand.primary_colour, empty=t("branddash.no_calls"))),
        "minutes_chart": Markup(bar_chart(
            [(names.get(row["expert_id"], row["expert_id"]), row["live_minutes"])
             for row in summary["by_expert"]], t("branddash.minutes_chart"),
            brand.primary_colour, empty=t("branddash.no_calls"))),
    }
    return _html(pages.render("dashboard.html", **context))


def _day(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d")
