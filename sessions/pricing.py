"""What a call costs (protocol §4): billed seconds, the amount, the platform's fee.

Pure integer arithmetic, no I/O. The same rules run inside Redis, where the script that
ends a session prices it and settles the wallet in one atomic step: that twin lives in
``lua/pricing.lua`` (exported here as ``LUA_PRICING``) and the tests hold the two together.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from common import validation as v
from common.errors import Invalid
from common.schema import Schema

log = logging.getLogger(__name__)

MAX_AMOUNT_CENTS = 1_000_000

# Prepended to the session scripts by string concatenation: local functions only.
LUA_PRICING: str = (Path(__file__).parent / "lua" / "pricing.lua").read_text(encoding="utf-8")


class PricingMode(StrEnum):
    PER_MINUTE = "per_minute"
    PER_SESSION = "per_session"
    FREE = "free"


# What Pricing.parse accepts (tests/server/test_request_schemas.py holds the two together).
PRICING_SCHEMA: Schema = {"oneOf": [
    {"type": "object", "required": ["mode", "amount_cents"], "properties": {
        "mode": {"enum": [PricingMode.PER_MINUTE.value, PricingMode.PER_SESSION.value]},
        "amount_cents": {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT_CENTS}}},
    {"type": "object", "required": ["mode"], "properties": {
        "mode": {"const": PricingMode.FREE.value},
        "amount_cents": {"enum": [0, None]}}},
]}


@dataclass(frozen=True)
class Pricing:
    """An expert's price: a rate per minute, a flat amount per session, or nothing."""

    mode: PricingMode
    amount_cents: int

    def __post_init__(self) -> None:
        if self.amount_cents < 0:
            raise ValueError("amount_cents must not be negative")
        if self.mode is PricingMode.FREE and self.amount_cents != 0:
            raise ValueError("free pricing has no amount")

    @classmethod
    def parse(cls, payload: object) -> Pricing:
        if payload is None:
            raise Invalid("pricing is required", "pricing")
        if not isinstance(payload, Mapping):
            raise Invalid("pricing must be an object", "pricing")
        try:
            mode = PricingMode(v.choice(payload, "mode", [m.value for m in PricingMode]))
            if mode is PricingMode.FREE:
                amount = v.optional_integer(payload, "amount_cents")
                if amount not in (None, 0):
                    raise Invalid("amount_cents must be 0 or absent for free pricing",
                                  "amount_cents")
                return cls(mode, 0)
            return cls(
                mode,
                v.integer(payload, "amount_cents", minimum=1, maximum=MAX_AMOUNT_CENTS),
            )
        except Invalid as exc:
            # The readers name the field inside the object; the client sent it nested.
            raise Invalid(f"pricing.{exc.message}", f"pricing.{exc.field}") from None

    def public(self) -> dict[str, object]:
        return {"mode": self.mode.value, "amount_cents": self.amount_cents}

    def start_hold_cents(self) -> int:
        """What the client's wallet must cover for the call to start."""
        # per_minute: one minute at the rate; per_session: the flat amount; free: nothing.
        return self.amount_cents

    @property
    def is_paid(self) -> bool:
        return self.mode is not PricingMode.FREE and self.amount_cents > 0


@dataclass(frozen=True)
class BillingRules:
    """The operator's billing settings (HELPCALL_GUARANTEE_SECONDS and friends)."""

    guarantee_seconds: int
    increment_seconds: int
    fee_percent: int

    def __post_init__(self) -> None:
        if self.guarantee_seconds < 0:
            raise ValueError("guarantee_seconds must not be negative")
        if self.increment_seconds < 1:
            raise ValueError("increment_seconds must be at least 1")
        if not 0 <= self.fee_percent <= 100:
            raise ValueError("fee_percent must be from 0 to 100")


@dataclass(frozen=True)
class Charge:
    billed_seconds: int
    amount_cents: int
    platform_fee_cents: int
    expert_payout_cents: int


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves up, exactly."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def billed_seconds(live_ms: int, rules: BillingRules) -> int:
    seconds = live_ms // 1000 if live_ms > 0 else 0
    # The guarantee compares the live seconds as measured, before any rounding up.
    if seconds == 0 or seconds < rules.guarantee_seconds:
        return 0
    increment = rules.increment_seconds
    return -(-seconds // increment) * increment


def charge(
    live_ms: int, pricing: Pricing, rules: BillingRules, cap_cents: int | None = None
) -> Charge:
    """The charge for ``live_ms`` of live time, never above ``cap_cents`` (what was held)."""
    if cap_cents is not None and cap_cents < 0:
        raise ValueError("cap_cents must not be negative")
    billed = billed_seconds(live_ms, rules)
    if pricing.mode is PricingMode.PER_MINUTE:
        amount = round_half_up(billed * pricing.amount_cents, 60)
    elif pricing.mode is PricingMode.PER_SESSION:
        amount = pricing.amount_cents if billed > 0 else 0
    else:
        amount = 0
    if cap_cents is not None:
        amount = min(amount, cap_cents)
    fee = round_half_up(amount * rules.fee_percent, 100)
    return Charge(billed, amount, fee, amount - fee)


def affordable_live_ms(pricing: Pricing, rules: BillingRules, budget_cents: int) -> int | None:
    """The longest live time whose every prefix costs at most ``budget_cents``; None: no limit.

    Only per-minute calls grow with time; a per-session amount is held in full at the start.
    The guarantee is deliberately ignored: it only ever makes a short call free, so the answer
    stays safe, and a call whose budget runs out inside the guarantee ends when the budget
    does rather than running on for free. A negative budget counts as zero.
    """
    rate = pricing.amount_cents
    if pricing.mode is not PricingMode.PER_MINUTE or rate == 0:
        return None
    # round_half_up(s * rate, 60) <= budget  <=>  s * rate <= 60 * budget + 29.
    most_seconds = (60 * max(budget_cents, 0) + 29) // rate
    increment = rules.increment_seconds
    seconds = most_seconds // increment * increment
    # Billing floors to whole seconds, so the last 999 ms of that second are still covered.
    return seconds * 1000 + 999
