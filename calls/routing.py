"""Who to ring next for a category call: a pure decision, unit-tested without Redis.

Rules (protocol §3, issue 5): ring only experts who are online and not busy, verified
for the category, not yet rung for this call, whose price the client's wallet covers
and, when the client set one, whose per-minute rate is within ``max_rate_cents``.
Best rated first; among equals, the one rung least recently, so calls are spread
fairly. The call waits while some eligible expert is busy; it is given up (declined)
when no online expert of the category is left to ring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sessions.pricing import Pricing, PricingMode


@dataclass(frozen=True)
class Candidate:
    expert_id: str
    status: str  # online / busy / offline
    rating: float | None
    pricing: Pricing
    last_rung_ms: int = 0


@dataclass(frozen=True)
class Ring:
    expert: Candidate


@dataclass(frozen=True)
class Wait:
    pass


@dataclass(frozen=True)
class GiveUp:
    pass


Decision = Ring | Wait | GiveUp


def _within_rate(pricing: Pricing, max_rate_cents: int | None) -> bool:
    if max_rate_cents is None or pricing.mode != PricingMode.PER_MINUTE:
        return True
    return pricing.amount_cents <= max_rate_cents


def decide(
    candidates: list[Candidate],
    rung: set[str],
    available_cents: int,
    max_rate_cents: int | None,
    hold_for: Callable[[Pricing], int],
) -> Decision:
    eligible = [
        c for c in candidates
        if c.status != "offline"
        and c.expert_id not in rung
        and hold_for(c.pricing) <= available_cents
        and _within_rate(c.pricing, max_rate_cents)
    ]
    free = [c for c in eligible if c.status == "online"]
    if free:
        # Unrated experts come after rated ones; ties go to the one rung least recently.
        best = min(free, key=lambda c: (-(c.rating if c.rating is not None else -1.0),
                                         c.last_rung_ms, c.expert_id))
        return Ring(best)
    return Wait() if eligible else GiveUp()


def estimated_wait_seconds(position: int, ring_seconds: float, online_experts: int) -> int:
    """A rough figure for the client: each call ahead takes at most one ring per expert."""
    return int(-(-(position + 1) * ring_seconds // max(1, online_experts)))
