"""Why an account cannot be erased yet: 409 ``conflict``, with a ``reason`` the page can
explain (``in_call``, ``bookings_open``, ``balance_remaining``, ``credit_remaining``)."""

from __future__ import annotations

from common.errors import Conflict


class NotYet(Conflict):
    """Something must be settled before the account goes: earnings, credit, a call, a booking."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
