"""A brand's figures: ``GET /brands/{slug}/analytics`` (JSON) and ``analytics.csv``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from brands.analytics import Range, summarise
from brands.models import Brand
from brands.report import to_csv
from common.redistime import redis_ms
from common.timefmt import iso_ms
from server.api.brand_access import acting
from server.apidoc import ID, TIME, Raw, described, obj
from server.keys import ACCOUNTS, ANALYTICS, REDIS

routes = web.RouteTableDef()


async def figures(request: web.Request, brand: Brand) -> tuple[Range, dict[str, Any]]:
    redis = request.app[REDIS]
    span = Range.parse(request.query, await redis_ms(redis))
    return span, summarise(await request.app[ANALYTICS].collect(brand.id, span))


@routes.get("/api/v1/brands/{slug}/analytics")
@described("The brand's figures over a range", auth="brand", query=Range.QUERY,
           answer={**obj(brand_id=ID, **{"from": TIME, "to": TIME}),
                   "description": "and the summary of brands/analytics.py"})
async def analytics(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    span, summary = await figures(request, brand)
    return web.json_response({"brand_id": brand.id, "from": iso_ms(span.from_ms),
                              "to": iso_ms(span.to_ms), **summary})


@routes.get("/api/v1/brands/{slug}/analytics.csv")
@described("The same figures as CSV", auth="brand", query=Range.QUERY,
           answer=Raw("text/csv", "one row per expert"))
async def analytics_csv(request: web.Request) -> web.Response:
    brand = (await acting(request)).brand
    _, summary = await figures(request, brand)
    ids = [row["expert_id"] for row in summary["by_expert"]]
    names = await request.app[ACCOUNTS].store.display_names(ids)
    return web.Response(
        text=to_csv(summary, names), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{brand.slug}-analytics.csv"'})
