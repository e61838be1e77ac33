"""Top-ups and refunds as plain values: what the wire shows, what a request may ask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from common import validation as v
from common.errors import Invalid
from common.schema import Body, Text
from sessions.wallet import TopUp as AmountRequest

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"

# Stripe ids: a short prefix, an underscore, letters and digits (e.g. pi_3Nx..., pm_1..., card_...).
_PAYMENT_METHOD = re.compile(r"^(pm|card|src)_[A-Za-z0-9]{1,100}$")


@dataclass(frozen=True)
class TopUp:
    """One card payment into a wallet: ``pending`` until the provider says how it ended."""

    id: str
    owner: str
    amount_cents: int
    status: str
    intent: str
    refunded_cents: int = 0
    error: str = ""

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> TopUp:
        return cls(
            id=fields["id"],
            owner=fields["owner"],
            amount_cents=int(fields["amount"]),
            status=fields["status"],
            intent=fields.get("intent", ""),
            refunded_cents=int(fields.get("refunded", 0)),
            error=fields.get("error", ""),
        )

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "topup_id": self.id,
            "status": self.status,
            "amount_cents": self.amount_cents,
        }
        if self.status == FAILED and self.error:
            body["error"] = self.error
        return body


@dataclass(frozen=True)
class RefundPart:
    """The share of a refund sent back against one top-up's PaymentIntent."""

    topup_id: str
    intent: str
    amount_cents: int


class RefundRequest(AmountRequest):
    """``{amount_cents}``: within the same bounds as a top-up."""


@dataclass(frozen=True)
class ServerConfirm:
    """``{payment_method}``: a payment method that Stripe.js made in the page."""

    payment_method: str

    WIRE: ClassVar[Body] = Body(Text("payment_method", max_len=120, sample="pm_1AbCdEf",
                                     pattern=_PAYMENT_METHOD.pattern))

    @classmethod
    def parse(cls, payload: object) -> ServerConfirm:
        value = v.text(v.require_object(payload), "payment_method", max_len=120)
        if not _PAYMENT_METHOD.match(value):
            raise Invalid("payment_method must be a Stripe payment method id", "payment_method")
        return cls(value)
