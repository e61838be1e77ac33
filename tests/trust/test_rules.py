"""The dispute rules as plain code: how a refund is split, what a decision may say."""

from __future__ import annotations

import pytest

from common.errors import Invalid
from trust.disputes import Decision, Outcome, split


@pytest.mark.parametrize(("amount", "fee", "refund", "fee_back"), [
    (1000, 200, 1000, 200),  # everything back: the whole fee and the whole payout
    (1000, 200, 500, 100),
    (10, 2, 5, 1),  # 2 x 5 / 10 = 1 exactly
    (10, 3, 5, 2),  # 1.5 rounds half up
    (7, 1, 1, 0),  # 0.14 rounds down
    (100, 0, 40, 0),  # no fee (a brand that takes none)
    (100, 20, 0, 0),
])
def test_a_refund_comes_out_of_fee_and_payout_in_proportion(
    amount: int, fee: int, refund: int, fee_back: int
) -> None:
    shares = split(amount, fee, refund)
    assert (shares.refund_cents, shares.platform_fee_refund_cents) == (refund, fee_back)
    assert shares.expert_payout_refund_cents == refund - fee_back
    assert 0 <= shares.expert_payout_refund_cents <= amount - fee


def test_a_decision_names_its_cents_only_when_partial() -> None:
    assert Decision.parse({"outcome": "full"}).refund_of(900) == 900
    assert Decision.parse({"outcome": "none", "note": "fine"}).refund_of(900) == 0
    assert Decision.parse({"outcome": "partial", "refund_cents": 300}).refund_of(900) == 300
    # With full or none, the amount is the outcome's own: a refund_cents beside it is ignored.
    assert Decision.parse({"outcome": "full", "refund_cents": 3}).refund_of(900) == 900
    for bad in ({"outcome": "partial"}, {"outcome": "all"},
                {"outcome": "partial", "refund_cents": 0}):
        with pytest.raises(Invalid):
            Decision.parse(bad)
    with pytest.raises(Invalid):
        Decision(Outcome.PARTIAL, 901, "").refund_of(900)
