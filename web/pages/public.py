"""Pages anyone may see: home, the expert list and profiles, and the problem pages."""

from __future__ import annotations

from aiohttp import web

from common.ids import looks_like_id
from marketplace.categories import BY_SLUG, CATEGORIES
from trust.reports import ReportReason
from web.render import render, translator
from web.session import same_site_path

routes = web.RouteTableDef()

# problem code -> HTTP status of its page
PROBLEMS: dict[str, int] = {
    "insufficient_funds": 402,
    "unavailable": 409,
    "camera": 200,
    "call_not_found": 404,
    "not_found": 404,
    "forbidden": 403,
    "csrf": 403,
}


def category_list(request: web.Request) -> list[dict[str, object]]:
    language = translator(request).language
    return [c.public(language) for c in CATEGORIES]


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    return await render(request, "home.html", {"categories": category_list(request)})


@routes.get("/experts", name="experts")
async def experts(request: web.Request) -> web.Response:
    category = request.query.get("category", "")
    context = {
        "categories": category_list(request),
        "category": category if category in BY_SLUG else "",
        "online_only": request.query.get("online") == "true",
    }
    return await render(request, "experts.html", context)


@routes.get("/experts/{expert_id}", name="expert")
async def expert(request: web.Request) -> web.Response:
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id):
        return await problem_page(request, "not_found")
    names = {str(c["slug"]): c["name"] for c in category_list(request)}
    context = {"expert_id": expert_id, "category_names": names,
               "report_reasons": list(ReportReason), "report_done": request.query.get("report")}
    return await render(request, "expert.html", context)


async def problem_page(request: web.Request, code: str) -> web.Response:
    if code not in PROBLEMS:
        code = "not_found"
    context = {"code": code, "back": same_site_path(request.query.get("back")) or ""}
    return await render(request, "problem.html", context, status=PROBLEMS[code])


@routes.get("/problem/{code}", name="problem")
async def problem(request: web.Request) -> web.Response:
    return await problem_page(request, request.match_info["code"])
