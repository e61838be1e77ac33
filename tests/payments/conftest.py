"""localstripe, started once per test run on a free loopback port, and apps in stripe mode.

``stripe_app()`` starts the real app with ``HELPCALL_PAYMENTS=stripe`` pointed at it and
registers the app's webhook endpoint there, so localstripe signs and sends its events
(once each, about a second after the change) to the app under test.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.conftest import Running, StartApp, User
from tests.processes import ROOT, free_port
from tests.waiting import until

WEBHOOK_SECRET = "whsec_test_helpcall_0123456789abcdef"


@dataclass
class LocalStripe:
    url: str

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def env(self) -> dict[str, str]:
        return {
            "HELPCALL_PAYMENTS": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_helpcall",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_helpcall",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": self.url,
            "STRIPE_JS_URL": self.js_url,
        }

    async def api(self, method: str, path: str, **data: Any) -> dict[str, Any]:
        """A call to localstripe as the Stripe API (what a card holder's bank would do)."""
        async with aiohttp.ClientSession() as http, http.request(
            method, f"{self.url}{path}", data=_form(data) or None,
            headers={"Authorization": "Bearer sk_test_helpcall"},
        ) as answer:
            body: dict[str, Any] = await answer.json()
            return body

    async def pay(self, client_secret: str, card: str = "pm_card_visa") -> dict[str, Any]:
        """What the page's Stripe.js does: attach a card to the intent and confirm it."""
        intent = client_secret.split("_secret_")[0]
        await self.api("POST", f"/v1/payment_intents/{intent}", payment_method=card)
        return await self.api("POST", f"/v1/payment_intents/{intent}/confirm")

    async def send_webhooks_to(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        async with aiohttp.ClientSession() as http, http.post(
            f"{self.url}/_config/webhooks/helpcall", data={"url": url, "secret": secret},
        ) as answer:
            assert answer.status == 200, await answer.text()


def _form(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            flat |= _form(value, name)
        else:
            flat[name] = str(value)
    return flat


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.payments.localstripe_server", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: process.poll() is not None or _up(url), 30, "localstripe")
        assert process.poll() is None, "localstripe exited at start"
        yield LocalStripe(url)
    finally:
        process.terminate()
        process.wait(10)


StripeApp = Callable[..., Awaitable[Running]]


@pytest.fixture
def stripe_app(start_app: StartApp, localstripe: LocalStripe) -> StripeApp:
    async def start(webhooks: bool = True, **env: str) -> Running:
        running = await start_app(**(localstripe.env() | env))
        if webhooks:
            await localstripe.send_webhooks_to(f"{running.url}/api/v1/payments/stripe/webhook")
        else:  # a lost webhook: events go nowhere
            await localstripe.send_webhooks_to("http://127.0.0.1:9/nowhere")
        return running

    return start


async def balance(running: Running, user: User) -> int:
    answer = await running.client.get("/api/v1/wallet", headers=user.headers)
    assert answer.status == 200, await answer.text()
    cents: int = (await answer.json())["balance_cents"]
    return cents


async def start_topup(running: Running, user: User, cents: int) -> dict[str, Any]:
    answer = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": cents},
                                       headers=user.headers)
    assert answer.status == 201, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body
