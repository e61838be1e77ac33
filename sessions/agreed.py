"""The price the client agreed to (protocol §7.2): what the client says it was shown.

``call:start`` and ``POST /bookings`` carry ``expected_pricing``; a call or booking is made
only at that price. The edge compares it with the profile it just read (a cheap early
answer), and it is compared again with the profile read just before the money is held
(``still_agreed``; the profile is in the expert's slot, not the call's nor the booking's):
for a call, in the pipeline that takes the expert and the hold, just before the script
that makes the call; for a booking, just before its hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from common.errors import Invalid
from sessions.errors import ExpertUnavailable, PriceChanged
from sessions.pricing import Pricing, PricingMode

FIELD = "expected_pricing"


def expected_pricing(body: Mapping[str, Any]) -> Pricing | None:
    """The ``expected_pricing`` of a request, or None when the client sent none."""
    raw = body.get(FIELD)
    if raw is None:
        return None
    try:
        return Pricing.parse(raw)
    except Invalid as exc:
        # Pricing names its fields ``pricing.*``; the client sent ``expected_pricing.*``.
        field = (exc.field or "pricing").replace("pricing", FIELD, 1)
        raise Invalid(exc.message.replace("pricing", FIELD, 1), field) from None


def agreed(expected: Pricing | None, current: Pricing) -> Pricing:
    """The price to make the call or booking at: the current one, if the client agreed to
    it (or said nothing, as clients before §7.2 do)."""
    if expected is not None and expected != current:
        raise PriceChanged(current)
    return current


def still_agreed(profile: str | None, pricing: Pricing) -> None:
    """``pricing`` is still the expert's, as their profile's JSON (its ``profile`` field,
    ``pricing = {mode, amount_cents}``: marketplace/profiles.py) reads now: else
    ``PriceChanged`` with the current one; ``ExpertUnavailable`` without a profile."""
    if profile is None:
        raise ExpertUnavailable("the expert is busy or offline")
    raw = json.loads(profile)["pricing"]
    current = Pricing(PricingMode(raw["mode"]), int(raw.get("amount_cents") or 0))
    if current != pricing:
        raise PriceChanged(current)


def no_single_price(body: Mapping[str, Any]) -> None:
    """Category and brand calls ring whichever expert routing finds, each at their own
    price: no one price is shown before the call, so none can be expected. The client
    bounds the rate with ``max_rate_cents``, and the expert's price when rung is the one
    held and charged (docs/earnings.md)."""
    if body.get(FIELD) is not None:
        raise Invalid(f"{FIELD} is for a call to one expert; a category or brand call is "
                      "bounded by max_rate_cents", FIELD)
