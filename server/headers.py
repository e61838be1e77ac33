"""Headers every API answer carries (docs/security.md, finding 13).

API answers hold accounts, balances and tokens: no cache (a shared proxy, the browser's
back button) may keep them, and no browser may guess another type than the JSON declared.
"""

from __future__ import annotations

from aiohttp import web


async def api_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
