"""The pure routing decision: who is rung next for a category call."""

from __future__ import annotations

import pytest

from calls.routing import Candidate, GiveUp, Ring, Wait, decide, estimated_wait_seconds
from sessions.pricing import Pricing, PricingMode

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

CHEAP = Pricing(PricingMode.PER_MINUTE, 60)
DEAR = Pricing(PricingMode.PER_MINUTE, 600)


def hold(pricing: Pricing) -> int:
    return pricing.amount_cents


def expert(name: str, status: str = "online", rating: float | None = None,
           pricing: Pricing = CHEAP, last: int = 0) -> Candidate:
    return Candidate(name, status, rating, pricing, last)


def test_best_rated_first_then_least_recently_rung() -> None:
    pool = [expert("a", rating=4.0, last=5), expert("b", rating=4.8, last=9),
            expert("c", rating=4.8, last=1), expert("d")]
    assert decide(pool, set(), 10_000, None, hold) == Ring(pool[2])
    assert decide(pool, {"c"}, 10_000, None, hold) == Ring(pool[1])
    assert decide(pool, {"b", "c"}, 10_000, None, hold) == Ring(pool[0])
    assert decide(pool, {"a", "b", "c"}, 10_000, None, hold) == Ring(pool[3])


def test_busy_experts_make_the_call_wait_and_offline_ones_do_not() -> None:
    assert decide([expert("a", "busy"), expert("b", "offline")], set(), 10_000, None, hold) == Wait()
    assert decide([expert("b", "offline")], set(), 10_000, None, hold) == GiveUp()
    assert decide([expert("a")], {"a"}, 10_000, None, hold) == GiveUp()
    assert decide([], set(), 10_000, None, hold) == GiveUp()


def test_only_experts_the_wallet_covers_and_within_the_max_rate() -> None:
    pool = [expert("dear", rating=5.0, pricing=DEAR), expert("cheap", rating=3.0)]
    assert decide(pool, set(), 10_000, None, hold) == Ring(pool[0])
    assert decide(pool, set(), 100, None, hold) == Ring(pool[1])
    assert decide(pool, set(), 10_000, 100, hold) == Ring(pool[1])
    assert decide(pool, set(), 59, None, hold) == GiveUp()
    flat = expert("flat", pricing=Pricing(PricingMode.PER_SESSION, 5000))
    assert decide([flat], set(), 10_000, 10, hold) == Ring(flat)  # the max rate is per minute


def test_the_estimate_grows_with_the_queue_and_shrinks_with_experts() -> None:
    assert estimated_wait_seconds(0, 30, 1) == 30
    assert estimated_wait_seconds(3, 30, 1) == 120
    assert estimated_wait_seconds(3, 30, 4) == 30
    assert estimated_wait_seconds(0, 30, 0) == 30
