"""The browser's session: the account behind the ``helpcall_session`` cookie.

The cookie holds the same signed token as the API's bearer tokens, so the API accepts it
too; pages read it directly (their forms carry a CSRF token instead of the API's header).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from accounts.models import Account, Role
from accounts.tokens import COOKIE_NAME
from common.errors import Unauthorized
from server.keys import ACCOUNTS, CONFIG


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page: an account, or nobody signed in."""

    account: Account | None

    @property
    def role(self) -> str | None:
        return None if self.account is None else self.account.role.value

    def is_role(self, role: Role) -> bool:
        return self.account is not None and self.account.role == role


VIEWER = web.RequestKey("web_viewer", Viewer)


async def viewer(request: web.Request) -> Viewer:
    if VIEWER in request:
        return request[VIEWER]
    token = request.cookies.get(COOKIE_NAME)
    account = None
    if token:
        try:
            account = await request.app[ACCOUNTS].authenticate(token)
        except Unauthorized:
            account = None
    found = Viewer(account)
    request[VIEWER] = found
    return found


def is_https(request: web.Request) -> bool:
    if request.secure:
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return request.app[CONFIG].trust_proxy and forwarded.split(",")[0].strip() == "https"


def set_session_cookie(
    request: web.Request, response: web.StreamResponse, token: str, expires_ms: int
) -> None:
    max_age = max(0, (expires_ms - int(time.time() * 1000)) // 1000)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="Lax", secure=is_https(request)
    )


# What a browser ignores or strips in a URL before it resolves it (WHATWG URL parsing).
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


def same_site_path(target: str | None) -> str | None:
    """``target`` as a browser would read it in an ``href``, if it stays on this site.

    A browser strips leading and trailing controls and spaces, removes every tab and
    newline, and reads a backslash as a slash: ``/\\evil.example`` and ``/<tab>/evil.example``
    both become ``//evil.example``, another site. So the target is normalised the same way
    first, then must be a path (``/...``) and not a network path (``//...``).
    """
    if not target:
        return None
    path = target.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None
    return path


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (no open redirect through ``next``)."""
    return same_site_path(target) or default


def login_redirect(request: web.Request) -> web.HTTPSeeOther:
    target = URL("/login").with_query(next=request.rel_url.path_qs)
    return web.HTTPSeeOther(str(target))
