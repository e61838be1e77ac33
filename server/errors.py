"""Where domain errors become HTTP answers (protocol §2), and nothing else leaks out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from common.errors import HelpcallError
from common.redisfull import RETRY_AFTER_SECONDS, STORAGE_FULL, is_redis_full

log = logging.getLogger(__name__)

STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "insufficient_funds": 402,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "price_changed": 409,  # protocol §7.2: a conflict that names the current price
    "unavailable": 409,
    "payments_unavailable": 503,
    "too_large": 413,
    "rate_limited": 429,
    "storage_unavailable": 503,
}

_HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, code: str, message: str, **extra: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, **extra}}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HelpcallError as exc:
        body = exc.as_dict()
        response = web.json_response({"error": body}, status=STATUS.get(exc.code, 400))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "error")
        answer = error_response(exc.status, code, exc.reason)
        # A 405 names the methods that are allowed (RFC 9110); a 429 when to come back.
        for kept in ("Allow", "Retry-After"):
            if kept in exc.headers:
                answer.headers[kept] = exc.headers[kept]
        return answer
    except Exception as exc:
        if is_redis_full(exc):
            # Redis reached maxmemory: a clear, retryable answer and one log line.
            log.error("Redis is full (maxmemory): refused %s %s", request.method, request.path)
            response = web.json_response({"error": STORAGE_FULL}, status=503)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        # Never a stack trace to a client: log it here, answer a plain 500.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", "internal server error")
