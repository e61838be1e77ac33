"""Where mail joins the app: notifiers that pass everything on, then queue the mail an
event calls for.

The sessions and appointments services hand each outcome to their notifier exactly once
(in the process whose script made the change), so wrapping the notifier mails each event
once too, and neither package knows about mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from appointments.notify import Notifier as BookingNotifier
from appointments.store import BookingStore
from mail.mailer import Mailer
from sessions.notify import Notifier as CallNotifier
from sessions.replies import Outcome
from sessions.states import EndReason, State

log = logging.getLogger(__name__)

_BOOKING_KINDS = {
    "booking.created": "booking_created",
    "booking.cancelled": "booking_cancelled",
    "booking.rescheduled": "booking_moved",
}


class MailingCallNotifier:
    """Missed calls to the expert, receipts of paid calls to the client."""

    def __init__(self, inner: CallNotifier, mailer: Mailer) -> None:
        self._inner = inner
        self._mailer = mailer

    async def publish(self, outcome: Outcome) -> None:
        await self._inner.publish(outcome)
        session = outcome.session
        if session is None:
            return
        try:
            if outcome.released_expert and outcome.released_reason == EndReason.NO_ANSWER:
                await self._mailer.missed_call(session, outcome.released_expert)
            if not outcome.state_changed or session.state != State.ENDED:
                return
            if (session.end_reason == EndReason.NO_ANSWER and session.expert_id
                    and session.rung_role == "e"):
                await self._mailer.missed_call(session, session.expert_id)
            if session.amount_cents > 0 and not session.brand_id:
                await self._mailer.receipt(session)
        except Exception:
            log.exception("mail for session %s failed", session.id)

    async def chat(self, session_id: str, message: dict[str, Any]) -> None:
        await self._inner.chat(session_id, message)


class MailingBookingNotifier:
    """Bookings made, cancelled and moved (both sides, with the invite), and reminders."""

    def __init__(self, inner: BookingNotifier, mailer: Mailer,
                 bookings: Callable[[], BookingStore]) -> None:
        self._inner = inner
        self._mailer = mailer
        self._bookings = bookings

    async def notify(self, account_id: str, notification: dict[str, Any]) -> None:
        await self._inner.notify(account_id, notification)
        kind = str(notification.get("kind", ""))
        if kind not in _BOOKING_KINDS and kind != "booking.reminder":
            return
        try:
            booking = await self._bookings().get(str(notification["booking_id"]))
            if booking is None:
                return
            event_id = str(notification["id"])
            if kind == "booking.reminder":
                await self._mailer.reminder(booking, account_id,
                                            int(notification.get("seconds_before", 0)),
                                            event_id)
            else:
                await self._mailer.booking(_BOOKING_KINDS[kind], booking, event_id)
        except Exception:
            log.exception("mail for booking notification %s failed", notification.get("id"))
