"""The price the client agreed to (protocol §7.2): what the client says it was shown.

``call:start`` and ``POST /bookings`` carry ``expected_pricing``; a call or booking is made
only at that price. The edge compares it with the profile it just read (a cheap early
answer), and the script that takes the hold compares it again with the profile as it is
at that instant (``lua/agreed.lua``), so a price changed in between cannot slip through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.errors import Invalid
from sessions.errors import PriceChanged
from sessions.pricing import Pricing

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


def no_single_price(body: Mapping[str, Any]) -> None:
    """Category and brand calls ring whichever expert routing finds, each at their own
    price: no one price is shown before the call, so none can be expected. The client
    bounds the rate with ``max_rate_cents``, and the expert's price when rung is the one
    held and charged (docs/earnings.md)."""
    if body.get(FIELD) is not None:
        raise Invalid(f"{FIELD} is for a call to one expert; a category or brand call is "
                      "bounded by max_rate_cents", FIELD)
