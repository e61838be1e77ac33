"""The wallet page's CSP lets Stripe.js run in stripe mode, and only there."""

from __future__ import annotations

from aiohttp import web

from server.config import load_config
from web.render import CSP
from web.stripe_page import allow_stripe

STRIPE = {"HELPCALL_PAYMENTS": "stripe", "STRIPE_SECRET_KEY": "sk_live_1",
          "STRIPE_PUBLISHABLE_KEY": "pk_live_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}


def policy(env: dict[str, str]) -> dict[str, list[str]]:
    response = web.Response()
    response.headers["Content-Security-Policy"] = CSP
    allow_stripe(response, load_config(env))
    return {part.split()[0]: part.split()[1:]
            for part in response.headers["Content-Security-Policy"].split(";")}


def test_stripes_own_hosts_are_allowed_for_its_scripts_frames_and_api() -> None:
    found = policy(STRIPE)
    assert found["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert "https://hooks.stripe.com" in found["frame-src"]
    assert found["connect-src"][:2] == ["'self'", "https://api.stripe.com"]
    assert found["object-src"] == ["'none'"] and found["frame-ancestors"] == ["'none'"]


def test_a_local_stand_in_is_allowed_by_its_origin_only() -> None:
    found = policy(STRIPE | {"STRIPE_API_BASE": "http://127.0.0.1:8420",
                             "STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/"})
    assert found["script-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert found["connect-src"] == ["'self'", "http://127.0.0.1:8420"]


def test_test_mode_keeps_the_strict_policy() -> None:
    response = web.Response()
    response.headers["Content-Security-Policy"] = CSP
    allow_stripe(response, load_config({}))
    assert response.headers["Content-Security-Policy"] == CSP
