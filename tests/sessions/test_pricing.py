"""Protocol §4 pricing at every rounding edge, the price parser, and the affordable time."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import Invalid
from sessions.pricing import (
    LUA_PRICING,
    BillingRules,
    Charge,
    Pricing,
    PricingMode,
    affordable_live_ms,
    billed_seconds,
    charge,
    round_half_up,
)

PM, PS, FREE = PricingMode.PER_MINUTE, PricingMode.PER_SESSION, PricingMode.FREE


@dataclass(frozen=True)
class Case:
    """One priced call, with the expected result worked out by hand in ``why``."""

    why: str
    live_ms: int
    mode: PricingMode
    rate: int
    guarantee: int
    increment: int
    fee: int
    cap: int | None
    expected: Charge

    @property
    def pricing(self) -> Pricing:
        return Pricing(self.mode, self.rate)

    @property
    def rules(self) -> BillingRules:
        return BillingRules(self.guarantee, self.increment, self.fee)


def c(why: str, live_ms: int, mode: PricingMode, rate: int, rules: tuple[int, int, int],
      cap: int | None, expected: tuple[int, int, int, int]) -> Case:
    return Case(why, live_ms, mode, rate, *rules, cap, Charge(*expected))


CASES = [
    c("never live", 0, PM, 100, (0, 1, 20), None, (0, 0, 0, 0)),
    c("never live, no guarantee", 0, PS, 500, (0, 1, 20), None, (0, 0, 0, 0)),
    c("999 ms floors to 0 s", 999, PM, 60, (0, 1, 20), None, (0, 0, 0, 0)),
    c("999 ms with a 60 s increment is still 0 s", 999, PM, 60, (0, 60, 20), None, (0, 0, 0, 0)),
    c("1000 ms is 1 s; fee 0.2 -> 0", 1000, PM, 60, (0, 1, 20), None, (1, 1, 0, 1)),
    c("1999 ms floors to 1 s", 1999, PM, 60, (0, 1, 20), None, (1, 1, 0, 1)),
    c("guarantee - 1 ms: 14 s < 15", 14_999, PM, 120, (15, 1, 20), None, (0, 0, 0, 0)),
    c("exactly the guarantee: 15 s x 120 / 60", 15_000, PM, 120, (15, 1, 20), None,
      (15, 30, 6, 24)),
    c("guarantee + 999 ms floors back to 15 s", 15_999, PM, 120, (15, 1, 20), None,
      (15, 30, 6, 24)),
    c("guarantee on floored seconds, not rounded ones", 14_999, PM, 120, (15, 60, 20), None,
      (0, 0, 0, 0)),
    c("increment 6: 15 s -> 18 s; fee 3.6 -> 4", 15_000, PM, 60, (15, 6, 20), None,
      (18, 18, 4, 14)),
    c("increment 6: 18 s stays 18 s", 18_999, PM, 60, (15, 6, 20), None, (18, 18, 4, 14)),
    c("increment 6: 19 s -> 24 s", 19_000, PM, 60, (15, 6, 20), None, (24, 24, 5, 19)),
    c("increment 30: 30 s stays 30 s", 30_999, PM, 100, (0, 30, 20), None, (30, 50, 10, 40)),
    c("increment 30: 31 s -> 60 s", 31_000, PM, 100, (0, 30, 20), None, (60, 100, 20, 80)),
    c("increment 60: 1 s -> 60 s", 1_000, PM, 250, (0, 60, 20), None, (60, 250, 50, 200)),
    c("increment 60: 60 s stays 60 s", 60_999, PM, 250, (0, 60, 20), None, (60, 250, 50, 200)),
    c("increment 60: 61 s -> 120 s", 61_000, PM, 250, (0, 60, 20), None, (120, 500, 100, 400)),
    c("rate 1 for 30 s = 0.5 -> 1", 30_000, PM, 1, (0, 1, 20), None, (30, 1, 0, 1)),
    c("rate 1 for 29 s = 0.483 -> 0", 29_999, PM, 1, (0, 1, 20), None, (29, 0, 0, 0)),
    c("rate 1 for 89 s = 1.483 -> 1", 89_000, PM, 1, (0, 1, 20), None, (89, 1, 0, 1)),
    c("rate 1 for 90 s = 1.5 -> 2", 90_000, PM, 1, (0, 1, 20), None, (90, 2, 0, 2)),
    c("increment 30 turns 1 s into half a cent -> 1", 1_000, PM, 1, (0, 30, 20), None,
      (30, 1, 0, 1)),
    c("rate 7 for 100 s = 11.67 -> 12; fee 2.4 -> 2", 100_000, PM, 7, (0, 1, 20), None,
      (100, 12, 2, 10)),
    c("fee 0.5 -> 1", 20_000, PS, 5, (15, 1, 10), None, (20, 5, 1, 4)),
    c("fee 2.5 -> 3", 20_000, PS, 25, (15, 1, 10), None, (20, 25, 3, 22)),
    c("fee 0.49 -> 0", 20_000, PS, 7, (15, 1, 7), None, (20, 7, 0, 7)),
    c("fee 0 %", 60_000, PM, 100, (15, 1, 0), None, (60, 100, 0, 100)),
    c("fee 100 %", 60_000, PM, 100, (15, 1, 100), None, (60, 100, 100, 0)),
    c("cap below amount: 1200 -> 700", 120_000, PM, 600, (15, 1, 20), 700, (120, 700, 140, 560)),
    c("cap equal to amount", 120_000, PM, 600, (15, 1, 20), 1200, (120, 1200, 240, 960)),
    c("cap above amount", 120_000, PM, 600, (15, 1, 20), 5000, (120, 1200, 240, 960)),
    c("cap 0", 120_000, PM, 600, (15, 1, 20), 0, (120, 0, 0, 0)),
    c("cap on the fee's rounding: 7 -> fee 1.4 -> 1", 120_000, PM, 600, (15, 1, 20), 7,
      (120, 7, 1, 6)),
    c("per_session under the guarantee", 14_999, PS, 1500, (15, 1, 20), None, (0, 0, 0, 0)),
    c("per_session at 0 s (no guarantee)", 999, PS, 1500, (0, 1, 20), None, (0, 0, 0, 0)),
    c("per_session at exactly the guarantee", 15_000, PS, 1500, (15, 1, 20), None,
      (15, 1500, 300, 1200)),
    c("per_session 1 s after the guarantee", 16_000, PS, 1500, (15, 1, 20), None,
      (16, 1500, 300, 1200)),
    c("per_session at 1 s, no guarantee", 1_000, PS, 1500, (0, 1, 20), None,
      (1, 1500, 300, 1200)),
    c("per_session flat whatever the length", 36_000_000, PS, 1500, (15, 60, 20), None,
      (36_000, 1500, 300, 1200)),
    c("per_session capped below the flat", 16_000, PS, 1500, (15, 1, 20), 1000,
      (16, 1000, 200, 800)),
    c("free for an hour", 3_600_000, FREE, 0, (15, 1, 20), None, (3600, 0, 0, 0)),
    c("free under the guarantee", 5_000, FREE, 0, (15, 1, 20), None, (0, 0, 0, 0)),
    c("10 h at the highest rate", 36_000_000, PM, 1_000_000, (15, 1, 20), None,
      (36_000, 600_000_000, 120_000_000, 480_000_000)),
]


@pytest.mark.parametrize("case", CASES, ids=[case.why for case in CASES])
def test_charge_at_every_edge(case: Case) -> None:
    assert charge(case.live_ms, case.pricing, case.rules, case.cap) == case.expected
    assert billed_seconds(case.live_ms, case.rules) == case.expected.billed_seconds


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(0, 60, 0), (29, 60, 0), (30, 60, 1), (31, 60, 1), (89, 60, 1), (90, 60, 2),
     (49, 100, 0), (50, 100, 1), (150, 100, 2), (250, 100, 3), (7, 1, 7),
     (2**60 + 1, 2, 2**59 + 1)],
)
def test_round_half_up(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_up(numerator, denominator) == expected


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 60), (1, 0), (1, -60)])
def test_round_half_up_refuses_negatives(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError):
        round_half_up(numerator, denominator)


def test_a_negative_cap_is_a_bug() -> None:
    with pytest.raises(ValueError):
        charge(60_000, Pricing(PM, 100), BillingRules(0, 1, 20), cap_cents=-1)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"mode": "per_minute", "amount_cents": 1}, Pricing(PM, 1)),
        ({"mode": "per_minute", "amount_cents": 1_000_000}, Pricing(PM, 1_000_000)),
        ({"mode": "per_session", "amount_cents": 2500}, Pricing(PS, 2500)),
        ({"mode": "free"}, Pricing(FREE, 0)),
        ({"mode": "free", "amount_cents": None}, Pricing(FREE, 0)),
        ({"mode": "free", "amount_cents": 0}, Pricing(FREE, 0)),
        # JSON Schema's integer, as openapi.json says: 100.0 is 100 (1.5 is refused below).
        ({"mode": "per_minute", "amount_cents": 100.0}, Pricing(PM, 100)),
    ],
)
def test_parse_accepts(payload: object, expected: Pricing) -> None:
    parsed = Pricing.parse(payload)
    assert parsed == expected
    assert Pricing.parse(parsed.public()) == parsed


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (None, "pricing"),
        ("per_minute", "pricing"),
        ([{"mode": "free"}], "pricing"),
        ({}, "pricing.mode"),
        ({"amount_cents": 100}, "pricing.mode"),
        ({"mode": None, "amount_cents": 100}, "pricing.mode"),
        ({"mode": "hourly", "amount_cents": 100}, "pricing.mode"),
        ({"mode": "PER_MINUTE", "amount_cents": 100}, "pricing.mode"),
        ({"mode": 1, "amount_cents": 100}, "pricing.mode"),
        ({"mode": ["free"]}, "pricing.mode"),
        ({"mode": "per_minute"}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": None}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": 0}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": -5}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": 1_000_001}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": True}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": 1.5}, "pricing.amount_cents"),
        ({"mode": "per_minute", "amount_cents": "100"}, "pricing.amount_cents"),
        ({"mode": "per_session"}, "pricing.amount_cents"),
        ({"mode": "per_session", "amount_cents": 0}, "pricing.amount_cents"),
        ({"mode": "per_session", "amount_cents": 1_000_001}, "pricing.amount_cents"),
        ({"mode": "per_session", "amount_cents": False}, "pricing.amount_cents"),
        ({"mode": "free", "amount_cents": 5}, "pricing.amount_cents"),
        ({"mode": "free", "amount_cents": -1}, "pricing.amount_cents"),
        ({"mode": "free", "amount_cents": False}, "pricing.amount_cents"),
        ({"mode": "free", "amount_cents": "0"}, "pricing.amount_cents"),
    ],
)
def test_parse_refuses_naming_the_field(payload: object, field: str) -> None:
    with pytest.raises(Invalid) as raised:
        Pricing.parse(payload)
    assert raised.value.field == field
    assert raised.value.message.startswith(field)
    assert raised.value.as_dict()["field"] == field


def test_public_hold_and_paid() -> None:
    assert Pricing(PM, 300).public() == {"mode": "per_minute", "amount_cents": 300}
    assert Pricing(FREE, 0).public() == {"mode": "free", "amount_cents": 0}
    assert Pricing(PM, 300).start_hold_cents() == 300
    # The hold for one minute is exactly what one billed minute costs.
    rules = BillingRules(0, 1, 20)
    assert charge(60_000, Pricing(PM, 301), rules).amount_cents == 301
    assert Pricing(PS, 2500).start_hold_cents() == 2500
    assert Pricing(FREE, 0).start_hold_cents() == 0
    assert Pricing(PM, 1).is_paid and Pricing(PS, 1).is_paid
    assert not Pricing(FREE, 0).is_paid


@pytest.mark.parametrize(
    ("mode", "amount"), [(PM, -1), (PS, -1), (FREE, 1)],
)
def test_impossible_prices_are_bugs(mode: PricingMode, amount: int) -> None:
    with pytest.raises(ValueError):
        Pricing(mode, amount)


@pytest.mark.parametrize("rules", [(-1, 1, 20), (0, 0, 20), (0, 1, -1), (0, 1, 101)])
def test_impossible_rules_are_bugs(rules: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        BillingRules(*rules)


def brute_force_affordable(rate: int, increment: int, budget: int) -> int:
    """Walk up second by second, with no guarantee, until a second costs more than budget."""
    pricing, rules = Pricing(PM, rate), BillingRules(0, increment, 0)
    second = 0
    while charge(second * 1000, pricing, rules).amount_cents <= budget:
        second += 1
    return second * 1000 - 1


@settings(max_examples=400, deadline=None)
@given(
    rate=st.integers(1, 40),
    increment=st.integers(1, 60),
    guarantee=st.integers(0, 120),
    budget=st.integers(0, 30),
)
def test_affordable_live_ms_against_brute_force(
    rate: int, increment: int, guarantee: int, budget: int
) -> None:
    rules = BillingRules(guarantee, increment, 20)
    pricing = Pricing(PM, rate)
    limit = affordable_live_ms(pricing, rules, budget)
    assert limit is not None
    # The largest such time when there is no guarantee...
    assert limit == brute_force_affordable(rate, increment, budget)
    assert limit % 1000 == 999
    # ...and, whatever the guarantee, never a time that costs more than the budget.
    for second in range(limit // 1000 + 1):
        assert charge(second * 1000 + 999, pricing, rules).amount_cents <= budget


def test_affordable_live_ms_examples() -> None:
    rules = BillingRules(15, 1, 20)
    # 100 cents at 100 a minute: 60 s, and 60.5 s would still round to 100 cents.
    assert affordable_live_ms(Pricing(PM, 100), rules, 100) == 60_999
    # 1 cent at 1 a minute: 89 s is 1.48 cents -> 1; 90 s is 1.5 -> 2.
    assert affordable_live_ms(Pricing(PM, 1), rules, 1) == 89_999
    # 30 s increments: 89 s is not billable as 90, so 60 s.
    assert affordable_live_ms(Pricing(PM, 1), BillingRules(15, 30, 20), 1) == 60_999
    # An empty wallet still covers a call under a second (billed 0 s).
    assert affordable_live_ms(Pricing(PM, 500), rules, 0) == 999
    assert affordable_live_ms(Pricing(PM, 500), rules, -40) == 999
    assert affordable_live_ms(Pricing(PS, 500), rules, 0) is None
    assert affordable_live_ms(Pricing(FREE, 0), rules, 0) is None
    assert affordable_live_ms(Pricing(PM, 0), rules, 0) is None


def test_lua_twin_is_loaded() -> None:
    assert "local function hc_price(" in LUA_PRICING
    assert "local function hc_billed_seconds(" in LUA_PRICING
    assert "local function hc_affordable_ms(" in LUA_PRICING
