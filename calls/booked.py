"""When a booked call may be opened: plain rules, no I/O."""

from __future__ import annotations

from appointments.booking import Booking
from sessions.errors import WrongState

# A booked call can be joined from 5 minutes before its start until its end.
BOOKED_CALL_OPENS_MS = 5 * 60 * 1000


def check_open(booking: Booking, now_ms: int) -> None:
    """Raises ``conflict`` unless the booking's call can be opened at ``now_ms``."""
    if booking.state not in ("booked", "attended"):
        raise WrongState(f"this appointment is {booking.state.replace('_', ' ')}")
    if now_ms < booking.start_ms - BOOKED_CALL_OPENS_MS:
        raise WrongState("the call opens 5 minutes before the appointment")
    if now_ms >= booking.end_ms:
        raise WrongState("this appointment is over")
