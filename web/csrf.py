"""CSRF tokens for HTML forms: a signed double-submit cookie, bound to the session.

Each browser gets a random ``helpcall_csrf`` cookie (HttpOnly, SameSite=Lax). A form carries
``HMAC(secret, seed + session token)``; a post is accepted only when the field matches the
cookies it arrives with. Another site can make a browser post, but it can neither read the
cookie nor compute the HMAC, and a token stops working when the session changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from accounts.tokens import COOKIE_NAME
from common.errors import Forbidden
from server.keys import SECRET
from web.session import is_https

CSRF_COOKIE = "helpcall_csrf"
FIELD = "csrf_token"
_NEW_SEED = web.RequestKey("web_csrf_new_seed", str)


class CsrfRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__("this form is out of date or did not come from helpcall")


def _seed(request: web.Request) -> str | None:
    return request.cookies.get(CSRF_COOKIE) or request.get(_NEW_SEED)


def _sign(request: web.Request, seed: str) -> str:
    session = request.cookies.get(COOKIE_NAME, "")
    message = f"helpcall-csrf:{seed}:{session}".encode()
    return hmac.new(request.app[SECRET], message, hashlib.sha256).hexdigest()


def form_token(request: web.Request) -> str:
    seed = _seed(request)
    if seed is None:
        seed = secrets.token_urlsafe(24)
        request[_NEW_SEED] = seed
    return _sign(request, seed)


def check(request: web.Request, submitted: object) -> None:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not isinstance(submitted, str):
        raise CsrfRefused()
    if not hmac.compare_digest(_sign(request, seed), submitted):
        raise CsrfRefused()


def set_seed_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Hand out the seed that a page's forms were just signed with."""
    seed = request.get(_NEW_SEED)
    if seed is not None and CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE, seed, path="/", httponly=True, samesite="Lax", secure=is_https(request)
        )
