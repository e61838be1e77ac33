"""Request helpers shared by the HTTP API: bounded JSON bodies, callers, client IPs."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from accounts.models import Account, Role
from accounts.tokens import COOKIE_NAME
from common import logcontext, safejson
from common.errors import Forbidden, Invalid, NotFound, TooLarge
from common.ids import looks_like_id
from server.keys import ACCOUNTS, CONFIG

MAX_JSON_BYTES = 64 * 1024
CALLER = web.RequestKey("caller", Account)


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The whole raw body, refused as soon as it passes ``max_bytes`` (declared or not).

    A sender that stops sending for ``HELPCALL_HTTP_READ_TIMEOUT_SECONDS`` gets 408 and the
    connection is closed: a half-sent body must not hold a handler forever (slowloris).
    """
    if request.content_length is not None and request.content_length > max_bytes:
        raise TooLarge(f"the body is larger than {max_bytes} bytes")
    idle = request.app[CONFIG].http_read_timeout_seconds
    body = bytearray()
    # read(n) answers what has arrived so far: keep reading until the end or the cap.
    while True:
        try:
            async with asyncio.timeout(idle):
                chunk = await request.content.read(max_bytes + 1 - len(body))
        except TimeoutError:
            raise web.HTTPRequestTimeout(reason="the request body stopped arriving",
                                         headers={"Connection": "close"}) from None
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"the body is larger than {max_bytes} bytes")


async def read_json(request: web.Request, max_bytes: int = MAX_JSON_BYTES) -> Any:
    raw = await read_body(request, max_bytes)
    try:
        return safejson.loads(raw)
    except safejson.Refused as exc:
        raise Invalid(exc.reason) from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body must be JSON") from None


CSRF_HEADER = "X-Requested-With"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie and request.method not in _SAFE_METHODS and CSRF_HEADER not in request.headers:
        # A cookie rides along on cross-site requests; a custom header cannot be added by
        # another site without a CORS preflight, which we never grant.
        raise Forbidden(f"cookie-authenticated changes need the {CSRF_HEADER} header")
    return cookie


async def caller(request: web.Request) -> Account:
    """The authenticated account, or ``unauthorized``; cached on the request."""
    cached: Account | None = request.get(CALLER)
    if cached is not None:
        return cached
    account = await request.app[ACCOUNTS].authenticate(request_token(request))
    request[CALLER] = account
    logcontext.bind(account_id=account.id)
    return account


async def caller_with_role(request: web.Request, *roles: Role) -> Account:
    account = await caller(request)
    if account.role not in roles:
        raise Forbidden(f"only for {' or '.join(r.value for r in roles)} accounts")
    return account


def route_id(request: web.Request, name: str, what: str) -> str:
    """An id from the path; junk is answered like an unknown id (``no such <what>``)."""
    value = request.match_info[name]
    if not looks_like_id(value):
        raise NotFound(f"no such {what}")
    return value


def client_ip(request: web.Request) -> str:
    if request.app[CONFIG].trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote or "unknown"


def csv_download(text: str, filename: str) -> web.Response:
    """A CSV file the browser saves rather than shows (exports)."""
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
