"""Errors on pages become readable pages; the API and Socket.IO keep their JSON errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from common.errors import Forbidden, NotFound
from web.csrf import CsrfRefused
from web.pages.public import problem_page

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_NOT_PAGES = ("/api/", "/socket.io/", "/static/", "/healthz", "/readyz")


@web.middleware
async def page_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(_NOT_PAGES):
        return await handler(request)
    try:
        return await handler(request)
    except CsrfRefused:
        log.info("refused a form post without a valid CSRF token on %s", request.path)
        return await problem_page(request, "csrf")
    except (NotFound, web.HTTPNotFound):
        return await problem_page(request, "not_found")
    except Forbidden:
        return await problem_page(request, "forbidden")
