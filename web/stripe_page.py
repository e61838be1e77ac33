"""What a page that embeds Stripe.js needs: its URL, and a CSP that lets it run.

Stripe.js is loaded from ``STRIPE_JS_URL`` (never bundled), draws its card fields in
frames from the same origin, and talks to ``STRIPE_API_BASE``; every other page keeps the
strict policy of ``web.render``.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlparse

from aiohttp import web


class StripeSettings(Protocol):
    """What these helpers read of ``server.config.Config`` (which web/ does not import)."""

    @property
    def payments(self) -> str: ...
    @property
    def stripe_js_url(self) -> str: ...
    @property
    def stripe_api_base(self) -> str: ...


# Stripe's own hosts, when STRIPE_JS_URL is Stripe's (Stripe's security guide, CSP section).
_STRIPE_JS_HOSTS = ("https://*.js.stripe.com",)
_STRIPE_FRAME_HOSTS = ("https://*.js.stripe.com", "https://hooks.stripe.com")


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def card_context(config: StripeSettings) -> dict[str, Any]:
    """Template values: whether the card top-up form shows, and where Stripe.js is."""
    return {"card_payments": config.payments == "stripe", "stripe_js_url": config.stripe_js_url}


def stripe_sources(config: StripeSettings) -> dict[str, list[str]]:
    js = _origin(config.stripe_js_url)
    official = js == "https://js.stripe.com"
    return {
        "script-src": [js, *(_STRIPE_JS_HOSTS if official else ())],
        "frame-src": ["'self'", js, *(_STRIPE_FRAME_HOSTS if official else ())],
        "connect-src": [_origin(config.stripe_api_base), js],
    }


def allow_stripe(response: web.StreamResponse, config: StripeSettings) -> None:
    """Widens the page's CSP just enough for Stripe.js (stripe mode only)."""
    if config.payments != "stripe":
        return
    directives: dict[str, list[str]] = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        if part.split():
            name, *values = part.split()
            directives[name] = values
    for name, sources in stripe_sources(config).items():
        values = directives.setdefault(name, [])
        for source in sources:
            if source not in values:
                values.append(source)
    response.headers["Content-Security-Policy"] = "; ".join(
        " ".join([name, *values]) for name, values in directives.items())
