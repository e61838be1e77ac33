"""The expert's onboarding checklist: what a profile needs before going online is useful.

An expert who goes online with an empty profile is told "clients can call you" while no
client can find them. The console shows these steps and refuses `Go online` (with the
reason) until every required one is done; the others are advice (pure: no I/O).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PROFILE_PAGE = "/console/profile"
HOURS_PAGE = "/console/availability"


@dataclass(frozen=True)
class Step:
    key: str
    done: bool
    required: bool
    link: str


def checklist(own: Mapping[str, Any] | None, has_hours: bool) -> list[Step]:
    """``own`` is the expert's own card (``GET /experts/me``), None without a profile."""
    card: Mapping[str, Any] = own or {}
    pricing = card.get("pricing") or {}
    priced = own is not None and (
        pricing.get("mode") == "free" or int(pricing.get("amount_cents") or 0) > 0)
    steps = [
        Step("profile", bool(card.get("headline")) and bool(
            card.get("categories") or card.get("unverified_categories")), True, PROFILE_PAGE),
        Step("photo", bool(card.get("photo_url")), False, PROFILE_PAGE),
        Step("price", priced, True, PROFILE_PAGE),
        Step("languages", bool(card.get("languages")), True, PROFILE_PAGE),
        Step("hours", has_hours, False, HOURS_PAGE),
    ]
    waiting = card.get("unverified_categories") or []
    if waiting:
        # Required only when verification is all that stands between the expert and calls.
        steps.append(Step("verification", False, not card.get("categories"), PROFILE_PAGE))
    return steps


def missing(steps: Sequence[Step]) -> list[Step]:
    """The required steps still to do: empty when the expert may go online."""
    return [step for step in steps if step.required and not step.done]
