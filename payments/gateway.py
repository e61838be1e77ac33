"""Stripe, through its official library, on the event loop (never a blocking call).

Every POST carries an idempotency key that we derive from our own ids, so a retried
request (by the library on a network error, or by us after a crash) never pays or
refunds twice. GETs need none: reading is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
import stripe

from payments.errors import PaymentsUnavailable

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
# The library retries network errors and 409/5xx answers itself, with the same key.
NETWORK_RETRIES = 2


@dataclass(frozen=True)
class Intent:
    """What we need of a PaymentIntent."""

    id: str
    status: str
    amount_cents: int
    currency: str
    client_secret: str
    metadata: dict[str, str]
    raw: dict[str, Any]


class Declined(Exception):
    """The card was refused (Stripe's ``CardError``); the message is the bank's reason."""


class Refused(Exception):
    """Stripe answered, and did not do it (a 4xx): nothing happened on its side."""


# Stripe answered "no": the request was not carried out. Anything else (network, 5xx,
# rate limits) leaves the outcome unknown until the same request is sent again.
_DEFINITE = (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError,
             stripe.PermissionError, stripe.AuthenticationError)


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str) -> None:
        self._http = stripe.AIOHTTPClient(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            http_client=self._http,
            max_network_retries=NETWORK_RETRIES,
        )

    @property
    def client(self) -> stripe.StripeClient:
        """The configured client, for other Stripe calls (``payments.connect``)."""
        return self._client

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def create_intent(self, amount_cents: int, currency: str, metadata: dict[str, str],
                            key: str) -> Intent:
        # payment_method_types (not automatic_payment_methods): cards only, no redirect
        # methods, and a parameter that Stripe-compatible test servers accept too.
        params: Any = {"amount": amount_cents, "currency": currency.lower(),
                       "payment_method_types": ["card"], "metadata": metadata}
        return await self._call(self._client.v1.payment_intents.create_async(
            params, {"idempotency_key": key}))

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return await self._call(self._client.v1.payment_intents.retrieve_async(intent_id))

    async def confirm_intent(self, intent_id: str, payment_method: str, key: str) -> Intent:
        """Confirms on the server with a payment method made by Stripe.js in the page."""
        service = self._client.v1.payment_intents
        update: Any = {"payment_method": payment_method}
        await self._call(service.update_async(intent_id, update,
                                              {"idempotency_key": f"{key}-attach"}))
        return await self._call(service.confirm_async(intent_id, None,
                                                      {"idempotency_key": f"{key}-confirm"}))

    async def refund(self, intent_id: str, amount_cents: int, metadata: dict[str, str],
                     key: str) -> str:
        params: Any = {"payment_intent": intent_id, "amount": amount_cents, "metadata": metadata}
        try:
            refund = await self._client.v1.refunds.create_async(params, {"idempotency_key": key})
        except _DEFINITE as exc:
            raise Refused(exc.user_message or type(exc).__name__) from None
        except stripe.StripeError as exc:
            raise _unavailable(exc) from None
        return str(refund.id)

    async def _call(self, request: Any) -> Intent:
        try:
            intent = await request
        except stripe.CardError as exc:
            raise Declined(exc.user_message or "the card was declined") from None
        except stripe.StripeError as exc:
            raise _unavailable(exc) from None
        raw: dict[str, Any] = intent.to_dict()
        return Intent(
            id=str(raw["id"]),
            status=str(raw["status"]),
            amount_cents=int(raw["amount"]),
            currency=str(raw["currency"]).lower(),
            client_secret=str(raw.get("client_secret") or ""),
            metadata={str(k): str(v) for k, v in (raw.get("metadata") or {}).items()},
            raw=raw,
        )

def _unavailable(exc: stripe.StripeError) -> PaymentsUnavailable:
    log.warning("Stripe refused or failed: %s (%s)", exc.user_message or exc,
                type(exc).__name__)
    return PaymentsUnavailable("the card payment service is unavailable; try again later")
