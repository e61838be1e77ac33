"""Reading Stripe's webhook calls: the signature first, then the few events we act on.

``Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=...]``,
keyed with the whole ``whsec_...`` string (as Stripe does), accepted within a tolerance
of the timestamp, checked by the official library. Nothing here touches Redis or the
network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe

from common.errors import Invalid
from common.ids import looks_like_id
from payments.models import FAILED, SUCCEEDED

TOLERANCE_SECONDS = 300

# Event type -> what it means for a top-up.
OUTCOMES = {
    "payment_intent.succeeded": SUCCEEDED,
    "payment_intent.payment_failed": FAILED,
    "payment_intent.canceled": FAILED,
}


class BadSignature(Invalid):
    """Answered 400: the body was not signed by the holder of the webhook secret."""


def verify(body: bytes, header: str | None, secret: str,
           tolerance: int = TOLERANCE_SECONDS) -> None:
    """The official library's check (constant-time compare, any of several ``v1``)."""
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise BadSignature(f"bad Stripe-Signature: {exc.user_message or exc}") from None


@dataclass(frozen=True)
class IntentEvent:
    """A PaymentIntent event for one of our top-ups."""

    event_id: str
    outcome: str
    intent: str
    topup_id: str
    owner: str
    amount_cents: int
    currency: str
    error: str


def intent_event(body: bytes) -> IntentEvent | None:
    """The top-up event in a verified body, or None for anything we do not act on."""
    try:
        event = json.loads(body)
        outcome = OUTCOMES.get(event["type"])
        if outcome is None:
            return None
        intent: dict[str, Any] = event["data"]["object"]
        metadata = intent.get("metadata") or {}
        topup_id, owner = metadata.get("topup_id"), metadata.get("owner")
        if not (looks_like_id(topup_id) and looks_like_id(owner)):
            return None  # a PaymentIntent that helpcall did not create
        return IntentEvent(
            event_id=str(event.get("id", "")),
            outcome=outcome,
            intent=str(intent["id"]),
            topup_id=str(topup_id),
            owner=str(owner),
            amount_cents=int(intent["amount"]),
            currency=str(intent["currency"]).lower(),
            error=failure_text(intent, event["type"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"unreadable event: {exc}") from None


def failure_text(intent: dict[str, Any], event_type: str = "") -> str:
    """A short, plain reason for a failed payment, as Stripe words it."""
    if event_type == "payment_intent.canceled" or intent.get("status") == "canceled":
        return "canceled"
    error = intent.get("last_payment_error") or {}
    return str(error.get("message") or error.get("code") or "the payment failed")[:200]
