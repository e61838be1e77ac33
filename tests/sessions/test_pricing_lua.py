"""The Lua twin of sessions/pricing.py, run in the real Redis, agrees with the Python.

Hypothesis drives sync tests through a sync client: these scripts write nothing, so the
per-test FLUSHALL of the async ``redis`` fixture is not needed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis as syncredis
from hypothesis import given, settings
from hypothesis import strategies as st

from common.lua import SyncLua
from sessions.pricing import (
    LUA_PRICING,
    BillingRules,
    Charge,
    Pricing,
    PricingMode,
    affordable_live_ms,
    charge,
)
from tests.sessions.test_pricing import CASES, Case


@dataclass(frozen=True)
class Lua:
    price: SyncLua
    billed: SyncLua
    affordable: SyncLua
    floor_div: SyncLua
    round_half_up: SyncLua


@pytest.fixture(scope="module")
def lua(redis_url: str) -> Iterator[Lua]:
    client = syncredis.Redis.from_url(redis_url, decode_responses=True)
    yield Lua(*(SyncLua(client, f"tests/sessions/lua/{name}.lua")
                for name in ("price", "billed", "affordable", "floor_div", "round_half_up")))
    client.close()


def lua_charge(
    lua: Lua, live_ms: int, mode: PricingMode, rate: int, rules: BillingRules, cap: int | None
) -> Charge:
    args = {"live_ms": live_ms, "mode": mode.value, "rate": rate,
            "guarantee": rules.guarantee_seconds, "increment": rules.increment_seconds,
            "fee_percent": rules.fee_percent, "cap": -1 if cap is None else cap}
    return Charge(*(int(value) for value in lua.price(args=args)))


def lua_affordable(lua: Lua, mode: PricingMode, rate: int, increment: int, budget: int) -> int:
    return int(lua.affordable(
        args={"mode": mode.value, "rate": rate, "increment": increment, "cap": budget}))


@pytest.mark.parametrize("case", CASES, ids=[case.why for case in CASES])
def test_lua_matches_the_table(lua: Lua, case: Case) -> None:
    got = lua_charge(lua, case.live_ms, case.mode, case.rate, case.rules, case.cap)
    assert got == case.expected
    billed = lua.billed(
        args={"live_ms": case.live_ms, "guarantee": case.guarantee, "increment": case.increment})
    assert int(billed) == case.expected.billed_seconds


MODES = st.sampled_from(list(PricingMode))


@settings(max_examples=500, deadline=None)
@given(
    live_ms=st.integers(0, 10 * 3600 * 1000),
    mode=MODES,
    rate=st.integers(0, 100_000),
    guarantee=st.integers(0, 120),
    increment=st.integers(1, 60),
    fee=st.integers(0, 100),
    cap=st.none() | st.integers(0, 1_000_000),
)
def test_lua_price_agrees_with_python(
    lua: Lua, live_ms: int, mode: PricingMode, rate: int, guarantee: int, increment: int,
    fee: int, cap: int | None,
) -> None:
    rules = BillingRules(guarantee, increment, fee)
    # A free price has no amount in Python; the script must ignore whatever rate it is given.
    pricing = Pricing(mode, 0 if mode is PricingMode.FREE else rate)
    assert lua_charge(lua, live_ms, mode, rate, rules, cap) == charge(live_ms, pricing, rules, cap)


@settings(max_examples=500, deadline=None)
@given(
    mode=MODES,
    rate=st.integers(0, 100_000),
    increment=st.integers(1, 60),
    budget=st.integers(-100, 10**9),
)
def test_lua_affordable_agrees_with_python(
    lua: Lua, mode: PricingMode, rate: int, increment: int, budget: int
) -> None:
    pricing = Pricing(mode, 0 if mode is PricingMode.FREE else rate)
    expected = affordable_live_ms(pricing, BillingRules(15, increment, 20), budget)
    got = lua_affordable(lua, mode, rate, increment, budget)
    assert got == (-1 if expected is None else expected)


def test_lua_affordable_examples(lua: Lua) -> None:
    assert lua_affordable(lua, PricingMode.PER_MINUTE, 100, 1, 100) == 60_999
    assert lua_affordable(lua, PricingMode.PER_MINUTE, 1, 30, 1) == 60_999
    assert lua_affordable(lua, PricingMode.PER_MINUTE, 500, 1, 0) == 999
    assert lua_affordable(lua, PricingMode.PER_SESSION, 500, 1, 0) == -1
    assert lua_affordable(lua, PricingMode.FREE, 0, 1, 0) == -1


@settings(max_examples=500, deadline=None)
@given(numerator=st.integers(0, 2**52), denominator=st.integers(1, 2**26))
def test_lua_division_is_exact_for_large_integers(
    lua: Lua, numerator: int, denominator: int
) -> None:
    assert int(lua.floor_div(args={"a": numerator, "b": denominator})) == numerator // denominator


@settings(max_examples=300, deadline=None)
@given(numerator=st.integers(0, 2**50), denominator=st.integers(1, 2**20))
def test_lua_round_half_up_is_exact(lua: Lua, numerator: int, denominator: int) -> None:
    expected = (2 * numerator + denominator) // (2 * denominator)
    assert int(lua.round_half_up(args={"a": numerator, "b": denominator})) == expected


@pytest.mark.parametrize("denominator", [2, 3, 7, 60, 100, 1000, 60_000_001, 2**26 - 1])
def test_lua_division_just_below_an_integer_near_2_pow_53(lua: Lua, denominator: int) -> None:
    # n / d a hair under an integer, with n + d just under 2^53: the worst case for a float.
    numerator = (2**53 - 1 - denominator) // denominator * denominator - 1
    assert numerator + denominator < 2**53
    got = int(lua.floor_div(args={"a": numerator, "b": denominator}))
    assert got == numerator // denominator


def test_lua_refuses_an_unknown_mode(lua: Lua) -> None:
    with pytest.raises(syncredis.ResponseError, match="unknown pricing mode"):
        lua.price(args={"live_ms": 60_000, "mode": "hourly", "rate": 100, "guarantee": 15,
                         "increment": 1, "fee_percent": 20, "cap": -1})
    with pytest.raises(syncredis.ResponseError, match="unknown pricing mode"):
        lua.affordable(args={"mode": "hourly", "rate": 100, "increment": 1, "cap": 100})


def test_lua_text_defines_only_locals(lua: Lua) -> None:
    # Prepended twice, the text must still be valid: no top-level return, no globals.
    assert lua.floor_div.redis.eval(LUA_PRICING + LUA_PRICING + "return 1", 0) == 1
