"""A booking as read from its hash, and its public form (times ISO 8601 UTC ms ``Z``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common.timefmt import iso_ms, iso_ms_or_none


def _ms(value: str | None) -> int | None:
    return int(value) if value else None


@dataclass(frozen=True)
class Booking:
    id: str
    state: str  # booked, attended, cancelled, no_show
    client_id: str
    expert_id: str
    client_name: str
    expert_name: str
    topic: str
    start_ms: int
    end_ms: int
    length_minutes: int
    pricing_mode: str
    rate_cents: int
    hold_cents: int
    currency: str
    time_zone: str
    created_ms: int
    sequence: int
    cancel_notice_ms: int
    joined_client_ms: int | None
    joined_expert_ms: int | None
    proposed_start_ms: int | None
    proposed_end_ms: int | None
    proposed_by: str
    cancelled_by: str
    no_show_by: str
    closed_ms: int | None
    amount_cents: int
    platform_fee_cents: int
    expert_payout_cents: int

    @classmethod
    def from_hash(cls, f: Mapping[str, str]) -> Booking:
        return cls(
            id=f["id"], state=f["state"], client_id=f["client_id"], expert_id=f["expert_id"],
            client_name=f.get("client_name", ""), expert_name=f.get("expert_name", ""),
            topic=f.get("topic", ""), start_ms=int(f["start_ms"]), end_ms=int(f["end_ms"]),
            length_minutes=int(f["length_minutes"]), pricing_mode=f["pricing_mode"],
            rate_cents=int(f["rate_cents"]), hold_cents=int(f["hold_cents"]),
            currency=f["currency"], time_zone=f.get("time_zone", "UTC"),
            created_ms=int(f["created_at"]), sequence=int(f.get("sequence", 0)),
            cancel_notice_ms=int(f["cancel_notice_ms"]),
            joined_client_ms=_ms(f.get("joined_client_ms")),
            joined_expert_ms=_ms(f.get("joined_expert_ms")),
            proposed_start_ms=_ms(f.get("proposed_start_ms")),
            proposed_end_ms=_ms(f.get("proposed_end_ms")),
            proposed_by=f.get("proposed_by", ""), cancelled_by=f.get("cancelled_by", ""),
            no_show_by=f.get("no_show_by", ""), closed_ms=_ms(f.get("closed_at")),
            amount_cents=int(f.get("amount_cents", 0)),
            platform_fee_cents=int(f.get("platform_fee_cents", 0)),
            expert_payout_cents=int(f.get("expert_payout_cents", 0)),
        )

    def role_of(self, account_id: str) -> str | None:
        if account_id == self.client_id:
            return "client"
        if account_id == self.expert_id:
            return "expert"
        return None

    def public(self) -> dict[str, Any]:
        proposal = None
        if self.proposed_start_ms is not None and self.proposed_end_ms is not None:
            proposal = {"start": iso_ms(self.proposed_start_ms),
                        "end": iso_ms(self.proposed_end_ms), "proposed_by": self.proposed_by}
        return {
            "id": self.id,
            "state": self.state,
            "client": {"id": self.client_id, "display_name": self.client_name},
            "expert": {"id": self.expert_id, "display_name": self.expert_name},
            "topic": self.topic,
            "start": iso_ms(self.start_ms),
            "end": iso_ms(self.end_ms),
            "length_minutes": self.length_minutes,
            "expert_time_zone": self.time_zone,
            "pricing": {"mode": self.pricing_mode, "amount_cents": self.rate_cents},
            "held_cents": self.hold_cents,
            "currency": self.currency,
            "cancel_free_until": iso_ms(self.start_ms - self.cancel_notice_ms),
            "created_at": iso_ms(self.created_ms),
            "joined": {"client": iso_ms_or_none(self.joined_client_ms),
                       "expert": iso_ms_or_none(self.joined_expert_ms)},
            "reschedule": proposal,
            "cancelled_by": self.cancelled_by or None,
            "no_show_by": self.no_show_by or None,
            "closed_at": iso_ms_or_none(self.closed_ms),
            "amount_cents": self.amount_cents,
            "platform_fee_cents": self.platform_fee_cents,
            "expert_payout_cents": self.expert_payout_cents,
            "join_path": f"/appointments/{self.id}",
        }
