"""What the call use cases need from the rest of the system, as the wiring provides it
(``server/app.py``). The use cases import ``sessions`` and ``common`` only (an
import-linter contract): every other package is reached through one of these ports, and
what a port answers is described here by the attributes the rules read, not by another
package's class."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, Protocol

from calls.booked import BookedCall
from sessions.pricing import Pricing


class Offer(Protocol):
    """An expert's profile, as far as a call reads it (``marketplace.profiles.ProfileUpdate``)."""

    @property
    def pricing(self) -> Pricing: ...


class BrandQueue(Protocol):
    """A brand, as far as its calls read it (``brands.models.Brand``)."""

    @property
    def id(self) -> str: ...

    @property
    def queue(self) -> str: ...

    @property
    def sponsored(self) -> bool: ...

    @property
    def fee_percent(self) -> int | None: ...


class PriceKeys(Protocol):
    """Where the current price of an expert is re-read, in the pipeline that takes the
    expert and the hold, just before the script that fixes it into the session
    (``sessions/agreed.py``)."""

    def price_key(self, expert_id: str) -> str: ...


class ExpertDirectory(PriceKeys, Protocol):
    """The marketplace (``marketplace.experts.Experts``)."""

    def is_category(self, slug: str) -> bool: ...

    async def profile(self, expert_id: str) -> Offer | None: ...

    async def callbacks_for(self, expert_id: str) -> list[dict[str, Any]]: ...

    async def brand_call(self, slug: str) -> BrandQueue: ...


class CategoryExperts(PriceKeys, Protocol):
    """The cards of the experts a queue may ring (``Experts.in_category``)."""

    async def in_category(self, category: str) -> list[dict[str, Any]]: ...


class BookingDesk(Protocol):
    """Appointments (``appointments.service.Appointments``)."""

    async def get(self, booking_id: str, account_id: str) -> BookedCall: ...

    async def mark_joined(self, booking_id: str, account_id: str) -> BookedCall: ...


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
