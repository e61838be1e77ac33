"""The installable app: its manifest and its service worker (served from the root so
that its scope is the whole app). What the worker caches is said in ``static/sw.js``."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

routes = web.RouteTableDef()
_SW = Path(__file__).parent.parent / "static" / "sw.js"

MANIFEST = {
    "name": "helpcall",
    "short_name": "helpcall",
    "description": "Live video help from an expert, at once or by appointment.",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0a55c2",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


@routes.get("/manifest.webmanifest")
async def manifest(request: web.Request) -> web.Response:
    return web.json_response(MANIFEST, content_type="application/manifest+json")


@routes.get("/sw.js")
async def service_worker(request: web.Request) -> web.Response:
    response = web.Response(text=_SW.read_text(encoding="utf-8"),
                            content_type="text/javascript", charset="utf-8")
    # A browser checks for a new worker on each visit; never let a cache hide one.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
