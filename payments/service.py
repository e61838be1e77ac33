"""The card-payment use cases the HTTP edge calls (protocol §7.3, docs/payments.md).

A wallet ("owner": an account or a brand) is credited only by ``topup_settle.lua``, from a
verified ``payment_intent.succeeded`` webhook or from the PaymentIntent read back from
Stripe when the payer's page returns (so a lost webhook never loses a payment); the script
makes either path credit at most once. A refund is reserved in the wallet first (atomic
with call holds), then sent to Stripe, then settled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from common.ids import new_id
from payments.errors import PaymentsUnavailable
from payments.gateway import Declined, Intent, Refused, StripeGateway
from payments.models import FAILED, PENDING, SUCCEEDED, RefundPart, TopUp
from payments.store import PartResult, PaymentStore
from payments.webhook import failure_text, intent_event, verify

log = logging.getLogger(__name__)

# A reserved refund older than this is taken to be abandoned (its process died).
STALE_REFUND_MS = 60_000

# PaymentIntent status -> how the top-up ended; the others are still on their way.
_FINAL = {"succeeded": SUCCEEDED, "canceled": FAILED}


@dataclass(frozen=True)
class StripeSettings:
    publishable_key: str
    webhook_secret: str
    currency: str


@dataclass(frozen=True)
class Started:
    topup: TopUp
    client_secret: str
    publishable_key: str

    def public(self) -> dict[str, Any]:
        return {**self.topup.public(), "client_secret": self.client_secret,
                "publishable_key": self.publishable_key}


class Payments:
    def __init__(self, store: PaymentStore, gateway: StripeGateway,
                 settings: StripeSettings) -> None:
        self.store = store
        self.gateway = gateway
        self.settings = settings

    async def start_topup(self, owner: str, amount_cents: int) -> Started:
        topup_id = new_id("tu")
        currency = self.settings.currency.lower()
        await self.store.create_topup(owner, topup_id, amount_cents, currency)
        try:
            intent = await self.gateway.create_intent(
                amount_cents, currency, {"topup_id": topup_id, "owner": owner}, key=topup_id)
        except Exception:
            await self.store.settle(owner, topup_id, "", FAILED, amount_cents, currency,
                                    "the card payment service is unavailable")
            raise
        await self.store.set_intent(owner, topup_id, intent.id)
        log.info("top-up %s of %d cents for %s: %s", topup_id, amount_cents, owner, intent.id)
        return Started(await self.store.topup(owner, topup_id), intent.client_secret,
                       self.settings.publishable_key)

    async def topup(self, owner: str, topup_id: str) -> TopUp:
        """The top-up; an unfinished one is first read back from Stripe (the page came
        back from Stripe.js, or someone is waiting): a lost webhook never loses a payment."""
        topup = await self.store.topup(owner, topup_id)
        # A declined payment may still be retried on the same PaymentIntent; a success or a
        # cancellation is final.
        if topup.status == SUCCEEDED or topup.error == "canceled" or not topup.intent:
            return topup
        try:
            intent = await self.gateway.retrieve_intent(topup.intent)
        except Exception as exc:  # Stripe away: the webhook will still come
            log.warning("could not read %s back from Stripe: %s", topup.intent, exc)
            return topup
        await self._settle_from(topup, intent)
        return await self.store.topup(owner, topup_id)

    async def confirm_on_server(self, owner: str, topup_id: str,
                                payment_method: str) -> dict[str, Any]:
        """Confirms with a payment method that Stripe.js made (Stripe.js builds without
        the Payment Element's ``confirmPayment``); 3-D Secure is then left to Stripe.js."""
        topup = await self.store.topup(owner, topup_id)
        if topup.status != PENDING:
            return {**topup.public(), "requires_action": False}
        try:
            intent = await self.gateway.confirm_intent(topup.intent, payment_method,
                                                       key=f"{topup_id}-{payment_method}")
        except Declined as exc:
            await self.store.settle(owner, topup_id, topup.intent, FAILED, topup.amount_cents,
                                    self.settings.currency, str(exc))
            return {**(await self.store.topup(owner, topup_id)).public(),
                    "requires_action": False}
        await self._settle_from(topup, intent)
        return {**(await self.store.topup(owner, topup_id)).public(),
                "requires_action": intent.status == "requires_action"}

    async def _settle_from(self, topup: TopUp, intent: Intent) -> None:
        outcome = _FINAL.get(intent.status)
        if outcome is None and intent.raw.get("last_payment_error"):
            outcome = FAILED  # declined; the payer may still retry the same PaymentIntent
        if outcome is None:
            return
        settled = await self.store.settle(
            topup.owner, topup.id, intent.id, outcome, intent.amount_cents, intent.currency,
            failure_text(intent.raw))
        log.info("top-up %s read back from Stripe: %s", topup.id, settled.answer)

    async def handle_webhook(self, body: bytes, signature: str | None) -> str:
        """Verifies, then settles; answers what happened (for the log). Raises
        ``BadSignature`` (400) before anything changes."""
        verify(body, signature, self.settings.webhook_secret)
        event = intent_event(body)
        if event is None:
            return "ignored"
        settled = await self.store.settle(event.owner, event.topup_id, event.intent,
                                          event.outcome, event.amount_cents, event.currency,
                                          event.error)
        if settled.answer == "mismatch":
            log.error("event %s does not match top-up %s (intent, amount or currency)",
                      event.event_id, event.topup_id)
        log.info("Stripe event %s for %s: %s", event.event_id, event.topup_id, settled.answer)
        return settled.answer

    async def refund(self, owner: str, amount_cents: int) -> dict[str, Any]:
        await self.resume_refunds(owner, older_than_ms=STALE_REFUND_MS)
        refund_id = new_id("rf")
        parts = await self.store.reserve_refund(owner, refund_id, amount_cents)
        # Stripe unreachable mid-way: the refund stays reserved (the money held) and is
        # sent again, with the same idempotency keys, by the owner's next refund.
        status, balance, refunded = await self._send(owner, refund_id, parts)
        log.info("refund %s for %s: %s, %d of %d cents", refund_id, owner, status, refunded,
                 amount_cents)
        return {"refund_id": refund_id, "status": status, "amount_cents": amount_cents,
                "refunded_cents": refunded, "balance_cents": balance}

    async def _send(self, owner: str, refund_id: str,
                    parts: list[RefundPart]) -> tuple[str, int, int]:
        results = []
        for part in parts:
            try:
                stripe_id: str | None = await self.gateway.refund(
                    part.intent, part.amount_cents,
                    {"refund_id": refund_id, "topup_id": part.topup_id, "owner": owner},
                    key=f"{refund_id}-{part.topup_id}")
            except Refused as exc:
                log.warning("refund %s: Stripe refused %s: %s", refund_id, part.intent, exc)
                stripe_id = None
            results.append(PartResult(part, stripe_id))
        status, balance = await self.store.finish_refund(owner, refund_id, results)
        return status, balance, sum(r.part.amount_cents for r in results if r.stripe_refund)

    async def resume_refunds(self, owner: str, older_than_ms: int) -> int:
        """Finishes the owner's refunds left reserved (a crash, Stripe away) for longer
        than ``older_than_ms``; answers how many were finished."""
        finished = 0
        for refund_id, parts in await self.store.reserved_refunds(owner, older_than_ms):
            try:
                status, _, _ = await self._send(owner, refund_id, parts)
            except PaymentsUnavailable:
                continue  # still away: next time
            log.info("refund %s for %s resumed: %s", refund_id, owner, status)
            finished += 1
        return finished
