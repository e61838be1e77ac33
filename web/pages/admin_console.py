"""The admin console: what runs now (calls, queues, experts, deliveries) and reconcile.

Every figure comes from the same census that ``/metrics`` serves (``sessions.census``), so
the page and Prometheus never disagree.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from billing.census import DeliveryCensus, brand_census, platform_census
from server.keys import ACCOUNTS, CALLS, CONFIG, PRESENCE, RECONCILE, REDIS
from sessions.census import take_census
from sessions.model import SessionView
from web import csrf
from web.pages.admin import admin_or_problem
from web.render import render

routes = web.RouteTableDef()

# Calls listed on the overview; the counts above the list cover all of them.
LISTED_CALLS = 100


@dataclass(frozen=True)
class Delivery:
    target: str  # "platform" or "brand"
    configured: bool
    census: DeliveryCensus


async def _calls(request: web.Request, ids: list[str]) -> list[dict[str, Any]]:
    store = request.app[CALLS].store
    found = [f for f in await asyncio.gather(*(store.get(i) for i in ids[:LISTED_CALLS])) if f]
    views: list[SessionView] = sorted((view for view, _ in found),
                                      key=lambda view: view.created_at_ms, reverse=True)
    now_ms = max((now for _, now in found), default=0)
    people = {p for view in views for p in (view.client_id, view.expert_id) if p}
    names = await request.app[ACCOUNTS].store.display_names(sorted(people))
    return [{**view.public(now_ms), "client": names.get(view.client_id, view.client_id),
             "expert": names.get(view.expert_id, "") if view.expert_id else ""}
            for view in views]


async def deliveries(request: web.Request, now_ms: int) -> list[Delivery]:
    redis, config = request.app[REDIS], request.app[CONFIG]
    stream = config.billing_stream
    return [
        Delivery("platform", bool(config.webhook_url),
                 await platform_census(redis, stream, now_ms)),
        Delivery("brand", True,
                 await brand_census(redis, stream, now_ms)),
    ]


@routes.get("/admin", name="admin_console")
async def overview(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    census = await take_census(request.app[REDIS])
    return await render(request, "admin_console.html", {
        "census": census,
        "calls": await _calls(request, census.in_progress),
        "experts": await request.app[PRESENCE].counts(),
        "deliveries": await deliveries(request, census.now_ms),
        "listed_calls": LISTED_CALLS,
    })


@routes.get("/admin/reconcile", name="admin_reconcile")
async def reconcile_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    return await render(request, "admin_reconcile.html", {"problems": None})


@routes.post("/admin/reconcile")
async def run_reconcile(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    csrf.check(request, (await request.post()).get(csrf.FIELD))
    problems = await request.app[RECONCILE]()
    return await render(request, "admin_reconcile.html", {"problems": problems})
