"""The onboarding checklist's rules, on their own."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.onboarding import checklist, missing

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

READY: dict[str, Any] = {
    "headline": "Bikes", "categories": ["sport"], "unverified_categories": [],
    "languages": ["fr"], "pricing": {"mode": "per_minute", "amount_cents": 120},
    "photo_url": "/media/experts/a.jpg?v=1",
}


def keys(steps: list[Any]) -> list[str]:
    return [step.key for step in steps]


def test_without_a_profile_the_required_steps_are_missing() -> None:
    steps = checklist(None, has_hours=False)
    assert keys(steps) == ["profile", "photo", "price", "languages", "hours"]
    assert keys(missing(steps)) == ["profile", "price", "languages"]


def test_a_complete_profile_may_go_online_without_photo_or_hours() -> None:
    assert missing(checklist({**READY, "photo_url": None}, has_hours=False)) == []
    assert all(step.done for step in checklist(READY, has_hours=True))


def test_free_counts_as_a_price_but_a_zero_rate_does_not() -> None:
    free = {**READY, "pricing": {"mode": "free", "amount_cents": 0}}
    zero = {**READY, "pricing": {"mode": "per_minute", "amount_cents": 0}}
    assert missing(checklist(free, has_hours=False)) == []
    assert keys(missing(checklist(zero, has_hours=False))) == ["price"]


def test_verification_blocks_only_when_no_category_is_open_yet() -> None:
    only_health = {**READY, "categories": [], "unverified_categories": ["health"]}
    assert keys(missing(checklist(only_health, has_hours=False))) == ["verification"]
    mixed = {**READY, "unverified_categories": ["health"]}
    steps = checklist(mixed, has_hours=False)
    assert "verification" in keys(steps) and missing(steps) == []
