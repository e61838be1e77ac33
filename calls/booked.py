"""When a booked call may be opened: plain rules, no I/O."""

from __future__ import annotations

from typing import Protocol

from sessions.errors import WrongState

# A booked call can be joined from 5 minutes before its start until its end.
BOOKED_CALL_OPENS_MS = 5 * 60 * 1000


class BookedCall(Protocol):
    """A booking, as far as its call reads it (``appointments.booking.Booking``)."""

    @property
    def state(self) -> str: ...  # booked, attended, cancelled, no_show

    @property
    def client_id(self) -> str: ...

    @property
    def expert_id(self) -> str: ...

    @property
    def topic(self) -> str: ...

    @property
    def start_ms(self) -> int: ...

    @property
    def end_ms(self) -> int: ...

    @property
    def pricing_mode(self) -> str: ...

    @property
    def rate_cents(self) -> int: ...


def check_open(booking: BookedCall, now_ms: int) -> None:
    """Raises ``conflict`` unless the booking's call can be opened at ``now_ms``."""
    if booking.state not in ("booked", "attended"):
        raise WrongState(f"this appointment is {booking.state.replace('_', ' ')}")
    if now_ms < booking.start_ms - BOOKED_CALL_OPENS_MS:
        raise WrongState("the call opens 5 minutes before the appointment")
    if now_ms >= booking.end_ms:
        raise WrongState("this appointment is over")
