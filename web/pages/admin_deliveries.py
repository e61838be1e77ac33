"""Webhook deliveries in the admin console: each failing one, and "retry now".

The list is read from the records the workers keep (``billing.hook_failures``); retrying
only brings the next attempt forward, in one script, so clicking twice (or two admins at
once) never sends an event twice.
"""

from __future__ import annotations

from aiohttp import web

from billing.hook_failures import FailedDelivery, HookFailures, Target, failed_deliveries
from brands.errors import NoSuchBrand
from server.keys import BRANDS, REDIS
from web import csrf
from web.forms import read_form
from web.pages.admin import admin_or_problem
from web.pages.admin_console import deliveries
from web.render import render

routes = web.RouteTableDef()


async def _brand_names(request: web.Request, failing: list[FailedDelivery]) -> dict[str, str]:
    names = {}
    for brand_id in {f.key for f in failing if f.target is Target.BRAND}:
        try:
            names[brand_id] = (await request.app[BRANDS].store.by_id(brand_id)).name
        except NoSuchBrand:
            names[brand_id] = brand_id  # deleted since: its id is all there is
    return names


@routes.get("/admin/deliveries", name="admin_deliveries")
async def deliveries_page(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    redis = request.app[REDIS]
    failing = await failed_deliveries(redis)
    seconds, micros = await redis.time()
    return await render(request, "admin_deliveries.html", {
        "failing": failing,
        "brand_names": await _brand_names(request, failing),
        "deliveries": await deliveries(request, int(seconds) * 1000 + int(micros) // 1000),
        "done": request.query.get("done", "") if request.query.get("done") in
        ("retried", "nothing") else "",
    })


@routes.post("/admin/deliveries/retry", name="admin_delivery_retry")
async def retry_now(request: web.Request) -> web.Response:
    refused = await admin_or_problem(request)
    if isinstance(refused, web.Response):
        return refused
    form = await read_form(request)
    csrf.check(request, form.get(csrf.FIELD))
    target, key = form.get("target"), form.get("key")
    if target not in {t.value for t in Target} or not isinstance(key, str) or not key \
            or len(key) > 100:
        raise web.HTTPSeeOther("/admin/deliveries?done=nothing")
    retried = await HookFailures(request.app[REDIS]).retry_now(Target(target), key)
    raise web.HTTPSeeOther(f"/admin/deliveries?done={'retried' if retried else 'nothing'}")
