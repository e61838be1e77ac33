"""The use cases of a call (protocol §3): start (direct, category, brand, booked), accept,
decline, cancel, join, media, chat, hang up. Each takes parsed values and answers what
happened; the Socket.IO edge (``signaling/namespace.py``) parses, calls one, and acks.

Sessions change only through ``CallService`` (one script each, then the notifier); the
rest of the system is reached through the ports of ``calls/ports.py``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from calls.booked import check_open
from calls.ports import (
    Blocks,
    BookedSoon,
    BookingDesk,
    ExpertDirectory,
    Names,
    Presence,
    RingLimits,
)
from calls.router import Router
from common.errors import Forbidden, Invalid, Unavailable
from common.ids import new_id
from sessions.agreed import agreed
from sessions.model import SessionView
from sessions.pricing import Pricing, PricingMode
from sessions.replies import Outcome
from sessions.service import CallService
from sessions.states import State
from sessions.store import NewSession

FREE = Pricing(PricingMode.FREE, 0)


@dataclass(frozen=True)
class Entered:
    """The caller is now in the session, on the side ``role``, and it is in ``state``."""

    session_id: str
    role: str
    state: str


@dataclass(frozen=True)
class Rejoined:
    """Everything a (re-)joining participant (``account_id``) needs to rebuild its view."""

    account_id: str
    outcome: Outcome
    session: SessionView
    role: str
    peer_id: str
    peer_name: str
    queue: dict[str, int] | None
    chat: list[dict[str, str]]


@dataclass(frozen=True)
class Socket:
    """Who acts, from which socket of which process; ``enter(session_id, role)`` puts that
    socket in the session's rooms (the edge's business), at the moment the rules need it."""

    account_id: str
    sid: str
    proc: str
    enter: Callable[[str, str], Awaitable[None]]


class Calls:
    def __init__(
        self,
        calls: CallService,
        experts: ExpertDirectory,
        presence: Presence,
        router: Router,
        booked: BookedSoon,
        bookings: Callable[[], BookingDesk],
        limits: RingLimits,
        names: Names,
        blocks: Blocks | None = None,
    ) -> None:
        self._blocks = blocks
        self._calls = calls
        self._experts = experts
        self._presence = presence
        self._router = router
        self._booked = booked
        self._bookings = bookings
        self._limits = limits
        self._names = names

    # -- presence -----------------------------------------------------------------------

    async def set_presence(self, expert_id: str, wanted: StrEnum) -> tuple[str, Any]:
        """The expert's status now, and (coming online) who asked to be called back."""
        await self._presence.set_wanted(expert_id, wanted)
        status = str(await self._presence.status(expert_id))
        if wanted == "offline":
            return status, None
        return status, await self._experts.callbacks_for(expert_id)

    # -- starting -----------------------------------------------------------------------

    async def start_direct(self, at: Socket, expert_id: str, topic: str,
                           expected: Pricing | None) -> Entered:
        await self._unblocked(at.account_id, expert_id)
        await self._limits.ring(at.account_id, expert_id)
        profile = await self._experts.profile(expert_id)
        if profile is None:
            raise Unavailable("this expert does not take calls")
        pricing = agreed(expected, profile.pricing)
        # Busy is for the store to say: its flag is the truth, and a flag its call left
        # behind is freed there (sessions/busy.py).
        if await self._presence.status(expert_id) == "offline":
            raise Unavailable("the expert is busy or offline")
        if await self._booked(expert_id):
            raise Unavailable("the expert has an appointment starting soon")
        session_id = new_id("s")
        new = NewSession(at.account_id, expert_id, topic, pricing, at.sid, at.proc,
                         profile_key=self._experts.price_key(expert_id))
        outcome = await self._calls.start(session_id, new)
        await at.enter(session_id, "client")
        assert outcome.session is not None
        return Entered(session_id, "client", outcome.session.state.value)

    async def start_category(self, at: Socket, category: str, topic: str,
                             max_rate_cents: int | None) -> Entered:
        if not self._experts.is_category(category):
            raise Invalid(f"unknown category: {category}", "category")
        await self._limits.ring(at.account_id, None)
        new = NewSession(at.account_id, "", topic, FREE, at.sid, at.proc, category=category)
        return await self._queued(at, new, max_rate_cents)

    async def start_brand(self, at: Socket, slug: str, topic: str,
                          max_rate_cents: int | None) -> Entered:
        # The brand's own queue, routed like a category call to its member experts only;
        # the brand's money rules are fixed into the session now.
        brand = await self._experts.brand_call(slug)
        await self._limits.ring(at.account_id, None)
        new = NewSession(at.account_id, "", topic, FREE, at.sid, at.proc, brand_id=brand.id,
                         category=brand.queue, payer_id=brand.id if brand.sponsored else "",
                         fee_percent=brand.fee_percent)
        return await self._queued(at, new, max_rate_cents)

    async def _queued(self, at: Socket, new: NewSession, max_rate_cents: int | None) -> Entered:
        session_id = new_id("s")
        await self._calls.enqueue(session_id, new, max_rate_cents)
        # In the session's rooms before routing may ring: the client hears the ringing.
        await at.enter(session_id, "client")
        # Tell the client where it stands, then route at once.
        await self._router.welcome(session_id, new.client_id, new.category)
        return Entered(session_id, "client", State.QUEUED.value)

    async def join_booking(self, at: Socket, booking_id: str) -> Entered | Rejoined:
        """Either side opens a booked call: the first one rings the other, the second
        answers (or rejoins); the booking learns who came (no-shows) from here."""
        desk = self._bookings()
        booking = await desk.get(booking_id, at.account_id)
        check_open(booking, int(time.time() * 1000))
        # A booking made before a block stays, but the call does not ring (docs/trust.md).
        await self._unblocked(booking.client_id, booking.expert_id)
        role = "client" if at.account_id == booking.client_id else "expert"
        store = self._calls.store
        # One lock per booking: the two sides arriving at once make one session.
        async with store.booking_lock(booking_id):
            await desk.mark_joined(booking_id, at.account_id)
            current = await store.session_of_booking(booking_id)
            found = await store.get(current) if current else None
            if found is not None and found[0].state != State.ENDED:
                view = found[0]
                if view.state == State.RINGING and view.rung_id == at.account_id:
                    return await self.accept(at, view.id)
                return await self.join(at, view.id)
            session_id = new_id("s")
            pricing = Pricing(PricingMode(booking.pricing_mode), booking.rate_cents)
            new = NewSession(booking.client_id, booking.expert_id, booking.topic, pricing,
                             at.sid, at.proc, booking_id=booking_id,
                             rung="e" if role == "client" else "c")
            outcome = await self._calls.start(session_id, new)
            await store.remember_booking(booking_id, session_id)
        await at.enter(session_id, role)
        assert outcome.session is not None
        return Entered(session_id, role, outcome.session.state.value)

    # -- answering and ending -----------------------------------------------------------

    async def accept(self, at: Socket, session_id: str) -> Entered:
        found = await self._calls.store.get(session_id)
        if found is not None and found[0].booking_id and found[0].role_of(at.account_id):
            # Answering a booked call is joining the appointment: the booking is attended.
            await self._bookings().mark_joined(found[0].booking_id, at.account_id)
        outcome = await self._calls.accept(session_id, at.account_id, at.sid, at.proc)
        assert outcome.session is not None
        role = outcome.session.role_of(at.account_id)
        assert role is not None
        await at.enter(session_id, role)
        if role == "expert":
            await self._presence.answered(at.account_id)  # present: unanswered rings forgiven
        return Entered(session_id, role, outcome.session.state.value)

    async def act(self, account_id: str, session_id: str, event: str) -> None:
        """``decline``, ``cancel`` or ``hangup``."""
        await self._calls.act(session_id, account_id, event)

    # -- in the call --------------------------------------------------------------------

    async def join(self, at: Socket, session_id: str) -> Rejoined:
        outcome = await self._calls.attach(session_id, at.account_id, at.sid, at.proc)
        session = outcome.session
        assert session is not None
        role = session.role_of(at.account_id)
        assert role is not None
        await at.enter(session.id, role)
        other = session.expert_id if role == "client" else session.client_id
        names = await self._names.display_names([other]) if other else {}
        queue = None
        if session.state == State.QUEUED:
            queue = await self._router.place(session.id, session.category)
        return Rejoined(at.account_id, outcome, session, role, other, names.get(other, ""), queue,
                        await self._calls.store.chat_history(session.id))

    async def check_participant(self, account_id: str, session_id: str) -> None:
        parties = await self._calls.store.parties(session_id)
        if account_id not in (parties.client_id, parties.expert_id):
            raise Forbidden("you are not a participant of this session")

    async def media(self, at: Socket, session_id: str, state: str) -> str:
        outcome = await self._calls.media(session_id, at.account_id, state, at.sid)
        assert outcome.session is not None
        return outcome.session.state.value

    async def _unblocked(self, one: str, other: str) -> None:
        """``blocked`` when either of the two blocked the other (docs/trust.md)."""
        if self._blocks is not None:
            await self._blocks.ensure_unblocked(one, other)

    async def chat(self, at: Socket, session_id: str, text: str) -> str:
        if self._blocks is not None:
            # A block made during the call silences its chat at once.
            parties = await self._calls.store.parties(session_id)
            if not parties.expert_id:  # known while queued: the expert may have come since
                parties = await self._calls.store.parties(session_id, fresh=True)
            await self._unblocked(parties.client_id, parties.expert_id)
        stored = await self._calls.chat(session_id, at.account_id, at.sid, text)
        return str(stored["message_id"])

    async def leave(self, sid: str, proc: str, session_ids: list[str]) -> None:
        """A socket is gone: it leaves every session it had joined."""
        for session_id in session_ids:
            await self._calls.detach(session_id, sid, proc)
