"""Appointments as the edges see them: rules, store scripts, then live notifications.

Every change is one store script; whatever notifications it stored are then delivered
through the ``Notifier``, by whichever process (request or loop) made the change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from appointments.availability import Availability
from appointments.booking import Booking
from appointments.errors import NoSuchBooking, NotBookable, NotYourBooking
from appointments.feeds import FeedTokens
from appointments.inbox import Inbox
from appointments.messages import BookingRequest, SlotQuery
from appointments.notify import Notifier
from appointments.settings import AppointmentSettings
from appointments.store import BookingStore, NewBooking, Outcome
from appointments.times import wall_time
from common.errors import Invalid
from common.ids import new_id
from common.loops import Loop, tolerant
from common.timefmt import iso_ms
from sessions.agreed import agreed
from sessions.pricing import Pricing, PricingMode

log = logging.getLogger(__name__)

PAST_KEPT_MS = 90 * 86_400_000  # how far back "my appointments" and the feed look


@dataclass(frozen=True)
class ExpertTerms:
    """What booking needs to know of an expert: the name shown and the current price."""

    display_name: str
    pricing: Pricing


ExpertLookup = Callable[[str], Awaitable[ExpertTerms | None]]


def hold_cents(pricing: Pricing, length_minutes: int) -> int:
    """What a booking holds: the flat price, the rate times the length, or nothing."""
    if pricing.mode is PricingMode.PER_MINUTE:
        return pricing.amount_cents * length_minutes
    if pricing.mode is PricingMode.PER_SESSION:
        return pricing.amount_cents
    return 0


class Appointments:
    def __init__(self, store: BookingStore, feeds: FeedTokens, inbox: Inbox,
                 experts: ExpertLookup, notifier: Notifier, settings: AppointmentSettings) -> None:
        self.store = store
        self.feeds = feeds
        self.inbox = inbox
        self._experts = experts
        self.notifier = notifier
        self.settings = settings

    async def _published(self, outcome: Outcome) -> Outcome:
        for account_id, note in outcome.notes:
            try:
                await self.notifier.notify(account_id, note)
            except Exception:
                # Stored already: the list in the app still shows it.
                log.exception("live notification to %s failed", account_id)
        return outcome

    @staticmethod
    def _booking(outcome: Outcome) -> Booking:
        assert outcome.booking is not None
        return outcome.booking

    # -- availability and slots ----------------------------------------------------

    async def set_availability(self, expert_id: str, availability: Availability) -> None:
        await self.store.save_availability(expert_id, availability)

    async def availability(self, expert_id: str) -> Availability:
        found = await self.store.availability(expert_id)
        if found is None:
            raise NotBookable()
        return found

    async def slots(self, expert_id: str, query: SlotQuery) -> dict[str, Any]:
        availability = await self.availability(expert_id)
        length = query.length_minutes or availability.lengths[0]
        now = await self.store.now_ms()
        start, end = query.window(now)
        busy = await self.store.busy(expert_id, start, end)
        free = availability.free_slots(length, start, end, now, busy)
        return {
            "expert_id": expert_id,
            "expert_time_zone": availability.time_zone,
            "time_zone": query.tz.key,
            "length_minutes": length,
            "lengths": list(availability.lengths),
            "slots": [{"start": iso_ms(s), "end": iso_ms(e), "local_start": wall_time(s, query.tz),
                       "local_end": wall_time(e, query.tz)} for s, e in free],
        }

    # -- bookings ----------------------------------------------------------------------

    async def book(self, client_id: str, client_name: str, ask: BookingRequest) -> Booking:
        availability = await self.availability(ask.expert_id)
        terms = await self._experts(ask.expert_id)
        if terms is None:
            raise NotBookable("no such expert")
        if ask.length_minutes not in availability.lengths:
            raise Invalid(f"length_minutes must be one of {list(availability.lengths)}",
                          "length_minutes")
        if not availability.offers(ask.start_ms, ask.length_minutes, await self.store.now_ms()):
            raise Invalid("the expert does not offer this time", "start")
        pricing = agreed(ask.expected_pricing, terms.pricing)
        new = NewBooking(
            client_id=client_id, expert_id=ask.expert_id, topic=ask.topic,
            start_ms=ask.start_ms, length_minutes=ask.length_minutes,
            pricing_mode=pricing.mode.value, rate_cents=pricing.amount_cents,
            hold_cents=hold_cents(pricing, ask.length_minutes),
            min_notice_ms=availability.min_notice_seconds * 1000,
            cancel_notice_ms=availability.cancel_notice_seconds * 1000,
            late_cancel_fee_percent=availability.late_cancel_fee_percent,
            no_show_fee_percent=availability.no_show_fee_percent,
            client_name=client_name, expert_name=terms.display_name,
            time_zone=availability.time_zone,
        )
        booking_id = new_id("bk")
        outcome = await self._published(await self.store.book(booking_id, new))
        log.info("booking %s: %s booked %s", booking_id, client_id, ask.expert_id)
        return self._booking(outcome)

    async def get(self, booking_id: str, account_id: str) -> Booking:
        booking = await self.store.get(booking_id)
        if booking is None:
            raise NoSuchBooking()
        if booking.role_of(account_id) is None:
            raise NotYourBooking()
        return booking

    async def of_account(self, account_id: str) -> list[Booking]:
        now = await self.store.now_ms()
        return await self.store.of_account(account_id, now - PAST_KEPT_MS)

    async def cancel(self, booking_id: str, account_id: str) -> Booking:
        outcome = await self._published(await self.store.cancel(booking_id, account_id))
        return self._booking(outcome)

    async def propose(self, booking_id: str, account_id: str, start_ms: int) -> Booking:
        booking = await self.get(booking_id, account_id)
        now = await self.store.now_ms()
        if booking.role_of(account_id) == "client":
            # A client picks among the expert's hours; the expert may offer any time.
            availability = await self.availability(booking.expert_id)
            if not availability.offers(start_ms, booking.length_minutes, now):
                raise Invalid("the expert does not offer this time", "start")
        elif start_ms <= now:
            raise Invalid("the new time must be in the future", "start")
        end_ms = start_ms + booking.length_minutes * 60_000
        outcome = await self.store.propose(booking_id, account_id, start_ms, end_ms)
        return self._booking(await self._published(outcome))

    async def respond(self, booking_id: str, account_id: str, accept: bool) -> Booking:
        outcome = await self.store.respond(booking_id, account_id, accept)
        return self._booking(await self._published(outcome))

    async def mark_joined(self, booking_id: str, account_id: str) -> Booking:
        """A participant joined the booking's call (called by the call layer)."""
        return self._booking(await self._published(await self.store.joined(booking_id,
                                                                            account_id)))

    async def reliability(self, expert_id: str) -> dict[str, int]:
        return await self.store.reliability(expert_id)

    # -- the loop: reminders and no-shows ------------------------------------------------

    async def tick(self) -> None:
        await self.store.intents.drop_done()
        for member in await self.store.due():
            try:
                outcome = await self._published(await self.store.fire(member))
                if outcome.booking is not None:
                    log.info("booking deadline %s: %s", member, outcome.status)
            except Exception:
                log.exception("booking deadline %s failed", member)

    def loop(self) -> Loop:
        return Loop(tolerant(self.tick, "appointments tick", log), self.settings.interval_seconds)
