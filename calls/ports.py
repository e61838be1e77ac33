"""What the call use cases need from the rest of the system, as the wiring provides it
(``server/app.py``): the use cases never import the edges, Socket.IO or the wiring."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, Protocol

from appointments.booking import Booking
from brands.models import Brand
from marketplace.profiles import ProfileUpdate


class ExpertDirectory(Protocol):
    """The marketplace (``marketplace.experts.Experts``)."""

    async def profile(self, expert_id: str) -> ProfileUpdate | None: ...

    async def callbacks_for(self, expert_id: str) -> list[dict[str, Any]]: ...

    async def brand_call(self, slug: str) -> Brand: ...


class CategoryExperts(Protocol):
    """The cards of the experts a queue may ring (``Experts.in_category``)."""

    async def in_category(self, category: str) -> list[dict[str, Any]]: ...


class BookingDesk(Protocol):
    """Appointments (``appointments.service.Appointments``)."""

    async def get(self, booking_id: str, account_id: str) -> Booking: ...

    async def mark_joined(self, booking_id: str, account_id: str) -> Booking: ...


class Presence(Protocol):
    """Live presence of experts (``signaling.presence.PresenceStore``)."""

    async def status(self, expert_id: str) -> StrEnum: ...

    async def set_wanted(self, expert_id: str, status: Any) -> None: ...

    async def answered(self, expert_id: str) -> None: ...


class RingLimits(Protocol):
    """How often a client may ring (``signaling.limits.AccountLimits``)."""

    async def ring(self, client_id: str, expert_id: str | None) -> None: ...


class Names(Protocol):
    """Display names of accounts (``accounts.store.AccountStore``)."""

    async def display_names(self, account_ids: list[str]) -> dict[str, str]: ...


class QueueNotices(Protocol):
    """Tells a queued client where it stands (``signaling.notifier.SocketNotifier``)."""

    async def queue(self, client_id: str, body: dict[str, Any]) -> None: ...


# Whether an expert has an appointment starting soon (or under way): not to be rung.
BookedSoon = Callable[[str], Awaitable[bool]]


class Blocks(Protocol):
    """Who blocked whom (``trust.blocks.Blocks``, docs/trust.md)."""

    async def ensure_unblocked(self, one: str, other: str) -> None: ...

    async def blocked_among(self, one: str, others: list[str]) -> set[str]: ...
