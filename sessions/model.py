"""What a session looks like to the rest of the code, read from its Redis hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.timefmt import iso_ms_or_none
from sessions.pricing import Pricing, PricingMode
from sessions.states import EndReason, State


def _ms(value: str | None) -> int | None:
    return int(value) if value else None


@dataclass(frozen=True)
class SessionView:
    id: str
    state: State
    end_reason: EndReason | None
    client_id: str
    expert_id: str
    topic: str
    category: str
    brand_id: str
    pricing: Pricing
    currency: str
    hold_cents: int
    created_at_ms: int
    accepted_at_ms: int | None
    live_started_at_ms: int | None
    live_since_ms: int | None
    ended_at_ms: int | None
    live_ms: int
    billed_seconds: int
    amount_cents: int
    platform_fee_cents: int
    expert_payout_cents: int
    booking_id: str = ""
    rung_role: str = "e"  # who is rung: the expert, or the client of a booking
    payer_id: str = ""  # the sponsoring brand whose wallet pays; "" when the client pays

    @classmethod
    def from_hash(cls, fields: dict[str, str]) -> SessionView:
        return cls(
            id=fields["id"],
            state=State(fields["state"]),
            end_reason=EndReason(fields["end_reason"]) if fields.get("end_reason") else None,
            client_id=fields["client_id"],
            expert_id=fields.get("expert_id", ""),
            topic=fields.get("topic", ""),
            category=fields.get("category", ""),
            brand_id=fields.get("brand_id", ""),
            pricing=Pricing(PricingMode(fields["pricing_mode"]), int(fields["rate_cents"])),
            currency=fields["currency"],
            hold_cents=int(fields.get("hold_cents") or 0),
            created_at_ms=int(fields["created_at"]),
            accepted_at_ms=_ms(fields.get("accepted_at")),
            live_started_at_ms=_ms(fields.get("live_started_at")),
            live_since_ms=_ms(fields.get("live_since")),
            ended_at_ms=_ms(fields.get("ended_at")),
            live_ms=int(fields.get("live_ms") or 0),
            billed_seconds=int(fields.get("billed_seconds") or 0),
            amount_cents=int(fields.get("amount_cents") or 0),
            platform_fee_cents=int(fields.get("platform_fee_cents") or 0),
            expert_payout_cents=int(fields.get("expert_payout_cents") or 0),
            booking_id=fields.get("booking_id", ""),
            rung_role="c" if fields.get("rung_role") == "c" else "e",
            payer_id=fields.get("payer_id", ""),
        )

    def live_ms_at(self, now_ms: int) -> int:
        if self.live_since_ms is None:
            return self.live_ms
        return self.live_ms + max(0, now_ms - self.live_since_ms)

    def live_seconds_at(self, now_ms: int) -> int:
        return self.live_ms_at(now_ms) // 1000

    @property
    def payer(self) -> str:
        """Whose wallet the call is held on and charged to."""
        return self.payer_id or self.client_id

    @property
    def rung_id(self) -> str:
        """The account being rung: the expert, or the client an expert calls for a booking."""
        return self.client_id if self.rung_role == "c" else self.expert_id

    def role_of(self, account_id: str) -> str | None:
        if account_id == self.client_id:
            return "client"
        if self.expert_id and account_id == self.expert_id:
            return "expert"
        return None

    def public(self, now_ms: int) -> dict[str, Any]:
        """The shape of ``GET /sessions/{id}`` (protocol §2)."""
        return {
            "id": self.id,
            "state": self.state.value,
            "end_reason": self.end_reason.value if self.end_reason else None,
            "client_id": self.client_id,
            "expert_id": self.expert_id or None,
            "brand_id": self.brand_id or None,
            "topic": self.topic,
            "category": self.category or None,
            "booking_id": self.booking_id or None,
            "pricing": self.pricing.public(),
            "live_seconds": self.live_seconds_at(now_ms),
            "billed_seconds": self.billed_seconds,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "created_at": iso_ms_or_none(self.created_at_ms),
            "accepted_at": iso_ms_or_none(self.accepted_at_ms),
            "live_started_at": iso_ms_or_none(self.live_started_at_ms),
            "ended_at": iso_ms_or_none(self.ended_at_ms),
        }
